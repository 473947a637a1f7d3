"""Approval of the minutes: e-mail round answers with dates and history, next meeting, signed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings import services
from meetings.models import Case, Meeting, Minutes, MinutesApprovalAnswer
from tests.conftest import PERSONAS
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


def _url(meeting):
    return reverse("manage:minutes_approval", args=[meeting.body.partnership.slug, meeting.pk])


def test_only_the_secretariat_reaches_the_approval_page(meetings_world, client_as):
    url = _url(meetings_world.held)
    for persona in PERSONAS:
        expected = {"visitor": 302, "secretariat": 200}.get(persona, 404)
        assert client_as(persona).get(url).status_code == expected, persona
    # A meeting without minutes has no approval page.
    assert client_as("secretariat").get(_url(meetings_world.notice)).status_code == 404


def test_the_minutes_page_links_the_approval_page(meetings_world, secretariat_client):
    held = meetings_world.held
    page = secretariat_client.get(reverse("manage:minutes", args=[held.body.partnership.slug, held.pk]))
    assert _url(held) in page.content.decode()


def test_email_round_answers_with_dates_then_approval(meetings_world, secretariat_client):
    held, people = meetings_world.held, meetings_world.world.people
    url = _url(held)
    for key, answer, day in (("member", "approved", "2023-05-20"), ("leader", "objects", "2023-05-21")):
        response = secretariat_client.post(
            url,
            {
                "action": "answer",
                "answer-person": people[key].pk,
                "answer-answer": answer,
                "answer-answered_on": day,
                "answer-comment": "Rett navnet i sak 07." if answer == "objects" else "",
            },
        )
        assert response.status_code == 302
    # The leader changes the answer: one answer per person, and the history keeps the first.
    secretariat_client.post(
        url,
        {
            "action": "answer",
            "answer-person": people["leader"].pk,
            "answer-answer": "approved",
            "answer-answered_on": "2023-05-22",
        },
    )
    leader = MinutesApprovalAnswer.objects.get(person=people["leader"])
    assert leader.answer == "approved" and leader.answered_on == dt.date(2023, 5, 22)
    assert leader.history.count() == 2 and leader.history.last().answer == "objects"
    page = secretariat_client.get(url).content.decode()
    assert "Ikke svart ennå" in page and "Godkjenner" in page  # the referent has not answered
    response = secretariat_client.post(url, {"action": "approve", "approve-method": "email_round"})
    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=held)
    assert minutes.approval_method == "email_round"
    assert minutes.approved_at.date() == dt.date(2023, 5, 22)  # the last answer's date


def test_approval_at_the_next_meeting_names_its_case(meetings_world, secretariat_client):
    held = meetings_world.held
    approving = mf.case(
        meetings_world.notice, title="Godkjenning av referat", kind=Case.Kind.MINUTES_APPROVAL
    )
    response = secretariat_client.post(_url(held), {"action": "approve", "approve-method": "next_meeting"})
    assert response.status_code == 400
    assert "Velg saken i neste møte som godkjente referatet." in response.content.decode()
    response = secretariat_client.post(
        _url(held),
        {"action": "approve", "approve-method": "next_meeting", "approve-approved_in_case": approving.pk},
    )
    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=held)
    assert minutes.approved_in_case == approving
    assert Meeting.objects.get(pk=held.pk).status == Meeting.Status.MINUTES_APPROVED


def test_answers_only_from_the_body_and_not_after_approval(meetings_world):
    held, world = meetings_world.held, meetings_world.world
    staff = world.users["secretariat"]
    minutes = Minutes.objects.get(meeting=held)
    with pytest.raises(ValidationError, match="Bare organets medlemmer"):
        services.minutes_record_answer(
            minutes=minutes,
            person=world.people["other_secretariat"],
            answer="approved",
            answered_on=dt.date(2023, 5, 20),
            by=staff,
        )
    services.minutes_approve(minutes=minutes, method="signed", by=staff)
    with pytest.raises(ValidationError):
        services.minutes_record_answer(
            minutes=minutes,
            person=world.people["member"],
            answer="approved",
            answered_on=dt.date.today(),
            by=staff,
        )


def test_query_count_does_not_grow_with_answers(meetings_world, secretariat_client):
    held = meetings_world.held
    secretariat_client.get(_url(held))
    with CaptureQueriesContext(connection) as before:
        secretariat_client.get(_url(held))
    minutes = Minutes.objects.get(meeting=held)
    for key in ("member", "leader", "referent"):
        MinutesApprovalAnswer.objects.create(
            minutes=minutes,
            person=meetings_world.world.people[key],
            answer="approved",
            answered_on=dt.date.today(),
        )
    with CaptureQueriesContext(connection) as after:
        secretariat_client.get(_url(held))
    assert len(after) == len(before) <= 40


TEXT = st.text(max_size=20) | st.sampled_from(["\x00", "x" * 6000, "", "1", "-3", "9" * 30, "2023-13-45"])


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(action=TEXT | st.sampled_from(["answer", "approve"]), a=TEXT, b=TEXT, c=TEXT, d=TEXT)
def test_any_input_gives_a_message_never_a_500(meetings_world, client_as, action, a, b, c, d):
    response = client_as("secretariat").post(
        _url(meetings_world.held),
        {
            "action": action,
            "answer-person": a,
            "answer-answer": b,
            "answer-answered_on": c,
            "answer-comment": d,
            "approve-method": b,
            "approve-approved_in_case": a,
            "approve-approved_on": c,
        },
    )
    assert response.status_code in (302, 400)
