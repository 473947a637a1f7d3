"""Querysets for action plans: plans and measure status are public (DOMAIN.md)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ActionPlanQuerySet(models.QuerySet):
    def published(self):
        return self

    def visible_to(self, user):
        return self

    def current_on(self, day):
        """Plans whose known period includes `day` (the rule of ActionPlan.is_current, in SQL).

        A plan with no known start, or with an end that is neither known nor open, is never current:
        the portal does not claim what the source does not say.
        """
        ends = (
            Q(period_end__gte=day)
            | Q(period_end__isnull=True, period_end_meeting__start__date__gte=day)
            | Q(period_end__isnull=True, period_end_meeting__isnull=True, period_open_ended=True)
        )
        return self.filter(Q(period_start__lte=day) & ends)

    def current(self, partnership, day=None):
        """The partnership's plan that applies today (the one starting last, if several), or None."""
        day = day or timezone.localdate()
        return self.filter(partnership=partnership).current_on(day).order_by("-period_start").first()
