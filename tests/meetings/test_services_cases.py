"""Meeting services: editing cases, concurrency, minutes, locking, and who may call them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.models import Membership
from meetings import selectors, services
from meetings.models import Amendment, Case, Meeting, Minutes
from meetings.record import protocol_record
from tests.governance import factories as gf
from tests.meetings.helpers import OTHERS, PDF, START, _agenda, _planned

pytestmark = pytest.mark.django_db


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
        people=[{"role": "origin", "wording": "FSU BU"}],
        sections=[
            {"heading": "Bakgrunn", "text": "Tekst"},
            {"heading": "Kommunenes vurdering", "text": "- a"},
        ],
    )
    assert case.version == 2 and case.changed_after_notice_at is None
    assert [p.wording for p in case.people.all()] == ["FSU BU"]
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
    rows = selectors.attendance_defaults(meeting)
    assert {row["person"] for row in rows} == {world.people[n] for n in ("member", "leader", "referent")}
    services.attendance_record(meeting=meeting, rows=rows, by=staff)
    services.follow_up_add(
        meeting=meeting,
        what="Lage plan for overganger",
        responsible="FSU BU",
        due=dt.date(2023, 12, 1),
        by=staff,
    )
    minutes = services.minutes_update(
        meeting=meeting,
        sections=[{"heading": "Formål", "text": "Samordne tilbudet."}],
        next_meeting_date=dt.date(2023, 11, 9),
        next_meeting_text="Planen følges opp",
        expected_version=0,
        by=staff,
    )
    return meeting, case, minutes


def test_the_record_is_read_from_what_was_recorded(world, staff):
    """No copy: attendance, decision, reservation, recusal, follow-up and sections come from their rows."""
    meeting, case, minutes = _held_meeting_with_minutes(world, staff)
    record = protocol_record(staff, meeting)
    assert record.is_draft and record.visible
    assert [a.person.name for a in record.attendance["present"]] == ["Leader", "Member", "Referent"]
    assert [a.person.name for a in record.attendance["referents"]] == ["Referent"]
    entry = record.entries_by_pk[case.pk]
    assert (entry.title, entry.outcome, entry.decision) == (
        "Palliasjon",
        "konsensusvedtak",
        "1. FSU BU støtter planen.",
    )
    assert [(r.party.name, r.text) for r in entry.reservations] == [
        ("Narvik kommune", "Narvik tar forbehold om finansiering.")
    ]
    assert [(r.person.name, r.reason) for r in entry.recusals] == [("Member", "Ansatt i prosjektet")]
    assert [(f.what, f.responsible, f.due) for f in record.follow_ups] == [
        ("Lage plan for overganger", "FSU BU", dt.date(2023, 12, 1))
    ]
    assert [(s.heading, s.text) for s in record.sections] == [("Formål", "Samordne tilbudet.")]
    shown = record.next_meeting
    assert (shown.meeting, shown.date, shown.text) == (None, dt.date(2023, 11, 9), "Planen følges opp")
    # A later change of the decision shows at once: nothing was copied.
    services.case_record_decision(case=case, outcome=Case.Outcome.CONSENSUS, decision="1. Endret.", by=staff)
    assert protocol_record(staff, meeting).entries_by_pk[case.pk].decision == "1. Endret."


def test_locking_after_approval_and_amendments(world, staff):
    meeting, case, minutes = _held_meeting_with_minutes(world, staff)
    minutes = services.minutes_update(
        minutes=minutes,
        sections=[{"heading": "Formål", "text": "Samordne tilbudet."}, {"heading": "", "text": "Tillegg."}],
        expected_version=1,
        by=staff,
    )
    assert [(s.order, s.text) for s in minutes.sections.all()] == [(1, "Samordne tilbudet."), (2, "Tillegg.")]
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
            minutes=minutes,
            sections=[{"heading": "", "text": "Stille endring"}],
            expected_version=minutes.version,
            by=staff,
        )
    with pytest.raises(services.LockedError):
        services.minutes_update(meeting=meeting, next_meeting_text="Stille", expected_version=0, by=staff)
    with pytest.raises(services.LockedError):
        services.case_remove(case=case, by=staff)
    case.refresh_from_db()
    minutes.refresh_from_db()
    assert case.decision == "1. FSU BU støtter planen."
    assert not minutes.sections.filter(text__contains="Stille").exists()
    assert minutes.next_meeting_text == "Planen følges opp"

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

    section = minutes.sections.get(order=2)
    version = Minutes.objects.get(pk=minutes.pk).version
    services.amend(obj=section, text="Tillegg. Rettet navn.", reason="Feil navn", by=staff)
    correction = Amendment.objects.get(section=section)
    assert (correction.minutes, correction.field, correction.old_value, correction.new_value) == (
        minutes,
        "text",
        "Tillegg.",
        "Tillegg. Rettet navn.",
    )
    assert Minutes.objects.get(pk=minutes.pk).version == version + 1
    services.amend(obj=minutes, next_meeting_text="Planen følges opp i november", reason="Dato", by=staff)
    assert Amendment.objects.filter(minutes=minutes, field="next_meeting_text", section=None).exists()
    minutes.refresh_from_db()

    published = services.minutes_publish(minutes=minutes, by=staff)
    meeting.refresh_from_db()
    assert published.published_at and meeting.status == Meeting.Status.MINUTES_PUBLISHED
    with pytest.raises(services.LockedError):
        services.case_update(case=case, expected_version=amended.version, by=staff, title="Nytt")


def test_publish_needs_approval_and_minutes_concurrency(world, staff):
    meeting, case, minutes = _held_meeting_with_minutes(world, staff)
    with pytest.raises(ValidationError, match="må godkjennes før det publiseres"):
        services.minutes_publish(minutes=minutes, by=staff)
    section_a = [{"heading": "Formål", "text": "Versjon A"}]
    services.minutes_update(minutes=minutes, sections=section_a, expected_version=1, by=staff)
    with pytest.raises(services.ConcurrentEditError, match="Referatet er endret av"):
        services.minutes_update(
            minutes=minutes, sections=[{"heading": "", "text": "Versjon B"}], expected_version=1, by=staff
        )
    with pytest.raises(services.ConcurrentEditError, match="Referatet er endret av"):
        services.minutes_update(meeting=meeting, next_meeting_text="Ny", expected_version=0, by=staff)
    minutes.refresh_from_db()
    assert [(s.heading, s.text) for s in minutes.sections.all()] == [("Formål", "Versjon A")]
    assert minutes.version == 2 and minutes.next_meeting_text == "Planen følges opp"


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
    minutes = Minutes.objects.create(meeting=held)
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
        "minutes_start": lambda by: services.minutes_update(meeting=held, expected_version=0, by=by),
        "minutes_update": lambda by: services.minutes_update(
            minutes=minutes, sections=[{"heading": "", "text": "X"}], expected_version=1, by=by
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
