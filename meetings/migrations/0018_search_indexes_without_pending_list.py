from django.db import migrations

# PostgreSQL only. The GIN indexes of search write straight into the index (fastupdate off)
# instead of gathering new entries in a pending list that every search then reads in full until
# vacuum merges it (issue #12: at national scale 20,000 attachment titles waited there after a
# bulk load, and each search read them all; a search of the minutes took 14 ms instead of 1).
# Search is read far more often than cases are written, and one case's write adds a few entries.
INDEXES = ["case_search_vector", "minutes_search_vector", "attachment_title_vector"]


def _set(fastupdate: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index in INDEXES:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {index} SET (fastupdate = {fastupdate})")
            if fastupdate == "off":
                # What waits in the pending list now goes into the index proper.
                schema_editor.execute(
                    "SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = %s AND c.relkind = 'i'",
                    [index],
                )

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0017_case_announces_next_meeting")]

    operations = [migrations.RunPython(_set("off"), _set("on"))]
