"""Querysets for action plans: plans and measure status are public (DOMAIN.md)."""

from django.db import models


class ActionPlanQuerySet(models.QuerySet):
    def published(self):
        return self

    def visible_to(self, user):
        return self

    def with_structure(self):
        """Everything an action plan page shows, in a fixed number of queries."""
        return self.select_related("partnership", "adopted_by__body__partnership").prefetch_related(
            "patient_groups",
            "focus_areas__goals",
            "focus_areas__measures__responsible_bodies",
            "focus_areas__measures__responsible_organisations",
            "focus_areas__measures__cases",
            "focus_areas__measures__progress_reports",
        )
