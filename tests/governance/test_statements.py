"""governance.statements (issue #12): on PostgreSQL, the SQL that PreparedQuery and PreparedRows
compile once runs as a statement prepared once per connection, gives the same rows as the SQL it
stands for, survives a rollback and a new connection, and is not used where it is turned off or
where a parameter has no declared type. The helpers that rewrite the SQL hold on every backend."""

import datetime as dt
import decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from governance import statements
from governance.querysets import PreparedQuery, PreparedRows
from meetings.models import Meeting
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
# What a compiled-once query's SQL starts with in the query log: prepared on PostgreSQL only.
RUN_AS = "EXECUTE hf_" if POSTGRES else "SELECT"


def test_placeholders_are_numbered_and_a_literal_percent_kept():
    assert statements.numbered("SELECT %s, 'a%%b' WHERE x = %s OR y LIKE '%%'") == (
        "SELECT $1, 'a%b' WHERE x = $2 OR y LIKE '%'"
    )
    assert statements.numbered("SELECT 1") == "SELECT 1"


def test_declared_types_by_value_and_none_for_a_value_without_one():
    values = (True, 3, 1.5, decimal.Decimal("2.5"), "tekst", dt.datetime(2023, 5, 12, tzinfo=dt.UTC))
    assert statements.declared_types((*values, dt.date(2023, 5, 12))) == (
        "boolean", "bigint", "double precision", "numeric", "text", "timestamptz", "date",
    )  # fmt: skip
    assert statements.declared_types(()) == ()
    assert statements.declared_types((1, None)) is None
    assert statements.declared_types((1, [1, 2])) is None


def test_nothing_is_prepared_off_postgresql_or_when_turned_off(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert statements.statement(connection, "SELECT %s", (1,)) == ("SELECT %s", (1,))
    settings.DATABASE_PREPARED_STATEMENTS = True
    if connection.vendor != "postgresql":
        assert statements.statement(connection, "SELECT %s", (1,)) == ("SELECT %s", (1,))
    assert statements.statement(connection, "SELECT %s", (None,)) == ("SELECT %s", (None,))


def _meetings(world):
    return [
        mf.meeting(world.body, status=Meeting.Status.NOTICE_ISSUED),
        mf.meeting(world.other_body_same_partnership, status=Meeting.Status.PLANNED),
    ]


def _by_body():
    return PreparedQuery(
        lambda body_slug, since: (
            Meeting.objects.filter(body__slug=body_slug, start__date__gte=since)
            .select_related("body")
            .order_by("pk")
        )
    )


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_a_prepared_query_runs_as_an_execute_of_a_statement_prepared_once(world):
    made = _meetings(world)
    prepared = _by_body()
    since = dt.date(2000, 1, 1)
    for meeting in made:
        expected = list(Meeting.objects.filter(body=meeting.body).order_by("pk"))
        with CaptureQueriesContext(connection) as queries:
            found = list(prepared((meeting.body.slug, since)))
        assert found == expected
        assert found[0].body == meeting.body  # select_related as built
        (query,) = queries.captured_queries  # a PREPARE is not in the log: once per connection
        assert query["sql"].startswith(RUN_AS)
    if POSTGRES:
        assert query["sql"].split()[1] in _prepared_names()
    assert list(prepared(("no-such-body", since))) == []


def test_turned_off_the_same_query_runs_as_sql(world, settings):
    made = _meetings(world)
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        assert list(_by_body()((made[0].body.slug, dt.date(2000, 1, 1)))) == [made[0]]
    assert queries.captured_queries[0]["sql"].startswith("SELECT")


def test_a_statement_outlives_a_rollback_and_a_new_connection_prepares_again(world):
    made = _meetings(world)
    prepared = _by_body()
    since = dt.date(2000, 1, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert list(prepared((made[0].body.slug, since))) == [made[0]]
        raise RuntimeError("rolled back")
    # PostgreSQL keeps a prepared statement when its transaction rolls back; so does the record.
    assert list(prepared((made[1].body.slug, since))) == [made[1]]
    statements.forget(connection)
    if POSTGRES:
        assert not any(name.startswith("hf_") for name in _prepared_names())
    assert list(prepared((made[0].body.slug, since))) == [made[0]]  # prepared again


def test_prepared_rows_give_the_rows_of_their_sql(world):
    made = _meetings(world)
    rows = PreparedRows(lambda pk: Meeting.objects.filter(body_id=pk).values_list("pk", "status"))
    with CaptureQueriesContext(connection) as queries:
        assert rows.rows(made[0].body_id) == [(made[0].pk, made[0].status)]
    assert queries.captured_queries[0]["sql"].startswith(RUN_AS)
    assert rows.rows(0) == []


def test_the_stamps_a_cached_page_reads_are_prepared_and_read_as_without(world, settings):
    """The one query of a page from the public cache (governance/stamps.py): prepared, with the
    same version as the plain SQL gives, and a new version after a write."""
    from governance import stamps

    slug = world.body.partnership.slug
    readers = (
        lambda: stamps.partnership_page_version(slug),
        stamps.every_partnership_version,
        stamps.global_version,
    )
    with CaptureQueriesContext(connection) as queries:
        prepared = [read() for read in readers]
    assert [query["sql"].split("(")[0].strip()[: len(RUN_AS)] for query in queries] == [RUN_AS] * 3
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert [read() for read in readers] == prepared
    settings.DATABASE_PREPARED_STATEMENTS = True
    world.body.partnership.name += " (ny)"
    world.body.partnership.save()
    after = [read() for read in readers]
    assert after[0] != prepared[0] and after[1] != prepared[1] and after[2] == prepared[2]
