"""Move every old Minutes.text into one free section of its minutes, so nothing written is lost.

The heading is left empty: the old text carried its own headings, and the migration must not
state what the text does not say. Reversing joins the sections back into the text.
"""

from django.db import migrations


def text_into_sections(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    MinutesSection = apps.get_model("meetings", "MinutesSection")
    for minutes in Minutes.objects.exclude(text="").iterator():
        following = MinutesSection.objects.filter(minutes=minutes).order_by("-order").first()
        MinutesSection.objects.create(
            minutes=minutes, order=(following.order + 1) if following else 1, heading="", text=minutes.text
        )


def sections_into_text(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    for minutes in Minutes.objects.all().iterator():
        parts = []
        for section in minutes.sections.order_by("order", "pk"):
            parts.append(f"**{section.heading}**\n\n{section.text}" if section.heading else section.text)
        minutes.text = "\n\n".join(parts)
        minutes.save(update_fields=["text"])
        minutes.sections.all().delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0004_record_structure")]

    operations = [migrations.RunPython(text_into_sections, sections_into_text)]
