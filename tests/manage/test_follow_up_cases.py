"""Oppfølgingssaker: open follow-up points offered onto the next agenda, closed by their case."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import selectors, services
from meetings.models import Case, FollowUp, Meeting
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def points(meetings_world):
    held = meetings_world.held
    staff = meetings_world.world.users["secretariat"]
    case = meetings_world.cases[8]
    overdue = services.follow_up_add(
        meeting=held,
        what="Kartlegge avvik\nmed detaljer",
        title="",
        due=dt.date(2023, 9, 1),
        case=case,
        by=staff,
    )
    done = services.follow_up_add(meeting=held, what="Allerede gjort", by=staff)
    services.follow_up_close(follow_up=done, by=staff)
    earlier = mf.meeting(meetings_world.world.body, start=held.start - dt.timedelta(days=30), status="held")
    return {"overdue": overdue, "done": done, "staff": staff, "case": case, "earlier": earlier}


def _agenda_url(meeting):
    return reverse("manage:meeting", args=[meeting.body.partnership.slug, meeting.pk])


def test_open_points_are_offered_and_taken_in_as_a_linked_case(meetings_world, secretariat_client, points):
    draft = meetings_world.draft
    page = secretariat_client.get(_agenda_url(draft)).content.decode()
    assert "Oppfølgingssaker" in page and "Kartlegge avvik" in page and "Allerede gjort" not in page
    assert "Forfalt" in page
    response = secretariat_client.post(
        _agenda_url(draft), {"action": "take_follow_up", "follow_up": points["overdue"].pk}
    )
    assert response.status_code == 302
    point = FollowUp.objects.get(pk=points["overdue"].pk)
    case = draft.cases.get(title="Oppfølging: Kartlegge avvik")
    assert point.agenda_case == case and point.status == FollowUp.Status.IN_PROGRESS
    assert case.previous == points["case"] and case.proposal.startswith("Kartlegge avvik")
    # Not offered twice.
    assert point not in selectors.follow_ups_to_offer(draft)
    with pytest.raises(ValidationError, match="allerede på en saksliste"):
        services.case_from_follow_up(meeting=draft, follow_up=point, by=points["staff"])


def test_a_point_is_offered_only_to_later_meetings_of_the_body(meetings_world, points):
    with pytest.raises(ValidationError, match="tidligere møte i dette organet"):
        services.case_from_follow_up(
            meeting=points["earlier"], follow_up=points["overdue"], by=points["staff"]
        )
    other = mf.meeting(meetings_world.world.other_body_same_partnership, start=timezone.now())
    with pytest.raises(ValidationError, match="tidligere møte i dette organet"):
        services.case_from_follow_up(meeting=other, follow_up=points["overdue"], by=points["staff"])


def test_the_decision_of_the_follow_up_case_closes_the_point(meetings_world, points):
    notice = meetings_world.notice
    staff = points["staff"]
    case = services.case_from_follow_up(meeting=notice, follow_up=points["overdue"], by=staff)
    services.case_record_decision(case=case, outcome=Case.Outcome.POSTPONED, by=staff)
    assert FollowUp.objects.get(pk=points["overdue"].pk).status == FollowUp.Status.IN_PROGRESS
    case.refresh_from_db()
    services.case_record_decision(
        case=case, outcome=Case.Outcome.FOR_INFORMATION, decision="Tatt til orientering.", by=staff
    )
    point = FollowUp.objects.get(pk=points["overdue"].pk)
    assert point.status == FollowUp.Status.DONE and point.closed_by_case == case


def test_bad_follow_up_ids_are_refused_politely(meetings_world, secretariat_client, points):
    for value in ("", "abc", "-1", "99999999", "\x00", str(points["done"].pk)):
        response = secretariat_client.post(
            _agenda_url(meetings_world.draft), {"action": "take_follow_up", "follow_up": value}
        )
        assert response.status_code == (400 if "\x00" in value else 302), value


def test_the_overview_marks_overdue_points(meetings_world, secretariat_client, points):
    page = secretariat_client.get(reverse("manage:overview", args=[meetings_world.world.partnership.slug]))
    html = page.content.decode()
    assert "Kartlegge avvik" in html and "Forfalt" in html
    assert Meeting.objects.filter(pk=points["earlier"].pk).exists()
