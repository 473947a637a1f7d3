"""Meeting services: planning, building the agenda, numbering and the notice."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from governance.models import Membership
from meetings import services
from meetings.models import Case, Meeting
from meetings.services import lifecycle as lifecycle_services
from tests.governance import factories as gf
from tests.meetings import factories as mf
from tests.meetings.helpers import START, _agenda, _planned

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Planning and building the agenda
# ---------------------------------------------------------------------------


def test_new_meeting_starts_with_the_standing_items_unnumbered(world, staff):
    meeting = _planned(world, staff, place="UNN Narvik")
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.is_open == world.body.meetings_open
    agenda = _agenda(meeting)
    assert [c.title for c in agenda] == [
        "Godkjenning av innkalling og dagsorden",
        "Godkjenning av referat fra forrige møte",
        "Eventuelt",
        "Neste møte",
    ]
    assert [c.order for c in agenda] == [1, 2, 3, 4]
    assert all(c.number is None and c.year == 2023 for c in agenda)
    record = meeting.history.latest()
    assert record.history_user == staff and record.history_change_reason == "Møte planlagt"


def test_meeting_without_standing_items_and_end_before_start(world, staff):
    meeting = _planned(world, staff, standing_items=False)
    assert meeting.cases.count() == 0
    with pytest.raises(ValidationError) as error:
        services.meeting_create(body=world.body, start=START, end=START - dt.timedelta(hours=1), by=staff)
    assert "Et møte kan ikke slutte før det begynner." in str(error.value)
    with pytest.raises(ValidationError, match="Et møte kan ikke slutte før det begynner."):
        services.meeting_update(meeting=meeting, end=START - dt.timedelta(minutes=5), by=staff)
    updated = services.meeting_update(
        meeting=meeting, place="Teams", is_digital=True, by=staff, reason="Digitalt"
    )
    assert updated.place == "Teams" and updated.history.latest().history_change_reason == "Digitalt"


def test_new_cases_go_before_eventuelt_and_neste_mote(world, staff):
    meeting = _planned(world, staff)
    first = services.case_create(meeting=meeting, title="Palliasjon barn", by=staff)
    second = services.case_create(meeting=meeting, title="Overganger barn til voksen", by=staff)
    titles = [c.title for c in _agenda(meeting)]
    assert titles[2:4] == [first.title, second.title]
    assert titles[-2:] == ["Eventuelt", "Neste møte"]
    assert first.year == 2023 and first.number is None
    assert first.history.latest().history_user == staff


def test_follow_up_links_to_previous_and_copies_patient_groups(world, staff):
    from governance.models import PatientGroup

    group = PatientGroup.objects.create(name="Barn og unge", slug="barn-og-unge")
    old_meeting = mf.meeting(world.body)
    old = mf.case(old_meeting, number=8, year=2023, title="Samhandlingsavvik", kind=Case.Kind.INFORMATION)
    old.patient_groups.add(group)
    meeting = _planned(world, staff)
    follow = services.case_follow_up(meeting=meeting, previous=old, by=staff)
    assert follow.previous == old
    assert follow.title == "Oppfølging av sak 08/23 Samhandlingsavvik"
    assert list(follow.patient_groups.all()) == [group]
    assert list(old.later_handlings.all()) == [follow]


def test_reorder_sets_positions_without_collisions(world, staff):
    meeting = _planned(world, staff)
    services.case_create(meeting=meeting, title="A", by=staff)
    ids = [c.pk for c in _agenda(meeting)]
    reversed_ids = list(reversed(ids))
    services.agenda_reorder(meeting=meeting, case_ids=reversed_ids, by=staff)
    assert [c.pk for c in _agenda(meeting)] == reversed_ids
    assert [c.order for c in _agenda(meeting)] == [1, 2, 3, 4, 5]
    with pytest.raises(ValidationError):
        services.agenda_reorder(meeting=meeting, case_ids=reversed_ids[:-1], by=staff)


def test_remove_before_notice_deletes_and_closes_the_gap(world, staff):
    meeting = _planned(world, staff)
    extra = services.case_create(meeting=meeting, title="Feilført", by=staff)
    services.case_remove(case=extra, by=staff, reason="Lagt inn to ganger")
    assert not Case.objects.filter(pk=extra.pk).exists()
    assert [c.order for c in _agenda(meeting)] == [1, 2, 3, 4]
    deleted = Case.history.filter(id=extra.pk, history_type="-").get()
    assert deleted.history_change_reason == "Lagt inn to ganger" and deleted.history_user == staff


# ---------------------------------------------------------------------------
# Numbering and the notice
# ---------------------------------------------------------------------------


def test_notice_numbers_in_agenda_order(world, staff):
    meeting = _planned(world, staff)
    services.case_create(meeting=meeting, title="Palliasjon", by=staff)
    ids = [c.pk for c in _agenda(meeting)]
    # Move the new case (position 3) to the top before the notice.
    services.agenda_reorder(meeting=meeting, case_ids=[ids[2], *ids[:2], *ids[3:]], by=staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    meeting.refresh_from_db()
    agenda = _agenda(meeting)
    assert [c.number for c in agenda] == [1, 2, 3, 4, 5]
    assert agenda[0].title == "Palliasjon"
    assert agenda[0].case_number == "01/23"
    assert meeting.status == Meeting.Status.NOTICE_ISSUED and meeting.notice_issued_at
    assert agenda[0].history.latest().history_change_reason == "Nummerert da innkallingen ble sendt"


def test_next_free_number_continues_after_existing_cases(world, staff):
    earlier = mf.meeting(world.body, start=dt.datetime(2023, 5, 12, 12, tzinfo=mf.TZ))
    for number in range(6, 12):
        mf.case(earlier, number=number, year=2023)
    last_year = mf.meeting(world.body, start=dt.datetime(2022, 11, 1, 12, tzinfo=mf.TZ))
    mf.case(last_year, number=30, year=2022)
    mf.case(mf.meeting(world.other_body_same_partnership), number=40, year=2023)
    meeting = _planned(world, staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    assert [c.number for c in _agenda(meeting)] == [12, 13, 14, 15]


def test_withdrawn_number_is_never_reused(world, staff):
    meeting = _planned(world, staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    last = _agenda(meeting)[-1]
    assert last.number == 4
    withdrawn = services.case_remove(case=last, by=staff, reason="Utsatt til neste år")
    assert withdrawn.outcome == Case.Outcome.WITHDRAWN and withdrawn.number == 4
    assert Case.objects.filter(pk=last.pk).exists()
    assert "Utsatt til neste år" in withdrawn.history.latest().history_change_reason

    # A case added after the notice takes the next number, not the withdrawn one …
    late = services.case_create(meeting=meeting, title="Hastesak", by=staff)
    assert late.number == 5
    # … and so does the next meeting's notice.
    later = _planned(world, staff, start=START + dt.timedelta(days=30))
    services.meeting_issue_notice(meeting=later, by=staff)
    assert [c.number for c in _agenda(later)] == [6, 7, 8, 9]


def test_case_added_after_notice_is_numbered_and_marked(world, staff):
    meeting = _planned(world, staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    late = services.case_create(meeting=meeting, title="Hastesak", by=staff)
    assert late.number == 5 and late.changed_after_notice_at is not None
    assert late.history.latest().history_change_reason.startswith("Endret etter innkalling")
    # Before eventuelt, though numbered last.
    assert [c.title for c in _agenda(meeting)][-3:] == ["Hastesak", "Eventuelt", "Neste møte"]


def test_reorder_after_notice_keeps_numbers(world, staff):
    meeting = _planned(world, staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    before = {c.pk: c.number for c in _agenda(meeting)}
    services.agenda_reorder(meeting=meeting, case_ids=list(reversed(before)), by=staff)
    assert {c.pk: c.number for c in _agenda(meeting)} == before
    assert _agenda(meeting)[0].number == 4


def test_notice_needs_a_case_and_a_planned_meeting(world, staff):
    empty = _planned(world, staff, standing_items=False)
    with pytest.raises(ValidationError, match="minst én"):
        services.meeting_issue_notice(meeting=empty, by=staff)
    meeting = _planned(world, staff, start=START + dt.timedelta(days=7))
    services.meeting_issue_notice(meeting=meeting, by=staff)
    with pytest.raises(ValidationError):
        services.meeting_issue_notice(meeting=meeting, by=staff)


def test_notice_mail_goes_to_current_members_only(world, staff, django_capture_on_commit_callbacks):
    for name in ("member", "leader", "referent", "former_member", "other_member"):
        person = world.people[name]
        person.email = f"{name}@example.no"
        person.save()
    nomail = gf.person_with_login("nomail", name="Uten Epost")
    gf.membership(nomail, world.body, Membership.Role.MEMBER)
    meeting = _planned(world, staff, place="UNN Breivika")
    secret = services.case_create(
        meeting=meeting,
        title="Enkeltsak om navngitt barn",
        public_title="Sak om enkeltpasient",
        exempt=True,
        exemption_basis="offl. § 13 jf. fvl. § 13",
        by=staff,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["leader@example.no", "member@example.no", "referent@example.no"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = mail.outbox[0]
    # The meeting's time as the page writes it (governance/templatetags/portal.py: meeting_when).
    assert message.subject == "Innkalling: FSU barn og unge 14. september 2023"
    assert "Tid: 14. september 2023 kl. 11.00–13.00\n" in message.body
    assert "Sted: UNN Breivika\n" in message.body
    assert "14.09.2023" not in message.body
    assert "Sak 01/23 Godkjenning av innkalling og dagsorden" in message.body
    secret.refresh_from_db()
    assert f"Sak {secret.case_number} Sak om enkeltpasient" in message.body
    assert "offl. § 13 jf. fvl. § 13" in message.body
    assert "navngitt barn" not in message.body
    assert "http://127.0.0.1:8000" + meeting.get_absolute_url() in message.body


def test_notice_link_uses_site_url(world, staff, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://portal.example.no"
    world.people["member"].email = "m@example.no"
    world.people["member"].save()
    meeting = _planned(world, staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    assert "https://portal.example.no" + meeting.get_absolute_url() in mail.outbox[-1].body


def _issue_in_thread(meeting_pk, user, results):
    from django.db import connection as thread_connection

    try:
        meeting = Meeting.objects.get(pk=meeting_pk)
        services.meeting_issue_notice(meeting=meeting, by=user)
        results.append("ok")
    except Exception as error:  # noqa: BLE001 - the test reports whatever happened
        results.append(error)
    finally:
        thread_connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_notices_for_one_body_at_once_never_collide(world, staff):
    second_staff = gf.person_with_login("sekr2", name="Annen Sekretær")
    sekr_body = world.partnership.bodies.get(short_name="SEKR")
    gf.membership(second_staff, sekr_body, Membership.Role.SECRETARY)
    first = _planned(world, staff)
    second = _planned(world, staff, start=START + dt.timedelta(days=14))
    services.case_create(meeting=second, title="Ekstra", by=staff)

    results = []
    if connection.vendor == "postgresql":
        threads = [
            threading.Thread(target=_issue_in_thread, args=(first.pk, staff, results)),
            threading.Thread(target=_issue_in_thread, args=(second.pk, second_staff.user, results)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        # SQLite allows one writer at a time; run them one after the other.
        _issue_in_thread(first.pk, staff, results)
        _issue_in_thread(second.pk, second_staff.user, results)
    assert results == ["ok", "ok"]
    numbers = sorted(Case.objects.filter(body=world.body, year=2023).values_list("number", flat=True))
    assert numbers == list(range(1, 10))


def test_database_constraint_is_the_last_guard(world, staff, monkeypatch, django_capture_on_commit_callbacks):
    meeting = _planned(world, staff)
    other = mf.meeting(world.body, start=START - dt.timedelta(days=1), status=Meeting.Status.PLANNED)
    mf.case(other, year=2023, number=1)
    # Simulate a racing notice whose number 1 the max() query did not see.
    monkeypatch.setattr(lifecycle_services, "_next_free_number", lambda body_id, year: 1)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="har allerede en sak med dette nummeret"),
    ):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    # Past full_clean(), the database's unique constraint refuses it, with a clear message.
    monkeypatch.setattr(lifecycle_services, "_validated", lambda obj, exclude=None: obj)
    with (
        django_capture_on_commit_callbacks(execute=True) as more_callbacks,
        pytest.raises(ValidationError, match="samtidig"),
    ):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    assert not callbacks and not more_callbacks
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert not meeting.cases.filter(number__isnull=False).exists()
    assert not mail.outbox
