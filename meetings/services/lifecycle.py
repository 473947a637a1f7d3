"""A meeting's life: plan, change, issue the notice, mark as held, cancel.

Every transition asks meetings/lifecycle.py first (`lifecycle.check`) and takes its target
status from there; e-mails (and the public PDFs) are made by the worker after the transaction commits.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import permissions
from governance.history import save_with_history
from governance.models import Body

from .. import lifecycle, tasks
from ..models import Case, MailDelivery, Meeting
from . import notifications
from .common import (
    MEETING_EDITABLE_FIELDS,
    STANDING_CLOSING,
    STANDING_OPENING,
    _cancelled_error,
    _local_year,
    _lock_body,
    _next_free_number,
    _validated,
    changed_after_notice,
)


def meeting_create(
    *,
    body: Body,
    start,
    end=None,
    start_time_known: bool = True,
    date_known: bool = True,
    date_text: str = "",
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
    meeting = Meeting(  # a new meeting starts in the lifecycle's first status (the model's default)
        body=body,
        start=start,
        end=end,
        start_time_known=start_time_known,
        date_known=date_known,
        date_text=date_text,
        place=place,
        is_digital=is_digital,
        online_link=online_link,
        is_open=body.meetings_open if is_open is None else is_open,
        title=title,
        purpose=purpose,
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


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("body__partnership").get(pk=meeting.pk)
    )


def meeting_update(*, meeting: Meeting, by, reason: str = "", **fields) -> Meeting:
    """Change a meeting's time, place, link, openness, title or purpose."""
    permissions.require_manage(by, meeting.body.partnership)
    unknown = set(fields) - MEETING_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"meeting_update() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        fresh = _locked_meeting(meeting)
        if lifecycle.is_cancelled(fresh):
            raise _cancelled_error()
        old_year = _local_year(fresh)
        for name, value in fields.items():
            setattr(fresh, name, value)
        _validated(fresh)
        numbered = fresh.cases.filter(number__isnull=False).exists()
        if _local_year(fresh) != old_year and numbered:
            raise ValidationError(
                _("The meeting's cases are numbered for %(year)s; it cannot move to another year.")
                % {"year": old_year}
            )
        text = changed_after_notice(reason or _("Meeting details changed"), meeting=fresh)
        save_with_history(fresh, reason=text, by=by)
        if not numbered:
            for case in fresh.cases.exclude(year=_local_year(fresh)):
                case.year = _local_year(fresh)
                save_with_history(case, reason=text, by=by)
    return fresh


def meeting_issue_notice(*, meeting: Meeting, by) -> Meeting:
    """Fix the case numbers in agenda order, mark the notice issued and e-mail the members."""
    permissions.require_manage(by, meeting.body.partnership)
    try:
        with transaction.atomic():
            _lock_body(meeting.body_id)
            fresh = _locked_meeting(meeting)
            transition = lifecycle.check(fresh, "issue_notice")
            cases = list(fresh.cases.order_by("order", "pk"))
            if not cases:
                raise ValidationError(
                    _("The agenda has no cases; add at least one before issuing the notice.")
                )
            _number_agenda(fresh, cases, by=by)
            fresh.status = transition.target
            fresh.notice_issued_at = timezone.now()
            _validated(fresh)
            save_with_history(fresh, reason=_("Notice issued"), by=by)
            notifications.members_round(fresh, MailDelivery.Kind.NOTICE)
            tasks.prerender_after_commit(fresh)
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


def _number_agenda(meeting: Meeting, cases: list[Case], *, by) -> None:
    """Give the unnumbered cases the next free numbers of the body and year, in agenda order."""
    year = _local_year(meeting)
    number = _next_free_number(meeting.body_id, year)
    for case in cases:
        if case.number is not None:
            continue
        case.year = year
        case.number = number
        number += 1
        _validated(case)
        save_with_history(case, reason=_("Numbered when the notice was issued"), by=by)


def meeting_mark_held(*, meeting: Meeting, by) -> Meeting:
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
        fresh.status = lifecycle.check(fresh, "mark_held").target
        save_with_history(fresh, reason=_("Meeting held"), by=by)
    return fresh


def meeting_cancel(*, meeting: Meeting, by, reason: str) -> Meeting:
    """Cancel a meeting that has not been held; if its notice went out, tell the members."""
    permissions.require_manage(by, meeting.body.partnership)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for cancelling the meeting.")})
    with transaction.atomic():
        fresh = _locked_meeting(meeting)
        lifecycle.check(fresh, "cancel")
        fresh.cancelled_at = timezone.now()
        _validated(fresh)
        save_with_history(fresh, reason=_("Meeting cancelled: %(reason)s") % {"reason": reason}, by=by)
        if lifecycle.notice_is_issued(fresh):
            notifications.members_round(fresh, MailDelivery.Kind.CANCELLATION, reason=reason)
    return fresh
