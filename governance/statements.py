"""Server-side prepared statements for the SQL that querysets.PreparedQuery and PreparedRows
compile once (issue #12).

PostgreSQL plans every statement it is sent. The meeting page's queries (the reader's standing,
the meeting, its cases) took 2.9 ms to plan and 1.4 ms to run (EXPLAIN ANALYZE on the demo
data): a page's database time was mostly planning the same SQL again. A statement prepared once
per connection (`PREPARE name (types) AS sql`) is run as `EXECUTE name (values)`; after a few
runs PostgreSQL keeps a generic plan and plans it no more (plan_cache_mode auto: only when the
generic plan is as cheap as the plans made for the values).

What is prepared, and when:
- PostgreSQL only, with settings.DATABASE_PREPARED_STATEMENTS on (DJANGO_DB_PREPARED_STATEMENTS;
  off behind a pooler that shares server connections between clients per transaction, such as
  PgBouncer in transaction mode, where a statement prepared on one connection is not there on
  the next), and only SQL whose every parameter has a type named here; anything else runs as it is.
- Once per connection and SQL: a new connection (Django reconnects after CONN_MAX_AGE, or after
  an error) prepares again. The PREPARE is sent on the connection's own cursor, outside Django's
  query log: a page's query count is what it costs on every request, not once per connection.
- A prepared statement outlives the transaction it was prepared in (PostgreSQL does not roll it
  back), so what is recorded here stays true after a rollback; a schema change makes PostgreSQL
  plan it again by itself. `forget()` deallocates them all (after migrations).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import re
import uuid

from django.conf import settings

# The SQL type a parameter is declared with, by its Python type (first match: bool before int).
_TYPES = (
    (bool, "boolean"),
    (int, "bigint"),
    (float, "double precision"),
    (decimal.Decimal, "numeric"),
    (str, "text"),
    (dt.datetime, "timestamptz"),
    (dt.date, "date"),
    (uuid.UUID, "uuid"),
)
_PLACEHOLDER = re.compile(r"%%|%s")


def enabled(connection) -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)


def declared_types(params) -> tuple[str, ...] | None:
    """The SQL types of `params`, or None when one of them has no type here (None, a list)."""
    types = []
    for param in params:
        found = next((name for kind, name in _TYPES if isinstance(param, kind)), None)
        if found is None:
            return None
        types.append(found)
    return tuple(types)


def numbered(sql: str) -> str:
    """`sql` with its %s placeholders numbered ($1, $2, …) and %% as the % it stands for."""
    count = 0

    def replace(match):
        nonlocal count
        if match.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql)


def statement(connection, sql: str, params) -> tuple[str, tuple]:
    """The SQL and parameters to run for (sql, params) on `connection`: `EXECUTE` of a statement
    prepared on this connection (prepared now if it is not yet), or (sql, params) as given where
    nothing is prepared (see the module's docstring)."""
    params = tuple(params)
    if not enabled(connection):
        return sql, params
    types = declared_types(params)
    if types is None:
        return sql, params
    name = _name(sql, types)
    connection.close_if_health_check_failed()  # as Django's cursor would: the same connection then
    connection.ensure_connection()
    prepared = _prepared_on(connection)
    if name not in prepared:
        declared = f" ({', '.join(types)})" if types else ""
        with connection.connection.cursor() as cursor:  # the driver's own: outside the query log
            cursor.execute(f"PREPARE {name}{declared} AS {numbered(sql)}")
        prepared.add(name)
    arguments = f" ({', '.join(['%s'] * len(params))})" if params else ""
    return f"EXECUTE {name}{arguments}", params


@functools.lru_cache(maxsize=1024)
def _name(sql: str, types: tuple[str, ...]) -> str:
    """The statement's name, from its SQL and types: hashed once per compiled query, not per call."""
    return "hf_" + hashlib.blake2b(f"{sql}\x00{types}".encode(), digest_size=12).hexdigest()


def _prepared_on(connection) -> set[str]:
    """The names prepared on the connection's current server connection (a new one has none)."""
    raw = connection.connection
    kept = getattr(connection, "_hf_prepared", None)
    if kept is None or kept[0] is not raw:
        kept = connection._hf_prepared = (raw, set())
    return kept[1]


def forget(connection) -> None:
    """Deallocate every statement prepared on the connection (after a schema change)."""
    kept = getattr(connection, "_hf_prepared", None)
    if kept is None or connection.connection is not kept[0] or not kept[1]:
        return
    with connection.connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    kept[1].clear()
