"""The services behind the meeting mode: concurrent decisions, the parties check, guests."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from governance.models import Membership, Organisation, Person
from meetings import parties, record, services
from meetings.models import Attendance, Case, Meeting
from tests.governance import factories as gf
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_staff(world):
    person = gf.person_with_login("sekr2", name="Annen Sekretær")
    gf.membership(person, world.partnership.bodies.get(short_name="SEKR"), Membership.Role.SECRETARY)
    return person.user


@pytest.fixture
def held(world):
    meeting = mf.meeting(world.body, status=Meeting.Status.HELD)
    mf.case(meeting, number=7, title="Palliativt team", proposal="1. FSU BU støtter teamet.")
    return meeting


# ---------------------------------------------------------------------------
# Two people recording a decision for the same case
# ---------------------------------------------------------------------------


def test_a_stale_decision_is_refused_naming_who_saved_first(world, staff, second_staff, held):
    case = held.cases.get()
    version = case.version
    services.case_record_decision(
        case=case, outcome=Case.Outcome.CONSENSUS, decision="Først", expected_version=version, by=staff
    )
    with pytest.raises(services.ConcurrentEditError) as refused:
        services.case_record_decision(
            case=case,
            outcome=Case.Outcome.POSTPONED,
            decision="Andre",
            expected_version=version,
            by=second_staff,
        )
    message = refused.value.messages[0]
    assert "Saken er endret av Secretariat" in message and "Teksten din er ikke lagret" in message
    case.refresh_from_db()
    assert (case.decision, case.outcome) == ("Først", Case.Outcome.CONSENSUS)
    assert refused.value.current.decision == "Først"


def test_the_default_expected_version_is_the_one_the_caller_holds(world, staff, held):
    stale = held.cases.get()
    fresh = Case.objects.get(pk=stale.pk)
    services.case_record_decision(case=fresh, outcome=Case.Outcome.CONSENSUS, by=staff)
    with pytest.raises(services.ConcurrentEditError):
        services.case_record_decision(case=stale, outcome=Case.Outcome.POSTPONED, by=staff)


def _decide_in_thread(case_pk, version, user, text, results, barrier):
    from django.db import connection as thread_connection

    try:
        case = Case.objects.get(pk=case_pk)
        if barrier is not None:
            barrier.wait(timeout=10)
        services.case_record_decision(
            case=case, outcome=Case.Outcome.CONSENSUS, decision=text, expected_version=version, by=user
        )
        results.append(text)
    except services.ConcurrentEditError:
        results.append("refused")
    except Exception as error:  # noqa: BLE001 - the test reports whatever happened
        results.append(error)
    finally:
        thread_connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_users_at_once_one_is_refused_and_nothing_is_lost(world, staff, second_staff):
    meeting = mf.meeting(world.body, status=Meeting.Status.HELD)
    case = mf.case(meeting, number=7)
    results = []
    args = [(case.pk, case.version, staff, "Vedtak A"), (case.pk, case.version, second_staff, "Vedtak B")]
    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=_decide_in_thread, args=(*a, results, barrier)) for a in args]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        # SQLite allows one writer at a time; run them one after the other.
        for a in args:
            _decide_in_thread(*a, results, None)
    assert results.count("refused") == 1 and len(results) == 2
    winner = next(r for r in results if r != "refused")
    case.refresh_from_db()
    assert case.decision == winner and case.version == 2


# ---------------------------------------------------------------------------
# Er alle parter til stede?
# ---------------------------------------------------------------------------


@pytest.fixture
def parties_world(world):
    """Body A with members for a trust (via a department), two Lofoten municipalities, a user council."""
    p = world.partnership
    trust = gf.organisation(p, name="Nordlandssykehuset HF", kind=Organisation.Kind.HEALTH_TRUST)
    dept = gf.organisation(p, name="Barneklinikken", kind=Organisation.Kind.HOSPITAL_DEPARTMENT, parent=trust)
    vagan = gf.organisation(p, name="Vågan kommune", region="Lofoten")
    flakstad = gf.organisation(p, name="Flakstad kommune", region="Lofoten")
    narvik = gf.organisation(p, name="Narvik kommune")
    users = gf.organisation(p, name="Brukerutvalget", kind=Organisation.Kind.USER_COUNCIL)
    people = {}
    for key, org, role in (
        ("doctor", dept, Membership.Role.LEADER),
        ("vagan", vagan, Membership.Role.MEMBER),
        ("flakstad", flakstad, Membership.Role.MEMBER),
        ("narvik", narvik, Membership.Role.MEMBER),
        ("user", users, Membership.Role.MEMBER),
    ):
        people[key] = Person.objects.create(name=key.title())
        gf.membership(people[key], world.body, role, on_behalf_of=org)
    people["vara"] = Person.objects.create(name="Vara")
    gf.membership(people["vara"], world.body, Membership.Role.SUBSTITUTE)
    return people


def _attend(meeting, staff, people, **statuses):
    rows = []
    for key, status in statuses.items():
        row = {"person": people[key], "status": status}
        if key == "vara":
            row["substitute_for"] = people["narvik"]
        rows.append(row)
    services.attendance_record(meeting=meeting, rows=rows, by=staff)


PRESENT, FORFALL = Attendance.Status.PRESENT, Attendance.Status.ABSENT_WITH_NOTICE


def test_parties_are_grouped_and_presence_is_read_from_attendance(world, staff, held, parties_world):
    check = parties.parties_check(held)
    assert check.applies and not check.recorded
    assert sorted(p.name for p in check.parties) == [
        "Brukerutvalget",
        "Kommunene i Lofoten",
        "Narvik kommune",
        "Nordlandssykehuset HF",
    ]
    assert parties.missing_parties(held) == []  # unknown while no attendance is recorded

    _attend(
        held,
        staff,
        parties_world,
        doctor=PRESENT,
        vagan=PRESENT,
        flakstad=FORFALL,
        narvik=FORFALL,
        vara=PRESENT,
    )
    missing = parties.missing_parties(held)
    assert [p.name for p in missing] == ["Brukerutvalget"]  # the vara stood in for Narvik
    assert parties.consensus_note(held) == "Vedtatt i konsensus; Brukerutvalget var ikke til stede."


def test_consensus_with_a_party_missing_needs_confirmation(world, staff, held, parties_world):
    _attend(held, staff, parties_world, doctor=FORFALL, vagan=PRESENT, narvik=PRESENT, user=PRESENT)
    case = held.cases.get()
    with pytest.raises(ValidationError, match="Ikke alle parter er til stede.*Nordlandssykehuset HF"):
        services.case_record_decision(case=case, outcome=Case.Outcome.CONSENSUS, decision="Vedtak", by=staff)
    case.refresh_from_db()
    assert case.outcome == "" and case.version == 1
    # Another outcome needs no confirmation; consensus does, and is then recorded.
    services.case_record_decision(case=case, outcome=Case.Outcome.POSTPONED, by=staff)
    case.refresh_from_db()
    services.case_record_decision(
        case=case, outcome=Case.Outcome.CONSENSUS, decision="Vedtak", confirm_missing_parties=True, by=staff
    )
    case.refresh_from_db()
    assert case.outcome == Case.Outcome.CONSENSUS


def test_a_body_that_does_not_decide_is_not_checked(world, staff, parties_world):
    network = gf.body(world.partnership, kind="network", slug="arena", short_name="Arena")
    meeting = mf.meeting(network, status=Meeting.Status.HELD)
    assert not parties.parties_check(meeting).applies
    assert parties.missing_parties(meeting) == []


# ---------------------------------------------------------------------------
# Guests are never matched by name across partnerships
# ---------------------------------------------------------------------------


def test_a_guest_is_matched_only_among_the_partnerships_people(world, staff, held):
    stranger = Person.objects.create(name="Kari Gjest")
    gf.membership(stranger, world.other_body)  # the other partnership's Kari
    services.attendance_record(meeting=held, rows=[], guest_name="Kari Gjest", by=staff)
    guest = held.attendances.get().person
    assert guest != stranger and guest.name == "Kari Gjest"
    # At the partnership's next meeting the same name is the same (now known) person.
    later = mf.meeting(world.body, status=Meeting.Status.HELD, start=held.start.replace(year=2024))
    services.attendance_record(meeting=later, rows=[], guest_name="Kari Gjest", by=staff)
    assert later.attendances.get().person == guest
    # A member of one of the partnership's bodies is found by name too.
    member = world.people["other_member"]
    assert services.guest_for(held.body.partnership, name=member.name, by=staff, reason="x") == member


def test_the_protocol_says_which_party_was_missing_at_a_consensus(world, staff, held, parties_world):
    """The record (page, PDF) derives the sentence from attendance; nothing is stored beside it."""
    _attend(held, staff, parties_world, doctor=FORFALL, vagan=PRESENT, narvik=PRESENT, user=PRESENT)
    case = held.cases.get()
    services.case_record_decision(
        case=case, outcome=Case.Outcome.CONSENSUS, decision="Vedtak", confirm_missing_parties=True, by=staff
    )
    note = "Vedtatt i konsensus; Nordlandssykehuset HF var ikke til stede."
    (entry,) = record.protocol_record(staff, held).entries
    assert entry.consensus_note == note
    assert record.case_record(staff, case).consensus_note == note
    # A party that comes after all: the sentence goes, since it is read from the attendance.
    _attend(held, staff, parties_world, doctor=PRESENT, vagan=PRESENT, narvik=PRESENT, user=PRESENT)
    (entry,) = record.protocol_record(staff, held).entries
    assert entry.consensus_note == ""
    # Not a consensus: no sentence, even with a party missing.
    _attend(held, staff, parties_world, doctor=FORFALL, vagan=PRESENT, narvik=PRESENT, user=PRESENT)
    case.refresh_from_db()
    services.case_record_decision(case=case, outcome=Case.Outcome.POSTPONED, by=staff)
    (entry,) = record.protocol_record(staff, held).entries
    assert entry.consensus_note == ""
