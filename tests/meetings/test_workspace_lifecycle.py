"""The workspace's meeting page, attendance and the public views of a meeting's lifecycle:
cancelling, the agenda tools, bad input (never a 500) and the calendar feed."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from governance.models import Person
from meetings import services
from meetings.feeds import meeting_uid
from meetings.models import Attendance, Meeting, Minutes
from tests.conftest import assert_nul_refused, has_nul, login_with_second_factor
from tests.meetings import factories as mf
from tests.meetings.helpers import START, _planned

pytestmark = pytest.mark.django_db

S = Meeting.Status


def _manage_url(meeting):
    return reverse("manage:meeting", args=[meeting.body.partnership.slug, meeting.pk])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def issued(world, staff, django_capture_on_commit_callbacks):
    for name in ("member", "leader"):
        world.people[name].email = f"{name}@example.no"
        world.people[name].save()
    meeting = _planned(world, staff, place="UNN Breivika")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    mail.outbox.clear()
    return meeting


# ---------------------------------------------------------------------------
# Cancelling in the workspace, on the page, in the feed
# ---------------------------------------------------------------------------


def test_workspace_cancels_with_a_reason(secretariat_client, issued, django_capture_on_commit_callbacks):
    url = _manage_url(issued)
    page = secretariat_client.get(url).content.decode()
    assert 'value="cancel"' in page and 'name="cancel-reason"' in page

    response = secretariat_client.post(url, {"action": "cancel", "cancel-reason": ""})
    assert response.status_code == 200
    assert "Oppgi en begrunnelse for å avlyse møtet." in response.content.decode()
    issued.refresh_from_db()
    assert issued.cancelled_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(url, {"action": "cancel", "cancel-reason": "Sykdom"})
    assert response.status_code == 302 and _messages(response) == ["Møtet er avlyst."]
    issued.refresh_from_db()
    assert issued.cancelled_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["leader@example.no", "member@example.no"]

    page = secretariat_client.get(url).content.decode()
    assert 'value="cancel"' not in page, "a cancelled meeting cannot be cancelled again"
    assert 'value="add"' not in page and 'value="up"' not in page, "no agenda tools when cancelled"
    assert 'value="mark_held"' not in page
    assert "Avlyst" in page


def test_public_page_and_status_tag_say_cancelled(world, staff, issued):
    services.meeting_cancel(meeting=issued, by=staff, reason="Sykdom")
    response = Client().get(issued.get_absolute_url())
    assert response.status_code == 200, "a meeting whose notice was public stays visible"
    html = response.content.decode()
    assert (
        '<div class="alert alert--warning" role="status"><p><strong>Avlyst:</strong> Møtet er avlyst.' in html
    )
    assert '<span class="tag tag--danger">Avlyst</span>' in html


def test_cancelled_draft_stays_hidden_from_visitors(world, staff):
    meeting = _planned(world, staff)
    services.meeting_cancel(meeting=meeting, by=staff, reason="Sykdom")
    assert Client().get(meeting.get_absolute_url()).status_code == 404


def test_calendar_feed_marks_the_cancelled_meeting(world, staff, issued):
    other = _planned(world, staff, start=START + dt.timedelta(days=30))
    services.case_create(meeting=other, title="Sak", by=staff)
    services.meeting_issue_notice(meeting=other, by=staff)
    services.meeting_cancel(meeting=issued, by=staff, reason="Sykdom")
    for url in (
        reverse("meetings:partnership_ics", args=[world.partnership.slug]),
        reverse("meetings:body_ics", args=[world.partnership.slug, world.body.slug]),
    ):
        # The meetings are in 2023, before the calendar's window of the past 12 months.
        calendar = Calendar.from_ical(Client().get(url, {"år": START.year}).content)
        events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
        assert str(events[meeting_uid(issued)]["status"]) == "CANCELLED"
        assert str(events[meeting_uid(other)]["status"]) == "CONFIRMED"


# ---------------------------------------------------------------------------
# The agenda tools follow can_edit_agenda (until the minutes are approved)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "tools"),
    [
        (S.PLANNED, True),
        (S.NOTICE_ISSUED, True),
        (S.HELD, True),
        (S.MINUTES_APPROVED, False),
        (S.MINUTES_PUBLISHED, False),
    ],
)
def test_agenda_tools_shown_while_the_agenda_may_change(world, secretariat_client, status, tools):
    meeting = mf.meeting(world.body, status=status, start=START)
    mf.case(meeting, number=None if status == S.PLANNED else 1)
    page = secretariat_client.get(_manage_url(meeting)).content.decode()
    assert ('value="add"' in page) is tools
    assert ('value="up"' in page) is tools
    assert ('value="issue_notice"' in page) is (status == S.PLANNED)
    assert ('value="mark_held"' in page) is (status == S.NOTICE_ISSUED)
    assert ('value="cancel"' in page) is (status in (S.PLANNED, S.NOTICE_ISSUED))


def test_mark_held_from_the_workspace(secretariat_client, issued):
    response = secretariat_client.post(_manage_url(issued), {"action": "mark_held"})
    assert response.status_code == 302 and _messages(response) == ["Møtet er markert som holdt."]
    issued.refresh_from_db()
    assert issued.status == S.HELD


def test_move_up_and_down_through_the_dispatcher(world, staff, secretariat_client):
    meeting = _planned(world, staff)
    first, second = list(meeting.cases.order_by("order"))[:2]
    response = secretariat_client.post(_manage_url(meeting), {"action": "up", "case": str(second.pk)})
    assert response.status_code == 302 and response["Location"].endswith(f"#sak-{second.pk}")
    assert [c.pk for c in meeting.cases.order_by("order")][:2] == [second.pk, first.pk]
    secretariat_client.post(_manage_url(meeting), {"action": "down", "case": str(second.pk)})
    assert [c.pk for c in meeting.cases.order_by("order")][:2] == [first.pk, second.pk]


# ---------------------------------------------------------------------------
# Bad input: a Norwegian message, never a 500
# ---------------------------------------------------------------------------

BAD_CASE = "Fant ikke saken. Last inn siden på nytt og prøv igjen."


@pytest.mark.parametrize("action", ["up", "down", "remove", "take_in"])
@pytest.mark.parametrize("case", [None, "", "abc", "1.5", "-1", "0", "9" * 30, "1e3", "\x00", "999999"])
def test_bad_case_values_are_refused_politely(world, staff, secretariat_client, action, case):
    meeting = _planned(world, staff)
    before = list(meeting.cases.order_by("order").values_list("pk", "order"))
    data = {"action": action} if case is None else {"action": action, "case": case}
    response = secretariat_client.post(_manage_url(meeting), data)
    if has_nul(data):
        assert_nul_refused(response)
    else:
        assert response.status_code == 302 and response["Location"] == _manage_url(meeting)
        assert _messages(response) == [BAD_CASE]
    assert list(meeting.cases.order_by("order").values_list("pk", "order")) == before


def test_a_case_of_another_meeting_is_not_found(world, staff, secretariat_client):
    meeting = _planned(world, staff)
    other = _planned(world, staff, start=START + dt.timedelta(days=7))
    response = secretariat_client.post(
        _manage_url(meeting), {"action": "remove", "case": str(other.cases.first().pk)}
    )
    assert _messages(response) == [BAD_CASE]
    assert other.cases.count() == 4


@pytest.mark.parametrize("action", [None, "", "delete_everything", "held", "\x00"])
def test_unknown_actions_are_refused_politely(world, staff, secretariat_client, action):
    meeting = _planned(world, staff)
    data = {} if action is None else {"action": action}
    response = secretariat_client.post(_manage_url(meeting), data)
    if has_nul(data):
        assert_nul_refused(response)
    else:
        assert response.status_code == 302
        assert _messages(response) == ["Ukjent handling. Last inn siden på nytt og prøv igjen."]
    meeting.refresh_from_db()
    assert meeting.status == S.PLANNED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    action=st.one_of(
        st.sampled_from(["add", "follow_up", "up", "down", "remove", "take_in", "cancel", "mark_held"]),
        st.text(max_size=20),
    ),
    case=st.one_of(st.none(), st.text(max_size=40), st.integers().map(str)),
)
def test_dispatcher_never_fails_with_a_500(world, staff, client, action, case):
    # The test client re-raises any exception a view lets through, so a 500 fails here.
    meeting = mf.meeting(world.body, status=S.NOTICE_ISSUED, start=START)
    login_with_second_factor(client, staff)
    data = {"action": action} if case is None else {"action": action, "case": case}
    response = client.post(_manage_url(meeting), data)
    if has_nul(data):
        assert_nul_refused(response)  # the middleware's 400, before any view
    else:
        assert response.status_code in (200, 302)


# ---------------------------------------------------------------------------
# Attendance: guests through the service
# ---------------------------------------------------------------------------


def _attendance_url(meeting):
    return reverse("manage:attendance", args=[meeting.body.partnership.slug, meeting.pk])


def test_guest_is_added_by_the_service_with_history(world, staff, secretariat_client, issued):
    response = secretariat_client.post(_attendance_url(issued), {"guest": "  Kari Gjest  "})
    assert response.status_code == 302
    guest = Person.objects.get(name="Kari Gjest")
    assert guest.history.latest().history_user == staff
    attendance = issued.attendances.get(person=guest)
    assert attendance.role == Attendance.Role.GUEST and attendance.status == Attendance.Status.PRESENT
    # The same name again is the same person.
    secretariat_client.post(_attendance_url(issued), {"guest": "Kari Gjest"})
    assert Person.objects.filter(name="Kari Gjest").count() == 1


@pytest.mark.parametrize(
    ("guest", "message"),
    [
        ("x" * 201, "Navnet på gjesten kan ha høyst 200 tegn."),
        ("Kari\x00Gjest", "Navnet på gjesten inneholder et tegn som ikke er tillatt."),
    ],
)
def test_bad_guest_names_get_a_norwegian_message(world, staff, secretariat_client, issued, guest, message):
    response = secretariat_client.post(_attendance_url(issued), {"guest": guest})
    if has_nul(guest):
        assert_nul_refused(response)
    else:
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not issued.attendances.exists()
    assert not Person.objects.filter(name__startswith="Kari").exists()
    assert not Person.objects.filter(name="x" * 201).exists()
    with pytest.raises(ValidationError, match=message):
        services.attendance_record(meeting=issued, rows=[], guest_name=guest, by=staff)


def test_a_guest_name_of_200_characters_is_fine(world, staff, issued):
    services.attendance_record(meeting=issued, rows=[], guest_name="y" * 200, by=staff)
    assert issued.attendances.get().person.name == "y" * 200


@pytest.mark.parametrize("action", [None, "build", "publish", "burn", "\x00"])
def test_minutes_page_refuses_bad_actions_politely(secretariat_client, issued, action):
    # No minutes yet: "save" (and "approve") make them; the rest is an unknown action, not a 500.
    url = reverse("manage:minutes", args=[issued.body.partnership.slug, issued.pk])
    response = secretariat_client.post(url, {} if action is None else {"action": action})
    if has_nul(action):
        assert_nul_refused(response)
    else:
        assert response.status_code == 302
        assert _messages(response) == ["Ukjent handling. Last inn siden på nytt og prøv igjen."]
    assert not Minutes.objects.filter(meeting=issued).exists()
    form = {
        "action": "save",
        "version": "0",
        "sections-TOTAL_FORMS": "2",
        "sections-INITIAL_FORMS": "0",
        "sections-0-heading": "Formål",
        "sections-0-text": "Bli kjent.",
        "sections-0-before_cases": "on",
        "sections-1-heading": "",
        "sections-1-text": "",
        "next_meeting_date": "2023-09-27",
        "next_meeting_text": "Definere formål",
    }
    response = secretariat_client.post(url, form)
    assert response.status_code == 302 and _messages(response)[-1] == "Referatet er lagret."
    minutes = Minutes.objects.get(meeting=issued)
    assert [(s.order, s.heading, s.text) for s in minutes.sections.all()] == [(1, "Formål", "Bli kjent.")]
    assert minutes.sections.get().before_cases is True
    assert (minutes.next_meeting_date, minutes.next_meeting_text) == (dt.date(2023, 9, 27), "Definere formål")
    # A second save from the page as first opened (version 0) is refused and keeps the first.
    response = secretariat_client.post(url, {**form, "sections-0-text": "Annet"})
    assert response.status_code == 200 and "Referatet er endret av" in response.content.decode()
    assert minutes.sections.get().text == "Bli kjent."


def test_minutes_page_records_case_notes_and_corrects_a_section(secretariat_client, issued, staff):
    """The discussion note and an exempt case's public decision, then a section corrected with a reason."""
    url = reverse("manage:minutes", args=[issued.body.partnership.slug, issued.pk])
    case = issued.cases.order_by("order").first()
    services.case_update(
        case=case,
        expected_version=case.version,
        exempt=True,
        exemption_basis="offl. § 13",
        public_title="Sak",
        by=staff,
    )
    case.refresh_from_db()
    form = {"action": "case_notes", "case": case.pk, "version": case.version}
    response = secretariat_client.post(
        url, {**form, "discussion": "Drøftet kort.", "public_decision": "Anonymisert vedtak."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.discussion, case.public_decision) == ("Drøftet kort.", "Anonymisert vedtak.")
    # From the page as first opened (an older version): refused, nothing lost.
    secretariat_client.post(url, {**form, "discussion": "Overskrevet"})
    case.refresh_from_db()
    assert case.discussion == "Drøftet kort."

    minutes = services.minutes_update(
        meeting=issued,
        sections=[{"heading": "Merknader", "text": "Feil navn."}],
        expected_version=0,
        by=staff,
    )
    services.meeting_mark_held(meeting=issued, by=staff)
    services.minutes_approve(minutes=minutes, method=Minutes.ApprovalMethod.SIGNED, by=staff)
    section = minutes.sections.get()
    edit = {"action": "amend_section", "section": section.pk, "text": "Riktig navn."}
    secretariat_client.post(url, {**edit, "reason": ""})
    section.refresh_from_db()
    assert section.text == "Feil navn."
    response = secretariat_client.post(url, {**edit, "reason": "Feil navn i referatet"})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.text == "Riktig navn." and section.amendments.get().reason == "Feil navn i referatet"
    page = secretariat_client.get(issued.get_absolute_url()).content.decode()
    assert f"Rettet {timezone.localdate():%d.%m.%Y}: Feil navn i referatet" in page
