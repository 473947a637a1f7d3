"""Querysets for action plans: plans and measure status are public (DOMAIN.md)."""

from django.db import models


class ActionPlanQuerySet(models.QuerySet):
    def published(self):
        return self

    def visible_to(self, user):
        return self

    def current(self, partnership):
        """The partnership's newest plan (the one whose period starts last), or None."""
        return self.filter(partnership=partnership).order_by("-period_start").first()
