"""The record of a meeting, read once per audience: what every output of the minutes shows.

Minutes are derived, never copied: attendance, the cases' discussion notes, outcomes, decisions,
reservations and recusals, follow-up points, the free sections and the next meeting are read
here from where they were recorded, already filtered for the user through meetings/permissions.py
and the querysets. The meeting page, the case page, the protocol PDF, search and the Atom feed
render this record, so they cannot disagree, and none of them can leak what the user may not read.

An exempt case the user may not read shows its number, public title and "Unntatt offentlighet,
<hjemmel>", and its public (anonymised) decision when the secretariat wrote one, never its title,
text, discussion note, decision, reservations, recusals, corrections or follow-up points.
Exempt attachments follow DOMAIN.md the same way on page and PDF: listed as exempt with their
basis, never with their title, for anyone who may not read them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial, reduce

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils.translation import gettext as _

from . import lifecycle, parties, permissions
from .models import (
    Amendment,
    Attendance,
    Case,
    CaseSection,
    FollowUp,
    Meeting,
    Minutes,
    MinutesSection,
    Recusal,
    Reservation,
)

GUEST_ROLES = frozenset({Attendance.Role.GUEST, Attendance.Role.SPEAKER, Attendance.Role.FACILITATOR})


@dataclass(frozen=True)
class Correction:
    """An amendment as shown: "Rettet <dato>: <begrunnelse>"."""

    at: object
    reason: str
    field: str

    def __str__(self):
        return _("Corrected %(date)s: %(reason)s") % {"date": f"{self.at:%d.%m.%Y}", "reason": self.reason}


@dataclass
class CaseEntry:
    """One case of the protocol, as this user may read it."""

    case: Case
    title: str
    readable: bool
    decision_visible: bool
    exemption: str = ""
    discussion: str = ""
    outcome: str = ""
    decision: str = ""
    decision_is_public_version: bool = False
    reservations: list = field(default_factory=list)
    recusals: list = field(default_factory=list)
    corrections: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    # "Vedtatt i konsensus; <party> var ikke til stede." for a consensus while a party was missing.
    consensus_note: str = ""

    @property
    def pk(self):
        return self.case.pk

    @property
    def label(self):
        return self.case.label

    @property
    def has_record(self) -> bool:
        return bool(self.outcome or self.decision or self.discussion or self.reservations or self.recusals)


@dataclass
class NextMeeting:
    """A planned meeting only when it is public (notice issued); else a date and text; else unknown."""

    meeting: Meeting | None = None
    date: object = None
    text: str = ""

    @property
    def known(self) -> bool:
        return bool(self.meeting or self.date or self.text)


@dataclass
class ProtocolRecord:
    meeting: Meeting
    minutes: Minutes | None
    visible: bool
    attendance: dict
    entries: list
    follow_ups: list
    sections: list
    corrections: list
    # Read when shown (a held meeting's page, the protocol PDF), not for every record.
    read_next_meeting: Callable[[], NextMeeting] = NextMeeting

    @cached_property
    def next_meeting(self) -> NextMeeting:
        return self.read_next_meeting()

    @property
    def is_draft(self) -> bool:
        return self.minutes is None or self.minutes.approved_at is None

    @property
    def sections_before(self) -> list:
        """The free sections placed before the cases (a referat's purpose), in order."""
        return [section for section in self.sections if section.before_cases]

    @property
    def sections_after(self) -> list:
        return [section for section in self.sections if not section.before_cases]

    @property
    def entries_by_pk(self) -> dict:
        return {entry.pk: entry for entry in self.entries}

    @property
    def attendance_groups(self) -> list:
        """(heading, rows) in the protocol's order, only the groups that have rows."""
        headings = (
            ("present", _("Present")),
            ("substitutes", _("Substitutes")),
            ("absent_with_notice", _("Absent with notice")),
            ("absent", _("Absent without notice")),
            ("guests", _("Guests and speakers")),
        )
        return [(heading, self.attendance[key]) for key, heading in headings if self.attendance.get(key)]

    @property
    def has_cases(self) -> bool:
        return any(entry.case.number for entry in self.entries)


def exemption_text(basis: str) -> str:
    return _("Exempt from public access, %(basis)s") % {"basis": basis}


def _corrections(amendments) -> list[Correction]:
    return [Correction(at=a.at, reason=a.reason, field=a.field) for a in amendments]


def case_entry(case: Case, follow_ups=(), note: str = "", amendments=()) -> CaseEntry:
    """The entry of one case; `case` has its access flags (mark_case_access) and record prefetched.

    `note` is the meeting's consensus note (meetings/parties.py), carried by a consensus decision;
    `amendments` the case's corrections (_amendments), shown with a readable decision."""
    readable = bool(case.content_visible)
    decision_visible = bool(case.decision_visible)
    entry = CaseEntry(
        case=case,
        title=case.title if readable else case.shown_title,
        readable=readable,
        decision_visible=decision_visible,
        exemption=exemption_text(case.exemption_basis) if case.exempt else "",
    )
    if decision_visible:
        entry.discussion = case.discussion
        entry.outcome = case.get_outcome_display() if case.outcome else ""
        entry.decision = case.decision
        entry.reservations = list(case.reservations.all())
        entry.recusals = list(case.recusals.all())
        entry.corrections = _corrections(amendments)
        entry.follow_ups = [f for f in follow_ups if f.case_id == case.pk]
        if case.outcome == Case.Outcome.CONSENSUS:
            entry.consensus_note = note
    elif case.exempt and case.public_decision and _minutes_readable(case):
        entry.decision = case.public_decision
        entry.decision_is_public_version = True
    return entry


def _minutes_readable(case: Case) -> bool:
    return bool(getattr(case, "minutes_readable", False))


def _paper_prefetches() -> tuple:
    # Ordered within the case only: the models' own orderings start with "case", which would
    # join the cases and their meetings again (their ordering) in every prefetch.
    return (Prefetch("sections", queryset=CaseSection.objects.order_by("order", "pk")),)


def _entry_prefetches() -> tuple:
    return (
        Prefetch(
            "reservations", queryset=Reservation.objects.select_related("party", "person").order_by("pk")
        ),
        Prefetch("recusals", queryset=Recusal.objects.select_related("person").order_by("pk")),
    )


def read_what_is_readable(cases) -> None:
    """Read the text of the cases whose content the reader may read, and the reservations and
    recusals of those whose decision they may read, a query per kind whatever the number of
    cases (their corrections come from _amendments). What the reader may not read is not read
    at all. The cases carry their access flags (mark_case_access); parts already prefetched are
    not read again."""
    prefetch_related_objects([case for case in cases if case.content_visible], *_paper_prefetches())
    prefetch_related_objects([case for case in cases if case.decision_visible], *_entry_prefetches())


def record_cases(**filters):
    """Cases with what the access checks need; their parts come from read_what_is_readable."""
    return Case.objects.select_related("body__partnership", "meeting__body__partnership").filter(**filters)


def _attendances(meeting: Meeting) -> list:
    """The meeting's attendance in order, with what the groups and the parties check show."""
    return list(
        meeting.attendances.select_related(
            "person", "on_behalf_of__parent__parent", "substitute_for"
        ).order_by("order", "pk")
    )


def attendance_groups(meeting: Meeting, rows=None) -> dict:
    """Til stede, møtt for (substitutes), Forfall, Fravær, guests and speakers, referent."""
    rows = _attendances(meeting) if rows is None else rows
    groups = {
        "present": [],
        "substitutes": [],
        "absent_with_notice": [],
        "absent": [],
        "guests": [],
        "referents": [],
    }
    for row in rows:
        if row.is_referent:
            groups["referents"].append(row)
        if row.status == Attendance.Status.ABSENT_WITH_NOTICE:
            groups["absent_with_notice"].append(row)
        elif row.status == Attendance.Status.ABSENT:
            groups["absent"].append(row)
        elif row.role == Attendance.Role.SUBSTITUTE or row.substitute_for_id:
            groups["substitutes"].append(row)
        elif row.role in GUEST_ROLES:
            groups["guests"].append(row)
        elif not row.is_referent or row.role != Attendance.Role.SECRETARY:
            groups["present"].append(row)
    return groups


def _is_public(meeting: Meeting | None) -> bool:
    return meeting is not None and lifecycle.notice_is_issued(meeting) and not lifecycle.is_cancelled(meeting)


def next_meeting_of(meeting: Meeting, minutes: Minutes | None) -> NextMeeting:
    """The next meeting as a published record may name it: never a draft meeting."""
    if minutes is not None:
        if _is_public(minutes.next_meeting):
            return NextMeeting(meeting=minutes.next_meeting)
        if minutes.next_meeting_date or minutes.next_meeting_text or minutes.next_meeting_id:
            return NextMeeting(date=minutes.next_meeting_date, text=minutes.next_meeting_text)
    # Nothing recorded: the body's next meeting in the calendar, once its notice is out.
    following = (
        Meeting.objects.published()
        .filter(body_id=meeting.body_id, start__gt=meeting.start, cancelled_at__isnull=True)
        .select_related("body__partnership")
        .order_by("start")
        .first()
    )
    return NextMeeting(meeting=following)


def _follow_ups(meeting: Meeting, readable: set) -> list:
    rows = (
        FollowUp.objects.filter(meeting=meeting)
        .select_related("responsible_person", "case__body__partnership", "closed_by_case__body__partnership")
        .order_by("order", "pk")
    )
    return [f for f in rows if f.case_id is None or f.case_id in readable]


def _consensus_note(meeting: Meeting | None, readable: list, attendances=None) -> str:
    """The meeting's consensus note (meetings/parties.py), asked when the reader may read a
    decision of the meeting and its body decides by consensus, whatever the decisions are, so a
    page's queries do not depend on its cases (one query with the `attendances`, else two)."""
    if meeting is None or not readable or not parties.decides_by_consensus(meeting.body):
        return ""
    return parties.consensus_note(meeting, parties.parties_check(meeting, attendances).missing)


def _with_corrections(sections: list, by_section: dict) -> list:
    """The free sections, each with its corrections ("Rettet <dato>: <begrunnelse>")."""
    for section in sections:
        section.corrections = _corrections(by_section.get(section.pk, ()))
    return sections


def _amendments(minutes: Minutes | None, cases) -> tuple[dict, dict, list]:
    """(by case pk, by section pk, the minutes' own): the corrections of the cases whose decision
    the reader may read, of the minutes' free sections and of the minutes themselves, oldest
    first, in one query."""
    decided = {case.pk for case in cases if case.decision_visible}
    parts = [Q(case_id__in=decided)] if decided else []
    if minutes is not None:
        parts += [Q(minutes=minutes, section=None), Q(section__minutes=minutes)]
    by_case, by_section, own = {}, {}, []
    if not parts:
        return by_case, by_section, own
    for amendment in Amendment.objects.filter(reduce(operator.or_, parts)).order_by("at", "pk"):
        if amendment.case_id in decided:
            by_case.setdefault(amendment.case_id, []).append(amendment)
        if amendment.section_id is not None:
            by_section.setdefault(amendment.section_id, []).append(amendment)
        elif minutes is not None and amendment.minutes_id == minutes.pk:
            own.append(amendment)
    return by_case, by_section, own


MINUTES_RELATED = ("approved_in_case__body__partnership", "next_meeting__body__partnership")


def _minutes_of(meeting: Meeting) -> tuple[Minutes | None, list]:
    """(minutes, free sections in order): one query when the minutes have sections (each carries
    its minutes), a second for minutes without any. Their corrections come from _amendments."""
    sections = list(
        MinutesSection.objects.filter(minutes__meeting=meeting)
        .select_related(*(f"minutes__{path}" for path in MINUTES_RELATED))
        .order_by("order", "pk")
    )
    if sections:
        return sections[0].minutes, sections
    return Minutes.objects.filter(meeting=meeting).select_related(*MINUTES_RELATED).first(), []


def protocol_record(user, meeting: Meeting, cases=None) -> ProtocolRecord:
    """Everything the protocol shows, filtered for `user`; empty parts when the minutes are not theirs.

    `cases`, when the caller has read them already, are all the meeting's cases in agenda order
    with their bodies (the meeting page reads them once for the agenda and the record); their
    access flags and readable parts are set here either way."""
    visible = permissions.can_view_minutes(user, meeting)
    minutes, sections = None, []
    if visible:  # a reader who may not see the minutes is not given them: none is read
        minutes, sections = _minutes_of(meeting)
    if cases is None:
        cases = list(record_cases(meeting=meeting).order_by("order", "number", "pk"))
    permissions.mark_case_access(user, cases, minutes_visible={meeting.pk: visible})
    read_what_is_readable(cases)
    for case in cases:
        case.minutes_readable = visible
    readable = {case.pk for case in cases if case.decision_visible}
    follow_ups = _follow_ups(meeting, readable) if visible else []
    attendances = _attendances(meeting) if visible else None
    note = _consensus_note(meeting, [case for case in cases if case.decision_visible], attendances)
    by_case, by_section, own = _amendments(minutes, cases)
    return ProtocolRecord(
        meeting=meeting,
        minutes=minutes if visible else None,
        visible=visible,
        attendance=attendance_groups(meeting, attendances) if visible else {},
        entries=[case_entry(case, follow_ups, note, by_case.get(case.pk, ())) for case in cases],
        follow_ups=follow_ups,
        sections=_with_corrections(sections, by_section),
        read_next_meeting=partial(next_meeting_of, meeting, minutes) if visible else NextMeeting,
        corrections=_corrections(own) if minutes else [],
    )


def case_record(user, case: Case) -> CaseEntry:
    """One case's entry, with the same rules as the protocol, from the case as stored now."""
    return read_case_record(user, record_cases(pk=case.pk).get())


def read_case_record(user, case: Case) -> CaseEntry:
    """The entry of a case just read with its body and its meeting's body (the case page, which
    reads it once for the paper and the record); sets its access flags and readable parts."""
    minutes_readable = case.meeting_id is not None and permissions.can_view_minutes(user, case.meeting)
    permissions.mark_case_access(user, [case], minutes_visible={case.meeting_id: minutes_readable})
    read_what_is_readable([case])
    case.minutes_readable = minutes_readable
    follow_ups = (
        FollowUp.objects.filter(case=case).select_related("responsible_person")
        if case.decision_visible
        else []
    )
    note = _consensus_note(case.meeting, [case] if case.decision_visible else [])
    by_case, _, _ = _amendments(None, [case])
    return case_entry(case, list(follow_ups), note, by_case.get(case.pk, ()))
