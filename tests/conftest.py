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
"""

import datetime as dt
import io
import shutil
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from governance.models import Membership
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


def _client_for(client, world, persona):
    user = world.users[persona]
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.fixture
def anon_client(client):
    return client


@pytest.fixture
def member_client(client, world):
    return _client_for(client, world, "member")


@pytest.fixture
def secretariat_client(client, world):
    return _client_for(client, world, "secretariat")


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
