"""A meeting's lifecycle: the table, every status × transition through the services, cancelling,
and e-mails that leave only after the transaction commits."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from meetings import lifecycle, services
from meetings.models import Case, Meeting
from meetings.record import NextMeeting, protocol_record
from tests.meetings import factories as mf
from tests.meetings.helpers import START, _planned

pytestmark = pytest.mark.django_db

S = Meeting.Status
STATUSES = list(S)
# Written out by hand, not read from lifecycle.TRANSITIONS, so a change of the table shows here.
ALLOWED_FROM = {
    "issue_notice": {S.PLANNED},
    "mark_held": {S.NOTICE_ISSUED},
    "approve_minutes": {S.NOTICE_ISSUED, S.HELD},
    "publish_minutes": {S.MINUTES_APPROVED},
    "cancel": {S.PLANNED, S.NOTICE_ISSUED},
}
TARGET = {
    "issue_notice": S.NOTICE_ISSUED,
    "mark_held": S.HELD,
    "approve_minutes": S.MINUTES_APPROVED,
    "publish_minutes": S.MINUTES_PUBLISHED,
    "cancel": None,  # the status stays; cancelled_at is set
}
AGENDA_EDITABLE = {S.PLANNED, S.NOTICE_ISSUED, S.HELD}


def _meeting(world, status, *, cancelled=False):
    meeting = mf.meeting(world.body, status=status, start=START)
    if cancelled:
        meeting.cancelled_at = START - dt.timedelta(days=2)
        meeting.save()
    return meeting


def _run(name, meeting, staff):
    """Call the service of transition `name` with whatever it needs to get as far as the lifecycle."""
    if name == "issue_notice":
        mf.case(meeting)
        return services.meeting_issue_notice(meeting=meeting, by=staff)
    if name == "mark_held":
        return services.meeting_mark_held(meeting=meeting, by=staff)
    if name == "approve_minutes":
        minutes = mf.minutes(meeting, text="Referat")
        return services.minutes_approve(minutes=minutes, method="email_round", by=staff)
    if name == "publish_minutes":
        minutes = mf.minutes(meeting, text="Referat", approved=True)
        return services.minutes_publish(minutes=minutes, by=staff)
    return services.meeting_cancel(meeting=meeting, by=staff, reason="Sykdom")


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("name", list(ALLOWED_FROM))
def test_table_allows_exactly_these_transitions(status, name):
    meeting = Meeting(status=status)
    allowed = status in ALLOWED_FROM[name]
    assert lifecycle.allows(meeting, name) is allowed
    if allowed:
        assert lifecycle.check(meeting, name).target == TARGET[name]
    else:
        with pytest.raises(ValidationError) as error:
            lifecycle.check(meeting, name)
        assert error.value.code == "transition"
    meeting.cancelled_at = START
    assert not lifecycle.allows(meeting, name)
    with pytest.raises(ValidationError, match="Møtet er avlyst."):
        lifecycle.check(meeting, name)


@pytest.mark.parametrize("status", STATUSES)
def test_table_agenda_and_lock_rules(status):
    meeting = Meeting(status=status)
    assert lifecycle.can_edit_agenda(meeting) is (status in AGENDA_EDITABLE)
    assert lifecycle.is_locked(meeting) is (status in {S.MINUTES_APPROVED, S.MINUTES_PUBLISHED})
    assert lifecycle.notice_is_issued(meeting) is (status != S.PLANNED)
    assert meeting.agenda_is_public is (status != S.PLANNED)
    assert meeting.minutes_are_public is (status == S.MINUTES_PUBLISHED)
    meeting.cancelled_at = START
    assert not lifecycle.can_edit_agenda(meeting)
    assert not meeting.can_edit_agenda


# ---------------------------------------------------------------------------
# Every status × transition through the services
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("name", list(ALLOWED_FROM))
def test_services_refuse_through_the_table(world, staff, status, name, django_capture_on_commit_callbacks):
    meeting = _meeting(world, status)
    history = meeting.history.count()
    with django_capture_on_commit_callbacks(execute=True):
        if status in ALLOWED_FROM[name]:
            _run(name, meeting, staff)
        else:
            with pytest.raises(ValidationError):
                _run(name, meeting, staff)
    meeting.refresh_from_db()
    if status not in ALLOWED_FROM[name]:
        assert meeting.status == status and meeting.cancelled_at is None
        assert meeting.history.count() == history
    elif name == "cancel":
        assert meeting.status == status and meeting.cancelled_at is not None
    else:
        assert meeting.status == TARGET[name]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("name", list(ALLOWED_FROM))
def test_a_cancelled_meeting_allows_no_transition(world, staff, status, name):
    meeting = _meeting(world, status, cancelled=True)
    with pytest.raises(ValidationError) as error:
        _run(name, meeting, staff)
    if status in ALLOWED_FROM[name]:
        # Where only the cancellation stands in the way, it is what the refusal names.
        assert error.value.messages == ["Møtet er avlyst."]
    meeting.refresh_from_db()
    assert meeting.status == status


@pytest.mark.parametrize("cancelled", [False, True])
@pytest.mark.parametrize("status", STATUSES)
def test_agenda_changes_follow_can_edit_agenda(world, staff, status, cancelled):
    meeting = _meeting(world, status, cancelled=cancelled)
    case = mf.case(meeting, number=1 if status != S.PLANNED else None)
    ids = [case.pk]
    calls = {
        "agenda_reorder": lambda: services.agenda_reorder(meeting=meeting, case_ids=ids, by=staff),
        "case_update": lambda: services.case_update(case=case, expected_version=1, title="X", by=staff),
        "attendance": lambda: services.attendance_record(meeting=meeting, rows=[], by=staff),
        "case_create": lambda: services.case_create(meeting=meeting, title="Ny sak", by=staff),
    }
    editable = status in AGENDA_EDITABLE and not cancelled
    for name, call in calls.items():
        if editable:
            call()
            continue
        with pytest.raises(ValidationError) as error:
            call()
        if cancelled:
            assert error.value.messages == ["Møtet er avlyst."], name
        else:
            assert isinstance(error.value, services.LockedError), name
    assert meeting.cases.count() == (2 if editable else 1)


def test_held_meeting_still_takes_agenda_changes_until_approval(world, staff):
    meeting = _planned(world, staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    services.meeting_mark_held(meeting=meeting, by=staff)
    case = services.case_create(meeting=meeting, title="Tatt opp i møtet", by=staff)
    assert case.number is not None and case.changed_after_notice_at is not None
    assert case.history.latest().history_change_reason.startswith("Endret etter innkalling: ")


# ---------------------------------------------------------------------------
# Cancelling
# ---------------------------------------------------------------------------


def _with_member_emails(world):
    for name in ("member", "leader"):
        world.people[name].email = f"{name}@example.no"
        world.people[name].save()


def test_cancel_needs_a_reason(world, staff):
    meeting = _planned(world, staff)
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError, match="Oppgi en begrunnelse for å avlyse møtet."):
            services.meeting_cancel(meeting=meeting, by=staff, reason=reason)
    meeting.refresh_from_db()
    assert meeting.cancelled_at is None


def test_cancel_a_planned_meeting_tells_no_one(world, staff, django_capture_on_commit_callbacks):
    _with_member_emails(world)
    meeting = _planned(world, staff)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.meeting_cancel(meeting=meeting, by=staff, reason=" Sykdom ")
    assert cancelled.cancelled_at is not None and cancelled.status == S.PLANNED
    record = cancelled.history.latest()
    assert record.history_change_reason == "Møtet avlyst: Sykdom" and record.history_user == staff
    assert mail.outbox == []
    with pytest.raises(ValidationError, match="Møtet er avlyst."):
        services.meeting_cancel(meeting=meeting, by=staff, reason="Igjen")
    with pytest.raises(ValidationError, match="Møtet er avlyst."):
        services.meeting_update(meeting=meeting, place="Et annet sted", by=staff)


def test_cancel_after_the_notice_mails_the_members_after_commit(
    world, staff, django_capture_on_commit_callbacks
):
    _with_member_emails(world)
    meeting = _planned(world, staff, place="UNN Breivika")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.meeting_cancel(meeting=meeting, by=staff, reason="For få påmeldte")
    assert mail.outbox == [] and len(callbacks) == 1  # nothing leaves before the commit
    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == ["leader@example.no", "member@example.no"]
    message = mail.outbox[0]
    assert message.subject == "Avlyst: FSU barn og unge 14. september 2023"
    assert "Møtet i FSU barn og unge er avlyst." in message.body
    assert "Tid: 14. september 2023 kl. 11.00–13.00\n" in message.body
    assert "Begrunnelse: For få påmeldte" in message.body
    assert "http://127.0.0.1:8000" + meeting.get_absolute_url() in message.body


def test_cancel_rolled_back_sends_nothing(world, staff, django_capture_on_commit_callbacks):
    _with_member_emails(world)
    meeting = mf.meeting(world.body, status=S.NOTICE_ISSUED, start=START)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.meeting_cancel(meeting=meeting, by=staff, reason="Sykdom")
        raise RuntimeError("something later in the same transaction fails")
    assert callbacks == [] and mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.cancelled_at is None


# ---------------------------------------------------------------------------
# E-mail only after commit, in real transactions
# ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_notice_mail_leaves_only_after_commit(world, staff):
    _with_member_emails(world)
    meeting = _planned(world, staff, place="UNN Breivika")
    mail.outbox.clear()
    with transaction.atomic():
        services.meeting_issue_notice(meeting=meeting, by=staff)
        assert mail.outbox == []  # the rows are still locked: no mail server is waited for
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject == "Innkalling: FSU barn og unge 14. september 2023"
    assert "Tid: 14. september 2023 kl. 11.00–13.00\n" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_no_mail_when_the_transaction_rolls_back(world, staff):
    _with_member_emails(world)
    meeting = _planned(world, staff)
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.meeting_issue_notice(meeting=meeting, by=staff)
        raise RuntimeError("rolled back")
    with pytest.raises(RuntimeError), transaction.atomic():
        fresh = Meeting.objects.get(pk=meeting.pk)
        fresh.status = S.NOTICE_ISSUED  # as if issued, to reach the cancellation mail
        fresh.save()
        services.meeting_cancel(meeting=fresh, by=staff, reason="Sykdom")
        raise RuntimeError("rolled back")
    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.status == S.PLANNED and meeting.cancelled_at is None


# ---------------------------------------------------------------------------
# History for every write
# ---------------------------------------------------------------------------


def test_moving_a_meeting_to_another_year_changes_case_years_with_history(world, staff):
    meeting = _planned(world, staff)
    services.meeting_update(
        meeting=meeting,
        start=dt.datetime(2024, 1, 9, 10, 0, tzinfo=mf.TZ),
        end=None,
        by=staff,
        reason="Utsatt",
    )
    cases = list(Case.objects.filter(meeting=meeting))
    assert cases and all(c.year == 2024 for c in cases)
    for case in cases:
        record = case.history.latest()
        assert record.year == 2024 and record.history_change_reason == "Utsatt"
        assert record.history_user == staff


def test_agenda_move_swaps_neighbours_with_history(world, staff):
    meeting = _planned(world, staff)
    first, second = list(meeting.cases.order_by("order"))[:2]
    services.agenda_move(meeting=meeting, case=second, direction="up", by=staff)
    assert [c.pk for c in meeting.cases.order_by("order")][:2] == [second.pk, first.pk]
    assert second.history.latest().history_change_reason == "Sakslisten omordnet"
    services.agenda_move(meeting=meeting, case=second, direction="up", by=staff)  # already first
    assert [c.pk for c in meeting.cases.order_by("order")][:2] == [second.pk, first.pk]
    other = _planned(world, staff, start=START + dt.timedelta(days=7))
    with pytest.raises(ValidationError):
        services.agenda_move(meeting=meeting, case=other.cases.first(), direction="down", by=staff)


def test_the_record_names_the_next_meeting_only_once_it_is_public(world, staff, client):
    """A draft meeting is never named: the record falls back to the date and text, else unknown."""
    meeting = _planned(world, staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    following = _planned(world, staff, start=START + dt.timedelta(days=7), place="UNN Narvik")
    minutes = services.minutes_update(meeting=meeting, next_meeting=following, expected_version=0, by=staff)
    assert protocol_record(staff, meeting).next_meeting == NextMeeting()  # a draft: "ikke fastsatt"
    minutes = services.minutes_update(
        minutes=minutes,
        next_meeting=following,
        next_meeting_date=dt.date(2023, 9, 21),
        next_meeting_text="Oppfølging av planen",
        expected_version=minutes.version,
        by=staff,
    )
    shown = protocol_record(staff, meeting).next_meeting
    assert (shown.meeting, shown.date, shown.text) == (None, dt.date(2023, 9, 21), "Oppfølging av planen")
    services.meeting_issue_notice(meeting=following, by=staff)
    following.refresh_from_db()
    assert protocol_record(staff, meeting).next_meeting.meeting == following
    html = render_to_string(
        "meetings/_next_meeting.html", {"next": protocol_record(staff, meeting).next_meeting}
    )
    assert "21. september 2023 kl. 11.00–13.00, UNN Narvik" in html
