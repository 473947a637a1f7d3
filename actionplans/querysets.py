"""Querysets for action plans: plans and measure status are public (DOMAIN.md)."""

from django.db import models


class ActionPlanQuerySet(models.QuerySet):
    def published(self):
        return self

    def visible_to(self, user):
        return self
