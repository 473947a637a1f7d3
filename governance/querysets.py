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


def current_q(prefix: str = "", *, on: date | None = None) -> Q:
    """Memberships (at `prefix`) in force on a day (today by default)."""
    on = on or timezone.localdate()
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": on})) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


class MembershipQuerySet(models.QuerySet):
    def current(self, *, on: date | None = None):
        """Memberships in force on a day (today by default)."""
        return self.filter(current_q(on=on))

    def past(self, *, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(end_date__lt=on)


class SecurityEventQuerySet(models.QuerySet):
    def of_partnership(self, partnership):
        """Events of the logins whose person belongs to the partnership: a seat (past or
        present) in one of its bodies, or an organisation of its own. Events with no user (a
        failed login for an unknown username) belong to no partnership."""
        from .models import Person

        people = Person.objects.filter(
            Q(memberships__body__partnership=partnership) | Q(organisation__partnership=partnership),
            user__isnull=False,
        ).values("user_id")
        return self.filter(user_id__in=people)
