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

import dataclasses
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial, reduce

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone
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
        # The day in Norway: a correction made at 00.30 Oslo time is 23.30 the day before in UTC.
        day = timezone.localtime(self.at) if timezone.is_aware(self.at) else self.at
        return _("Corrected %(date)s: %(reason)s") % {"date": f"{day:%d.%m.%Y}", "reason": self.reason}


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

    @property
    def decision_told(self) -> list:
        """The paper's sections that tell of a decision the sources do not give
        (CaseSection.tells_of_decision), for a reader of the decision: shown where the decision
        would be, on the pages and in the protocol alike. Read from the paper's sections
        (read_papers: a reader of the decision reads the paper), so no query of their own; not
        part of shown(), as the sections' stamps and decision_visible key them already."""
        if not self.decision_visible:
            return []
        return [section for section in self.case.sections.all() if section.tells_of_decision]

    def shown(self) -> tuple:
        """Everything of the record this entry lets its reader see, as plain values: part of the
        key of a rendered case paper (meetings/fragments.py), so two readers share a rendering only
        when their entries agree in every field (rows by primary key: their content is versioned
        by the stamps in the same key). Every field but the case, so a field added is keyed too."""
        return tuple(_plain(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "case")


@dataclass
class NextMeeting:
    """A planned meeting only when it is public (notice issued); else a date and text; else unknown.

    Or the meeting a readable "next meeting" case announces (Case.next_meeting, with the case in
    `announced_in`): as `meeting` when its notice is public, else in `announced`, shown as the paper
    announces it (its day, time and place as loaded from that paper), never linked nor its agenda."""

    meeting: Meeting | None = None
    date: object = None
    text: str = ""
    # Nothing known of it, and the meeting is loaded from a source that does not say: not stated,
    # rather than "not yet set", which the source does not say either.
    unstated: bool = False
    announced: Meeting | None = None
    announced_in: Case | None = None

    @property
    def known(self) -> bool:
        return bool(self.meeting or self.date or self.text or self.announced)


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
    # The meeting a readable paper of this meeting announces (none: no query), for a meeting that
    # is not held: its page names it as the paper does.
    read_announced_meeting: Callable[[], NextMeeting] = NextMeeting

    @cached_property
    def next_meeting(self) -> NextMeeting:
        return self.read_next_meeting()

    @cached_property
    def announced_meeting(self) -> NextMeeting:
        return self.read_announced_meeting()

    @property
    def is_draft(self) -> bool:
        return not lifecycle.minutes_approval(self.minutes).done

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


def _plain(value):
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    pk = getattr(value, "pk", None)
    return ("row", type(value).__name__, pk) if pk is not None else repr(value)


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


def read_what_is_readable(cases, *, papers: bool = True) -> None:
    """Read the text of the cases whose content the reader may read, and the reservations and
    recusals of those whose decision they may read, a query per kind whatever the number of
    cases (their corrections come from _amendments). What the reader may not read is not read
    at all. The cases carry their access flags (mark_case_access); parts already prefetched are
    not read again. `papers=False` leaves the text for read_papers (a page that may have its
    papers rendered already: meetings/fragments.py)."""
    if papers:
        read_papers(cases)
    prefetch_related_objects([case for case in cases if case.decision_visible], *_entry_prefetches())


def read_papers(cases) -> None:
    """The text (sections) of the cases whose content the reader may read."""
    prefetch_related_objects([case for case in cases if case.content_visible], *_paper_prefetches())


def record_cases(**filters):
    """Cases with what the access checks need; their parts come from read_what_is_readable."""
    return Case.objects.select_related("body__partnership", "meeting__body__partnership").filter(**filters)


def _by_meeting(meetings, rows) -> dict:
    """{meeting pk: its rows, in the rows' order} for every one of `meetings`."""
    grouped = {meeting.pk: [] for meeting in meetings}
    for row in rows:
        grouped[row.meeting_id].append(row)
    return grouped


def _in_order_by_meeting(queryset, meetings: list) -> dict:
    """The rows of `queryset` (a model with `meeting` and `order`) of each of `meetings`, in
    their order, in one query; none when there are no meetings."""
    if not meetings:
        return {}
    return _by_meeting(meetings, queryset.filter(meeting__in=meetings).order_by("order", "pk"))


def _attendances_of(meetings: list) -> dict:
    """Each meeting's attendance in order, with what the groups and the parties check show."""
    related = ("person", "on_behalf_of__parent__parent", "substitute_for")
    return _in_order_by_meeting(Attendance.objects.select_related(*related), meetings)


def _attendances(meeting: Meeting) -> list:
    return _attendances_of([meeting])[meeting.pk]


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


def next_meeting_of(
    meeting: Meeting, minutes: Minutes | None, announcing=(), *, calendar=True
) -> NextMeeting:
    """The next meeting as a published record may name it: never a draft meeting.

    The minutes' own say first; else the meeting a readable "next meeting" case of the meeting
    announces (`announcing`: the meeting's cases whose paper the reader may read); else, with
    `calendar`, the body's next public meeting."""
    if minutes is not None:
        if _is_public(minutes.next_meeting):
            return NextMeeting(meeting=minutes.next_meeting)
        if minutes.next_meeting_date or minutes.next_meeting_text or minutes.next_meeting_id:
            return NextMeeting(date=minutes.next_meeting_date, text=minutes.next_meeting_text)
    announced = announced_next_meeting(announcing)
    if announced.known or not calendar:
        return announced
    # Nothing recorded: the body's next meeting in the calendar, once its notice is out.
    following = (
        Meeting.objects.published()
        .filter(body_id=meeting.body_id, start__gt=meeting.start, cancelled_at__isnull=True)
        .select_related("body__partnership")
        .order_by("start")
        .first()
    )
    return NextMeeting(meeting=following, unstated=following is None and meeting.source_id is not None)


def announced_next_meeting(cases) -> NextMeeting:
    """The meeting the first of the readable `cases` that announces one names (Case.next_meeting),
    read with the cases where they were read with it (selectors.agenda), else in one query; none
    when no case announces one: the meeting itself when its notice is public, else as the paper
    announces it."""
    case = next((c for c in cases if c.next_meeting_id and c.content_visible), None)
    if case is None:
        return NextMeeting()
    if Case.next_meeting.is_cached(case):
        announced = case.next_meeting
        if announced is not None and announced.body_id == case.body_id:
            announced.body = case.body  # the same body (Case.clean), read with the case
    else:
        announced = (
            Meeting.objects.select_related("body__partnership").filter(pk=case.next_meeting_id).first()
        )
    if announced is None:
        return NextMeeting()
    if _is_public(announced):
        return NextMeeting(meeting=announced, announced_in=case)
    return NextMeeting(announced=announced, announced_in=case)


def _follow_ups(meetings: list, readable: set) -> dict:
    """Each meeting's follow-up points in order, those of cases the reader may not read left out."""
    related = ("responsible_person", "case__body__partnership", "closed_by_case__body__partnership")
    rows = _in_order_by_meeting(FollowUp.objects.select_related(*related), meetings)
    return {
        pk: [f for f in points if f.case_id is None or f.case_id in readable] for pk, points in rows.items()
    }


def _consensus_notes(meetings: list, deciding: set, attendances: dict | None = None) -> dict:
    """{meeting pk: its consensus note (meetings/parties.py)}, asked for the meetings whose
    decisions the reader may read some of (`deciding`) when their body decides by consensus,
    whatever the decisions are, so a page's queries do not depend on its cases (one query with
    the `attendances` by meeting, else two, whatever the number of meetings)."""
    asked = [m for m in meetings if m.pk in deciding and parties.decides_by_consensus(m.body)]
    checks = parties.parties_checks(asked, attendances)
    return {m.pk: parties.consensus_note(m, checks[m.pk].missing) for m in asked}


def _with_corrections(sections: list, by_section: dict) -> list:
    """The free sections, each with its corrections ("Rettet <dato>: <begrunnelse>")."""
    for section in sections:
        section.corrections = _corrections(by_section.get(section.pk, ()))
    return sections


def _amendments(minutes: list, cases) -> tuple[dict, dict, dict]:
    """(by case pk, by section pk, by minutes pk): the corrections of the cases whose decision
    the reader may read, of the `minutes`' free sections and of those minutes themselves, oldest
    first, in one query."""
    decided = {case.pk for case in cases if case.decision_visible}
    parts = [Q(case_id__in=decided)] if decided else []
    if minutes:
        parts += [Q(minutes__in=minutes, section=None), Q(section__minutes__in=minutes)]
    by_case, by_section, own = {}, {}, {}
    if not parts:
        return by_case, by_section, own
    ids = {m.pk for m in minutes}
    for amendment in Amendment.objects.filter(reduce(operator.or_, parts)).order_by("at", "pk"):
        if amendment.case_id in decided:
            by_case.setdefault(amendment.case_id, []).append(amendment)
        if amendment.section_id is not None:
            by_section.setdefault(amendment.section_id, []).append(amendment)
        elif amendment.minutes_id in ids:
            own.setdefault(amendment.minutes_id, []).append(amendment)
    return by_case, by_section, own


MINUTES_RELATED = ("approved_in_case__body__partnership", "next_meeting__body__partnership")


def _minutes_of(meetings: list) -> dict:
    """{meeting pk: (minutes, free sections in order)} for the meetings that have minutes: one
    query when all have sections (each carries its minutes), a second for minutes without any.
    Their corrections come from _amendments."""
    if not meetings:
        return {}
    sections = (
        MinutesSection.objects.filter(minutes__meeting__in=meetings)
        .select_related(*(f"minutes__{path}" for path in MINUTES_RELATED))
        .order_by("order", "pk")
    )
    found = {}
    for section in sections:
        found.setdefault(section.minutes.meeting_id, (section.minutes, []))[1].append(section)
    without = [meeting for meeting in meetings if meeting.pk not in found]
    if without:
        for minutes in Minutes.objects.filter(meeting__in=without).select_related(*MINUTES_RELATED):
            found[minutes.meeting_id] = (minutes, [])
    return found


def protocol_record(user, meeting: Meeting, cases=None, *, papers: bool = True) -> ProtocolRecord:
    """Everything the protocol shows, filtered for `user`; empty parts when the minutes are not theirs.

    `cases`, when the caller has read them already, are all the meeting's cases in agenda order
    with their bodies (the meeting page reads them once for the agenda and the record); their
    access flags and readable parts are set here either way; `papers=False`: read_what_is_readable."""
    return protocol_records(user, [meeting], None if cases is None else {meeting.pk: cases}, papers=papers)[0]


def protocol_records(
    user, meetings, cases: dict | None = None, *, papers: bool = True
) -> list[ProtocolRecord]:
    """protocol_record for each of `meetings`, in order, in a number of queries that does not
    depend on how many meetings there are (the Atom feed of minutes). `cases` maps each meeting's
    pk to its cases, as protocol_record says, when the caller has read them."""
    meetings = list(meetings)
    visible = {meeting.pk: permissions.can_view_minutes(user, meeting) for meeting in meetings}
    # A reader who may not see the minutes is not given them: none is read.
    shown = [meeting for meeting in meetings if visible[meeting.pk]]
    minutes_of = _minutes_of(shown)
    if cases is None:
        rows = record_cases(meeting__in=meetings).order_by("order", "number", "pk") if meetings else []
        cases = _by_meeting(meetings, rows)
    every_case = [case for meeting in meetings for case in cases[meeting.pk]]
    permissions.mark_case_access(user, every_case, minutes_visible=visible)
    read_what_is_readable(every_case, papers=papers)
    for case in every_case:
        case.minutes_readable = visible[case.meeting_id]
    readable = {case.pk for case in every_case if case.decision_visible}
    follow_ups = _follow_ups(shown, readable)
    attendances = _attendances_of(shown)
    notes = _consensus_notes(
        meetings, {case.meeting_id for case in every_case if case.decision_visible}, attendances
    )
    all_minutes = [minutes for minutes, _sections in minutes_of.values()]
    by_case, by_section, own = _amendments(all_minutes, every_case)
    records = []
    for meeting in meetings:
        minutes, sections = minutes_of.get(meeting.pk, (None, []))
        shown_here = visible[meeting.pk]
        note = notes.get(meeting.pk, "")
        meeting_follow_ups = follow_ups.get(meeting.pk, [])
        records.append(
            ProtocolRecord(
                meeting=meeting,
                minutes=minutes,
                visible=shown_here,
                attendance=attendance_groups(meeting, attendances[meeting.pk]) if shown_here else {},
                entries=[
                    case_entry(case, meeting_follow_ups, note, by_case.get(case.pk, ()))
                    for case in cases[meeting.pk]
                ],
                follow_ups=meeting_follow_ups,
                sections=_with_corrections(sections, by_section),
                # The minutes' reader gets the record's next meeting; any other reader of the
                # papers the meeting a readable paper announces (none: no query).
                read_next_meeting=partial(
                    next_meeting_of,
                    meeting,
                    minutes if shown_here else None,
                    cases[meeting.pk],
                    calendar=shown_here,
                ),
                read_announced_meeting=partial(announced_next_meeting, cases[meeting.pk]),
                corrections=_corrections(own.get(minutes.pk, ())) if minutes else [],
            )
        )
    return records


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
    meetings = [case.meeting] if case.decision_visible else []
    note = _consensus_notes(meetings, {case.meeting_id}).get(case.meeting_id, "")
    by_case, _, _ = _amendments([], [case])
    return case_entry(case, list(follow_ups), note, by_case.get(case.pk, ()))
