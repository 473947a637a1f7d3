"""`load_demo`: the marked demo extras (logins, a notice, an exempt case, a draft) and the command."""

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from governance.models import Membership, Partnership, Person
from meetings import record
from meetings.models import Case, Meeting
from portal import demo
from tests.conftest import DEMO_LOGINS
from tests.portal.demo.seeds import LVS, TO, fsu_bu, local, meeting_on

pytestmark = pytest.mark.django_db


# --- Demo extras -------------------------------------------------------------------------------


def test_demo_logins(output):
    User = get_user_model()
    assert set(demo.DEMO_USERS) == {"sekretariat", "leder", "medlem", "sekretariat-nord", "admin"}
    # The personas the demo-data tests log in as (tests/conftest.py) are these logins.
    assert {login for login in DEMO_LOGINS.values() if login} <= set(demo.DEMO_USERS)
    for username in demo.DEMO_USERS:
        assert authenticate(username=username, password=demo.DEMO_PASSWORD) is not None, username
        assert authenticate(username=username, password="feil-passord") is None

    current = Membership.objects.current()
    sekretariat = User.objects.get(username="sekretariat")
    assert sekretariat.is_staff and not sekretariat.is_superuser
    assert sekretariat.person.name == "Lene Kristiansen"
    assert current.filter(
        person__user=sekretariat, role="secretary", body__kind="secretariat", body__partnership__slug=TO
    ).exists()

    leder = User.objects.get(username="leder")
    assert not leder.is_staff
    assert leder.person.name == "Nina Engelsen"
    assert current.filter(person__user=leder, role="deputy_leader", body=fsu_bu()).exists()

    medlem = User.objects.get(username="medlem")
    assert not medlem.is_staff
    assert (medlem.person.name, medlem.person.title) == (
        "Demo Medlem",
        "Demobruker – medlem av FSU barn og unge",
    )
    assert current.filter(person__user=medlem, role="member", body=fsu_bu()).exists()

    nord = User.objects.get(username="sekretariat-nord")
    assert nord.is_staff
    assert (nord.person.name, nord.person.title) == (
        "Knut Erik Dahlmo",
        "Lokal samhandlingsrådgiver, Lofoten",
    )
    seat = current.get(person__user=nord)
    assert (seat.body.kind, seat.body.short_name, seat.body.name) == (
        "secretariat",
        "SEKR",
        "Samhandlingssekretariatet",
    )
    assert seat.body.partnership.slug == LVS

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not Person.objects.filter(user=admin).exists()


DEMO_MEETINGS_IN_LOAD_ORDER = (
    ("Demo: møte i FSU barn og unge (konsensus uten alle parter)", 1),
    ("Demo: møte i FSU barn og unge (protokoll publisert)", 3),
    ("Demo: møte i FSU barn og unge (innkalt)", 3),
)


def demo_numbers() -> dict[str, list[int]]:
    """The case numbers the demo meetings get: from 12, or the next free number in their year."""
    highest: dict[int, int] = {}
    numbers = {}
    for title, count in DEMO_MEETINGS_IN_LOAD_ORDER:
        year = local(Meeting.objects.get(title=title).start).year
        first = max(12, highest.get(year, 0) + 1)
        numbers[title] = list(range(first, first + count))
        highest[year] = first + count - 1
    return numbers


def test_demo_meeting_with_a_consensus_while_a_party_was_absent(output):
    """Demo Medlem sits for Demo kommune, a demo person for UNN HF, who sent apologies (forfall)."""
    meeting = Meeting.objects.get(title="Demo: møte i FSU barn og unge (konsensus uten alle parter)")
    assert meeting.status == "minutes_published" and meeting.minutes.published_at
    seats = Membership.objects.filter(body=fsu_bu(), on_behalf_of__isnull=False)
    assert {(m.person.name, m.on_behalf_of.name) for m in seats} == {
        ("Demo Medlem", "Demo kommune (demo)"),
        ("Demo Sykehusrepresentant (demo)", "UNN HF"),
    }
    absent = meeting.attendances.get(person__name="Demo Sykehusrepresentant (demo)")
    assert absent.status == "absent_with_notice"
    assert absent.on_behalf_of.name == "UNN HF"  # the protocol's «Representerer» column
    (entry,) = record.protocol_record(None, meeting).entries
    assert [case.number for case in meeting.cases.all()] == demo_numbers()[meeting.title]
    assert entry.outcome and entry.consensus_note == "Vedtatt i konsensus; UNN HF var ikke til stede."


def test_demo_meeting_with_notice_issued_and_exempt_case(output):
    today = timezone.localdate()
    meeting = Meeting.objects.get(body=fsu_bu(), status="notice_issued", title__startswith="Demo:")
    assert local(meeting.start).date() in {today + dt.timedelta(days=14), today + dt.timedelta(days=13)}
    assert (local(meeting.start).time(), local(meeting.end).time()) == (dt.time(12), dt.time(14))
    assert meeting.notice_issued_at is not None
    assert meeting.online_link == "https://teams.example.invalid/demo"
    assert meeting.title.startswith("Demo:")
    year = local(meeting.start).year
    cases = list(meeting.cases.order_by("order"))
    assert [case.number for case in cases] == demo_numbers()[meeting.title]
    assert {case.year for case in cases} == {year}
    assert all("(demo)" in case.title for case in cases)
    assert not meeting.cases.filter(exempt=True).exists()


def test_demo_meeting_with_published_minutes_and_exempt_case(output):
    """The exempt case sits in a held meeting whose minutes are published, with its whole record."""
    today = timezone.localdate()
    meeting = Meeting.objects.get(body=fsu_bu(), title="Demo: møte i FSU barn og unge (protokoll publisert)")
    assert meeting.status == "minutes_published"
    assert local(meeting.start).date() in {today - dt.timedelta(days=28), today - dt.timedelta(days=29)}
    minutes = meeting.minutes
    assert minutes.approved_at and minutes.published_at and minutes.approval_method == "email_round"
    assert [(s.heading, "(demo)" in s.text) for s in minutes.sections.all()] == [("Merknader (demo)", True)]
    cases = list(meeting.cases.order_by("order"))
    assert [case.number for case in cases] == demo_numbers()[meeting.title]
    assert all("(demo)" in case.title for case in cases)
    assert [(a.person.name, a.is_referent) for a in meeting.attendances.order_by("order")] == [
        ("Nina Engelsen", False),
        ("Demo Medlem", False),
        ("Demo Sykehusrepresentant (demo)", False),
        ("Lene Kristiansen", True),
    ]
    # Every party was there, so no consensus in it carries the parties note.
    assert all(entry.consensus_note == "" for entry in record.protocol_record(None, meeting).entries)

    exempt = Case.objects.get(exempt=True)
    assert exempt.meeting == meeting and exempt.outcome == "consensus"
    assert "KONFIDENSIELT-DEMO-VEDTAK" in exempt.decision and "KONFIDENSIELT-DEMO" in exempt.discussion
    assert exempt.public_decision.endswith("(demo).") and "KONFIDENSIELT" not in exempt.public_decision
    reservation = exempt.reservations.get()
    assert reservation.party.name == "UNN HF"
    assert "KONFIDENSIELT-DEMO-TILFØRSEL" in reservation.text
    recusal = exempt.recusals.get()
    assert recusal.person.name == "Demo Medlem" and "KONFIDENSIELT-DEMO-INHABIL" in recusal.reason
    follow_ups = list(meeting.follow_ups.order_by("order"))
    assert len(follow_ups) == 2 and all(f.case == exempt and "(demo)" in f.what for f in follow_ups)
    assert exempt.exemption_basis == "offl. § 13 jf. fvl. § 13"
    assert exempt.public_title == "Henvendelse om samhandling rundt enkeltpasient (demo)"
    assert exempt.shown_title == exempt.public_title
    assert "KONFIDENSIELT-DEMO" in exempt.title
    assert "KONFIDENSIELT-DEMO" in exempt.sections.get().text
    attachment = exempt.attachments.get()
    assert attachment.exempt and attachment.exemption_basis == "offl. § 13 jf. fvl. § 13"
    # The confidential marker appears nowhere else.
    assert Case.objects.filter(title__contains="KONFIDENSIELT-DEMO").count() == 1


def test_demo_draft_meeting(output):
    today = timezone.localdate()
    meeting = Meeting.objects.get(body=fsu_bu(), status="planned", title__startswith="Demo:")
    assert local(meeting.start).date() in {
        today + dt.timedelta(weeks=8),
        today + dt.timedelta(weeks=8, days=-1),
    }
    assert meeting.online_link == "https://teams.example.invalid/demo"
    cases = list(meeting.cases.order_by("order"))
    assert [case.order for case in cases] == [1, 2, 3, 4, 5]
    assert all(case.number is None and "(demo)" in case.title for case in cases)
    followed_up = {case.previous.case_number for case in cases if case.previous}
    assert followed_up == {"08/23", "09/23"}


# --- The command -------------------------------------------------------------------------------


def test_summary_is_printed(output):
    assert "Demodata lastet inn" in output
    assert "   2 helsefellesskap" in output
    for username in demo.DEMO_USERS:
        assert username in output


def test_refuses_to_load_twice(output):
    counts = demo.summary()
    with pytest.raises(CommandError, match="--flush"):
        call_command("load_demo", stdout=io.StringIO())
    assert demo.summary() == counts


def test_if_empty_leaves_existing_data_alone(output):
    counts = demo.summary()
    Partnership.objects.filter(slug=TO).update(name="Endret navn")
    stdout = io.StringIO()
    call_command("load_demo", if_empty=True, stdout=stdout)
    assert "lastes ikke inn på nytt" in stdout.getvalue()
    assert demo.summary() == counts
    assert Partnership.objects.get(slug=TO).name == "Endret navn"


def test_dates_without_a_time_are_marked(output):
    pm = meeting_on("PM", LVS, dt.date(2022, 10, 25))
    assert pm.start_time_known is False


def test_refuses_when_domain_data_exists():
    Partnership.objects.create(name="Et annet helsefellesskap", slug="annet")
    with pytest.raises(CommandError, match="ikke tom"):
        call_command("load_demo", stdout=io.StringIO())
    assert Partnership.objects.count() == 1


def test_flush_replaces_existing_data(output):
    counts = demo.summary()
    Partnership.objects.filter(slug=TO).update(name="Endret navn")
    call_command("load_demo", flush=True, stdout=io.StringIO())
    assert demo.summary() == counts
    assert Partnership.objects.get(slug=TO).name == "Helsefellesskapet Troms og Ofoten"
    assert authenticate(username="leder", password=demo.DEMO_PASSWORD) is not None


def test_every_object_has_a_history_row_with_the_reason(output):
    for model, _label in demo.DOMAIN_MODELS:
        pks = set(model.objects.values_list("pk", flat=True))
        created = set(
            model.history.filter(history_type="+", history_change_reason=demo.CHANGE_REASON).values_list(
                "id", flat=True
            )
        )
        assert pks == created, model.__name__
        assert not model.history.exclude(history_change_reason=demo.CHANGE_REASON).exists(), model.__name__
