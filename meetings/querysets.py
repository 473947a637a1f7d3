"""Querysets for meetings and cases; every rule comes from meetings.permissions and the lifecycle."""

from django.db import models
from django.db.models import BooleanField, Value, When
from django.db.models import Case as Conditional

from governance.permissions import all_of, matches_nothing

from . import permissions
from .lifecycle import AGENDA_PUBLIC_STATUSES, CALENDAR_Q, MINUTES_PUBLIC_STATUSES, MINUTES_PUBLISHED_Q


def _flag(condition):
    """A boolean annotation that is true where `condition` holds (plain false where nothing can)."""
    if matches_nothing(condition):
        return Value(False, output_field=BooleanField())
    return Conditional(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


class MeetingQuerySet(models.QuerySet):
    def published(self):
        """Meetings whose notice and agenda are public."""
        return self.filter(status__in=AGENDA_PUBLIC_STATUSES)

    def visible_to(self, user):
        return self.filter(permissions.meeting_visible_q(user))

    def with_minutes_published(self):
        return self.filter(status__in=MINUTES_PUBLIC_STATUSES)

    def upcoming(self, *, now=None):
        from django.utils import timezone

        return self.filter(start__gte=now or timezone.now()).order_by("start")

    def in_calendar(self):
        """Meetings that may be calendar events: those on a day the source gives."""
        return self.filter(CALENDAR_Q)

    def with_access(self, user):
        """Annotate `minutes_visible` so lists need no query per row."""
        return self.annotate(minutes_visible=_flag(permissions.minutes_visible_q(user)))


class CaseQuerySet(models.QuerySet):
    def published(self):
        """Cases on a published agenda (content may still be exempt)."""
        return self.filter(meeting__status__in=AGENDA_PUBLIC_STATUSES)

    def visible_to(self, user):
        """Cases the user may see listed, under their shown title."""
        return self.filter(permissions.case_visible_q(user))

    def readable_by(self, user):
        """Cases whose paper (exempt content included) the user may read."""
        return self.filter(permissions.case_readable_q(user))

    def with_access(self, user):
        """Annotate `content_visible` and `decision_visible` per row, in the same query."""
        return self.annotate(
            content_visible=_flag(permissions.case_readable_q(user)),
            decision_visible=_flag(
                all_of(permissions.case_readable_q(user), permissions.minutes_visible_q(user, "meeting__"))
            ),
        )


class MinutesQuerySet(models.QuerySet):
    def published(self):
        return self.filter(MINUTES_PUBLISHED_Q, meeting__status__in=MINUTES_PUBLIC_STATUSES)

    def visible_to(self, user):
        return self.filter(permissions.minutes_visible_q(user, "meeting__"))


class AttachmentQuerySet(models.QuerySet):
    def published(self):
        """Attachments whose file the public may open."""
        return self.filter(case__meeting__status__in=AGENDA_PUBLIC_STATUSES, exempt=False, case__exempt=False)

    def visible_to(self, user):
        """Attachments listed by title (exempt ones too, with their basis)."""
        return self.filter(permissions.case_visible_q(user, "case__"))

    def readable_by(self, user):
        return self.filter(permissions.attachment_readable_q(user))
