"""Minutes: the draft text from what was recorded, editing, approval, publication, corrections.

Approval and publication are lifecycle transitions (`lifecycle.check`); once the minutes are
approved the meeting is locked and only `amend`, with a reason, changes a case or the minutes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import permissions
from governance.history import save_with_history
from governance.templatetags.portal import meeting_when  # the portal's one meeting-time formatter

from .. import lifecycle
from ..models import Amendment, Attendance, Case, Meeting, Minutes
from .common import (
    CASE_AMENDABLE_FIELDS,
    MINUTES_AMENDABLE_FIELDS,
    _cancelled_error,
    _minutes_locked_error,
    _refuse_stale,
    _validated,
)


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
            _("Next meeting: %(when)s%(where)s") % {"when": meeting_when(following), "where": where}
        )
    return "\n\n".join(blocks) + "\n"


def minutes_build_draft(*, meeting: Meeting, by) -> Minutes:
    """Create or refresh the draft minutes from the recorded attendance, decisions and follow-ups."""
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh_meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        minutes = Minutes.objects.select_for_update().filter(meeting=fresh_meeting).first()
        if minutes is not None and minutes.approved_at is not None or lifecycle.is_locked(fresh_meeting):
            raise _minutes_locked_error()
        if lifecycle.is_cancelled(fresh_meeting):
            raise _cancelled_error()
        if not lifecycle.notice_is_issued(fresh_meeting):
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
        if fresh.approved_at is not None or lifecycle.is_locked(fresh.meeting):
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
        if fresh.approved_at is not None or lifecycle.is_locked(meeting):
            raise ValidationError(_("The minutes are already approved."))
        transition = lifecycle.check(meeting, "approve_minutes")
        if not fresh.text.strip():
            raise ValidationError(_("The minutes are empty."))
        if approved_in_case is not None and approved_in_case.body_id != meeting.body_id:
            raise ValidationError(_("The minutes are approved in a case of the same body."))
        if approved_in_case is not None and (
            approved_in_case.meeting is None or approved_in_case.meeting.start <= meeting.start
        ):
            raise ValidationError(_("The minutes are approved in a case of a later meeting."))
        fresh.approval_method = method
        fresh.approved_at = approved_at or timezone.now()
        fresh.approved_in_case = approved_in_case
        fresh.version += 1
        _validated(fresh)
        save_with_history(fresh, reason=_("Minutes approved"), by=by)
        meeting.status = transition.target
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
        transition = lifecycle.check(meeting, "publish_minutes")
        fresh.published_at = timezone.now()
        _validated(fresh)
        save_with_history(fresh, reason=_("Minutes published"), by=by)
        meeting.status = transition.target
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
