"""WCAG 2.1 A/AA with axe-core in Chromium, valid HTML with the Nu HTML Checker, keyboard use.

Chromium comes from Debian's `chromium` package; the checker is npm's current `vnu-jar`
(tests/htmlcheck.py), run on Java 17. Where one is missing the tests say so and are skipped, and
CI (.ci/run) fails if any test was skipped there.

About the demo data because axe-core and the Nu checker must judge realistic pages: the seeds'
long agendas, tables of measures, attendance lists and case papers, as a reader meets them.
"""

import io

import pytest
from django.core.management import call_command

from tests import htmlcheck
from tests.conftest import demo_client, demo_login
from tests.portal.page_urls import PAGE_TYPES, member_urls, page_types, workspace_urls

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def test_axe_finds_no_wcag_a_or_aa_violation(demo_live, browser):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    for name, url in page_types().items():
        page.goto(demo_live.url + url)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        for violation in results.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
    # A member's view of the meeting with an exempt case, and a phone-sized screen.
    demo_login(page, demo_live.url, "member")
    page.set_viewport_size({"width": 375, "height": 800})
    from governance.models import Body

    fsu_bu = Body.objects.get(partnership__slug="troms-ofoten", slug="fsu-bu")
    for url in (
        "/troms-ofoten/fsu-bu/",
        PAGE_TYPES["meeting"],
        "/min-side/",
        f"/min-side/foresla-sak/{fsu_bu.pk}/",
    ):
        page.goto(demo_live.url + url)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        problems += [f"member {url}: {v['id']}" for v in results.response["violations"]]
    assert not problems, "\n".join(problems)


def test_keyboard_skip_link_and_visible_focus(demo_live, browser):
    page = browser.new_page()
    page.goto(demo_live.url + PAGE_TYPES["meeting"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hopp til hovedinnhold"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Every control is reachable: tab through the page and land on the agenda's first link.
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.getAttribute('href') || ''"))
    assert any(href.startswith("#sak-") for href in reached)


@pytest.mark.django_db
def test_html_validates_with_the_nu_checker(client):
    """Every page type as a visitor, a member and the secretariat sees it: 0 errors."""
    htmlcheck.vnu_jar()
    call_command("load_demo", stdout=io.StringIO())
    pages = {}
    for name, url in page_types().items():
        pages[name] = client.get(url).content
    for persona, urls in (("member", member_urls()), ("secretariat", workspace_urls())):
        reader = demo_client(persona)
        for url in urls:
            response = reader.get(url)
            assert response.status_code == 200, url
            pages[f"{persona} {url}"] = response.content
    errors = htmlcheck.errors(pages)
    assert not errors, "\n".join(errors)


def test_the_checker_finds_a_skipped_heading_level():
    """The checker in use is one that knows the rule the bundled old copy missed."""
    page = '<!DOCTYPE html><html lang="nb"><head><title>x</title></head><body><h1>a</h1><h3>b</h3>'
    errors = htmlcheck.errors({"skipping": page})
    assert len(errors) == 1 and "skipping 1 heading level" in errors[0], errors


def test_the_meeting_mode_passes_axe_and_the_nu_checker(demo_live, browser):
    """The secretariat's meeting mode and approval pages, with a warning and errors showing."""
    from axe_playwright_python.sync_playwright import Axe

    from meetings.models import Meeting

    meeting = Meeting.objects.get(title="Demo: møte i FSU barn og unge (innkalt)")
    url = f"/forvaltning/troms-ofoten/moter/{meeting.pk}/motemodus/"
    page = demo_login(browser.new_page(viewport={"width": 1280, "height": 900}), demo_live.url, "secretariat")
    page.goto(demo_live.url + url)
    # A refused save: the page with its error summary, as a user meets it.
    case = meeting.cases.order_by("order").first()
    page.locator(f"#sak-{case.pk} textarea[name$=-decision]").fill("x")
    page.locator(f"#sak-{case.pk} select[name$=-outcome]").select_option("")
    page.locator(f"#sak-{case.pk} button[value=decision]").click()
    page.wait_for_load_state()
    axe = Axe()
    problems = []
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        problems += [
            f"meeting mode {width}px: {v['id']} {v['nodes'][0]['target']}"
            for v in results.response["violations"]
        ]
    html = page.content()
    assert not problems, "\n".join(problems)
    errors = htmlcheck.errors({"meeting mode": html})
    assert not errors, "\n".join(errors)
