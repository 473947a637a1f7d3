"""Stamps: what a document's version is made of, at a constant cost per request.

Each app says, in its AppConfig.ready(), which scope every one of its models belongs to
(`track(Model, "body__partnership", scope=…)`, or `everywhere=True` for rows any document may
show, such as people and organisations). Every save, delete and many-to-many change of a tracked
row then redraws the stamps (documents.models.Stamp) of the row's scopes, in the writer's own
transaction: one INSERT … ON CONFLICT DO UPDATE of a few small rows, so a rollback takes the new
stamp back with the change, and a reader sees the new stamp exactly when it sees the new data.

A document reads the stamps of its scopes (plus GLOBAL, always) in one query on its primary key:
the cost does not grow with the history, and a write in one partnership leaves the documents of
another alone. The scopes are coarse on purpose (a whole partnership): nothing a document shows
may change without a new version, and a missed dependency would serve a stale PDF.

This module knows nothing of partnerships or meetings: scopes are opaque strings, named by the
apps that track their models (governance/stamps.py).

Writes that bypass model signals (QuerySet.update(), bulk_create(), raw SQL, data migrations) must
call `bump()` themselves; a migration run that applies anything bumps GLOBAL (post_migrate).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, signals

GLOBAL = "global"


@dataclass
class Tracking:
    """How one model's rows map to scopes: lookups from the row to a value, and value → scope."""

    scope: Callable[[object], str] | None = None
    paths: list[str] = field(default_factory=list)
    everywhere: bool = False


_registry: dict[type[Model], Tracking] = {}


def track(model: type[Model], *paths: str, scope: Callable[[object], str] | None = None, everywhere=False):
    """Redraw the stamps of `model`'s rows' scopes whenever such a row is saved, deleted or re-linked.

    `paths` are ORM lookups from the row to the value that names a scope ("body__partnership",
    or a reverse one such as "measures__focus_area__action_plan__partnership" for the plans that
    show the row); `scope(value)` names the scope. Called again for the same model, it adds paths.
    `everywhere=True`: the rows may show in any document (GLOBAL).
    """
    tracking = _registry.get(model)
    if tracking is None:
        tracking = _registry[model] = Tracking(scope=scope)
        uid = f"documents.stamps:{model._meta.label}"
        signals.pre_save.connect(_before_save, sender=model, weak=False, dispatch_uid=uid)
        signals.post_save.connect(_after_save, sender=model, weak=False, dispatch_uid=uid)
        signals.pre_delete.connect(_before_delete, sender=model, weak=False, dispatch_uid=uid)
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            signals.m2m_changed.connect(
                _links_changed, sender=through, weak=False, dispatch_uid=f"{uid}:{m2m.name}"
            )
    if scope is not None:
        tracking.scope = scope
    tracking.everywhere = tracking.everywhere or everywhere
    tracking.paths.extend(path for path in paths if path not in tracking.paths)
    if not tracking.everywhere and (tracking.scope is None or not tracking.paths):
        raise ValueError(f"{model._meta.label}: give paths and a scope, or everywhere=True")


_never_shown: dict[type[Model], str] = {}


def never_shown(model: type[Model], reason: str) -> None:
    """Declare that no document shows `model`'s rows (an operational record), so its writes
    leave every version alone; `reason` says why, for the reader of the registry."""
    if model in _registry:
        raise ValueError(f"{model._meta.label} is tracked; it cannot also be never shown")
    _never_shown[model] = reason


def tracked_models() -> set[type[Model]]:
    return set(_registry)


def never_shown_models() -> set[type[Model]]:
    return set(_never_shown)


def _multi_valued(model: type[Model], path: str) -> bool:
    """Whether the lookup can give several values (it crosses a reverse or many-to-many relation)."""
    for name in path.split("__"):
        if name == "pk":
            return False
        relation = model._meta.get_field(name)
        if not relation.is_relation:
            return False
        if relation.one_to_many or relation.many_to_many:
            return True
        model = relation.related_model
    return False


def _scopes(model: type[Model], pk, *, using: str, single=True, multi=True) -> set[str]:
    """The scopes of the row `pk` as the database holds it now (in this transaction)."""
    tracking = _registry[model]
    if tracking.everywhere:
        return {GLOBAL}
    rows = model._base_manager.using(using).filter(pk=pk)
    values: list = []
    single_paths = [path for path in tracking.paths if not _multi_valued(model, path)]
    if single and single_paths:
        row = rows.values_list(*single_paths).first()
        if row is None:
            return {GLOBAL}  # the row is gone: be coarse rather than miss a document
        values.extend(row)
    if multi:
        for path in tracking.paths:
            if _multi_valued(model, path):
                values.extend(rows.values_list(path, flat=True).distinct())
    return {tracking.scope(value) for value in values if value is not None}


def bump(scopes: Iterable[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Redraw the stamps of `scopes`, in one statement, inside the current transaction."""
    from .models import Stamp

    scopes = sorted(set(scopes))  # one order everywhere, so two writers never wait on each other crosswise
    if not scopes:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    table, scope, n, token = (quote(name) for name in (Stamp._meta.db_table, "scope", "n", "token"))
    rows = ", ".join(["(%s, 1, %s)"] * len(scopes))
    params = [value for name in scopes for value in (name, uuid.uuid4().hex)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({scope}, {n}, {token}) VALUES {rows} "  # noqa: S608 - quoted names
            f"ON CONFLICT ({scope}) DO UPDATE SET {n} = {table}.{n} + 1, {token} = excluded.{token}",
            params,
        )


def tokens(scopes: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The current stamp of each scope ("" for a scope never written), in one query."""
    from .models import Stamp

    scopes = sorted(set(scopes))
    found = dict(Stamp.objects.filter(scope__in=scopes).values_list("scope", "token"))
    return tuple((name, found.get(name, "")) for name in scopes)


def version(scopes: Iterable[str]) -> str:
    """A short hash of the stamps of `scopes` and GLOBAL."""
    return hashlib.sha256(repr(tokens({GLOBAL, *scopes})).encode()).hexdigest()


def version_where(
    scopes_sql: str | None = None, params=(), *, using: str = DEFAULT_DB_ALIAS, prepare=None
) -> str:
    """A hash of the stamps of GLOBAL and of the scopes a SELECT finds, in one query.

    For a caller that names its scopes by a lookup rather than a list, so that finding them (a
    partnership by its URL slug) and reading their stamps is one statement: `scopes_sql` is a
    SELECT of scope names (with `params`); None: every scope there is (a page that shows every
    partnership). The scopes' names are part of the hash, so a lookup that comes to find other
    scopes gives another version. Plain SQL, read on every request of a cached page: the ORM took
    longer to build this statement than the database took to answer it. `prepare(connection, sql,
    params)`: what to run instead (the layers above run it as a prepared statement).
    """
    from .models import Stamp

    connection = connections[using]
    quote = connection.ops.quote_name
    table, scope, token = (quote(name) for name in (Stamp._meta.db_table, "scope", "token"))
    if scopes_sql is None:
        sql, args = f"SELECT {scope}, {token} FROM {table} ORDER BY {scope}", []  # noqa: S608
    else:
        sql = f"SELECT {scope}, {token} FROM {table} WHERE {scope} = %s OR {scope} IN ({scopes_sql}) ORDER BY {scope}"  # noqa: S608, E501
        args = [GLOBAL, *params]
    if prepare is not None:
        sql, args = prepare(connection, sql, args)
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        found = tuple(tuple(row) for row in cursor.fetchall())
    return hashlib.sha256(repr(found).encode()).hexdigest()


# ---------------------------------------------------------------------------
# Receivers
# ---------------------------------------------------------------------------


def _before_save(sender, instance, raw=False, using=None, **kwargs):
    # A row that moves (a meeting given to another body) leaves its old scope changed too.
    if not raw and not instance._state.adding and instance.pk is not None:
        instance._stamp_scopes_before = _scopes(sender, instance.pk, using=using, multi=False)


def _after_save(sender, instance, created=False, using=None, **kwargs):
    scopes = _scopes(sender, instance.pk, using=using, multi=not created)
    scopes |= instance.__dict__.pop("_stamp_scopes_before", set())
    bump(scopes, using=using)


def _before_delete(sender, instance, using=None, **kwargs):
    # Before, not after: the row and the rows it leads to are still there to be read.
    bump(_scopes(sender, instance.pk, using=using), using=using)


def _links_changed(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    """A link belongs to the model that declares the many-to-many field (a case's patient groups
    are part of the case): the owner rows' scopes change."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        bump(_scopes(type(instance), instance.pk, using=using), using=using)
    elif pk_set is None:
        bump({GLOBAL}, using=using)  # a reverse clear: the owners are unknown now, so everything
    else:
        bump(set().union(*(_scopes(model, pk, using=using) for pk in pk_set)), using=using)


def _after_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """Migrations can change data without signals: when any was applied, every version is new."""
    from .models import Stamp

    if plan and Stamp._meta.db_table in connections[using].introspection.table_names():
        bump({GLOBAL}, using=using)


def connect_migrate() -> None:
    from django.apps import apps

    signals.post_migrate.connect(
        _after_migrate, sender=apps.get_app_config("documents"), dispatch_uid="documents.stamps.migrate"
    )
