"""The second factor in a real browser: the secretariat enrols an authenticator app from its QR
page, logs in with a code and with a recovery code; the workspace and the admin stay shut
without the second step; another secretariat member resets a lost device.

About the demo data, as the README's demo logins: `sekretariat` is sent to enrol at its first
login, as a real secretariat member is.
"""

import re
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from playwright.sync_api import expect

from portal import demo
from tests.conftest import demo_login, demo_user, enrol_totp, totp_code

WORKSPACE = "/forvaltning/troms-ofoten/"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page):
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    problems = [
        f"{page.url}: {v['id']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert not problems, "\n".join(problems)


def password_step(page, base, username, next_path=""):
    page.goto(base + "/konto/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_login", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("main form.login-form button[type=submit]")


def log_out(page):
    page.click("header form.inline-form button[type=submit]")
    expect(page.get_by_role("link", name="Logg inn")).to_be_visible()


def test_secretariat_enrols_then_logs_in_with_a_code_and_with_a_recovery_code(demo_live, browser):
    base, user = demo_live.url, demo_user("secretariat")
    page = browser.new_context().new_page()
    password_step(page, base, "sekretariat", WORKSPACE)

    # Sent to enrol, with the reason in Norwegian, a QR code and the key to type in.
    expect(page).to_have_url(re.compile(r"/konto/2fa/totp/activate/$"))
    expect(page.locator("h1")).to_have_text("Sett opp en autentiseringsapp")
    expect(page.locator(".messages")).to_contain_text("kontoen din må ha en andre faktor")
    expect(page.locator("#totp-qr svg")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.fill("#id_code", "000000")
    page.click("main form.login-form button[type=submit]")
    expect(page.locator("#id_code_error")).to_be_visible()  # a wrong code is refused
    code = totp.format_hotp_value(totp.hotp_value(secret, int(time.time()) // 30))
    page.fill("#id_code", code)
    page.click("main form.login-form button[type=submit]")

    # Recovery codes, then on to the workspace the login was for.
    expect(page.locator("h1")).to_have_text("Gjenopprettingskoder")
    expect(page.locator("#recovery_codes li")).to_have_count(10)
    recovery_code = page.locator("#recovery_codes li").first.inner_text().strip()
    assert_accessible(page)
    page.click("#mfa-continue")
    expect(page).to_have_url(base + WORKSPACE)
    assert Authenticator.objects.filter(user=user, type="totp").exists()

    # The next login asks for the code from the app.
    log_out(page)
    password_step(page, base, "sekretariat")
    expect(page).to_have_url(re.compile(r"/konto/2fa/authenticate/$"))
    expect(page.locator("h1")).to_have_text("Andre faktor")
    assert_accessible(page)
    page.fill("#id_code", totp_code(user))
    page.click("main form.login-form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/konto/"))
    page.goto(base + WORKSPACE)
    expect(page).to_have_url(base + WORKSPACE)

    # Without the phone: a recovery code, once.
    log_out(page)
    password_step(page, base, "sekretariat")
    page.fill("#id_code", recovery_code)
    page.click("main form.login-form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/konto/"))
    page.goto(base + WORKSPACE)
    expect(page).to_have_url(base + WORKSPACE)


def test_workspace_and_admin_shut_without_the_second_factor(demo_live, browser):
    base = demo_live.url
    # A superuser without an authenticator: the admin's login is the portal's, then enrolment.
    admin = browser.new_context().new_page()
    admin.goto(base + "/admin/")
    expect(admin).to_have_url(re.compile(r"/konto/login/\?next="))
    admin.fill("#id_login", "admin")
    admin.fill("#id_password", demo.DEMO_PASSWORD)
    admin.click("main form.login-form button[type=submit]")
    expect(admin).to_have_url(re.compile(r"/konto/2fa/totp/activate/$"))
    admin.goto(base + "/admin/governance/body/")
    expect(admin).to_have_url(re.compile(r"/konto/2fa/totp/activate/$"))

    # Staff with an authenticator who stops at the code step is not logged in at all.
    enrol_totp(demo_user("secretariat"))
    staff = browser.new_context().new_page()
    password_step(staff, base, "sekretariat", WORKSPACE)
    expect(staff).to_have_url(re.compile(r"/konto/2fa/authenticate/$"))
    for path in (WORKSPACE, "/admin/"):
        staff.goto(base + path)
        # Not logged in: the login page sends the pending login back to the code step.
        expect(staff).to_have_url(re.compile(r"/konto/2fa/authenticate/$"))
        expect(staff.get_by_role("link", name="Logg inn")).to_be_visible()


def test_another_secretariat_member_resets_a_lost_device(demo_live, browser):
    base = demo_live.url
    leader = demo_user("leader")
    enrol_totp(leader)
    staff = demo_login(browser.new_context().new_page(), base, "secretariat")
    staff.goto(base + WORKSPACE)
    staff.get_by_role("link", name="Andre faktor: mistet enhet").click()
    expect(staff.locator("h1")).to_have_text("Andre faktor: mistet enhet")
    assert_accessible(staff)
    own = demo_user("secretariat").pk
    expect(staff.locator(f"a[href$='/tofaktor/{own}/tilbakestill/']")).to_have_count(0)
    staff.get_by_role("link", name=f"Tilbakestill for {leader.person.name}").click()
    expect(staff.locator(".alert--warning")).to_contain_text("logger vedkommende ut overalt")
    staff.click("main form button[type=submit]")  # no reason
    expect(staff.locator("#error-summary")).to_be_visible()
    assert_accessible(staff)
    assert Authenticator.objects.filter(user=leader).exists()
    staff.fill("#id_reason", "Mistet telefonen, ringt tilbake på kjent nummer")
    staff.click("main form button[type=submit]")
    expect(staff.locator(".messages")).to_contain_text(
        f"Den andre faktoren til {leader.person.name} er tilbakestilt"
    )
    assert not Authenticator.objects.filter(user=leader).exists()
