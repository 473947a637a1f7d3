"""The meeting mode screen: who reaches it, what it records, bad input, bounded queries."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase  # noqa: F401 - documents the choice

from governance.models import Membership, Organisation, Person
from meetings.models import Attendance, Case
from tests.conftest import PERSONAS, assert_nul_refused, has_nul
from tests.governance import factories as gf

pytestmark = pytest.mark.django_db


def _url(meeting):
    return reverse("manage:meeting_mode", args=[meeting.body.partnership.slug, meeting.pk])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_only_the_partnerships_secretariat_reaches_the_meeting_mode(meetings_world, client_as):
    url = _url(meetings_world.held)
    for persona in PERSONAS:
        status = client_as(persona).get(url).status_code
        assert status == {"visitor": 302, "secretariat": 200}.get(persona, 404), persona
        assert client_as(persona).post(url, {"action": "attendance"}).status_code in (
            {"visitor": (302,), "secretariat": (302, 400)}.get(persona, (404,))
        ), persona
    other = meetings_world.other
    own = meetings_world.world.partnership.slug
    assert (
        client_as("secretariat").get(reverse("manage:meeting_mode", args=[own, other.pk])).status_code == 404
    )


def test_the_workspace_meeting_page_links_the_meeting_mode(meetings_world, secretariat_client):
    held = meetings_world.held
    page = secretariat_client.get(reverse("manage:meeting", args=[held.body.partnership.slug, held.pk]))
    assert _url(held) in page.content.decode()


def test_query_count_does_not_grow_with_cases(meetings_world, secretariat_client):
    from tests.portal.test_pages import _grow_meeting

    url = _url(meetings_world.held)
    secretariat_client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert secretariat_client.get(url).status_code == 200
        return len(ctx)

    before = count()
    assert before <= 40
    _grow_meeting(meetings_world.held, 30)
    assert count() == before


@pytest.fixture
def parties(meetings_world):
    world = meetings_world.world
    trust = gf.organisation(world.partnership, name="UNN HF", kind=Organisation.Kind.HEALTH_TRUST)
    narvik = gf.organisation(world.partnership, name="Narvik kommune")
    Membership.objects.filter(person=world.people["leader"], body=world.body).update(on_behalf_of=trust)
    Membership.objects.filter(person=world.people["member"], body=world.body).update(on_behalf_of=narvik)
    vara = Person.objects.create(name="Vara Varasen")
    gf.membership(vara, world.body, Membership.Role.SUBSTITUTE)
    return {"trust": trust, "narvik": narvik, "vara": vara}


def _sheet(meetings_world, **statuses):
    people = meetings_world.world.people
    data = {"action": "attendance"}
    for key in ("member", "leader", "referent"):
        data[f"status-{people[key].pk}"] = statuses.get(key, "present")
    return data


def test_attendance_with_forfall_a_substitute_and_a_guest(meetings_world, secretariat_client, parties):
    held, people = meetings_world.held, meetings_world.world.people
    data = _sheet(meetings_world, member="absent_with_notice")
    data[f"status-{parties['vara'].pk}"] = "present"
    data[f"for-{parties['vara'].pk}"] = str(people["member"].pk)
    data["add_name"] = "Gunn Gjest"
    response = secretariat_client.post(_url(held), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    vara = held.attendances.get(person=parties["vara"])
    assert vara.substitute_for == people["member"] and vara.on_behalf_of == parties["narvik"]
    assert held.attendances.get(person=people["member"]).status == Attendance.Status.ABSENT_WITH_NOTICE
    assert held.attendances.get(person__name="Gunn Gjest").role == Attendance.Role.GUEST
    page = secretariat_client.get(_url(held)).content.decode()
    assert "Narvik kommune" in page and "Mangler" not in page  # the vara stands in for Narvik


def test_the_parties_warning_and_the_confirmed_consensus(meetings_world, secretariat_client, parties):
    held = meetings_world.held
    secretariat_client.post(_url(held), _sheet(meetings_world, leader="absent_with_notice"))
    page = secretariat_client.get(_url(held)).content.decode()
    assert "Er alle parter til stede?" in page and "Mangler" in page
    assert "Vedtatt i konsensus; UNN HF var ikke til stede." in page
    assert "Parter som mangler: UNN HF." in page and "Party(" not in page
    case = meetings_world.cases[7]
    post = {
        "action": "decision",
        "case": case.pk,
        f"case-{case.pk}-version": case.version,
        f"case-{case.pk}-outcome": "consensus",
        f"case-{case.pk}-decision": "Teksten min",
    }
    response = secretariat_client.post(_url(held), post)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ikke alle parter er til stede (mangler: UNN HF)" in page and "Teksten min" in page
    post[f"case-{case.pk}-confirm_missing_parties"] = "on"
    assert secretariat_client.post(_url(held), post).status_code == 302
    case.refresh_from_db()
    assert (case.outcome, case.decision) == ("consensus", "Teksten min")


def test_a_stale_case_save_keeps_the_text_and_shows_the_saved_one(meetings_world, client_as, parties):
    held, case = meetings_world.held, meetings_world.cases[8]
    first, second = client_as("secretariat"), client_as("secretariat")
    base = {"action": "decision", "case": case.pk, f"case-{case.pk}-version": case.version}
    ok = first.post(
        _url(held), {**base, f"case-{case.pk}-outcome": "postponed", f"case-{case.pk}-decision": "Utsatt."}
    )
    assert ok.status_code == 302
    refused = second.post(
        _url(held),
        {**base, f"case-{case.pk}-outcome": "for_information", f"case-{case.pk}-decision": "Min tekst"},
    )
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Saken er endret av Secretariat" in page and "Min tekst" in page and "Utsatt." in page
    case.refresh_from_db()
    assert case.decision == "Utsatt."
    # Saving again from the page (which now carries the saved version) goes through.
    again = {**base, f"case-{case.pk}-version": case.version, f"case-{case.pk}-outcome": "postponed"}
    assert (
        second.post(_url(held), {**again, f"case-{case.pk}-decision": "Utsatt. Min tekst"}).status_code == 302
    )


def test_saving_one_case_does_not_touch_another(meetings_world, secretariat_client):
    held, one, other = meetings_world.held, meetings_world.cases[7], meetings_world.cases[9]
    secretariat_client.post(
        _url(held),
        {
            "action": "decision",
            "case": one.pk,
            f"case-{one.pk}-version": one.version,
            f"case-{one.pk}-outcome": "for_information",
            f"case-{one.pk}-decision": "Tatt til orientering.",
            f"case-{one.pk}-party_0": "",
            f"case-{one.pk}-reservation_0": "",
        },
    )
    other_before = Case.objects.get(pk=other.pk)
    assert other_before.version == other.version and other_before.decision == other.decision


def test_reservation_recusal_and_follow_up(meetings_world, secretariat_client, parties):
    held, case, people = meetings_world.held, meetings_world.cases[7], meetings_world.world.people
    secretariat_client.post(_url(held), _sheet(meetings_world))
    response = secretariat_client.post(
        _url(held),
        {
            "action": "decision",
            "case": case.pk,
            f"case-{case.pk}-version": case.version,
            f"case-{case.pk}-outcome": "for_information",
            f"case-{case.pk}-decision": "Tatt til orientering.",
            f"case-{case.pk}-party_0": str(parties["narvik"].pk),
            f"case-{case.pk}-reservation_0": "Narvik tar forbehold.",
            f"case-{case.pk}-recused": [str(people["referent"].pk)],
            f"case-{case.pk}-recusal_reason": "Ansatt i prosjektet",
        },
    )
    assert response.status_code == 302
    assert case.reservations.get().party == parties["narvik"]
    assert case.recusals.get().person == people["referent"]
    response = secretariat_client.post(
        _url(held),
        {
            "action": "follow_up",
            "case": case.pk,
            f"followup-{case.pk}-what": "Lage plan",
            f"followup-{case.pk}-responsible": "FSU BU",
            f"followup-{case.pk}-due": "2023-12-01",
        },
    )
    assert response.status_code == 302
    assert held.follow_ups.get().case == case


@pytest.mark.parametrize(
    "post",
    [
        {},
        {"action": "burn"},
        {"action": "decision"},
        {"action": "decision", "case": "abc"},
        {"action": "decision", "case": "99999999"},
        {"action": "follow_up", "case": "-1"},
        {"action": "decision\x00"},
    ],
)
def test_bad_posts_are_refused_politely(meetings_world, secretariat_client, post):
    response = secretariat_client.post(_url(meetings_world.held), post)
    if has_nul(post):
        assert_nul_refused(response)
        return
    assert response.status_code == 302
    assert _messages(response)[0] in (
        "Ukjent handling. Last inn siden på nytt og prøv igjen.",
        "Fant ikke saken. Last inn siden på nytt og prøv igjen.",
    )


TEXT = st.text(max_size=30) | st.sampled_from(["\x00", "x" * 20_001, "", "12", "-3", "9" * 30])


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    action=st.sampled_from(["attendance", "decision", "follow_up"]),
    case=TEXT,
    version=TEXT,
    outcome=TEXT | st.sampled_from(["consensus", "postponed"]),
    text=TEXT,
    status=TEXT | st.just("present"),
    person=TEXT,
    due=TEXT,
)
def test_any_input_gives_a_message_never_a_500(
    meetings_world, client_as, action, case, version, outcome, text, status, person, due
):
    held = meetings_world.held
    pk = meetings_world.cases[7].pk
    if case == "12":
        case = str(pk)
    client = client_as("secretariat")
    member = meetings_world.world.people["member"].pk
    post = {
        "action": action,
        "case": case,
        f"case-{pk}-version": version,
        f"case-{pk}-outcome": outcome,
        f"case-{pk}-decision": text,
        f"case-{pk}-party_0": person,
        f"case-{pk}-reservation_0": text,
        f"case-{pk}-recused": person,
        f"status-{member}": status,
        f"for-{member}": person,
        "add_person": person,
        "add_name": text,
        "add_role": outcome,
        f"followup-{pk}-what": text,
        f"followup-{pk}-due": due,
        "followup-what": text,
    }
    response = client.post(_url(held), post)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        page = response.content.decode()
        assert _messages(response) or "Rett opp" in page or (has_nul(post) and "NUL-tegnet" in page)


def test_the_case_page_decision_form_also_refuses_a_stale_save(meetings_world, client_as):
    case = meetings_world.cases[9]
    url = reverse("manage:case_decision", args=[case.body.partnership.slug, case.pk])
    post = {"decision-version": case.version, "decision-outcome": "postponed", "decision-decision": "Først"}
    assert client_as("secretariat").post(url, post).status_code == 302
    refused = client_as("secretariat").post(url, {**post, "decision-decision": "Min egen tekst"})
    page = refused.content.decode()
    assert refused.status_code == 409
    assert "Saken er endret av Secretariat" in page and "Min egen tekst" in page
    case.refresh_from_db()
    assert case.decision == "Først"
    assert client_as("secretariat").post(url, {"decision-version": "x\x00"}).status_code == 400
