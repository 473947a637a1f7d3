# The free-text list of abbreviations, now entries of actionplans.Abbreviation (0002). Its own
# migration: PostgreSQL refuses an ALTER TABLE in the transaction that wrote the entries.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0002_source_layout"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="actionplan",
            name="abbreviations",
        ),
        migrations.RemoveField(
            model_name="historicalactionplan",
            name="abbreviations",
        ),
    ]
