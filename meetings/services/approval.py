"""Approval of the minutes: each member's answer in an e-mail round ("godkjent via e-postrunde").

The approval itself is `minutes.minutes_approve` (at the next meeting in a case, by e-mail round,
or signed); this module records the round's answers, one per person, with the date each came,
in the history like every other write.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import permissions
from governance.history import save_with_history
from governance.models import Membership, Person

from .. import lifecycle
from ..models import Minutes, MinutesApprovalAnswer
from .common import _minutes_locked_error, _validated

COMMENT_MAX_LENGTH = 5_000


def approval_round_people(minutes: Minutes):
    """Who answers in the round: the body's members on the meeting's day, and who attended."""
    meeting = minutes.meeting
    day = timezone.localtime(meeting.start).date()
    members = Membership.objects.current(on=day).filter(body_id=meeting.body_id).values("person")
    return Person.objects.filter(pk__in=members) | Person.objects.filter(attendances__meeting=meeting)


def minutes_record_answer(
    *, minutes: Minutes, person: Person, answer: str, answered_on: dt.date, by, comment: str = ""
) -> MinutesApprovalAnswer:
    """Record (or change) one person's answer in the e-mail round on the draft minutes."""
    permissions.require_manage(by, minutes.meeting.body.partnership)
    if answer not in MinutesApprovalAnswer.Answer.values:
        raise ValidationError({"answer": _("Choose an answer.")})
    if len(comment or "") > COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": _("The comment is too long.")})
    with transaction.atomic():
        fresh = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
        if lifecycle.minutes_approval(fresh).done or lifecycle.is_locked(fresh.meeting):
            raise _minutes_locked_error()
        if not approval_round_people(fresh).filter(pk=person.pk).exists():
            raise ValidationError(_("Only the body's members and those who attended answer in the round."))
        record = MinutesApprovalAnswer.objects.filter(minutes=fresh, person=person).first()
        record = record or MinutesApprovalAnswer(minutes=fresh, person=person)
        record.answer, record.answered_on, record.comment = answer, answered_on, (comment or "").strip()
        _validated(record)
        save_with_history(record, reason=_("Answer in the e-mail round recorded"), by=by)
    return record
