from django.db import migrations

# PostgreSQL only (SQLite searches the text itself): the search vectors of action plans and their
# measures as stored generated columns with GIN indexes, as for attachment titles (meetings 0015),
# so search finds plans and measures through an index. The database keeps them current on every
# write; the models do not know the columns (actionplans/search.py reads them by name). The words of
# the plans join the vocabulary of suggestions (meetings.SearchWord): everything in a plan is public.
# Seconds for thousands of measures, during which writes to plans wait.
PLAN_VECTOR = (
    "setweight(to_tsvector('norwegian'::regconfig, title || ' ' || subtitle), 'A')"
    " || setweight(to_tsvector('norwegian'::regconfig, purpose || ' ' || introduction || ' '"
    " || focus_areas_introduction || ' ' || next_steps), 'C')"
)
MEASURE_VECTOR = (
    "setweight(to_tsvector('norwegian'::regconfig, text), 'A')"
    " || setweight(to_tsvector('norwegian'::regconfig, responsible_text), 'B')"
)
FORWARD = [
    "ALTER TABLE actionplans_actionplan ADD COLUMN IF NOT EXISTS search_vector tsvector"
    f" GENERATED ALWAYS AS ({PLAN_VECTOR}) STORED",
    "CREATE INDEX IF NOT EXISTS actionplan_search_vector ON actionplans_actionplan"
    " USING gin (search_vector) WITH (fastupdate = off)",
    "ALTER TABLE actionplans_measure ADD COLUMN IF NOT EXISTS search_vector tsvector"
    f" GENERATED ALWAYS AS ({MEASURE_VECTOR}) STORED",
    "CREATE INDEX IF NOT EXISTS measure_search_vector ON actionplans_measure"
    " USING gin (search_vector) WITH (fastupdate = off)",
    "ANALYZE actionplans_actionplan",
    "ANALYZE actionplans_measure",
]
BACKWARD = [
    "DROP INDEX IF EXISTS measure_search_vector",
    "ALTER TABLE actionplans_measure DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS actionplan_search_vector",
    "ALTER TABLE actionplans_actionplan DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from actionplans.search import add_all_words

    for statement in FORWARD:
        schema_editor.execute(statement)
    add_all_words()


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0005_plan_chapters"),
        ("meetings", "0019_search_vocabulary"),
    ]

    operations = [migrations.RunPython(forward, backward)]
