"""Querysets for governance: what is current, what may be seen."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.db.models.functions import JSONObject
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


def corrections_of(model) -> dict:
    """The lookups of governance.SourceCorrection rows that concern records of `model` (by app
    label and model name, so no content-type lookup is needed)."""
    meta = model._meta
    return {"content_type__app_label": meta.app_label, "content_type__model": meta.model_name}


class _JSONList(models.Aggregate):
    """The rows' values as one JSON array: jsonb_agg on PostgreSQL (jsonb, which the backend hands
    to JSONField as text; json would come back parsed), json_group_array on SQLite."""

    function = "JSON_GROUP_ARRAY"
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra)


CORRECTION_FIELDS = ("order", "pk", "source_says", "portal_shows", "reason")


def with_source_corrections(queryset):
    """`queryset` with each record's source corrections read in the same query, as
    `source_corrections_json` (a list of objects with CORRECTION_FIELDS, None when there are none):
    a page shows its record's corrections at no extra query."""
    from .models import SourceCorrection

    concern = (
        SourceCorrection.objects.filter(**corrections_of(queryset.model), object_id=models.OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(rows=_JSONList(JSONObject(**{name: name for name in CORRECTION_FIELDS})))
        .values("rows")
    )
    return queryset.annotate(
        source_corrections_json=models.Subquery(concern, output_field=models.JSONField())
    )
