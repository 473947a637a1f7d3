"""Personas shared by every test: who is looking, and a small world to look at.

`world` holds one partnership with two bodies (A and B), a second partnership,
and a login per persona:

- visitor: not logged in
- member: member of body A
- leader: leader of body A
- referent: minute-taker (referent) of body A
- other_member: member of body B in the same partnership
- former_member: a member of body A whose membership has ended
- secretariat: secretariat of the partnership
- other_secretariat: secretariat of the second partnership

The same persona names stand for the demo logins (DEMO_LOGINS, `demo_client`) in the tests
that are about the demo data; the demo has no referent, member of another body or former
member, so those personas exist in `world` only.
"""

import datetime as dt
import io
import shutil
import time
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from governance.models import Membership
from helsefellesskap import mfa
from portal import demo
from tests.governance import factories as gf

PERSONAS = [
    "visitor",
    "member",
    "leader",
    "referent",
    "other_member",
    "former_member",
    "secretariat",
    "other_secretariat",
]


@pytest.fixture
def world(db):
    partnership = gf.partnership(
        name="Helsefellesskapet Troms og Ofoten", short_name="Troms og Ofoten", slug="to"
    )
    other_partnership = gf.partnership(name="Helsefellesskapet Nord", short_name="Nord", slug="nord")
    body_a = gf.body(partnership, name="FSU barn og unge", short_name="FSU BU", slug="fsu-bu")
    body_b = gf.body(partnership, name="FSU akuttmedisin", short_name="FSU AKM", slug="fsu-akm")
    sekr = gf.secretariat_body(partnership)
    other_sekr = gf.secretariat_body(other_partnership)
    other_body = gf.body(other_partnership, name="SSU Nord", short_name="SSU", slug="ssu")
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    users = {"visitor": AnonymousUser()}
    seats = {
        "member": (body_a, Membership.Role.MEMBER, {}),
        "leader": (body_a, Membership.Role.LEADER, {}),
        "referent": (body_a, Membership.Role.REFERENT, {}),
        "other_member": (body_b, Membership.Role.MEMBER, {}),
        "former_member": (
            body_a,
            Membership.Role.MEMBER,
            {"start_date": yesterday - dt.timedelta(days=400), "end_date": yesterday},
        ),
        "secretariat": (sekr, Membership.Role.SECRETARY, {}),
        "other_secretariat": (other_sekr, Membership.Role.SECRETARY, {}),
    }
    people = {}
    for name, (seat_body, role, extra) in seats.items():
        person = gf.person_with_login(name, name=name.replace("_", " ").title())
        gf.membership(person, seat_body, role, **extra)
        users[name] = person.user
        people[name] = person
    return SimpleNamespace(
        partnership=partnership,
        other_partnership=other_partnership,
        body=body_a,
        other_body_same_partnership=body_b,
        other_body=other_body,
        users=users,
        people=people,
    )


def pass_second_factor(client, user) -> Client:
    """Mark the client's login as having passed the second factor, the way allauth's login flow
    records it in the session after the code step (helsefellesskap/mfa.py reads the same
    records), so a secretariat or staff client reaches the workspace and the admin. The one
    place the test suite skips the code step; the MFA tests themselves go through it."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str

    now = timezone.now().timestamp()
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "username": user.get_username()},
        {"method": "mfa", "at": now, "id": 0, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def login_with_second_factor(client, user) -> Client:
    """force_login, then pass_second_factor: a login as it is after both steps."""
    client.force_login(user)
    return pass_second_factor(client, user)


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's superuser client, past the second factor like every staff client here."""
    return login_with_second_factor(Client(), admin_user)


@pytest.fixture
def client_as(world):
    """A new client per call, logged in as a persona of `world`: `client_as("leader")`."""

    def login(persona) -> Client:
        client = Client()
        user = world.users[persona]
        if user.is_authenticated:
            login_with_second_factor(client, user)
        return client

    return login


@pytest.fixture
def anon_client(client_as):
    return client_as("visitor")


@pytest.fixture
def member_client(client_as):
    return client_as("member")


@pytest.fixture
def secretariat_client(client_as):
    return client_as("secretariat")


# The personas on the demo data: each one's demo login (README, "Demo logins"); None is a
# visitor who is not logged in.
DEMO_LOGINS = {
    "visitor": None,
    "member": "medlem",
    "leader": "leder",
    "secretariat": "sekretariat",
    "other_secretariat": "sekretariat-nord",
}
DEMO_PERSONAS = list(DEMO_LOGINS)


def demo_client(persona) -> Client:
    """A new client logged in with the persona's demo login and the demo password."""
    client = Client()
    username = DEMO_LOGINS[persona]
    if username:
        assert client.login(username=username, password=demo.DEMO_PASSWORD)
        pass_second_factor(client, demo_user(persona))
    return client


def demo_user(persona):
    """The persona's demo login as a User."""
    return get_user_model().objects.get(username=DEMO_LOGINS[persona])


def totp_code(user) -> str:
    """The current code of the user's authenticator app, as the app on a phone would show it,
    from the secret allauth stores; forgets that the code was used, so a test may log in twice
    within one 30-second step (allauth accepts each code once)."""
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal import auth as totp
    from allauth.mfa.utils import decrypt
    from django.core.cache import cache

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    code = totp.format_hotp_value(totp.hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
    cache.delete(totp.TOTP(authenticator)._get_used_cache_key(code))
    return code


def enrol_totp(user) -> None:
    """Give the user an authenticator app, as if enrolled earlier (for journeys about something else)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal import auth as totp

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        totp.TOTP.activate(user, totp.generate_totp_secret())


def demo_login(page, base, persona):
    """Log a browser page in with the persona's demo login; the visitor stays logged out. The
    secretariat's logins have an authenticator app (enrolled here if need be) and enter its code."""
    if DEMO_LOGINS[persona]:
        browser_login(page, base, DEMO_LOGINS[persona])
    return page


def browser_login(page, base, username):
    """Log a browser page in through the portal's login form as `username` (demo password),
    with the authenticator code when the user must use a second factor (enrolled if need be)."""
    user = get_user_model().objects.get(username=username)
    second_factor = mfa.must_use_second_factor(user)
    if second_factor:
        enrol_totp(user)
    page.goto(base + "/konto/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    # Waits until the login page is left (and fails if the login is refused).
    page.wait_for_url(lambda url: "/konto/login/" not in url)
    if second_factor:
        page.fill("#id_code", totp_code(user))
        page.click("main form.login-form button[type=submit]")
        page.wait_for_url(lambda url: "/konto/" not in url)
    return page


# Browser tests: Debian's Chromium driven by Playwright for Python through executable_path.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def module_demo_data(django_db_setup, django_db_blocker):
    """The demo data for one test module, loaded outside the per-test transactions, flushed after."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_live(transactional_db, live_server):
    """The demo data behind a live server, for the browser."""
    call_command("load_demo", stdout=io.StringIO())
    return live_server


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM reads are
    # still plain synchronous calls, so Django's async guard is lifted for these tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM:
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def has_nul(data) -> bool:
    """Whether posted data holds a NUL, which the middleware refuses before any view runs."""
    values = data.values() if isinstance(data, dict) else [data]
    return any(isinstance(value, str) and "\x00" in value for value in values)


def assert_nul_refused(response) -> None:
    """The middleware's answer to a NUL anywhere in a request: 400 and a Norwegian page."""
    assert response.status_code == 400
    assert "NUL-tegnet" in response.content.decode()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts and ends with an empty cache: no login failure counts, lockouts or
    cached pages carried from one test into another."""
    from django.core.cache import cache

    from documents import fragments
    from helsefellesskap import pagecache

    cache.clear()
    pagecache.forget_local()
    fragments.forget()
    yield
    cache.clear()
    pagecache.forget_local()
    fragments.forget()
