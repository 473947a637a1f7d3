"""The secretariat's services: numbering, notice, locking, concurrency, permissions, uploads."""

import datetime as dt
import io
import threading
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from governance.models import Membership
from meetings import services
from meetings.models import Amendment, Attachment, Case, Meeting, Minutes
from tests.governance import factories as gf
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db

OTHERS = ["visitor", "member", "leader", "referent", "other_member", "former_member", "other_secretariat"]
START = dt.datetime(2023, 9, 14, 10, 0, tzinfo=mf.TZ)


@pytest.fixture
def staff(world):
    return world.users["secretariat"]


def _planned(world, staff, *, start=START, **kwargs):
    return services.meeting_create(
        body=world.body, start=start, end=start + dt.timedelta(hours=2), by=staff, **kwargs
    )


def _agenda(meeting):
    return list(meeting.cases.order_by("order"))


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


def test_notice_mail_goes_to_current_members_only(world, staff):
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
    services.meeting_issue_notice(meeting=meeting, by=staff)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["leader@example.no", "member@example.no", "referent@example.no"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = mail.outbox[0]
    assert message.subject == "Innkalling: FSU barn og unge 14.09.2023"
    assert "Sak 01/23 Godkjenning av innkalling og dagsorden" in message.body
    secret.refresh_from_db()
    assert f"Sak {secret.case_number} Sak om enkeltpasient" in message.body
    assert "offl. § 13 jf. fvl. § 13" in message.body
    assert "navngitt barn" not in message.body
    assert "http://127.0.0.1:8000" + meeting.get_absolute_url() in message.body


def test_notice_link_uses_site_url(world, staff, settings):
    settings.SITE_URL = "https://portal.example.no"
    world.people["member"].email = "m@example.no"
    world.people["member"].save()
    meeting = _planned(world, staff)
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


def test_database_constraint_is_the_last_guard(world, staff, monkeypatch):
    meeting = _planned(world, staff)
    other = mf.meeting(world.body, start=START - dt.timedelta(days=1), status=Meeting.Status.PLANNED)
    mf.case(other, year=2023, number=1)
    # Simulate a racing notice whose number 1 the max() query did not see.
    monkeypatch.setattr(services, "_next_free_number", lambda body_id, year: 1)
    with pytest.raises(ValidationError, match="har allerede en sak med dette nummeret"):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    # Past full_clean(), the database's unique constraint refuses it, with a clear message.
    monkeypatch.setattr(services, "_validated", lambda obj, exclude=None: obj)
    with pytest.raises(ValidationError, match="samtidig"):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert not meeting.cases.filter(number__isnull=False).exists()
    assert not mail.outbox


# ---------------------------------------------------------------------------
# Editing a case: changes after notice, concurrency
# ---------------------------------------------------------------------------


def test_case_update_replaces_sections_and_counts_versions(world, staff):
    meeting = _planned(world, staff)
    case = services.case_create(meeting=meeting, title="Palliasjon", by=staff)
    assert case.version == 1
    case = services.case_update(
        case=case,
        expected_version=1,
        by=staff,
        reason="Saksframlegg skrevet",
        origin="FSU BU",
        sections=[
            {"heading": "Bakgrunn", "text": "Tekst"},
            {"heading": "Kommunenes vurdering", "text": "- a"},
        ],
    )
    assert case.version == 2 and case.changed_after_notice_at is None
    assert [(s.order, s.heading) for s in case.sections.all()] == [
        (1, "Bakgrunn"),
        (2, "Kommunenes vurdering"),
    ]
    case = services.case_update(
        case=case, expected_version=2, by=staff, sections=[{"heading": "Kommunenes vurdering", "text": "- a"}]
    )
    assert [s.heading for s in case.sections.all()] == ["Kommunenes vurdering"]
    assert case.history.latest().history_change_reason == "Saksframlegg endret"


def test_exempt_case_needs_a_basis(world, staff):
    case = services.case_create(meeting=_planned(world, staff), title="Sak", by=staff)
    with pytest.raises(ValidationError, match="hjemmel"):
        services.case_update(case=case, expected_version=1, by=staff, exempt=True, exemption_basis="")
    case.refresh_from_db()
    assert not case.exempt and case.version == 1


def test_change_after_notice_is_recorded(world, staff):
    meeting = _planned(world, staff)
    case = services.case_create(meeting=meeting, title="Palliasjon", by=staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    case.refresh_from_db()
    updated = services.case_update(
        case=case, expected_version=case.version, by=staff, reason="Nytt vedlegg omtalt", proposal="Ny tekst"
    )
    assert updated.changed_after_notice_at is not None
    record = updated.history.latest()
    assert record.history_change_reason == "Endret etter innkalling: Nytt vedlegg omtalt"
    assert record.history_user == staff


def test_second_save_from_a_stale_version_is_refused(world, staff):
    colleague = gf.person_with_login("kollega", name="Kari Kollega")
    gf.membership(colleague, world.partnership.bodies.get(short_name="SEKR"), Membership.Role.SECRETARY)
    case = services.case_create(meeting=_planned(world, staff), title="Palliasjon", by=staff)
    opened_version = case.version
    services.case_update(
        case=case, expected_version=opened_version, by=colleague.user, proposal="Karis tekst"
    )
    with pytest.raises(services.ConcurrentEditError) as error:
        services.case_update(case=case, expected_version=opened_version, by=staff, proposal="Min tekst")
    message = error.value.messages[0]
    assert message.startswith("Saken er endret av Kari Kollega ")
    assert "Teksten din er ikke lagret" in message
    assert isinstance(error.value, ValidationError)
    assert error.value.current.proposal == "Karis tekst"
    case.refresh_from_db()
    assert case.proposal == "Karis tekst" and case.version == opened_version + 1


# ---------------------------------------------------------------------------
# Recording, minutes, locking and amendments
# ---------------------------------------------------------------------------


def _held_meeting_with_minutes(world, staff):
    meeting = _planned(world, staff)
    case = services.case_create(meeting=meeting, title="Palliasjon", by=staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    services.meeting_mark_held(meeting=meeting, by=staff)
    party = gf.organisation(world.partnership, name="Narvik kommune")
    case = services.case_record_decision(
        case=case,
        outcome=Case.Outcome.CONSENSUS,
        decision="1. FSU BU støtter planen.",
        reservations=[{"party": party, "text": "Narvik tar forbehold om finansiering."}],
        recusals=[{"person": world.people["member"], "reason": "Ansatt i prosjektet"}],
        by=staff,
    )
    rows = services.attendance_defaults(meeting)
    assert {row["person"] for row in rows} == {world.people[n] for n in ("member", "leader", "referent")}
    services.attendance_record(meeting=meeting, rows=rows, by=staff)
    services.follow_up_add(
        meeting=meeting,
        what="Lage plan for overganger",
        responsible="FSU BU",
        due=dt.date(2023, 12, 1),
        by=staff,
    )
    minutes = services.minutes_build_draft(meeting=meeting, by=staff)
    return meeting, case, minutes


def test_draft_minutes_from_what_was_recorded(world, staff):
    meeting, case, minutes = _held_meeting_with_minutes(world, staff)
    text = minutes.text
    assert "**Møtt:**\n- Leader" in text
    assert f"**Sak {case.case_number} Palliasjon**" in text
    assert (
        "Vedtak i konsensus" in text.replace("vedtak i konsensus", "Vedtak i konsensus")
        or "konsensus" in text
    )
    assert "1. FSU BU støtter planen." in text
    assert "Narvik kommune" in text and "forbehold om finansiering" in text
    assert "Member (Ansatt i prosjektet)" in text
    assert "- Lage plan for overganger – ansvarlig: FSU BU – frist 01.12.2023" in text
    assert "Referent: Referent" in text


def test_locking_after_approval_and_amendments(world, staff):
    meeting, case, minutes = _held_meeting_with_minutes(world, staff)
    minutes = services.minutes_update(
        minutes=minutes, text=minutes.text + "\nTillegg.", expected_version=1, by=staff
    )
    minutes = services.minutes_approve(minutes=minutes, method=Minutes.ApprovalMethod.EMAIL_ROUND, by=staff)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MINUTES_APPROVED
    case.refresh_from_db()

    with pytest.raises(services.LockedError, match="Saken er låst fordi referatet er godkjent"):
        services.case_update(case=case, expected_version=case.version, by=staff, title="Nytt")
    with pytest.raises(services.LockedError):
        services.case_record_decision(case=case, outcome=Case.Outcome.POSTPONED, by=staff)
    with pytest.raises(services.LockedError):
        services.minutes_update(
            minutes=minutes, text="Stille endring", expected_version=minutes.version, by=staff
        )
    with pytest.raises(services.LockedError):
        services.minutes_build_draft(meeting=meeting, by=staff)
    with pytest.raises(services.LockedError):
        services.case_remove(case=case, by=staff)
    case.refresh_from_db()
    minutes.refresh_from_db()
    assert case.decision == "1. FSU BU støtter planen." and "Stille endring" not in minutes.text

    with pytest.raises(ValidationError, match="Oppgi en begrunnelse for rettelsen."):
        services.amend(obj=case, decision="1. Rettet.", reason="  ", by=staff)
    assert not Amendment.objects.exists()

    amended = services.amend(
        obj=case, decision="1. FSU BU støtter planen, med endringer.", reason="Skrivefeil", by=staff
    )
    assert amended.decision.endswith("med endringer.")
    amendment = Amendment.objects.get()
    assert (amendment.case, amendment.field, amendment.reason, amendment.by) == (
        case,
        "decision",
        "Skrivefeil",
        staff,
    )
    assert amendment.old_value == "1. FSU BU støtter planen."
    record = amended.history.latest()
    assert record.history_change_reason == "Rettelse: Skrivefeil" and record.history_user == staff

    services.amend(obj=minutes, text=minutes.text + "\nRettet navn.", reason="Feil navn", by=staff)
    assert Amendment.objects.filter(minutes=minutes, field="text").exists()

    published = services.minutes_publish(minutes=minutes, by=staff)
    meeting.refresh_from_db()
    assert published.published_at and meeting.status == Meeting.Status.MINUTES_PUBLISHED
    with pytest.raises(services.LockedError):
        services.case_update(case=case, expected_version=amended.version, by=staff, title="Nytt")


def test_publish_needs_approval_and_minutes_concurrency(world, staff):
    meeting, case, minutes = _held_meeting_with_minutes(world, staff)
    with pytest.raises(ValidationError, match="må godkjennes før det publiseres"):
        services.minutes_publish(minutes=minutes, by=staff)
    services.minutes_update(minutes=minutes, text="Versjon A", expected_version=1, by=staff)
    with pytest.raises(services.ConcurrentEditError, match="Referatet er endret av"):
        services.minutes_update(minutes=minutes, text="Versjon B", expected_version=1, by=staff)
    minutes.refresh_from_db()
    assert minutes.text == "Versjon A"


def test_decision_needs_the_notice(world, staff):
    case = services.case_create(meeting=_planned(world, staff), title="Sak", by=staff)
    with pytest.raises(ValidationError):
        services.case_record_decision(case=case, outcome=Case.Outcome.CONSENSUS, by=staff)


def test_follow_up_close(world, staff):
    meeting, case, minutes = _held_meeting_with_minutes(world, staff)
    point = meeting.follow_ups.get()
    closed = services.follow_up_close(follow_up=point, closed_by_case=case, by=staff)
    assert closed.status == "done" and closed.closed_by_case == case
    assert closed.history.latest().history_user == staff


# ---------------------------------------------------------------------------
# Permissions: every other persona is refused on every family
# ---------------------------------------------------------------------------


def _families(world, staff):
    """One callable per service family, each given the acting user."""
    meeting = _planned(world, staff)
    case = services.case_create(meeting=meeting, title="Sak", by=staff)
    ids = [c.pk for c in _agenda(meeting)]
    held = _planned(world, staff, start=START + dt.timedelta(days=40))
    held_case = services.case_create(meeting=held, title="Holdt", by=staff)
    services.meeting_issue_notice(meeting=held, by=staff)
    minutes = Minutes.objects.create(meeting=held, text="Utkast")
    proposed = Case.objects.create(
        body=world.body, year=2023, title="Forslag", intake_status=Case.IntakeStatus.PROPOSED
    )
    held_case.refresh_from_db()
    return {
        "meeting_create": lambda by: services.meeting_create(body=world.body, start=START, by=by),
        "meeting_update": lambda by: services.meeting_update(meeting=meeting, place="X", by=by),
        "case_create": lambda by: services.case_create(meeting=meeting, title="Ny", by=by),
        "case_update": lambda by: services.case_update(case=case, expected_version=1, title="X", by=by),
        "agenda_reorder": lambda by: services.agenda_reorder(meeting=meeting, case_ids=ids, by=by),
        "case_remove": lambda by: services.case_remove(case=case, by=by),
        "issue_notice": lambda by: services.meeting_issue_notice(meeting=meeting, by=by),
        "record_decision": lambda by: services.case_record_decision(
            case=held_case, outcome=Case.Outcome.CONSENSUS, by=by
        ),
        "attendance": lambda by: services.attendance_record(meeting=held, rows=[], by=by),
        "follow_up": lambda by: services.follow_up_add(meeting=held, what="X", by=by),
        "minutes_draft": lambda by: services.minutes_build_draft(meeting=held, by=by),
        "minutes_update": lambda by: services.minutes_update(
            minutes=minutes, text="X", expected_version=1, by=by
        ),
        "minutes_approve": lambda by: services.minutes_approve(minutes=minutes, method="email_round", by=by),
        "amend": lambda by: services.amend(obj=held_case, decision="X", reason="Y", by=by),
        "take_in": lambda by: services.case_take_in_proposal(case=proposed, meeting=meeting, by=by),
        "return": lambda by: services.proposal_return(case=proposed, reason="Nei", by=by),
        "attachment": lambda by: services.attachment_add(
            case=case, upload=SimpleUploadedFile("a.pdf", PDF), title="A", by=by
        ),
    }


@pytest.mark.parametrize("persona", OTHERS)
def test_every_other_persona_is_refused(world, staff, persona):
    families = _families(world, staff)
    user = world.users[persona]
    before = Case.history.count()
    for name, call in families.items():
        with pytest.raises(PermissionDenied):
            call(user)
            pytest.fail(f"{persona} could {name}")
    assert Case.history.count() == before


# ---------------------------------------------------------------------------
# Case proposals (innmelding)
# ---------------------------------------------------------------------------


def test_member_proposes_and_secretariat_takes_it_in(world, staff):
    member = world.users["member"]
    proposed = services.proposal_submit(
        body=world.body,
        title="Felles rutine for overganger",
        origin="Narvik kommune",
        background="Overgangen fra barn til voksen er sårbar.",
        proposal="FSU BU lager en felles rutine.",
        attachments=[SimpleUploadedFile("notat.pdf", PDF)],
        by=member,
    )
    assert proposed.meeting is None and proposed.intake_status == Case.IntakeStatus.PROPOSED
    assert proposed.proposed_by == member
    assert [(s.heading, s.text) for s in proposed.sections.all()] == [
        ("Bakgrunn", "Overgangen fra barn til voksen er sårbar.")
    ]
    assert proposed.attachments.count() == 1
    assert list(services.proposals_waiting(world.partnership)) == [proposed]
    assert proposed.history.latest().history_user == member

    meeting = _planned(world, staff)
    taken = services.case_take_in_proposal(case=proposed, meeting=meeting, by=staff)
    assert taken.meeting == meeting and taken.intake_status == Case.IntakeStatus.ACCEPTED
    assert [c.title for c in _agenda(meeting)][2] == "Felles rutine for overganger"
    assert list(services.proposals_waiting(world.partnership)) == []


@pytest.mark.parametrize("persona", ["visitor", "other_member", "former_member", "other_secretariat"])
def test_proposal_refused_for_non_members(world, persona):
    with pytest.raises(PermissionDenied):
        services.proposal_submit(
            body=world.body, title="X", origin="", background="", proposal="", by=world.users[persona]
        )
    assert not Case.objects.exists()


def test_proposal_returned_with_a_reason(world, staff):
    proposed = services.proposal_submit(
        body=world.body, title="Sak", origin="", background="", proposal="", by=world.users["leader"]
    )
    with pytest.raises(ValidationError, match="begrunnelse"):
        services.proposal_return(case=proposed, reason=" ", by=staff)
    returned = services.proposal_return(case=proposed, reason="Hører hjemme i SSU", by=staff)
    assert returned.intake_status == Case.IntakeStatus.RETURNED
    assert returned.return_reason == "Hører hjemme i SSU"
    assert returned.history.latest().history_change_reason == "Forslag returnert: Hører hjemme i SSU"
    with pytest.raises(ValidationError):
        services.case_take_in_proposal(case=returned, meeting=_planned(world, staff), by=staff)


# ---------------------------------------------------------------------------
# Uploads
# ---------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d"
    "49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def draft_case(world, staff):
    return services.case_create(meeting=_planned(world, staff), title="Sak med vedlegg", by=staff)


@pytest.mark.parametrize(
    ("name", "content"),
    [("notat.pdf", PDF), ("bilde.PNG", PNG), ("plan.docx", _docx()), ("foto.jpg", b"\xff\xd8\xff\xe0rest")],
)
def test_real_files_are_accepted(draft_case, staff, name, content):
    attachment = services.attachment_add(
        case=draft_case, upload=SimpleUploadedFile(name, content), title=name, by=staff
    )
    assert attachment.file.name.startswith("attachments/")
    assert name.split(".")[0] not in attachment.file.name
    assert attachment.history.latest().history_user == staff


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("stor.pdf", PDF + b"x" * 2048, "Filen er for stor (maks"),
        ("program.exe", b"MZ\x90\x00", "Filtypen er ikke tillatt"),
        ("skjult.docx", PDF, "Innholdet i filen stemmer ikke med filendelsen"),
        ("falsk.pdf", b"<html>not a pdf</html>", "Innholdet i filen stemmer ikke med filendelsen"),
        ("regneark.xlsx", _docx(), "Innholdet i filen stemmer ikke med filendelsen"),
        ("tom.pdf", b"", "tom"),
    ],
)
def test_bad_files_are_refused(draft_case, staff, settings, name, content, message):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        services.attachment_add(
            case=draft_case, upload=SimpleUploadedFile(name, content), title=name, by=staff
        )
    assert not Attachment.objects.exists()


def test_default_limit_message_says_25_mb(draft_case, staff, settings):
    settings.ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024
    upload = SimpleUploadedFile("stor.pdf", PDF)
    upload.size = 26 * 1024 * 1024
    with pytest.raises(ValidationError, match=r"Filen er for stor \(maks 25 MB\)\."):
        services.attachment_add(case=draft_case, upload=upload, title="Stor", by=staff)


def test_exempt_attachment_needs_basis(draft_case, staff):
    with pytest.raises(ValidationError):
        services.attachment_add(
            case=draft_case, upload=SimpleUploadedFile("a.pdf", PDF), title="A", exempt=True, by=staff
        )
    attachment = services.attachment_add(
        case=draft_case,
        upload=SimpleUploadedFile("a.pdf", PDF),
        title="A",
        exempt=True,
        exemption_basis=services.EXEMPTION_BASES[0],
        by=staff,
    )
    assert attachment.exempt and attachment.exemption_basis == "offl. § 13 jf. fvl. § 13"


def test_history_rows_say_who_and_why(world, staff):
    meeting = _planned(world, staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    reasons = list(
        meeting.history.order_by("history_date").values_list("history_change_reason", "history_user")
    )
    assert reasons == [("Møte planlagt", staff.pk), ("Innkalling sendt", staff.pk)]
    assert timezone.now() - meeting.history.latest().history_date < dt.timedelta(minutes=1)
