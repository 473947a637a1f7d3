"""A meeting's lifecycle, in one table: its statuses, what each allows, and the transitions.

Services refuse through `check()` before they change a meeting (Wagtail's check-then-execute);
querysets and permissions filter on the status tuples below; templates ask the meeting
(`meeting.can_edit_agenda`, `meeting.is_locked`, …), which asks this module. No other module
spells a status.

planned ─issue_notice─▶ notice_issued ─mark_held─▶ held
                           │                        │
                           └──approve_minutes───────┴─▶ minutes_approved ─publish_minutes─▶ minutes_published

A planned meeting or one whose notice is issued can be cancelled (`cancel`): it keeps its status
(so a cancelled meeting whose notice was public stays public, marked as cancelled) and gets
`cancelled_at`; a cancelled meeting allows no further transition and no agenda changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    NOTICE_ISSUED = "notice_issued", _("notice issued")
    HELD = "held", _("held")
    MINUTES_APPROVED = "minutes_approved", _("minutes approved")
    MINUTES_PUBLISHED = "minutes_published", _("minutes published")


INITIAL = Status.PLANNED  # a new meeting's status


@dataclass(frozen=True)
class Rules:
    """What a status allows."""

    agenda_public: bool  # the notice and agenda are public (DOMAIN.md's openness table)
    minutes_public: bool  # the minutes and decisions are public
    notice_issued: bool  # numbers are fixed; a change is recorded as "changed after the notice"
    agenda_editable: bool  # cases may be added, moved, edited, removed; decisions recorded
    locked: bool  # the minutes are approved: only a correction with a reason changes anything
    held: bool  # the meeting has taken place (minutes may be shown once they are visible)
    tag: str  # the style of the status label: "warning", "accent", "success" or ""


RULES: dict[str, Rules] = {
    Status.PLANNED: Rules(False, False, False, True, False, False, "warning"),
    Status.NOTICE_ISSUED: Rules(True, False, True, True, False, False, "accent"),
    Status.HELD: Rules(True, False, True, True, False, True, ""),
    Status.MINUTES_APPROVED: Rules(True, False, True, False, True, True, ""),
    Status.MINUTES_PUBLISHED: Rules(True, True, True, False, True, True, "success"),
}

AGENDA_PUBLIC_STATUSES = tuple(status for status, rules in RULES.items() if rules.agenda_public)
MINUTES_PUBLIC_STATUSES = tuple(status for status, rules in RULES.items() if rules.minutes_public)
LOCKED_STATUSES = tuple(status for status, rules in RULES.items() if rules.locked)
UNFINISHED_STATUSES = tuple(status for status in RULES if status not in MINUTES_PUBLIC_STATUSES)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str | None  # None: the status stays (cancel)
    refusal: str  # why it is refused from any other status


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "issue_notice",
            (Status.PLANNED,),
            Status.NOTICE_ISSUED,
            _("The notice of this meeting has already been issued."),
        ),
        Transition(
            "mark_held",
            (Status.NOTICE_ISSUED,),
            Status.HELD,
            _("Only a meeting whose notice is issued can be marked as held."),
        ),
        Transition(
            "approve_minutes",
            (Status.NOTICE_ISSUED, Status.HELD),
            Status.MINUTES_APPROVED,
            _("Minutes can be approved once the notice of the meeting is issued."),
        ),
        Transition(
            "publish_minutes",
            (Status.MINUTES_APPROVED,),
            Status.MINUTES_PUBLISHED,
            _("Minutes must be approved before they are published."),
        ),
        Transition(
            "cancel",
            (Status.PLANNED, Status.NOTICE_ISSUED),
            None,
            _("Only a meeting that has not been held can be cancelled."),
        ),
    )
}


def rules(meeting) -> Rules:
    return RULES[meeting.status]


def is_cancelled(meeting) -> bool:
    return meeting.cancelled_at is not None


def allows(meeting, name: str) -> bool:
    """Whether the transition `name` may run on the meeting now."""
    return meeting.status in TRANSITIONS[name].sources and not is_cancelled(meeting)


def check(meeting, name: str) -> Transition:
    """Refuse, in the user's language, a transition the meeting's status does not allow."""
    transition = TRANSITIONS[name]
    if is_cancelled(meeting):
        raise ValidationError(_("The meeting is cancelled."), code="cancelled")
    if meeting.status not in transition.sources:
        raise ValidationError(transition.refusal, code="transition")
    return transition


def can_edit_agenda(meeting) -> bool:
    return meeting is not None and rules(meeting).agenda_editable and not is_cancelled(meeting)


def notice_is_issued(meeting) -> bool:
    return meeting is not None and rules(meeting).notice_issued


def is_locked(meeting) -> bool:
    return meeting is not None and rules(meeting).locked


def was_held(meeting) -> bool:
    return meeting is not None and rules(meeting).held


# --- What is known about the meeting's date, and about the minutes' approval and publication ---
#
# Unknown is a value. A meeting's date is exact (date and time), a date without a time, or not
# stated in the source (then `Meeting.date_text` holds what is known, "2024, Helseinnovasjonsuka",
# and `start` is only a sort key: the first moment of the period the source allows, never shown).
# The minutes' approval and publication are each done with a date, done with the date not
# recorded in the source, or not done yet; the meeting's status says whether the step is done,
# the date fields say when, and `*_date_known = False` says the source does not.


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("date and time")
    DAY = "day", _("date without time")
    UNKNOWN = "unknown", _("date not stated in the source")


def date_precision(meeting) -> str:
    if not meeting.date_known:
        return DatePrecision.UNKNOWN
    return DatePrecision.EXACT if meeting.start_time_known else DatePrecision.DAY


def in_calendar(meeting) -> bool:
    """Whether the meeting can be an event in a calendar (.ics): only on a day the source gives."""
    return meeting.date_known


CALENDAR_Q = models.Q(date_known=True)  # the same rule, for querysets


@dataclass(frozen=True)
class Step:
    """An approval or publication of minutes: done or not, and when if the source says."""

    done: bool
    at: object  # datetime | None: None when not done, or done on a day the source does not give

    @property
    def date_unknown(self) -> bool:
        return self.done and self.at is None


def minutes_approval(minutes) -> Step:
    if minutes is None:
        return Step(False, None)
    return Step(minutes.approved_at is not None or not minutes.approval_date_known, minutes.approved_at)


def minutes_publication(minutes) -> Step:
    if minutes is None:
        return Step(False, None)
    return Step(minutes.published_at is not None or not minutes.publication_date_known, minutes.published_at)


# Minutes rows that count as published (the date may be unrecorded), for querysets.
MINUTES_PUBLISHED_Q = models.Q(published_at__isnull=False) | models.Q(publication_date_known=False)
