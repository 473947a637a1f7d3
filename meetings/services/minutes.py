"""Minutes: their own parts (free sections, the next meeting), editing, approval, publication, corrections.

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

from .. import lifecycle, tasks
from ..models import Amendment, Case, Meeting, Minutes, MinutesSection
from .common import (
    CASE_AMENDABLE_FIELDS,
    MINUTES_AMENDABLE_FIELDS,
    SECTION_AMENDABLE_FIELDS,
    _cancelled_error,
    _minutes_locked_error,
    _refuse_if_case_locked,
    _refuse_stale,
    _validated,
    replace_sections,
)

_UNSET = object()


def _minutes_for_update(meeting: Meeting, expected_version: int) -> Minutes:
    """The meeting's minutes, locked; created on the first save (expected version 0).

    Minutes are derived from what was recorded, so there is nothing to build: they exist once
    something of their own (free sections, the next meeting) is saved.
    """
    fresh_meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if lifecycle.is_cancelled(fresh_meeting):
        raise _cancelled_error()
    if lifecycle.is_locked(fresh_meeting):
        raise _minutes_locked_error()
    if not lifecycle.notice_is_issued(fresh_meeting):
        raise ValidationError(_("Minutes can be written once the notice of the meeting is issued."))
    minutes = Minutes.objects.select_for_update(of=("self",)).filter(meeting=fresh_meeting).first()
    if minutes is None:
        if expected_version:
            raise ValidationError(_("The minutes were removed after you opened them."))
        return Minutes(meeting=fresh_meeting, version=0)
    if lifecycle.minutes_approval(minutes).done:
        raise _minutes_locked_error()
    _refuse_stale(minutes, expected_version)
    return minutes


def minutes_update(
    *,
    by,
    expected_version: int,
    minutes: Minutes | None = None,
    meeting: Meeting | None = None,
    sections: list[dict] | None = None,
    next_meeting=_UNSET,
    next_meeting_date=_UNSET,
    next_meeting_text=_UNSET,
    reason: str = "",
) -> Minutes:
    """Save the draft minutes' own parts: free sections (in order) and the next meeting.

    Give `minutes`, or `meeting` with `expected_version=0` to create them on this first save.
    A save from an older version is refused (ConcurrentEditError) and saves nothing.
    """
    meeting = minutes.meeting if minutes is not None else meeting
    permissions.require_manage(by, meeting.body.partnership)
    reason = reason or _("Draft minutes edited")
    with transaction.atomic():
        fresh = _minutes_for_update(meeting, expected_version)
        created = fresh.pk is None
        for name, value in (
            ("next_meeting", next_meeting),
            ("next_meeting_date", next_meeting_date),
            ("next_meeting_text", next_meeting_text),
        ):
            if value is not _UNSET:
                setattr(fresh, name, value if value is not None or name != "next_meeting_text" else "")
        fresh.version += 1
        _validated(fresh)
        save_with_history(fresh, reason=_("Minutes started") if created else reason, by=by)
        if sections is not None:
            replace_sections(
                list(fresh.sections.order_by("order", "pk")),
                sections,
                model=MinutesSection,
                new=lambda: MinutesSection(minutes=fresh),
                exclude=["minutes"],
                by=by,
                reason=reason,
                fields=("heading", "text", "before_cases"),
            )
    return fresh


def case_record_notes(
    *,
    case: Case,
    by,
    expected_version: int,
    discussion: str | None = None,
    public_decision: str | None = None,
) -> Case:
    """A case's part of the minutes beside its decision: the discussion note ("Drøfting") and, for
    an exempt case, the public (anonymised) version of its decision. After approval: `amend`."""
    permissions.require_manage(by, case.body.partnership)
    with transaction.atomic():
        fresh = Case.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=case.pk)
        _refuse_if_case_locked(fresh)
        if fresh.meeting is None or not lifecycle.notice_is_issued(fresh.meeting):
            raise ValidationError(_("A decision can be recorded once the notice of the meeting is issued."))
        _refuse_stale(fresh, expected_version)
        if discussion is not None:
            fresh.discussion = discussion.strip()
        if public_decision is not None:
            fresh.public_decision = public_decision.strip()
        fresh.version += 1
        _validated(fresh)
        save_with_history(fresh, reason=_("Decision recorded"), by=by)
    return fresh


def _has_content(minutes: Minutes, meeting: Meeting) -> bool:
    """Something is recorded: a free section, attendance, or a case's outcome or decision."""
    return (
        minutes.sections.exclude(text="", heading="").exists()
        or meeting.attendances.exists()
        or meeting.cases.exclude(decision="", outcome="").exists()
    )


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
        if lifecycle.minutes_approval(fresh).done or lifecycle.is_locked(meeting):
            raise ValidationError(_("The minutes are already approved."))
        transition = lifecycle.check(meeting, "approve_minutes")
        if not _has_content(fresh, meeting):
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
        if not lifecycle.minutes_approval(fresh).done:
            raise ValidationError(_("Minutes must be approved before they are published."))
        if lifecycle.minutes_publication(fresh).done:
            raise ValidationError(_("The minutes are already published."))
        transition = lifecycle.check(meeting, "publish_minutes")
        fresh.published_at = timezone.now()
        _validated(fresh)
        save_with_history(fresh, reason=_("Minutes published"), by=by)
        meeting.status = transition.target
        save_with_history(meeting, reason=_("Minutes published"), by=by)
        tasks.prerender_after_commit(meeting)
    return fresh


def _amend_target(obj):
    """(partnership, allowed fields, model, the minutes the Amendment row belongs to)."""
    if isinstance(obj, Case):
        return obj.body.partnership, CASE_AMENDABLE_FIELDS, Case
    if isinstance(obj, Minutes):
        return obj.meeting.body.partnership, MINUTES_AMENDABLE_FIELDS, Minutes
    if isinstance(obj, MinutesSection):
        return obj.minutes.meeting.body.partnership, SECTION_AMENDABLE_FIELDS, MinutesSection
    raise TypeError("amend() corrects a Case, Minutes or a MinutesSection")


def _amendment(fresh, model, *, name, old, new, reason, user) -> Amendment:
    return Amendment(
        case=fresh if model is Case else None,
        minutes=fresh if model is Minutes else (fresh.minutes if model is MinutesSection else None),
        section=fresh if model is MinutesSection else None,
        field=name,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=reason,
        by=user,
    )


def amend(*, obj: Case | Minutes | MinutesSection, by, reason: str, **fields):
    """Correct a locked case, approved minutes or one of their sections: one Amendment per
    changed field, with the reason; the minutes' version grows, so the protocol is a new version."""
    partnership, allowed, model = _amend_target(obj)
    permissions.require_manage(by, partnership)
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"amend() cannot change {', '.join(sorted(unknown))}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the correction.")})
    history_reason = _("Correction: %(reason)s") % {"reason": reason}
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
        counted = fresh.minutes if model is MinutesSection else fresh
        counted.version += 1
        _validated(fresh)
        if counted is not fresh:
            save_with_history(counted, reason=history_reason, by=by)
        save_with_history(fresh, reason=history_reason, by=by)
        user = by if getattr(by, "is_authenticated", False) else None
        for name, old, new in changes:
            amendment = _amendment(fresh, model, name=name, old=old, new=new, reason=reason, user=user)
            _validated(amendment)
            save_with_history(amendment, reason=history_reason, by=by)
    return fresh
