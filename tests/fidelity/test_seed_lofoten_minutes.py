"""The referat of Samhandlingsarena Lofoten, 14 June 2023, against the seed itself (#13).

Read from fixtures/sources/referat_samhandlingsarena_lofoten_2023-06-14.txt: every line of it
(attendance rows cell by cell, purpose, agenda, challenges, possibilities, follow-up points, the
next meeting) is on the meeting's public page or in its public PDFs as the referat writes it,
every attendee is in the attendance with the title and attendance the row gives, every day it
names is shown and no day it does not name is shown as fact.
"""

import re

import pytest

from tests.fidelity import seeds
from tests.fidelity.seeds import TestEverySeed  # noqa: F401 (run here, on this seed)

pytestmark = pytest.mark.django_db

NAME = "referat_samhandlingsarena_lofoten_2023-06-14.txt"
PAGE = "/lofoten-vesteralen-salten/samhandlingsarena-lofoten/moter/2023-06-14/"
PROTOCOL = PAGE + "protokoll.pdf"
# Lines shown otherwise than as one line, each checked in its own way below.
EXCEPTIONS = {
    "14.juni 2023 (Henningsvær)": "the meeting's day and place, shown apart (test_day_and_place)",
    "Til stede": "the attendance is the portal's table, headed “Oppmøte” (test_every_attendee)",
    "Agenda:": "the agenda is the portal's list, headed “Saksliste”",
    "Innledning v/RKK Lofoten. Leder Lise Lyngmo orienterte om RKK sin rolle som tilrettelegger for "
    "kunnskapsutvikling": "the item's bold title and its text apart (test_the_agenda_items_as_written)",
}


seen = seeds.seen_fixture(NAME)


def attendance_rows() -> list[list[str]]:
    """The table under “Til stede”: representing, name, title, attended (X/x or blank)."""
    text = seeds.source_text(NAME)
    table = text.split("Representerer\tNavn\tTittel/funksjon\tMøtt\n", 1)[1].split("\n\n", 1)[0]
    return [(row.split("\t") + [""] * 4)[:4] for row in table.splitlines()]


def test_every_line_of_the_referat_is_shown_as_it_writes_it(seen):
    seeds.check_every_line_shown(seen, EXCEPTIONS)


def test_the_row_made_two_is_a_correction_shown_on_the_page(seen):
    """RKK Lofoten's row is two attendance rows: the correction quotes the row's cells."""
    row = next(row for row in attendance_rows() if " og " in row[1])
    says = seeds.correction_text(seen.document)
    for cell in row[1:]:
        assert f"«{cell}»" in says and f"«{cell}»" in seen.pages[PAGE], cell


def test_day_and_place(seen):
    line = next(line for line in seeds.source_text(NAME).splitlines() if line.endswith("(Henningsvær)"))
    (day,) = seeds.dates_in(line.replace(".juni", ". juni"))
    for url in (PAGE, PAGE + "innkalling.pdf", PROTOCOL):
        text = seen.pages.get(url) or seen.pdfs[url]
        assert seeds.long_form(day) in text and "Henningsvær" in text, url


def test_every_attendee_with_title_and_attendance(seen):
    page = seen.pages[PAGE]
    attendance = page[page.index("Oppmøte") :]
    present, absent = attendance.split("Fravær", 1)
    for _represents, names, title, attended in attendance_rows():
        footnote = re.search(r"([¹²])", names)
        for name in re.split(r" og ", re.sub(r"\s*[¹²]", "", names)):
            group = present if attended.strip() else absent
            assert name in group, (name, attended)
            assert name in seen.pdfs[PROTOCOL], name
            if title and not footnote:
                assert f"{name} {title}" in group, (name, title)


def test_the_footnotes_of_the_attendance(seen):
    """¹ is Merete Breivik's title as the referat gives it; ² makes Birgitte Aulie the referent."""
    text = seeds.source_text(NAME)
    acting = re.search(r"^¹ (.+)$", text, re.M)[1]
    assert f"Merete Breivik {acting}" in seen.pages[PAGE]
    assert re.search(r"^² referent$", text, re.M)
    assert re.search(r"Birgitte Aulie[^.]{0,40}[Rr]eferent", seen.pages[PAGE])


def test_the_agenda_items_as_written(seen):
    page = seen.pages[PAGE]
    for title, rest in re.findall(r"^\d\. \*\*(.+?)\*\*[ \t]*(.*)$", seeds.source_text(NAME), re.M):
        assert title in page, title
        if rest:
            assert rest in page, rest
    # The third item has no bold title: it is shown as written.
    assert "Presentasjonsrunde; ansvars, rolle og -funksjonsdeling v/deltagerne" in page


def test_the_next_meeting(seen):
    line = next(line for line in seeds.source_text(NAME).splitlines() if "neste møte (" in line)
    day = re.match(r".*\((\d+\.\d+\.\d{4})\); .+$", line).group(1)
    for shown in (seen.pages[PAGE], seen.pdfs[PROTOCOL]):
        assert f"Neste møte {day}: {line}" in shown  # the day as data, the line as the minutes write it


def test_no_approval_or_publication_day(seen):
    assert not re.search(r"godkjent|publisert", seeds.source_text(NAME), re.IGNORECASE)
    for shown in (seen.pages[PAGE], seen.pdfs[PROTOCOL]):
        assert re.search(r"Godkjent \(dato ikke oppgitt i kilden\)", shown, re.IGNORECASE)
        assert re.search(r"Publisert \(dato ikke oppgitt i kilden\)", shown, re.IGNORECASE)
