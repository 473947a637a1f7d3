"""The old free-text minutes move into one free section, nothing lost, and back again.

Django's own MigrationExecutor, not django-test-migrations: it is one data migration, and the
executor needs no new dependency.
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("meetings", "0004_record_structure")]
AFTER = [("meetings", "0006_remove_minutes_text")]
OLD_TEXT = "**Til stede:**\n- Kari Nordmann\n\nSak 06/23 Palliasjon\n\nVedtak:\n1. Tatt til orientering."


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_minutes_text_becomes_one_free_section_and_back():
    old = _migrate(BEFORE)
    partnership = old.get_model("governance", "Partnership").objects.create(
        name="Helsefellesskap Test", slug="test"
    )
    body = old.get_model("governance", "Body").objects.create(
        partnership=partnership, name="FSU Test", short_name="FSU T", slug="fsu-t", kind="other", level=3
    )
    Meeting = old.get_model("meetings", "Meeting")
    Minutes = old.get_model("meetings", "Minutes")
    start = dt.datetime(2023, 5, 12, 10, tzinfo=dt.UTC)
    written = Minutes.objects.create(meeting=Meeting.objects.create(body=body, start=start), text=OLD_TEXT)
    empty = Minutes.objects.create(
        meeting=Meeting.objects.create(body=body, start=start + dt.timedelta(days=30)), text=""
    )

    new = _migrate(AFTER)
    Section = new.get_model("meetings", "MinutesSection")
    assert [(s.order, s.heading, s.text) for s in Section.objects.filter(minutes_id=written.pk)] == [
        (1, "", OLD_TEXT)
    ]
    assert not Section.objects.filter(minutes_id=empty.pk).exists()
    assert "text" not in {f.name for f in new.get_model("meetings", "Minutes")._meta.get_fields()}

    back = _migrate(BEFORE)
    assert back.get_model("meetings", "Minutes").objects.get(pk=written.pk).text == OLD_TEXT
    assert not back.get_model("meetings", "MinutesSection").objects.exists()
    _migrate(_latest())


def _latest():
    """Every app's latest migration: migrating meetings back also unapplies the migrations of
    other apps that depend on it (actionplans), which the next tests need again."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
