from django.db import migrations

# PostgreSQL only (SQLite keeps its plain search): the attachment title's search vector as a
# stored generated column, so a search walks stored vectors instead of computing to_tsvector for
# every attachment it passes (issue #12: 100+ ms for a common word at national scale). The
# database keeps it current on every write; Django's model does not know the column
# (meetings/search.py reads it by name). Its GIN index replaces the expression index of 0010.
FORWARD = [
    "ALTER TABLE meetings_attachment ADD COLUMN IF NOT EXISTS title_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('norwegian'::regconfig, COALESCE(title, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS attachment_title_vector ON meetings_attachment USING gin (title_vector)",
    "DROP INDEX IF EXISTS attachment_title_search",
    # Statistics for the new column now: without them the planner misjudges how many titles
    # match a word until autovacuum comes round (a common word took 170 ms instead of 28).
    "ANALYZE meetings_attachment",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS attachment_title_search ON meetings_attachment"
    " USING gin (to_tsvector('norwegian'::regconfig, COALESCE(title, '')))",
    "DROP INDEX IF EXISTS attachment_title_vector",
    "ALTER TABLE meetings_attachment DROP COLUMN IF EXISTS title_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0014_case_people_programme_items")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
