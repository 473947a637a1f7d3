"""Querysets for governance: what is current, what may be seen."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone


class BodyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Bodies, their mandates and members' names are public (DOMAIN.md)."""
        return self

    def published(self):
        return self


class MembershipQuerySet(models.QuerySet):
    def current(self, *, on: date | None = None):
        """Memberships in force on a day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            Q(end_date__isnull=True) | Q(end_date__gte=on),
        )

    def past(self, *, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(end_date__lt=on)
