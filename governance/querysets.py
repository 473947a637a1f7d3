"""Querysets for governance: what is current, what may be seen."""

from collections.abc import Callable
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


class CompiledOnce(models.Expression):
    """A correlated subquery whose SQL is built and compiled once per database and outer query
    shape, not on every request (issue #12: compiling the JSON subqueries of a case page cost more
    than running them).

    `build()` returns the expression (a Subquery with OuterRef); it is resolved against the outer
    query and compiled the first time a query with that database, outer table alias and alias
    prefix is compiled, and its SQL and parameters are reused after that. It must not depend on
    anything but the schema: no user, no date, no request (its parameters are kept)."""

    _compiled: dict = {}
    contains_aggregate = False

    def __init__(self, name: str, build: Callable[[], models.Expression], output_field):
        super().__init__(output_field=output_field)
        self.name, self.build = name, build

    @property
    def identity(self):
        return (self.__class__, self.name)

    def as_sql(self, compiler, connection):
        query = compiler.query
        key = (self.name, connection.alias, connection.vendor, query.alias_prefix, query.base_table)
        compiled = self._compiled.get(key)
        if compiled is None:
            resolved = self.build().resolve_expression(query, allow_joins=True, reuse=None)
            sql, params = compiler.compile(resolved)
            compiled = self._compiled[key] = (sql, tuple(params))
        return compiled[0], list(compiled[1])

    def get_group_by_cols(self):
        return [self]


class PreparedRows:
    """The rows of a values_list queryset that changes from one call to the next only in one
    parameter's value: built and compiled once per database and `shape` (the other arguments of
    `build`, which decide the SQL), then run with the value put in its parameter's place (issue
    #12: compiling a logged-in reader's standing cost more than reading it).

    `build(value, *shape)` returns the queryset; `value` must reach the SQL as exactly one
    parameter (an id, say), and nothing else in it may depend on the value."""

    SENTINEL = -4_611_686_018_427_387_903  # no id, no count: it marks the parameter's place
    MAX_SHAPES = 32

    def __init__(self, build: Callable):
        self.build = build
        self._compiled: dict = {}

    def rows(self, value, *shape, using: str = "default") -> list[tuple]:
        from django.db import connections

        connection = connections[using]
        key = (using, connection.vendor, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            sql, params = self.build(self.SENTINEL, *shape).query.sql_with_params()
            places = [index for index, param in enumerate(params) if param == self.SENTINEL]
            if len(places) != 1:
                raise ValueError(f"the value reaches the SQL as {len(places)} parameters, not 1")
            if len(self._compiled) >= self.MAX_SHAPES:
                self._compiled.clear()
            compiled = self._compiled[key] = (sql, tuple(params), places[0])
        sql, params, place = compiled
        params = list(params)
        params[place] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


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
    model = queryset.model

    def build():
        from .models import SourceCorrection

        concern = (
            SourceCorrection.objects.filter(**corrections_of(model), object_id=models.OuterRef("pk"))
            .order_by()
            .values("object_id")
            .annotate(rows=_JSONList(JSONObject(**{name: name for name in CORRECTION_FIELDS})))
            .values("rows")
        )
        return models.Subquery(concern, output_field=models.JSONField())

    name = f"source_corrections:{model._meta.label_lower}"
    return queryset.annotate(source_corrections_json=CompiledOnce(name, build, models.JSONField()))
