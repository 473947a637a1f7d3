"""Every write of the secretariat's workspace: meetings, agendas, cases, minutes.

Each service takes keyword arguments and the acting user (`by`), checks
permission through governance.permissions, validates with full_clean(), runs
in one transaction and saves through governance.history so the history row
says who and why. Views and forms stay thin and call these.

The rules that matter live here, in one place:
- case numbers are fixed in agenda order when the notice is issued, as the
  next free number for the body and year, and are never reused;
- after the notice, changes are allowed but recorded as such;
- once the minutes are approved, cases and minutes are locked and only a
  recorded amendment (`amend`) with a reason can change them;
- two people editing one case or one set of minutes: the second save, made
  from an older version, is refused (optimistic concurrency).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import permissions
from governance.history import delete_with_history, save_with_history
from governance.models import Body, Membership

from . import uploads
from .models import (
    Amendment,
    Attachment,
    Attendance,
    Case,
    CaseSection,
    FollowUp,
    Meeting,
    Minutes,
    Recusal,
    Reservation,
)

# The usual legal bases for exemption from public access, for the forms' choices.
EXEMPTION_BASES = [
    "offl. § 13 jf. fvl. § 13",
    "offl. § 13 jf. helsepersonelloven § 21",
    "offl. § 14",
    "offl. § 15 første ledd",
    "offl. § 15 andre ledd",
    "offl. § 23 første ledd",
    "offl. § 24",
    "offl. § 26 femte ledd",
]

# The standing cases that open and close an agenda; their titles are data, in bokmål.
STANDING_OPENING = [
    (Case.Kind.NOTICE_APPROVAL, "Godkjenning av innkalling og dagsorden"),
    (Case.Kind.MINUTES_APPROVAL, "Godkjenning av referat fra forrige møte"),
]
STANDING_CLOSING = [
    (Case.Kind.ANY_OTHER_BUSINESS, "Eventuelt"),
    (Case.Kind.NEXT_MEETING, "Neste møte"),
]
CLOSING_KINDS = (Case.Kind.ANY_OTHER_BUSINESS, Case.Kind.NEXT_MEETING)

LOCKED_STATUSES = (Meeting.Status.MINUTES_APPROVED, Meeting.Status.MINUTES_PUBLISHED)

# Fields of a case the case-paper form may change through case_update.
CASE_EDITABLE_FIELDS = frozenset(
    {
        "title",
        "agenda_title",
        "public_title",
        "kind",
        "origin",
        "case_officers",
        "presenters",
        "starts_at",
        "ends_at",
        "document_date",
        "archive_reference",
        "proposal",
        "proposal_kind",
        "exempt",
        "exemption_basis",
        "previous",
    }
)
# Fields a correction (amend) may change on a locked case, and on approved minutes.
CASE_AMENDABLE_FIELDS = CASE_EDITABLE_FIELDS | {"decision", "outcome"}
MINUTES_AMENDABLE_FIELDS = frozenset({"text"})
MEETING_EDITABLE_FIELDS = frozenset(
    {
        "title",
        "theme",
        "start",
        "end",
        "start_time_known",
        "place",
        "is_digital",
        "online_link",
        "is_open",
        "purpose",
    }
)


class ConcurrentEditError(ValidationError):
    """Someone else saved the object after this user opened it; `current` is the fresh copy."""

    def __init__(self, message, *, current):
        super().__init__(message, code="concurrent_edit")
        self.current = current


class LockedError(ValidationError):
    """The object is locked because the minutes are approved; only `amend` can change it."""

    def __init__(self, message):
        super().__init__(message, code="locked")


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _local_year(meeting: Meeting) -> int:
    return timezone.localtime(meeting.start).year


def _local_date(meeting: Meeting):
    return timezone.localtime(meeting.start).date()


def _format_moment(moment) -> str:
    local = timezone.localtime(moment)
    return _("%(date)s at %(time)s") % {"date": f"{local:%d.%m.%Y}", "time": f"{local:%H.%M}"}


def _notice_issued(meeting: Meeting | None) -> bool:
    return meeting is not None and meeting.status != Meeting.Status.PLANNED


def _is_locked(meeting: Meeting | None) -> bool:
    return meeting is not None and meeting.status in LOCKED_STATUSES


def _case_locked_error() -> LockedError:
    return LockedError(
        _("The case is locked because the minutes are approved. Use a correction with a reason.")
    )


def _minutes_locked_error() -> LockedError:
    return LockedError(_("The minutes are approved and locked. Use a correction with a reason."))


def _refuse_if_case_locked(case: Case) -> None:
    if _is_locked(case.meeting):
        raise _case_locked_error()


def _who(user) -> str:
    if user is None:
        return _("someone")
    person = getattr(user, "person", None) if hasattr(user, "person") else None  # no Person: None
    return (person.name if person else "") or user.get_full_name() or user.get_username()


def _last_change(obj) -> tuple[str, str]:
    """Who made the newest change of `obj`, and when, from its history."""
    record = (
        obj.history.select_related("history_user__person").order_by("-history_date", "-history_id").first()
    )
    if record is None:
        return _("someone"), ""
    return _who(record.history_user), _format_moment(record.history_date)


def _refuse_stale(fresh: Case | Minutes, expected_version: int) -> None:
    """Optimistic concurrency: refuse a save made from an older version, naming who changed it."""
    if expected_version == fresh.version:
        return
    name, when = _last_change(fresh)
    if isinstance(fresh, Minutes):
        message = _(
            "The minutes were changed by %(name)s %(time)s after you opened them. "
            "Your text is not saved; see the changes and save again."
        )
    else:
        message = _(
            "The case was changed by %(name)s %(time)s after you opened it. "
            "Your text is not saved; see the changes and save again."
        )
    raise ConcurrentEditError(message % {"name": name, "time": when}, current=fresh)


def _next_free_number(body_id: int, year: int) -> int:
    """Next case number for a body and year: after the highest ever given, withdrawn ones included."""
    highest = Case.objects.filter(body_id=body_id, year=year).aggregate(top=Max("number"))["top"]
    return (highest or 0) + 1


def _lock_body(body_id: int) -> None:
    """Serialise numbering for one body (a row lock on PostgreSQL; SQLite locks the whole file)."""
    Body.objects.select_for_update().filter(pk=body_id).first()


def _set_agenda_order(meeting: Meeting, cases: list[Case], *, by, reason: str) -> None:
    """Give `cases` the agenda positions 1..n, without tripping the unique (meeting, order).

    Phase one clears the positions in one UPDATE (NULL is outside the constraint);
    phase two saves each case with its final position, leaving one history row each.
    """
    old = {case.pk: case.order for case in cases if case.pk}
    Case.objects.filter(meeting=meeting).update(order=None)
    for position, case in enumerate(cases, start=1):
        case.order = position
        if case.pk and old.get(case.pk) == position:
            # Unchanged: restore without a history row.
            Case.objects.filter(pk=case.pk).update(order=position)
            continue
        save_with_history(case, reason=reason, by=by)


def _place_on_agenda(meeting: Meeting, case: Case, *, by, reason: str) -> None:
    """Put `case` on the agenda before the closing standing items (eventuelt, neste møte)."""
    agenda = [c for c in meeting.cases.order_by("order", "pk") if c.pk != case.pk]
    position = len(agenda)
    while position > 0 and agenda[position - 1].kind in CLOSING_KINDS:
        position -= 1
    agenda.insert(position, case)
    _set_agenda_order(meeting, agenda, by=by, reason=reason)


def _validated(obj, *, exclude=None):
    obj.full_clean(exclude=exclude)
    return obj


def _check_same_partnership(obj_partnership_id: int, partnership, what: str) -> None:
    if obj_partnership_id != partnership.pk:
        raise ValidationError(_("%(what)s belongs to another partnership.") % {"what": what})


# ---------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------


def meeting_create(
    *,
    body: Body,
    start,
    end=None,
    place: str = "",
    is_digital: bool = False,
    online_link: str = "",
    is_open: bool | None = None,
    title: str = "",
    purpose: str = "",
    standing_items: bool = True,
    by,
) -> Meeting:
    """Plan a meeting; its agenda starts with the body's standing cases unless told otherwise."""
    permissions.require_manage(by, body.partnership)
    meeting = Meeting(
        body=body,
        start=start,
        end=end,
        place=place,
        is_digital=is_digital,
        online_link=online_link,
        is_open=body.meetings_open if is_open is None else is_open,
        title=title,
        purpose=purpose,
        status=Meeting.Status.PLANNED,
    )
    with transaction.atomic():
        _validated(meeting)
        save_with_history(meeting, reason=_("Meeting planned"), by=by)
        if standing_items:
            year = _local_year(meeting)
            for order, (kind, case_title) in enumerate([*STANDING_OPENING, *STANDING_CLOSING], start=1):
                case = Case(body=body, meeting=meeting, year=year, order=order, kind=kind, title=case_title)
                _validated(case)
                save_with_history(case, reason=_("Standing item on a new agenda"), by=by)
    return meeting


def meeting_update(*, meeting: Meeting, by, reason: str = "", **fields) -> Meeting:
    """Change a meeting's time, place, link, openness, title or purpose."""
    permissions.require_manage(by, meeting.body.partnership)
    unknown = set(fields) - MEETING_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"meeting_update() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        fresh = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("body__partnership")
            .get(pk=meeting.pk)
        )
        old_year = _local_year(fresh)
        for name, value in fields.items():
            setattr(fresh, name, value)
        _validated(fresh)
        if _local_year(fresh) != old_year and fresh.cases.filter(number__isnull=False).exists():
            raise ValidationError(
                _("The meeting's cases are numbered for %(year)s; it cannot move to another year.")
                % {"year": old_year}
            )
        text = reason or _("Meeting details changed")
        if _notice_issued(fresh):
            text = _("Changed after the notice: %(reason)s") % {"reason": text}
        save_with_history(fresh, reason=text, by=by)
        if not fresh.cases.filter(number__isnull=False).exists():
            fresh.cases.exclude(year=_local_year(fresh)).update(year=_local_year(fresh))
    return fresh


def meeting_issue_notice(*, meeting: Meeting, by) -> Meeting:
    """Fix the case numbers in agenda order, mark the notice issued and e-mail the members."""
    permissions.require_manage(by, meeting.body.partnership)
    try:
        with transaction.atomic():
            _lock_body(meeting.body_id)
            fresh = (
                Meeting.objects.select_for_update(of=("self",))
                .select_related("body__partnership")
                .get(pk=meeting.pk)
            )
            if fresh.status != Meeting.Status.PLANNED:
                raise ValidationError(_("The notice of this meeting has already been issued."))
            cases = list(fresh.cases.order_by("order", "pk"))
            if not cases:
                raise ValidationError(
                    _("The agenda has no cases; add at least one before issuing the notice.")
                )
            year = _local_year(fresh)
            number = _next_free_number(fresh.body_id, year)
            for case in cases:
                if case.number is not None:
                    continue
                case.year = year
                case.number = number
                number += 1
                _validated(case)
                save_with_history(case, reason=_("Numbered when the notice was issued"), by=by)
            fresh.status = Meeting.Status.NOTICE_ISSUED
            fresh.notice_issued_at = timezone.now()
            _validated(fresh)
            save_with_history(fresh, reason=_("Notice issued"), by=by)
            _send_notice(fresh, cases)
    except IntegrityError as error:
        raise ValidationError(
            _("The case numbers collided with another notice issued at the same time. Try again.")
        ) from error
    except OperationalError as error:
        if "locked" not in str(error).lower():
            raise
        raise ValidationError(
            _("Someone else is issuing a notice for this body right now. Try again.")
        ) from error
    meeting.refresh_from_db()
    return fresh


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


def _site_url() -> str:
    return settings.SITE_URL


def _send_notice(meeting: Meeting, cases: list[Case]) -> int:
    recipients = notice_recipients(meeting)
    if not recipients:
        return 0
    body = meeting.body
    local_start = timezone.localtime(meeting.start)
    subject = _("Notice: %(body)s %(date)s") % {"body": body.name, "date": f"{local_start:%d.%m.%Y}"}
    lines = [_("Notice of meeting in %(body)s") % {"body": body.name}, ""]
    when = f"{local_start:%d.%m.%Y}"
    if meeting.start_time_known:
        when = _format_moment(meeting.start)
        if meeting.end:
            when += f"–{timezone.localtime(meeting.end):%H.%M}"
    lines.append(_("Time: %(when)s") % {"when": when})
    where = meeting.place or ""
    if meeting.is_digital:
        where = f"{where} ({_('digital')})" if where else _("Digital meeting")
    if where:
        lines.append(_("Place: %(where)s") % {"where": where})
    if meeting.online_link:
        lines.append(_("Meeting link: %(link)s") % {"link": meeting.online_link})
    lines += ["", _("Agenda:")]
    for case in cases:
        title = case.shown_title
        if case.exempt:
            title = f"{title} ({_('Exempt from public access, %(basis)s') % {'basis': case.exemption_basis}})"
        lines.append(f"{case.label} {title}".strip())
    lines += [
        "",
        _("The notice and case papers: %(url)s") % {"url": _site_url() + meeting.get_absolute_url()},
    ]
    text = "\n".join(lines) + "\n"
    messages = [mail.EmailMessage(subject, text, to=[address]) for address in recipients]
    return mail.get_connection().send_messages(messages) or 0


def meeting_mark_held(*, meeting: Meeting, by) -> Meeting:
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if fresh.status != Meeting.Status.NOTICE_ISSUED:
            raise ValidationError(_("Only a meeting whose notice is issued can be marked as held."))
        fresh.status = Meeting.Status.HELD
        save_with_history(fresh, reason=_("Meeting held"), by=by)
    return fresh


# ---------------------------------------------------------------------------
# The agenda: cases
# ---------------------------------------------------------------------------


def case_create(
    *, meeting: Meeting, title: str, by, kind=Case.Kind.DECISION, previous: Case | None = None, **fields
) -> Case:
    """A new case on the agenda, before eventuelt and neste møte.

    After the notice it gets the next free number at once and is marked as changed after notice.
    """
    partnership = meeting.body.partnership
    permissions.require_manage(by, partnership)
    patient_groups = fields.pop("patient_groups", None)
    unknown = set(fields) - CASE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"case_create() cannot set {', '.join(sorted(unknown))}")
    if previous is not None:
        _check_same_partnership(previous.body.partnership_id, partnership, _("The previous case"))
    with transaction.atomic():
        fresh_meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if _is_locked(fresh_meeting):
            raise LockedError(_("The minutes of this meeting are approved; no cases can be added."))
        case = Case(
            body_id=fresh_meeting.body_id,
            meeting=fresh_meeting,
            year=_local_year(fresh_meeting),
            kind=kind,
            title=title,
            previous=previous,
            **fields,
        )
        reason = _("Case added to the agenda")
        _put_on_agenda(case, fresh_meeting, by=by, reason=reason)
        if patient_groups is not None:
            case.patient_groups.set(patient_groups)
    return case


def _put_on_agenda(case: Case, meeting: Meeting, *, by, reason: str) -> None:
    """Save `case` on `meeting`'s agenda, numbered at once when the notice is out."""
    if _notice_issued(meeting):
        _lock_body(meeting.body_id)
        case.number = _next_free_number(meeting.body_id, case.year)
        case.changed_after_notice_at = timezone.now()
        reason = _("Changed after the notice: %(reason)s") % {"reason": reason}
    case.order = None
    _validated(case)
    save_with_history(case, reason=reason, by=by)
    _place_on_agenda(meeting, case, by=by, reason=reason)


def case_follow_up(*, meeting: Meeting, previous: Case, by, title: str | None = None) -> Case:
    """A new case that follows up `previous` (linked as its previous handling)."""
    if title is None:
        title = f"Oppfølging av sak {previous.case_number} {previous.title}".replace("  ", " ")
    kind = (
        previous.kind
        if previous.kind in (Case.Kind.DECISION, Case.Kind.DISCUSSION)
        else Case.Kind.INFORMATION
    )
    if previous.kind in (Case.Kind.INFORMATION, Case.Kind.PROGRAMME_ITEM):
        kind = Case.Kind.INFORMATION
    case = case_create(
        meeting=meeting,
        title=title[:500],
        kind=kind,
        previous=previous,
        by=by,
        patient_groups=list(previous.patient_groups.all()),
    )
    return case


def case_take_in_proposal(*, case: Case, meeting: Meeting, by) -> Case:
    """Put a proposed case (innmelding) on a meeting's agenda."""
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh = Case.objects.select_for_update().get(pk=case.pk)
        fresh_meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if fresh.intake_status != Case.IntakeStatus.PROPOSED or fresh.meeting_id is not None:
            raise ValidationError(_("Only a proposed case that is not on an agenda can be taken in."))
        if fresh.body_id != fresh_meeting.body_id:
            raise ValidationError(_("The case was proposed to another body."))
        if _is_locked(fresh_meeting):
            raise LockedError(_("The minutes of this meeting are approved; no cases can be added."))
        fresh.meeting = fresh_meeting
        fresh.year = _local_year(fresh_meeting)
        fresh.intake_status = Case.IntakeStatus.ACCEPTED
        fresh.version += 1
        _put_on_agenda(fresh, fresh_meeting, by=by, reason=_("Proposed case taken onto the agenda"))
    return fresh


def case_update(
    *,
    case: Case,
    by,
    expected_version: int,
    reason: str = "",
    sections: list[dict] | None = None,
    patient_groups: Iterable | None = None,
    **fields,
) -> Case:
    """Save the case paper, refusing a save made from an older version than the current one."""
    partnership = case.body.partnership
    permissions.require_manage(by, partnership)
    unknown = set(fields) - CASE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"case_update() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        fresh = (
            Case.objects.select_for_update(of=("self",))
            .select_related("meeting", "body__partnership")
            .get(pk=case.pk)
        )
        _refuse_if_case_locked(fresh)
        _refuse_stale(fresh, expected_version)
        previous = fields.get("previous")
        if previous is not None:
            if previous.pk == fresh.pk:
                raise ValidationError(_("A case cannot be its own previous handling."))
            _check_same_partnership(previous.body.partnership_id, partnership, _("The previous case"))
        for name, value in fields.items():
            setattr(fresh, name, value)
        if not fresh.exempt:
            fresh.exemption_basis = "" if "exempt" in fields else fresh.exemption_basis
        fresh.version += 1
        text = reason or _("Case paper edited")
        if _notice_issued(fresh.meeting):
            fresh.changed_after_notice_at = timezone.now()
            text = _("Changed after the notice: %(reason)s") % {"reason": text}
        _validated(fresh)
        save_with_history(fresh, reason=text, by=by)
        if sections is not None:
            _replace_sections(fresh, sections, by=by, reason=text)
        if patient_groups is not None:
            fresh.patient_groups.set(patient_groups)
    return fresh


def _replace_sections(case: Case, sections: list[dict], *, by, reason: str) -> None:
    """Make the case's sections exactly `sections`, in order, changing rows in place."""
    existing = list(case.sections.order_by("order", "pk"))
    wanted = [
        {"heading": (s.get("heading") or "").strip(), "text": (s.get("text") or "").strip()} for s in sections
    ]
    for section in existing[len(wanted) :]:
        delete_with_history(section, reason=reason, by=by)
    existing = existing[: len(wanted)]
    # Move the kept rows out of the way of the unique (case, order) before renumbering.
    offset = max([s.order for s in existing] + [len(wanted)]) + 1
    for index, section in enumerate(existing):
        CaseSection.objects.filter(pk=section.pk).update(order=offset + index)
    for index, data in enumerate(wanted):
        if index < len(existing):
            section = existing[index]
            if section.heading == data["heading"] and section.text == data["text"]:
                CaseSection.objects.filter(pk=section.pk).update(order=index + 1)
                continue
        else:
            section = CaseSection(case=case)
        section.order = index + 1
        section.heading = data["heading"]
        section.text = data["text"]
        _validated(section, exclude=["case"])
        save_with_history(section, reason=reason, by=by)


def agenda_reorder(*, meeting: Meeting, case_ids: list[int], by) -> None:
    """Put the agenda in the given order; numbers given at the notice stay as they are."""
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if _is_locked(fresh):
            raise LockedError(_("The minutes of this meeting are approved; the agenda is locked."))
        cases = {case.pk: case for case in fresh.cases.all()}
        ids = [int(pk) for pk in case_ids]
        if len(ids) != len(set(ids)) or set(ids) != set(cases):
            raise ValidationError(_("The new order must list every case on the agenda exactly once."))
        reason = _("Agenda reordered")
        if _notice_issued(fresh):
            reason = _("Changed after the notice: %(reason)s") % {"reason": reason}
        _set_agenda_order(fresh, [cases[pk] for pk in ids], by=by, reason=reason)


def case_remove(*, case: Case, by, reason: str = "") -> Case | None:
    """Before the notice, delete the unnumbered case; after it, mark it withdrawn (number kept)."""
    permissions.require_manage(by, case.body.partnership)
    with transaction.atomic():
        fresh = Case.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=case.pk)
        _refuse_if_case_locked(fresh)
        if fresh.number is None:
            meeting = fresh.meeting
            delete_with_history(fresh, reason=reason or _("Removed from the draft agenda"), by=by)
            if meeting is not None:
                remaining = list(meeting.cases.order_by("order", "pk"))
                _set_agenda_order(meeting, remaining, by=by, reason=_("Agenda reordered"))
            return None
        fresh.outcome = Case.Outcome.WITHDRAWN
        fresh.version += 1
        fresh.changed_after_notice_at = timezone.now()
        text = _("Withdrawn")
        if reason:
            text = f"{text}: {reason}"
        save_with_history(fresh, reason=_("Changed after the notice: %(reason)s") % {"reason": text}, by=by)
    return fresh


# ---------------------------------------------------------------------------
# Recording the meeting
# ---------------------------------------------------------------------------

_ROLE_FROM_MEMBERSHIP = {
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
                "role": _ROLE_FROM_MEMBERSHIP.get(membership.role, Attendance.Role.MEMBER),
                "is_referent": membership.role == Membership.Role.REFERENT,
                "title": membership.title or membership.person.title,
                "note": "",
            }
        )
    return rows


def attendance_record(*, meeting: Meeting, rows: list[dict], by) -> list[Attendance]:
    """Replace the meeting's attendance with `rows`."""
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if _is_locked(fresh):
            raise LockedError(_("The minutes of this meeting are approved; the attendance is locked."))
        people = [row["person"].pk for row in rows]
        if len(people) != len(set(people)):
            raise ValidationError(_("A person can be listed only once in the attendance."))
        reason = _("Attendance recorded")
        for old in list(fresh.attendances.all()):
            delete_with_history(old, reason=reason, by=by)
        created = []
        for order, row in enumerate(rows, start=1):
            attendance = Attendance(
                meeting=fresh,
                person=row["person"],
                status=row.get("status") or Attendance.Status.PRESENT,
                on_behalf_of=row.get("on_behalf_of"),
                substitute_for=row.get("substitute_for"),
                role=row.get("role") or Attendance.Role.MEMBER,
                is_referent=bool(row.get("is_referent")),
                title=row.get("title") or "",
                note=row.get("note") or "",
                order=order,
            )
            _validated(attendance)
            save_with_history(attendance, reason=reason, by=by)
            created.append(attendance)
    return created


def case_record_decision(
    *,
    case: Case,
    outcome,
    decision: str = "",
    by,
    reservations: Iterable[dict] | None = None,
    recusals: Iterable[dict] | None = None,
) -> Case:
    """Record the outcome and decision of a case, and (when given) its reservations and recusals.

    `reservations` and `recusals` replace what is recorded when given; None leaves them as they are.
    """
    permissions.require_manage(by, case.body.partnership)
    with transaction.atomic():
        fresh = Case.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=case.pk)
        _refuse_if_case_locked(fresh)
        if not _notice_issued(fresh.meeting):
            raise ValidationError(_("A decision can be recorded once the notice of the meeting is issued."))
        if outcome not in Case.Outcome.values:
            raise ValidationError({"outcome": _("Choose an outcome.")})
        fresh.outcome = outcome
        fresh.decision = (decision or "").strip()
        fresh.version += 1
        reason = _("Decision recorded")
        _validated(fresh)
        save_with_history(fresh, reason=reason, by=by)
        if reservations is not None:
            for old in list(fresh.reservations.all()):
                delete_with_history(old, reason=reason, by=by)
            for row in reservations:
                reservation = Reservation(
                    case=fresh,
                    party=row.get("party"),
                    person=row.get("person"),
                    text=(row.get("text") or "").strip(),
                )
                if reservation.party is None and reservation.person is None:
                    raise ValidationError(_("A reservation needs the party or person who made it."))
                _validated(reservation)
                save_with_history(reservation, reason=reason, by=by)
        if recusals is not None:
            for old in list(fresh.recusals.all()):
                delete_with_history(old, reason=reason, by=by)
            for row in recusals:
                recusal = Recusal(case=fresh, person=row["person"], reason=row.get("reason") or "")
                _validated(recusal)
                save_with_history(recusal, reason=reason, by=by)
    return fresh


def follow_up_add(
    *,
    meeting: Meeting,
    what: str,
    by,
    title: str = "",
    responsible: str = "",
    responsible_person=None,
    due=None,
    case: Case | None = None,
) -> FollowUp:
    permissions.require_manage(by, meeting.body.partnership)
    if case is not None and case.meeting_id != meeting.pk:
        raise ValidationError(_("The case is not on this meeting's agenda."))
    with transaction.atomic():
        order = (meeting.follow_ups.aggregate(top=Max("order"))["top"] or 0) + 1
        follow_up = FollowUp(
            meeting=meeting,
            what=(what or "").strip(),
            title=title,
            responsible=responsible,
            responsible_person=responsible_person,
            due=due,
            case=case,
            order=order,
        )
        _validated(follow_up)
        save_with_history(follow_up, reason=_("Follow-up point added"), by=by)
    return follow_up


def follow_up_close(
    *, follow_up: FollowUp, by, closed_by_case: Case | None = None, status=FollowUp.Status.DONE
) -> FollowUp:
    partnership = follow_up.meeting.body.partnership
    permissions.require_manage(by, partnership)
    if status not in (FollowUp.Status.DONE, FollowUp.Status.CANCELLED):
        raise ValidationError(_("A follow-up point is closed as done or cancelled."))
    if closed_by_case is not None:
        _check_same_partnership(closed_by_case.body.partnership_id, partnership, _("The closing case"))
    with transaction.atomic():
        fresh = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        fresh.status = status
        fresh.closed_by_case = closed_by_case
        _validated(fresh)
        save_with_history(fresh, reason=_("Follow-up point closed"), by=by)
    return fresh


# ---------------------------------------------------------------------------
# Minutes
# ---------------------------------------------------------------------------


def _person_line(attendance: Attendance) -> str:
    parts = [attendance.person.name]
    detail = ", ".join(p for p in [attendance.title, str(attendance.on_behalf_of or "")] if p)
    if detail:
        parts.append(f"({detail})")
    if attendance.substitute_for_id:
        parts.append(_("substitute for %(name)s") % {"name": attendance.substitute_for.name})
    return " ".join(parts)


def minutes_text_for(meeting: Meeting) -> str:
    """The draft minutes in bokmål from what was recorded, in the case-text conventions."""
    attendances = list(
        meeting.attendances.select_related("person", "on_behalf_of", "substitute_for").order_by("order", "pk")
    )
    cases = list(
        meeting.cases.select_related("body__partnership")
        .prefetch_related("reservations__party", "reservations__person", "recusals__person")
        .order_by("order", "pk")
    )
    follow_ups = list(meeting.follow_ups.select_related("responsible_person").order_by("order", "pk"))
    blocks: list[str] = []

    present = [
        a for a in attendances if a.status == Attendance.Status.PRESENT and a.role != Attendance.Role.GUEST
    ]
    guests = [
        a for a in attendances if a.status == Attendance.Status.PRESENT and a.role == Attendance.Role.GUEST
    ]
    absent = [a for a in attendances if a.status != Attendance.Status.PRESENT]
    referents = [a for a in attendances if a.is_referent]
    for heading, group in (
        (_("Present"), present),
        (_("Guests"), guests),
        (_("Absent"), absent),
    ):
        if group:
            blocks.append(f"**{heading}:**\n" + "\n".join(f"- {_person_line(a)}" for a in group))
    if referents:
        blocks.append(
            _("Minutes taken by: %(names)s") % {"names": ", ".join(a.person.name for a in referents)}
        )

    for case in cases:
        lines = [f"**{case.label} {case.title}**".replace("** ", "**")]
        if case.outcome:
            lines.append(_("Outcome: %(outcome)s") % {"outcome": case.get_outcome_display()})
        block = "\n".join(lines)
        if case.decision:
            block += "\n\n" + _("Decision:") + "\n" + case.decision.strip()
        for reservation in case.reservations.all():
            who = reservation.party or reservation.person
            block += "\n\n" + _("Reservation entered in the minutes by %(who)s: %(text)s") % {
                "who": who,
                "text": reservation.text,
            }
        recused = list(case.recusals.all())
        if recused:
            block += "\n\n" + _("Recused: %(names)s") % {
                "names": ", ".join(
                    f"{r.person.name} ({r.reason})" if r.reason else r.person.name for r in recused
                )
            }
        blocks.append(block)

    if follow_ups:
        items = []
        for point in follow_ups:
            item = f"- {point.title + ': ' if point.title else ''}{point.what.strip()}"
            who = point.responsible or (point.responsible_person.name if point.responsible_person_id else "")
            if who:
                item += " – " + _("responsible: %(who)s") % {"who": who}
            if point.due:
                item += " – " + _("due %(date)s") % {"date": f"{point.due:%d.%m.%Y}"}
            items.append(item)
        blocks.append(f"**{_('Follow-up points')}:**\n" + "\n".join(items))

    following = (
        Meeting.objects.filter(body_id=meeting.body_id, start__gt=meeting.start, cancelled_at__isnull=True)
        .order_by("start")
        .first()
    )
    if following is not None:
        where = f", {following.place}" if following.place else ""
        blocks.append(
            _("Next meeting: %(when)s%(where)s") % {"when": _format_moment(following.start), "where": where}
        )
    return "\n\n".join(blocks) + "\n"


def minutes_build_draft(*, meeting: Meeting, by) -> Minutes:
    """Create or refresh the draft minutes from the recorded attendance, decisions and follow-ups."""
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh_meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        minutes = Minutes.objects.select_for_update().filter(meeting=fresh_meeting).first()
        if minutes is not None and minutes.approved_at is not None or _is_locked(fresh_meeting):
            raise _minutes_locked_error()
        if not _notice_issued(fresh_meeting):
            raise ValidationError(_("Draft minutes can be made once the notice of the meeting is issued."))
        if minutes is None:
            minutes = Minutes(meeting=fresh_meeting)
            reason = _("Draft minutes built")
        else:
            minutes.version += 1
            reason = _("Draft minutes rebuilt from what was recorded")
        minutes.text = minutes_text_for(fresh_meeting)
        _validated(minutes)
        save_with_history(minutes, reason=reason, by=by)
    return minutes


def minutes_update(*, minutes: Minutes, text: str, by, expected_version: int, reason: str = "") -> Minutes:
    permissions.require_manage(by, minutes.meeting.body.partnership)
    with transaction.atomic():
        fresh = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
        if fresh.approved_at is not None or _is_locked(fresh.meeting):
            raise _minutes_locked_error()
        _refuse_stale(fresh, expected_version)
        fresh.text = text
        fresh.version += 1
        _validated(fresh)
        save_with_history(fresh, reason=reason or _("Draft minutes edited"), by=by)
    return fresh


def minutes_approve(
    *, minutes: Minutes, method, by, approved_at=None, approved_in_case: Case | None = None
) -> Minutes:
    """Approve the minutes; from here the meeting's decisions and minutes are locked."""
    permissions.require_manage(by, minutes.meeting.body.partnership)
    if method not in Minutes.ApprovalMethod.values:
        raise ValidationError({"approval_method": _("Choose how the minutes were approved.")})
    with transaction.atomic():
        fresh = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
        meeting = Meeting.objects.select_for_update().get(pk=fresh.meeting_id)
        if fresh.approved_at is not None or _is_locked(meeting):
            raise ValidationError(_("The minutes are already approved."))
        if meeting.status not in (Meeting.Status.NOTICE_ISSUED, Meeting.Status.HELD):
            raise ValidationError(_("Minutes can be approved once the notice of the meeting is issued."))
        if not fresh.text.strip():
            raise ValidationError(_("The minutes are empty."))
        if approved_in_case is not None and approved_in_case.body_id != meeting.body_id:
            raise ValidationError(_("The minutes are approved in a case of the same body."))
        fresh.approval_method = method
        fresh.approved_at = approved_at or timezone.now()
        fresh.approved_in_case = approved_in_case
        fresh.version += 1
        _validated(fresh)
        save_with_history(fresh, reason=_("Minutes approved"), by=by)
        meeting.status = Meeting.Status.MINUTES_APPROVED
        save_with_history(meeting, reason=_("Minutes approved"), by=by)
    return fresh


def minutes_publish(*, minutes: Minutes, by) -> Minutes:
    permissions.require_manage(by, minutes.meeting.body.partnership)
    with transaction.atomic():
        fresh = Minutes.objects.select_for_update().get(pk=minutes.pk)
        meeting = Meeting.objects.select_for_update().get(pk=fresh.meeting_id)
        if fresh.approved_at is None:
            raise ValidationError(_("Minutes must be approved before they are published."))
        if fresh.published_at is not None:
            raise ValidationError(_("The minutes are already published."))
        fresh.published_at = timezone.now()
        _validated(fresh)
        save_with_history(fresh, reason=_("Minutes published"), by=by)
        meeting.status = Meeting.Status.MINUTES_PUBLISHED
        save_with_history(meeting, reason=_("Minutes published"), by=by)
    return fresh


def amend(*, obj: Case | Minutes, by, reason: str, **fields):
    """Correct a locked case or approved minutes: one Amendment per changed field, with the reason."""
    if isinstance(obj, Case):
        partnership, allowed, model = obj.body.partnership, CASE_AMENDABLE_FIELDS, Case
    elif isinstance(obj, Minutes):
        partnership, allowed, model = obj.meeting.body.partnership, MINUTES_AMENDABLE_FIELDS, Minutes
    else:
        raise TypeError("amend() corrects a Case or Minutes")
    permissions.require_manage(by, partnership)
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"amend() cannot change {', '.join(sorted(unknown))}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the correction.")})
    with transaction.atomic():
        fresh = model.objects.select_for_update().get(pk=obj.pk)
        changes = []
        for name, value in fields.items():
            old = getattr(fresh, name)
            if old != value:
                changes.append((name, old, value))
                setattr(fresh, name, value)
        if not changes:
            raise ValidationError(_("The correction changes nothing."))
        fresh.version += 1
        _validated(fresh)
        save_with_history(fresh, reason=_("Correction: %(reason)s") % {"reason": reason}, by=by)
        user = by if getattr(by, "is_authenticated", False) else None
        for name, old, new in changes:
            amendment = Amendment(
                case=fresh if model is Case else None,
                minutes=fresh if model is Minutes else None,
                field=name,
                old_value="" if old is None else str(old),
                new_value="" if new is None else str(new),
                reason=reason,
                by=user,
            )
            _validated(amendment)
            save_with_history(amendment, reason=_("Correction: %(reason)s") % {"reason": reason}, by=by)
    return fresh


# ---------------------------------------------------------------------------
# Case proposals (innmelding)
# ---------------------------------------------------------------------------


def proposal_submit(
    *, body: Body, title: str, origin: str, background: str, proposal: str, by, attachments=()
) -> Case:
    """A member (or the secretariat) proposes a case to a body; it waits in the secretariat's inbox."""
    if not (permissions.can_propose_case(by, body) or permissions.can_manage(by, body.partnership)):
        raise PermissionDenied(_("Only members of the body may propose a case to it."))
    if body.kind == Body.Kind.SECRETARIAT:
        raise ValidationError(_("Cases are proposed to a committee or council, not to the secretariat."))
    with transaction.atomic():
        case = Case(
            body=body,
            meeting=None,
            year=timezone.localdate().year,
            title=(title or "").strip(),
            origin=(origin or "").strip(),
            proposal=(proposal or "").strip(),
            proposal_kind=Case.ProposalKind.PROPOSED_DECISION if (proposal or "").strip() else "",
            intake_status=Case.IntakeStatus.PROPOSED,
            proposed_by=by if getattr(by, "is_authenticated", False) else None,
        )
        reason = _("Case proposed")
        _validated(case)
        save_with_history(case, reason=reason, by=by)
        if (background or "").strip():
            section = CaseSection(case=case, order=1, heading="Bakgrunn", text=background.strip())
            _validated(section)
            save_with_history(section, reason=reason, by=by)
        for upload in attachments:
            _attach(case, upload=upload, title=upload.name, by=by, reason=reason)
    return case


def proposal_return(*, case: Case, reason: str, by) -> Case:
    """Return a proposed case to its proposer with a reason."""
    permissions.require_manage(by, case.body.partnership)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"return_reason": _("Give a reason for returning the proposal.")})
    with transaction.atomic():
        fresh = Case.objects.select_for_update().get(pk=case.pk)
        if fresh.intake_status != Case.IntakeStatus.PROPOSED or fresh.meeting_id is not None:
            raise ValidationError(_("Only a proposed case that is not on an agenda can be returned."))
        fresh.intake_status = Case.IntakeStatus.RETURNED
        fresh.return_reason = reason
        fresh.version += 1
        _validated(fresh)
        save_with_history(fresh, reason=_("Proposal returned: %(reason)s") % {"reason": reason}, by=by)
        transaction.on_commit(lambda: _tell_proposer(fresh))
    return fresh


def _tell_proposer(case: Case) -> None:
    """E-mail the member who proposed a case that it was returned, and why."""
    user = case.proposed_by
    address = getattr(getattr(user, "person", None), "email", "") or getattr(user, "email", "")
    if not address:
        return
    subject = _("Your case proposal to %(body)s") % {"body": case.body.name}
    text = _(
        "The secretariat has returned your proposal “%(title)s”.\n\nReason: %(reason)s\n\n"
        "You can see your proposals at %(url)s"
    ) % {"title": case.title, "reason": case.return_reason, "url": _site_url() + "/min-side/"}
    mail.EmailMessage(subject, text, to=[address]).send()


def proposals_waiting(partnership):
    """Proposed cases not yet taken in or returned, oldest first."""
    return (
        Case.objects.filter(
            body__partnership=partnership, intake_status=Case.IntakeStatus.PROPOSED, meeting__isnull=True
        )
        .select_related("body__partnership", "proposed_by__person")
        .order_by("pk")
    )


# ---------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------


def _attach(
    case: Case, *, upload, title: str, by, reason: str, exempt=False, exemption_basis=""
) -> Attachment:
    uploads.validate_upload(upload)
    order = (case.attachments.aggregate(top=Max("order"))["top"] or 0) + 1
    attachment = Attachment(
        case=case,
        order=order,
        title=(title or "").strip(),
        file=upload,
        exempt=exempt,
        exemption_basis=(exemption_basis or "").strip() if exempt else "",
    )
    _validated(attachment)
    save_with_history(attachment, reason=reason, by=by)
    return attachment


def attachment_add(
    *, case: Case, upload, title: str, by, exempt: bool = False, exemption_basis: str = ""
) -> Attachment:
    """Attach a file to a case after checking its size and its type from its content."""
    permissions.require_manage(by, case.body.partnership)
    with transaction.atomic():
        fresh = Case.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=case.pk)
        _refuse_if_case_locked(fresh)
        reason = _("Attachment added")
        if _notice_issued(fresh.meeting):
            fresh.changed_after_notice_at = timezone.now()
            reason = _("Changed after the notice: %(reason)s") % {"reason": reason}
            save_with_history(fresh, reason=reason, by=by)
        return _attach(
            fresh,
            upload=upload,
            title=title or getattr(upload, "name", ""),
            by=by,
            reason=reason,
            exempt=exempt,
            exemption_basis=exemption_basis,
        )
