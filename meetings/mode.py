"""Reads for the meeting mode (møtemodus): one screen the secretariat keeps open in the meeting.

Everything the screen shows is read here in a fixed number of queries, however many cases the
agenda has: the attendance sheet (the body's current members, and whoever else is recorded),
the parties check, the cases in agenda order with their reservations, recusals and follow-up
points, and the choices the forms offer (parties, people present, the partnership's people).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from governance.models import Membership, Organisation, Person

from . import parties, selectors
from .models import Attendance, Case, FollowUp, Meeting, Minutes
from .services import approval_round_people, partnership_people


@dataclass
class MeetingModeData:
    meeting: Meeting
    rows: list[dict]  # one per member or recorded attendee
    check: parties.PartiesCheck
    cases: list[Case]
    general_follow_ups: list[FollowUp]
    party_choices: list[tuple[str, str]]  # organisations a reservation can be by
    member_choices: list[tuple[str, str]]  # whom a substitute can stand in for
    present_choices: list[tuple[str, str]]  # who can step out of a case
    people_choices: list[tuple[str, str]]  # the partnership's people, for a guest
    minutes: Minutes | None = None

    @property
    def editable(self) -> bool:
        return self.meeting.notice_is_issued and self.meeting.can_edit_agenda


def attendance_sheet(meeting: Meeting) -> list[dict]:
    """The current members with what is recorded for them, then everyone else recorded."""
    recorded = {
        a.person_id: a
        for a in meeting.attendances.select_related("person", "on_behalf_of", "substitute_for").order_by(
            "order", "pk"
        )
    }
    rows = selectors.attendance_defaults(meeting)
    for row in rows:
        row["member"] = True
        row["recorded"] = recorded.pop(row["person"].pk, None)
        if row["recorded"] is not None:
            _take_recorded(row, row["recorded"])
    for attendance in recorded.values():
        row = {"person": attendance.person, "member": False, "recorded": attendance}
        rows.append(_take_recorded(row, attendance))
    return rows


def _take_recorded(row: dict, attendance: Attendance) -> dict:
    row.update(
        status=attendance.status,
        role=attendance.role,
        is_referent=attendance.is_referent,
        substitute_for=attendance.substitute_for,
        on_behalf_of=attendance.on_behalf_of or row.get("on_behalf_of"),
        title=attendance.title,
        note=attendance.note,
    )
    return row


def mode_cases(meeting: Meeting) -> list[Case]:
    return list(
        meeting.cases.select_related("body__partnership")
        .prefetch_related(
            "reservations__party",
            "recusals__person",
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.select_related("responsible_person").order_by("order", "pk"),
            ),
        )
        .order_by("order", "pk")
    )


def _party_choices(meeting: Meeting, cases: list[Case]) -> list[tuple[str, str]]:
    represented = Membership.objects.current(on=parties._meeting_day(meeting)).filter(body_id=meeting.body_id)
    organisations = Organisation.objects.filter(
        pk__in=represented.values("on_behalf_of")
    ) | Organisation.objects.filter(pk__in=[r.party_id for c in cases for r in c.reservations.all()])
    return [(str(o.pk), o.name) for o in organisations.distinct().order_by("name")]


def meeting_mode(meeting: Meeting) -> MeetingModeData:
    rows = attendance_sheet(meeting)
    cases = mode_cases(meeting)
    in_rows = {row["person"].pk for row in rows}
    present = [
        row["person"] for row in rows if row.get("recorded") and row["status"] == Attendance.Status.PRESENT
    ]
    for case in cases:  # someone recorded as recused stays choosable
        present += [r.person for r in case.recusals.all() if r.person not in present]
    people = partnership_people(meeting.body.partnership).exclude(pk__in=in_rows).order_by("name", "pk")
    return MeetingModeData(
        meeting=meeting,
        rows=rows,
        check=parties.parties_check(meeting),
        cases=cases,
        general_follow_ups=list(
            meeting.follow_ups.filter(case__isnull=True)
            .select_related("responsible_person")
            .order_by("order", "pk")
        ),
        party_choices=_party_choices(meeting, cases),
        member_choices=[(str(row["person"].pk), row["person"].name) for row in rows if row["member"]],
        present_choices=[(str(p.pk), p.name) for p in dict.fromkeys(present)],
        people_choices=[(str(p.pk), _person_label(p)) for p in people.select_related("organisation")],
        minutes=Minutes.objects.filter(meeting=meeting).first(),
    )


def _person_label(person: Person) -> str:
    return f"{person.name} ({person.organisation.name})" if person.organisation_id else person.name


def approval_round(minutes) -> list[dict]:
    """One row per person who answers in the e-mail round, with their answer when recorded."""
    answers = {a.person_id: a for a in minutes.approval_answers.all()}
    people = approval_round_people(minutes).distinct().order_by("name", "pk")
    return [{"person": person, "answer": answers.get(person.pk)} for person in people]


def approval_cases(meeting: Meeting) -> list[tuple[str, str]]:
    """The minutes-approval cases of the body's later meetings, for "approved at the next meeting"."""
    cases = (
        Case.objects.filter(
            body_id=meeting.body_id, kind=Case.Kind.MINUTES_APPROVAL, meeting__start__gt=meeting.start
        )
        .select_related("body__partnership", "meeting__body")
        .order_by("meeting__start", "order")
    )
    return [(str(c.pk), f"{c.meeting} – {c.label or c.title}".strip()) for c in cases]
