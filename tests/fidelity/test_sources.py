"""Provenance against the five source documents (#13), read from fixtures/sources/<file>.txt.

For each source file: the portal knows it as a source document, with no date the file does not
give; every meeting, numbered case and action plan loaded from it says "Kilde: <document>" on its
public page; every correction of it is shown on the page of the record it concerns, quoting the
source as the source writes it; every organisation named in it (by a name or short name the
portal holds) appears on the pages of the records loaded from it as the source writes it; and
every Sami name in it is held as the source writes it and shown with its `lang` attribute, on the
partnership's page and, for a letterhead, in the minutes' PDF. No name in another language is held
that the source does not write.
"""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from actionplans.models import ActionPlan
from governance.models import Name, Organisation, SourceCorrection, SourceDocument
from meetings.models import Case, Meeting
from meetings.pdf import render_protocol_pdf
from tests.conftest import demo_client
from tests.pdftools import _run

pytestmark = pytest.mark.django_db

SOURCES_DIR = Path(settings.BASE_DIR) / "fixtures" / "sources"
FILES = sorted(path.name for path in SOURCES_DIR.glob("*.txt"))
# Letters of the Sami alphabets that Norwegian does not use: a line with one is a Sami name.
SAMI_LETTERS = re.compile(r"[ÁČĐŊŠŦŽáčđŋšŧžÏï]")
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober")
MONTHS += ("november", "desember")
# Whom each partnership's unpublished pages are read by (the FSU BU document names planned meetings).
SECRETARIAT = {"troms-ofoten": "secretariat", "lofoten-vesteralen-salten": "other_secretariat"}


def test_the_five_sources_are_there():
    assert len(FILES) == 5, FILES


def _source_text(name: str) -> str:
    return (SOURCES_DIR / name).read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """Whitespace collapsed, markup and entities undone: text as a reader sees it."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


def _page(record) -> str:
    """The record's page as a visitor sees it, or as its secretariat where a visitor may not."""
    url = record.get_absolute_url()
    response = Client().get(url)
    if response.status_code == 404:
        response = demo_client(SECRETARIAT[url.split("/")[1]]).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _records(source) -> list:
    meetings = list(Meeting.objects.filter(source=source).select_related("body__partnership"))
    cases = list(Case.objects.filter(source=source, number__isnull=False).select_related("body__partnership"))
    plans = list(ActionPlan.objects.filter(source=source).select_related("partnership"))
    return meetings + cases + plans


@pytest.fixture(params=FILES)
def source(request, module_demo_data):
    name = request.param
    document = SourceDocument.objects.select_related("partnership").get(file_name=name)
    pages = {record: _page(record) for record in _records(document)}
    return name, _source_text(name), document, pages


def test_the_portal_knows_the_document_as_a_source(source):
    name, text, document, pages = source
    assert pages, f"{name}: no record is loaded from it"
    if document.date is not None:  # a date the document gives, in one of the ways it writes dates
        day = document.date
        written = (
            f"{day.day}.{day.month}.{day.year}",
            f"{day:%d.%m.%Y}",
            f"{day.day}.{MONTHS[day.month - 1]} {day.year}",
        )
        assert any(form in text for form in written), f"{name}: {day} is not in the document"


def test_every_record_loaded_from_it_says_so(source):
    name, _text, document, pages = source
    line = f"Kilde: <cite>{html.escape(document.title, quote=False)}</cite> ({document.get_kind_display()}, "
    missing = [record.get_absolute_url() for record, page in pages.items() if line not in page]
    assert not missing, f"{name}: no “{line}” on {missing}"


def test_every_correction_of_it_is_on_the_page_it_concerns_and_quotes_the_source(source):
    name, text, document, _pages = source
    flat_source = _flat(text)
    for correction in SourceCorrection.objects.filter(source=document):
        page = _flat(_page(correction.record))
        for part in (correction.source_says, correction.portal_shows, correction.reason):
            assert _flat(part) in page, f"{name}: correction not shown on {correction.record}: {part}"
        for quote in re.findall(r"«([^»]+)»", correction.source_says):
            for fragment in filter(None, (piece.strip() for piece in quote.split("…"))):
                assert fragment in flat_source, f"{name}: the correction quotes «{fragment}», not in it"


def test_every_organisation_it_names_appears_as_it_writes_it(source):
    name, text, document, pages = source
    shown = _flat(" ".join(pages.values()))
    named = {
        label
        for organisation in Organisation.objects.exclude(name__contains="(demo)")
        for label in (organisation.name, organisation.short_name)
        if label and re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)
    }
    if name.startswith("referat_"):  # the attendance table's "Representerer" column
        table = text.split("Representerer\t", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
        named |= {row.split("\t", 1)[0] for row in table}
    assert named, name
    missing = sorted(label for label in named if label not in shown)
    assert not missing, f"{name}: not shown as the source writes it: {missing}"


def test_every_sami_name_in_it_is_held_and_shown_with_its_language(source):
    name, text, document, _pages = source
    sami_lines = {line.strip() for line in text.splitlines() if SAMI_LETTERS.search(line)}
    held = {n.name: n for n in Name.objects.filter(source=document).exclude(lang="nb")}
    assert set(held) == sami_lines, f"{name}: held {sorted(held)}, the source writes {sorted(sami_lines)}"
    partnership_page = Client().get(document.partnership.get_absolute_url()).content.decode()
    for line, held_name in held.items():
        assert f'<span lang="{held_name.lang}">{line}</span>' in partnership_page, line


def test_no_name_in_another_language_is_held_that_no_source_writes():
    for held in Name.objects.select_related("source"):
        assert held.source is not None, f"{held} has no source"
        assert held.name in _source_text(held.source.file_name), f"{held} is not in {held.source.file_name}"


def test_the_minutes_print_the_letterhead_the_source_shows(module_demo_data):
    for document in SourceDocument.objects.exclude(letterhead=None):
        text = _source_text(document.file_name)
        letterhead = [n.name for n in document.letterhead_names()]
        assert letterhead, document
        # In the source the letterhead's lines stand together, in this order.
        assert "\n".join(letterhead) in text, document
        for meeting in Meeting.objects.filter(source=document).exclude(minutes=None):
            printed = _run("pdftotext", render_protocol_pdf(meeting))
            assert "\n".join(letterhead) in printed, meeting
            of_meeting = {"content_type__model": "meeting", "object_id": meeting.pk}
            for correction in SourceCorrection.objects.filter(source=document, **of_meeting):
                assert _flat(correction.source_says) in " ".join(printed.split()), correction
            assert f"Kilde: {document.title}" in " ".join(printed.split()), meeting
