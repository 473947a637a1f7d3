"""Reads for the public meeting and case pages, each in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from governance.models import Body, Membership
from governance.permissions import viewer_for
from governance.querysets import PreparedQuery, with_source_corrections

from . import permissions, record
from .models import (
    Attendance,
    Case,
    CasePerson,
    FollowUp,
    MailDelivery,
    MailRecipient,
    Meeting,
)
from .models.meeting import URL_KEY_PREFIX


def case_paper_prefetches(*, papers: bool = True):
    """What a case paper (_case_paper.html) shows to anyone who may see the case listed, beside
    what CaseQuerySet.with_names reads with the case (the people it names, its programme items
    and its attachments: which of them the reader may open is part of what they see); the text
    and the record's parts follow from record.read_what_is_readable. The patient groups only for
    a paper to be rendered (`papers`, read_papers)."""
    return ("patient_groups",) if papers else ()


def meeting_key(key) -> dt.date | int | None:
    """What a URL segment names: a day (“2023-05-12”, a meeting whose date is known) or a
    meeting's id (“mote-<id>”, any meeting; the only address of one whose date is not stated).
    None for a segment that is neither (a 404, never a 500)."""
    if isinstance(key, dt.date):
        return key
    key = str(key)
    if key.startswith(URL_KEY_PREFIX) and key[len(URL_KEY_PREFIX) :].isascii():
        number = key[len(URL_KEY_PREFIX) :]
        if number.isdigit() and len(number) < 19:
            return int(number)
    try:
        return dt.date.fromisoformat(key) if len(key) == 10 else None
    except ValueError:
        return None


def _key_q(named: dt.date | int) -> Q:
    if isinstance(named, dt.date):
        return Q(start__date=named, date_known=True)
    return Q(pk=named)


def meeting_key_q(key) -> Q:
    """The meetings a URL segment names (meeting_key): none for a segment that names nothing."""
    named = meeting_key(key)
    return Q(pk__in=[]) if named is None else _key_q(named)


def _meeting_on_query(partnership, body, named, viewer, _kind):
    return (
        with_source_corrections(Meeting.objects.filter(permissions.meeting_visible_q(viewer)))
        .with_referents()
        .select_related("body__partnership", "source")
        .filter(_key_q(named), body__partnership__slug=partnership, body__slug=body)
        .order_by("start")[:1]
    )


# Compiled once per reader's standing and kind of key (governance.querysets.PreparedQuery).
_MEETING_ON = PreparedQuery(_meeting_on_query)


def meeting_on(user, *, partnership, body, day) -> Meeting:
    """The visible meeting of a body named by its URL segment (404 through DoesNotExist), with
    the people who take its minutes (permissions.can_view_minutes asks no query of its own)."""
    named = meeting_key(day)
    if named is None:
        raise Meeting.DoesNotExist
    viewer = viewer_for(user)
    found = list(_MEETING_ON((str(partnership), str(body), named), viewer, type(named).__name__))
    if not found:
        raise Meeting.DoesNotExist
    return found[0]


def agenda(user, meeting, *, papers: bool = True):
    """(cases, record): the meeting's cases in agenda order with their papers, access flags and
    record entries, and the meeting's record for `user` (meetings/record.py).

    The cases are read once, all of the meeting's, for both the agenda and the record.
    `papers=False` leaves out what only a rendering of the papers shows (their text and patient
    groups): read_papers reads it when the papers are to be rendered (meetings/fragments.py)."""
    cases = list(_AGENDA((meeting.pk,), papers))
    for case in cases:
        case.meeting = meeting
    result = record.protocol_record(user, meeting, cases, papers=papers)
    entries = result.entries_by_pk
    for case in cases:
        case.entry = entries.get(case.pk)
    mark_readable_attachments(user, cases)
    return cases, result


def _agenda_query(meeting_id, papers):
    return (
        Case.objects.filter(meeting_id=meeting_id)
        .with_names()
        # The meeting a "next meeting" case announces, for the record (record.announced_next_meeting).
        .select_related("body__partnership", "next_meeting")
        .prefetch_related(*case_paper_prefetches(papers=papers))
        .order_by("order", "number", "pk")
    )


# The same SQL for every meeting and reader: compiled once (governance.querysets.PreparedQuery).
_AGENDA = PreparedQuery(_agenda_query)


def read_papers(cases) -> None:
    """What agenda(papers=False) left out, for rendering the papers: in two queries."""
    prefetch_related_objects(cases, "patient_groups")
    record.read_papers(cases)


def mark_readable_attachments(user, cases):
    for case in cases:
        for attachment in case.attachments.all():
            attachment.case = case
            attachment.readable = permissions.can_read_attachment(user, attachment)


def case_page(user, *, partnership, body, year, number, prefetch=()) -> Case:
    """The visible case with its paper; `prefetch` adds what a page of a higher layer shows."""
    later = Case.objects.visible_to(user).select_related("body__partnership", "meeting__body__partnership")
    case = (
        with_source_corrections(Case.objects.visible_to(user).with_names())
        .select_related("body__partnership", "meeting__body__partnership", "source")
        .prefetch_related(
            *case_paper_prefetches(),
            Prefetch("later_handlings", queryset=later.order_by("meeting__start")),
            *prefetch,
        )
        .get(body__partnership__slug=partnership, body__slug=body, year=year, number=number)
    )
    mark_readable_attachments(user, [case])
    case.entry = record.read_case_record(user, case)
    return case


def earlier_handlings(user, case, *, depth=10):
    """The chain of previous handlings, oldest first, as far as the user may see it."""
    if case.previous_id is None:
        return []
    # The chain's ids in one query, one self-join per step back, whatever its length.
    steps = ["pk", *("__".join(["previous"] * n) + "_id" for n in range(1, depth))]
    links = Case.objects.filter(pk=case.previous_id).values_list(*steps).first() or ()
    ids = []
    for pk in links:
        if pk is None or pk in ids:
            break
        ids.append(pk)
    visible = {
        c.pk: c
        for c in Case.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("body__partnership", "meeting__body__partnership")
    }
    chain = [visible[pk] for pk in ids if pk in visible]
    return list(reversed(chain))


def body_meetings(user, body) -> list[Meeting]:
    """The body's meetings the user may see, newest first, each linked without a query."""
    meetings = list(Meeting.objects.visible_to(user).filter(body=body).order_by("-start"))
    for meeting in meetings:
        meeting.body = body  # the meeting's address names its body and partnership
    return meetings


def upcoming_meetings(user, *, partnership=None, body=None, limit=6):
    meetings = Meeting.objects.visible_to(user).upcoming().select_related("body__partnership")
    if partnership is not None:
        meetings = meetings.filter(body__partnership=partnership)
    if body is not None:
        meetings = meetings.filter(body=body)
    return list(meetings.filter(cancelled_at__isnull=True)[:limit])


def latest_decisions(user, *, partnership, limit=5):
    """Decided cases whose decision the user may read, newest first."""
    return list(
        Case.objects.visible_to(user)
        .with_access(user)
        .filter(body__partnership=partnership, decision_visible=True, number__isnull=False)
        .exclude(decision="")
        .select_related("body__partnership", "meeting")
        .order_by("-meeting__start", "order")[:limit]
    )


def _local_date(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.start).date()


def notice_recipients(meeting: Meeting) -> list[str]:
    """E-mail addresses of the body's members on the meeting's day, each once."""
    addresses = (
        Membership.objects.current(on=_local_date(meeting))
        .filter(body_id=meeting.body_id)
        .exclude(person__email="")
        .order_by("person__name")
        .values_list("person__email", flat=True)
    )
    return list(dict.fromkeys(addresses))


# The attendance role a membership's role suggests; a referent attends as a member.
ATTENDANCE_ROLE_FROM_MEMBERSHIP = {
    Membership.Role.LEADER: Attendance.Role.LEADER,
    Membership.Role.DEPUTY_LEADER: Attendance.Role.DEPUTY_LEADER,
    Membership.Role.MEMBER: Attendance.Role.MEMBER,
    Membership.Role.SUBSTITUTE: Attendance.Role.SUBSTITUTE,
    Membership.Role.OBSERVER: Attendance.Role.OBSERVER,
    Membership.Role.SECRETARY: Attendance.Role.SECRETARY,
    Membership.Role.REFERENT: Attendance.Role.MEMBER,
    Membership.Role.FACILITATOR: Attendance.Role.FACILITATOR,
}
_ROLE_ORDER = list(Membership.Role.values)


def attendance_defaults(meeting: Meeting) -> list[dict]:
    """Rows for the attendance form, one per current member on the meeting's day."""
    memberships = (
        Membership.objects.current(on=_local_date(meeting))
        .filter(body_id=meeting.body_id)
        .select_related("person", "on_behalf_of", "substitute_for__person")
    )
    memberships = sorted(memberships, key=lambda m: (_ROLE_ORDER.index(m.role), m.person.name))
    rows, seen = [], set()
    for membership in memberships:
        if membership.person_id in seen:
            continue
        seen.add(membership.person_id)
        rows.append(
            {
                "person": membership.person,
                "status": Attendance.Status.PRESENT,
                "on_behalf_of": membership.on_behalf_of,
                "substitute_for": membership.substitute_for.person if membership.substitute_for_id else None,
                "role": ATTENDANCE_ROLE_FROM_MEMBERSHIP.get(membership.role, Attendance.Role.MEMBER),
                "is_referent": membership.role == Membership.Role.REFERENT,
                "title": membership.title or membership.person.title,
                "note": "",
            }
        )
    return rows


def proposals_waiting(*, partnership=None, body=None):
    """Proposed cases not yet taken onto an agenda or returned, oldest first."""
    cases = Case.objects.filter(intake_status=Case.IntakeStatus.PROPOSED, meeting__isnull=True)
    if partnership is not None:
        cases = cases.filter(body__partnership=partnership)
    if body is not None:
        cases = cases.filter(body=body)
    return cases.select_related("body__partnership", "proposed_by__person").with_names().order_by("pk")


# ---------------------------------------------------------------------------
# The members' area: a member's bodies, meetings and proposals
# ---------------------------------------------------------------------------


def my_memberships(user):
    """The user's current seats (not in a secretariat), with the body and whom they represent."""
    return list(
        Membership.objects.current()
        .filter(person__user=user)
        .exclude(body__kind=Body.Kind.SECRETARIAT)
        .select_related("body__partnership", "on_behalf_of")
        .order_by("body__partnership__name", "body__name")
    )


def my_upcoming_meetings(user, bodies, *, limit=20):
    """The coming meetings of `bodies` the user may see, soonest first."""
    return list(
        Meeting.objects.visible_to(user)
        .filter(body__in=bodies)
        .upcoming()
        .select_related("body__partnership")[:limit]
    )


def my_proposals(user, *, limit=20):
    """The cases the user proposed, newest first, with where they went."""
    return list(
        Case.objects.filter(proposed_by=user)
        .select_related("body__partnership", "meeting")
        .order_by("-pk")[:limit]
    )


def follow_ups_to_offer(meeting: Meeting):
    """Open follow-up points of the body's earlier meetings not yet on an agenda (Oppfølgingssaker)."""
    return (
        FollowUp.objects.filter(
            meeting__body_id=meeting.body_id,
            meeting__start__lt=meeting.start,
            status__in=(FollowUp.Status.OPEN, FollowUp.Status.IN_PROGRESS),
            agenda_case__isnull=True,
        )
        .select_related("meeting", "case__body__partnership", "responsible_person")
        .order_by("due", "meeting__start", "order", "pk")
    )


@dataclass
class MailRound:
    """How the newest e-mail round of one kind went, as the secretariat's meeting page says it."""

    pk: int
    kind: str
    label: str
    gave_up: bool
    total: int = 0
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    last_sent_at: dt.datetime | None = None

    @property
    def waiting(self) -> int:
        return self.total - self.sent - len(self.failed)


def mail_rounds(meeting: Meeting) -> list[MailRound]:
    """The newest notice and cancellation round of the meeting with their counts, in one query."""
    rows = (
        MailDelivery.objects.filter(meeting=meeting)
        .order_by("-created_at", "-pk", "recipients__address")
        .values_list(
            "pk", "kind", "gave_up_at", "recipients__address", "recipients__state", "recipients__sent_at"
        )
    )
    rounds: dict[str, MailRound] = {}
    for pk, kind, gave_up_at, address, state, sent_at in rows:
        shown = rounds.setdefault(
            kind, MailRound(pk, kind, MailDelivery.Kind(kind).label, gave_up=gave_up_at is not None)
        )
        if shown.pk != pk or address is None:
            continue  # an older round of the same kind, or a round with no one to send to
        shown.total += 1
        if state == MailRecipient.State.SENT:
            shown.sent += 1
            shown.last_sent_at = max(filter(None, (shown.last_sent_at, sent_at)), default=None)
        elif state == MailRecipient.State.FAILED:
            shown.failed.append(address)
    return sorted(rounds.values(), key=lambda shown: shown.kind != MailDelivery.Kind.NOTICE)


def person_case_roles(user, person) -> list[CasePerson]:
    """Where the case papers the user may read name `person` (case officer, from, presenter,
    speaker in a programme item), newest meeting first, in a fixed number of queries.

    A name is part of the paper, so an exempt case (unless the user may read it) and a case on a
    draft agenda never show here: the same rule as the paper itself (permissions.case_readable_q).
    """
    return list(
        CasePerson.objects.filter(person=person, case__in=Case.objects.readable_by(user))
        .select_related("case__body__partnership", "case__meeting__body__partnership", "programme_item")
        .order_by("-case__meeting__start", "case__order", "order", "pk")
    )
