from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# The vocabulary of "Mente du …?" (meetings.SearchWord): the words visitors read, with a trigram
# GIN index (pg_trgm) that finds the words nearest a misspelling. TrigramExtension does nothing on
# SQLite; CREATE EXTENSION needs a superuser, or the database's owner on PostgreSQL 13+ (pg_trgm
# is a trusted extension). The vocabulary is drawn from the stored documents flagged `public`:
# seconds at national scale, during which writes to cases wait.
FORWARD = [
    "CREATE INDEX IF NOT EXISTS search_word_trigram ON meetings_searchword"
    " USING gin (word gin_trgm_ops) WITH (fastupdate = off)",
]
BACKWARD = ["DROP INDEX IF EXISTS search_word_trigram"]


class TrigramExtensionOnPostgres(TrigramExtension):
    """TrigramExtension does nothing forwards on SQLite, but backwards it asks pg_extension there
    too (Django 5.2): the migration tests that go back past this one failed on SQLite."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from meetings import search_index

    for statement in FORWARD:
        schema_editor.execute(statement)
    # The words of the cases and minutes only: the action plans' own migration adds theirs.
    search_index.add_words_of_public_rows()


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0018_search_indexes_without_pending_list")]

    operations = [
        TrigramExtensionOnPostgres(),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="word")),
            ],
            options={"verbose_name": "search word", "verbose_name_plural": "search words"},
        ),
        migrations.RunPython(forward, backward),
    ]
