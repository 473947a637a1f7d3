"""Querysets for governance: what is current, what may be seen."""

from collections.abc import Callable
from datetime import date

from django.db import models
from django.db.models import Q
from django.db.models.functions import JSONObject
from django.utils import timezone

from . import statements


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


def _sentinel(index: int, value):
    """A stand-in for the value at `index` of a prepared query: of the value's type, and equal to
    nothing a request could give (no id is negative, no slug holds a control character, no
    meeting is dated in year 1)."""
    if isinstance(value, bool):
        raise TypeError("a flag changes the SQL: pass it in the shape")
    if isinstance(value, int):
        return -2_147_480_000 + index  # within a 32-bit id column's range (PostgreSQL refuses others)
    if isinstance(value, str):
        return f"\x1fprepared-{index}\x1f"
    if isinstance(value, date):
        return date(1, 1, 1 + index)
    raise TypeError(f"no stand-in for a {type(value).__name__}")


def _places(sentinels: tuple, params) -> list[tuple[int, int, bool]]:
    """(parameter index, value index, as text) of every parameter that is a stand-in: a backend
    may pass a date on as its ISO text (SQLite). Each value must reach the SQL at least once."""
    places = []
    for index, param in enumerate(params):
        for which, sentinel in enumerate(sentinels):
            if param == sentinel:
                places.append((index, which, False))
            elif isinstance(sentinel, date) and param == sentinel.isoformat():
                places.append((index, which, True))
    missing = set(range(len(sentinels))) - {which for _index, which, _text in places}
    if missing:
        raise ValueError(f"values {sorted(missing)} do not reach the SQL as parameters")
    return places


def _filled(params: tuple, places, values: tuple) -> tuple:
    filled = list(params)
    for index, which, as_text in places:
        filled[index] = values[which].isoformat() if as_text else values[which]
    return tuple(filled)


class _Kept:
    """At most `size` compiled shapes, the least recently used dropped; thread-safe."""

    def __init__(self, size: int):
        from documents.fragments import LeastRecentlyUsed

        self.entries = LeastRecentlyUsed(size)

    def __len__(self) -> int:
        return len(self.entries)

    def get_or_make(self, key, make):
        found = self.entries.get(key)
        if found is None:
            found = make()
            self.entries.put(key, found)
        return found


class PreparedRows:
    """The rows of a values_list queryset that changes from one call to the next only in one
    parameter's value: built and compiled once per database and `shape` (the other arguments of
    `build`, which decide the SQL), then run with the value put in its parameter's place (issue
    #12: compiling a logged-in reader's standing cost more than reading it).

    `build(value, *shape)` returns the queryset; `value` must reach the SQL as exactly one
    parameter (an id, say), and nothing else in it may depend on the value."""

    SENTINEL = _sentinel(0, 0)  # no id, no count: it marks the parameter's place
    MAX_SHAPES = 32

    def __init__(self, build: Callable):
        self.build = build
        self._compiled = _Kept(self.MAX_SHAPES)

    def rows(self, value, *shape, using: str = "default") -> list[tuple]:
        from django.db import connections

        connection = connections[using]

        def compile_():
            sql, params = self.build(self.SENTINEL, *shape).query.sql_with_params()
            places = _places((self.SENTINEL,), params)
            if len(places) != 1:
                raise ValueError(f"the value reaches the SQL as {len(places)} parameters, not 1")
            return sql, tuple(params), places

        sql, params, places = self._compiled.get_or_make((using, connection.vendor, shape), compile_)
        with connection.cursor() as cursor:
            cursor.execute(*statements.statement(connection, sql, _filled(params, places, (value,))))
            return cursor.fetchall()


class PreparedQuery:
    """A queryset of model objects whose SQL is built and compiled once per database and shape,
    then run with each call's values in their parameters' places (issue #12: building and
    compiling a meeting page's two main querysets, with the reader's visibility filter, cost more
    than running them).

    `build(*values, *shape)` returns the queryset. Each value (an id, a slug, a date) must reach
    the SQL as parameters and decide nothing else in it; everything else that decides the SQL or
    its other parameters (the reader's standing, a flag, which kind of key) must be in `shape`,
    which must be hashable. The result is an unevaluated queryset of the same model, iterable
    class, select_related and prefetch_related as the built one; it must not be filtered or
    changed further: it would run the SQL as compiled and ignore the change, so any further
    chaining (filter, order_by, a slice, first()) raises TypeError instead."""

    MAX_SHAPES = 256

    def __init__(self, build: Callable, *, planned_once: bool = True):
        """`planned_once=False`: PostgreSQL plans the SQL for each call's values, as for any
        query (a search, whose best plan depends on how common its words are), rather than
        keeping a generic plan of a prepared statement (governance/statements.py)."""
        self.build = build
        self.planned_once = planned_once
        self._compiled = _Kept(self.MAX_SHAPES)

    def __call__(self, values: tuple, *shape, using: str = "default"):
        import copy

        from django.db import connections

        connection = connections[using]
        key = (using, connection.vendor, shape, tuple(type(value) for value in values))

        def compile_():
            sentinels = tuple(_sentinel(index, value) for index, value in enumerate(values))
            queryset = self.build(*sentinels, *shape)
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            return queryset, compiler, sql, tuple(params), _places(sentinels, params)

        queryset, compiler, sql, params, places = self._compiled.get_or_make(key, compile_)
        prepared = copy.copy(compiler)
        prepared.connection = connection
        filled = _filled(params, places, values)
        # Run as a statement prepared on the connection where PostgreSQL can (governance/statements.py).
        if self.planned_once:
            prepared.as_sql = lambda *args, **kwargs: statements.statement(connection, sql, filled)
        else:
            prepared.as_sql = lambda *args, **kwargs: (sql, filled)
        clone = queryset._chain()
        clone.query.get_compiler = lambda *args, **kwargs: prepared
        clone.query.clone = _refused
        return clone


def _refused(*args, **kwargs):
    raise TypeError("a prepared query runs as it was built: filter, order or slice it in build()")


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
