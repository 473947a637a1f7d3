"""The meeting page's agenda and case papers, kept per version and reader access (meetings/fragments.py).

A kept part is shared only by readers who would see the same bytes: every persona sees, in
whichever order the personas come, exactly the page rendered without kept parts; a member's
part never reaches a visitor; a change the parts show is on the next request; staff's pages
are not kept.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents import fragments
from governance.models import PatientGroup, Person
from meetings.models import Case, CaseSection, Meeting, Recusal
from tests.cache.test_public_cache import PAST, PUBLIC_TITLE, SECRET
from tests.conftest import DEMO_PERSONAS, demo_client
from tests.meetings import factories as mf
from tests.portal.test_pages import urls

pytestmark = pytest.mark.django_db

MEETING_PAGES = (
    "meeting held",
    "meeting with minutes",
    "dialogue meeting",
    "meeting notice issued",
    "meeting draft",
)
# What differs between two renderings of one page for one reader: the CSRF token of the logout form.
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def every_request_rendered(settings):
    """The view's own work: no visitor's page from the public page cache (tests/cache/)."""
    settings.PUBLIC_PAGE_CACHE = False


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub("", response.content.decode())


def kept() -> int:
    return len(fragments.kept)


def test_every_persona_sees_the_page_as_rendered_without_kept_parts(demo_data, settings):
    pages = {name: url for name, (url, allowed) in urls(demo_data).items() if name in MEETING_PAGES}
    readers = {persona: demo_client(persona) for persona in DEMO_PERSONAS}

    def allowed(name, persona):
        return persona in urls(demo_data)[name][1]

    settings.FRAGMENT_CACHE = False
    expected = {
        (name, persona): html(client, url)
        for name, url in pages.items()
        for persona, client in readers.items()
        if allowed(name, persona)
    }
    settings.FRAGMENT_CACHE = True
    for order in (DEMO_PERSONAS, list(reversed(DEMO_PERSONAS))):
        fragments.forget()
        for name, url in pages.items():
            for persona in order:
                if allowed(name, persona):
                    assert html(readers[persona], url) == expected[name, persona], (name, persona, order)
    assert kept() > 0  # the parts were kept, and shared where the readers agree


@pytest.fixture
def held(world):
    """A meeting with published minutes: an open case with a text and a decision, and an exempt
    case with a public title that the body's members read in full."""
    meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=PAST)
    first = mf.case(meeting, number=1, title="Overgangsplan for ungdom", decision="Vedtatt som foreslått.")
    CaseSection.objects.create(case=first, order=1, heading="Bakgrunn", text="Første utkast av saksteksten.")
    secret = mf.case(
        meeting,
        number=2,
        title=SECRET,
        exempt=True,
        exemption_basis="offl. § 13 jf. fvl. § 13",
        public_title=PUBLIC_TITLE,
        decision="Vedtak om Ola Testpasient.",
    )
    CaseSection.objects.create(case=secret, order=1, heading="Saken", text="Opplysninger om Ola Testpasient.")
    mf.minutes(meeting, published=True, text="Referatets tekst.")
    return meeting


@pytest.mark.parametrize("first", ["member", "visitor", "other_member", "former_member"])
def test_a_members_parts_never_reach_a_visitor(held, client_as, first):
    url = held.get_absolute_url()
    readers = ["member", "visitor", "other_member", "former_member"]
    readers.remove(first)
    for persona in [first, *readers, first]:
        shown = html(client_as(persona), url)
        assert (SECRET in shown) == (persona == "member"), persona
        assert ("Ola Testpasient" in shown) == (persona == "member"), persona
        assert PUBLIC_TITLE in shown


def test_a_hit_reads_neither_text_nor_patient_groups_and_shows_the_same(held, client_as):
    member = client_as("member")
    with CaptureQueriesContext(connection) as first_queries:
        first = html(member, held.get_absolute_url())
    with CaptureQueriesContext(connection) as second_queries:
        second = html(member, held.get_absolute_url())
    assert second == first
    # At least the papers' text and patient groups are not read again; with the rest of the
    # content kept too, neither is the record it shows (attendance, minutes, follow-ups).
    assert len(second_queries) <= len(first_queries) - 2
    read = " ".join(query["sql"] for query in second_queries.captured_queries)
    assert "meetings_casesection" not in read
    assert "meetings_case_patient_groups" not in read


def _change_text(case):
    section = case.sections.get()
    section.text = "Andre utkast av saksteksten."
    section.save()
    return "Andre utkast av saksteksten."


def _change_decision(case):
    case.decision = "Vedtatt med endringer fra FSU."
    case.save()
    return "Vedtatt med endringer fra FSU."


def _add_patient_group(case):
    group = PatientGroup.objects.create(name="Skrøpelige eldre", slug="skropelige-eldre", order=3)
    case.patient_groups.add(group)
    return "Skrøpelige eldre"


def _rename_a_disqualified_person(case):
    person = Person.objects.create(name="Per Inhabil")
    Recusal.objects.create(case=case, person=person, reason="")
    person.name = "Pål Inhabil"
    person.save()
    return "Pål Inhabil"


def _rename_the_body(case):
    body = case.body
    body.slug = "fagrad-bu"
    body.save()
    return "/fagrad-bu/saker/"


def _move_the_meeting(case):
    """The rest of the page's content (meetings/meeting.html, kept whole): the facts."""
    meeting = case.meeting
    meeting.place = "Rådhuset i Harstad, møterom Kvitbjørn"
    meeting.save()
    return "Rådhuset i Harstad, møterom Kvitbjørn"


def _change_the_minutes(case):
    section = case.meeting.minutes.sections.get()
    section.text = "Referatets andre tekst."
    section.save()
    return "Referatets andre tekst."


def _rename_an_attendee(case):
    from meetings.models import Attendance

    person = Person.objects.create(name="Kari Deltaker")
    Attendance.objects.create(meeting=case.meeting, person=person, status=Attendance.Status.PRESENT)
    person.name = "Kari Møtende"
    person.save()
    return "Kari Møtende"


@pytest.mark.parametrize(
    "change",
    [
        _change_text,
        _change_decision,
        _add_patient_group,
        _rename_a_disqualified_person,
        _rename_the_body,
        _move_the_meeting,
        _change_the_minutes,
        _rename_an_attendee,
    ],
)
def test_a_change_shows_on_the_members_next_request(held, client_as, change):
    member = client_as("member")
    case = held.cases.get(number=1)
    html(member, held.get_absolute_url())
    assert kept() > 0
    expected = change(Case.objects.get(pk=case.pk))
    held.refresh_from_db()
    assert expected in html(member, held.get_absolute_url())


@pytest.mark.parametrize("first", ["member", "visitor"])
def test_the_meeting_link_reaches_only_members_whoever_came_first(world, client_as, first):
    """A meeting whose cases every reader reads alike: only the link differs between them."""
    meeting = mf.meeting(
        world.body,
        status=Meeting.Status.NOTICE_ISSUED,
        online_link="https://teams.example.no/mote-for-medlemmer",
    )
    mf.case(meeting, number=1, title="Overgangsplan for ungdom")
    for persona in (first, "visitor" if first == "member" else "member", "other_member", first):
        shown = html(client_as(persona), meeting.get_absolute_url())
        assert "Overgangsplan for ungdom" in shown
        assert ("teams.example.no" in shown) == (persona == "member"), persona


def test_exemption_set_after_keeping_hides_the_case_from_a_visitor_at_once(held, client_as):
    case = held.cases.get(number=1)
    for persona in ("visitor", "member"):
        assert "Overgangsplan for ungdom" in html(client_as(persona), held.get_absolute_url())
    case.exempt = True
    case.exemption_basis = "offl. § 13 jf. fvl. § 13"
    case.public_title = "Sak om overganger"
    case.save()
    visitor = html(client_as("visitor"), held.get_absolute_url())
    assert "Overgangsplan for ungdom" not in visitor
    assert "Første utkast" not in visitor
    assert "Sak om overganger" in visitor
    assert "Overgangsplan for ungdom" in html(client_as("member"), held.get_absolute_url())


def test_the_language_is_in_the_key(held, settings):
    visitor = Client()
    assert "Vedtak" in html(visitor, held.get_absolute_url())
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = html(visitor, held.get_absolute_url())
    assert "Decision" in english
    assert "Vedtak</h3>" not in english


@pytest.mark.parametrize("persona", ["secretariat", "leader"])
def test_staff_pages_are_rendered_every_time_and_not_kept(held, client_as, persona):
    html(client_as(persona), held.get_absolute_url())
    assert kept() == 0


def test_off_switch(held, client_as, settings):
    settings.FRAGMENT_CACHE = False
    html(client_as("member"), held.get_absolute_url())
    html(Client(), held.get_absolute_url())
    assert kept() == 0
