"""The README's list of corrections to the seeds against the fixtures' `[[corrections]]` (#13).

Each item of README's "Where the demo data corrects the seeds" names, in backticks, the `record`
of each fixture entry it describes; the fixtures' entries and the README's names are the same,
one to one (so the list is complete, and names no correction the fixtures do not make). Each
entry, per seed, is shown on the public page of the record it concerns, what the source says,
what the portal shows and why, under "Rettelse av kilden".
"""

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from governance.models import SourceCorrection
from portal import demo
from tests.fidelity import seeds

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
RECORD = re.compile(r"`((?:meetings|cases|action_plans):[\w-]+)`")


def readme_items() -> list[tuple[str, list[str]]]:
    """(bold title, record names) of each item of the README's list of corrections."""
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Where the demo data corrects the seeds\n", 1)[1].split("\n### ", 1)[0]
    items = re.findall(r"^- \*\*(.+?)\*\*(.*?)(?=^- |^\S|\Z)", section, re.M | re.S)
    return [(title, RECORD.findall(body.split(").", 1)[0])) for title, body in items]


def fixture_entries() -> list[tuple[str, dict]]:
    """(seed file, entry) of each `[[corrections]]` entry of the fixtures, in loading order."""
    found = []
    for name in demo.FIXTURE_FILES:
        data = tomllib.loads((BASE / "fixtures" / name).read_text(encoding="utf-8"))
        found += [(Path(data["source"]).name, row) for row in data.get("corrections", [])]
    return found


def test_readme_and_fixtures_name_the_same_corrections():
    items = readme_items()
    assert len(items) >= 9 and all(records for _title, records in items), items
    named = Counter(record for _title, records in items for record in records)
    made = Counter(row["record"] for _seed, row in fixture_entries())
    assert named == made, f"README only: {named - made}; fixtures only: {made - named}"


@pytest.mark.parametrize("seed", sorted(seeds.SOURCES_DIR.glob("*.txt")), ids=lambda path: path.stem)
def test_each_correction_of_the_seed_is_on_the_page_it_concerns(module_demo_data, seed):
    entries = [row for name, row in fixture_entries() if name == seed.name]
    assert entries, f"{seed.name} has no correction"
    for row in entries:
        correction = SourceCorrection.objects.get(source__file_name=seed.name, source_says=row["source_says"])
        response = Client().get(correction.record.get_absolute_url())
        assert response.status_code == 200, correction.record
        page = seeds.page_text(response.content.decode())
        shown = page[page.index("Rettelse av kilden") :]
        for part in ("source_says", "portal_shows", "reason"):
            assert seeds.flat(row[part]) in shown, (seed.name, part, row[part])
