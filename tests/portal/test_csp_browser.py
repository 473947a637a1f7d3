"""No page breaks the Content-Security-Policy: Chromium reports no violation on any page type.

The policy allows no inline script or style (settings: CONTENT_SECURITY_POLICY). A template that
brings one back (a `style="…"`, an `onclick`, a `<script>` block) makes Chromium refuse it and
say so in the console; this test visits one page of every kind, as the persona who sees it, and
fails on any such message. The demo data, so the pages are full ones.
"""

from django.urls import reverse
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.conftest import browser_login, demo_login
from tests.portal.page_urls import member_urls, page_types, workspace_urls


def watch_csp(page, violations: list[str]) -> list[str]:
    """Add every CSP violation Chromium reports on the page, as its console message, to `violations`."""

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def visit(page, base, urls, violations) -> None:
    for url in urls:
        response = page.goto(base + url)
        assert response is not None and response.status < 500, url
        assert response.headers.get("content-security-policy"), url
        expect(page.locator("h1").first).to_be_visible()
    # The console messages of the last page arrive, in order, before this round trip returns.
    page.evaluate("() => document.title")


def admin_urls():
    meeting = Meeting.objects.first()
    return [
        "/admin/",
        "/admin/meetings/meeting/",
        reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        # django-simple-history's list: its one inline style is allowed by hash on /admin/ only.
        reverse("admin:meetings_meeting_history", args=[meeting.pk]),
        "/admin/governance/securityevent/",
    ]


def test_the_watch_sees_a_violation(demo_live, browser):
    """The check itself: an inline style added to a page is refused and reported."""
    page = browser.new_page()
    violations = watch_csp(page, [])
    page.goto(demo_live.url + "/")
    page.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'h1{}'; document.head.append(s)}"
    )
    page.evaluate("() => document.title")
    assert violations and "style-src" in violations[0]


def test_no_csp_violation_on_any_page_type(demo_live, browser):
    base = demo_live.url
    problems = []

    visitor = browser.new_context().new_page()
    watch_csp(visitor, problems)
    visit(visitor, base, page_types().values(), problems)

    member = demo_login(browser.new_context().new_page(), base, "member")
    watch_csp(member, problems)
    visit(member, base, member_urls(), problems)

    staff = demo_login(browser.new_context().new_page(), base, "secretariat")
    watch_csp(staff, problems)
    visit(staff, base, workspace_urls(), problems)

    # The admin's login is the portal's, with the second factor (helsefellesskap/mfa.py).
    admin = browser.new_context().new_page()
    watch_csp(admin, problems)
    browser_login(admin, base, "admin")
    admin.goto(base + "/admin/")
    expect(admin.locator("#site-name")).to_be_visible()
    visit(admin, base, admin_urls(), problems)

    assert not problems, "\n".join(problems)
