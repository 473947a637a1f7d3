"""The case papers and the programme as the sources write them (issue #13, people and programme).

Each test reads its source from fixtures/sources/, loads the demo data, and checks the public page
and the public PDF: every person the paper names (case officers, "Fra", presenters, speakers), its
headings and proposal in the source's order, and each programme time block with its talks and
speakers. Names that exist as a Person are links on the page.
"""

import re
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from governance.models import Person
from meetings import pdf
from meetings.models import Case, Meeting
from tests import pdftools

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"

pytestmark = pytest.mark.django_db


def source(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


def flat(text: str) -> str:
    """Whitespace as single spaces, markdown emphasis markers gone, the way a reader sees it."""
    text = re.sub(r"\*\*|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", text)
    return re.sub(r"\s+", " ", text).strip()


def page_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(a|span|strong|em)\b[^>]*>", "", html)  # inline: no space where none is
    return flat(unescape(re.sub(r"<[^>]+>", " ", html)))


def pdf_text(data: bytes) -> str:
    return flat(pdftools.text(data))


def assert_in_order(text: str, expected: list[str], where: str) -> None:
    """Each expected string is in `text`, each after the one before it."""
    position = 0
    for item in expected:
        found = text.find(item, position)
        assert found >= 0, f"{where}: «{item}» is missing or out of the source's order"
        position = found + len(item)


def lines(text: str) -> list[str]:
    """A text's lines without their list markers ("1. ", "- "): a list is shown as a list."""
    return [flat(re.sub(r"^\s*(\d+[.)]|[-•])\s+", "", line)) for line in text.split("\n") if line.strip()]


def listing(people: list[str]) -> str:
    """[A, B, C] → "A, B og C", the way the sources list names."""
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " og " + people[-1]


def names(listing: str) -> list[str]:
    """ "A, B og C" → [A, B, C] (a list of plain names, as case officers are written)."""
    return [name.strip() for name in re.split(r",| og ", listing) if name.strip()]


def public_page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def linked(html: str, person: Person) -> bool:
    return f'href="/personer/{person.pk}/"' in html


def paper_headings(paper: str) -> list[str]:
    """The headings of a case paper as the source sets them: "#### X" lines, or a short line of
    its own between blank lines that is no list item, no "Key: value" and no sentence."""
    lines = paper.split("\n")
    headings = []
    for index, line in enumerate(lines):
        text = line.strip()
        before = lines[index - 1].strip() if index else ""
        after = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if text.startswith("####"):
            headings.append(text.lstrip("#").strip().rstrip(":"))
        elif (
            text
            and not text.startswith(("-", "#"))
            and len(text) <= 60
            and not before
            and not after
            and not text.endswith(".")
            and not re.search(r"\d", text)
            and (":" not in text or text.endswith(":"))
        ):
            headings.append(text.rstrip(":"))
    return headings


@pytest.mark.parametrize(
    ("name", "year", "number"), [("pm_sak_04-2022.txt", 2022, 4), ("pm_sak_07-2021.txt", 2021, 7)]
)
def test_partnership_meeting_papers_as_the_source(module_demo_data, name, year, number):
    text = source(name)
    case = Case.objects.select_related("body__partnership").get(
        body__short_name__icontains="PM", year=year, number=number
    )
    # The case paper itself: up to the action plan that follows 07-2021 as its attachment.
    paper = text.split("\nHandlingsplan for Helsefelleskapet", 1)[0]
    officers = names(re.search(r"Saksbehandler: (.+)", paper)[1])
    headings = paper_headings(paper)
    assert headings[0] in ("Innstilling til konsensus", "Anbefaling"), headings  # the proposal first
    proposal = lines(paper.split(headings[0], 1)[1].split(headings[1], 1)[0].lstrip(":").rstrip("# \n"))

    html = public_page(case.get_absolute_url())
    shown = page_text(html)
    printed = pdf_text(pdf.render_case_pdf(case))
    for where, output in (("page", shown), ("pdf", printed)):
        fold = str.casefold if where == "pdf" else str
        assert_in_order(output, [fold(listing(officers))], where)
        # Headings, the proposal under the first, all in the source's order.
        assert_in_order(output, [fold(headings[0]), *map(fold, proposal), *map(fold, headings[1:])], where)
    for officer in officers:
        assert linked(html, Person.objects.get(name=officer)), officer


def fsu_bu_cases() -> list[tuple[int, str]]:
    paper = source("fsu_bu_2023-05-12.txt").split("\nHandlingsplan 2023\n", 1)[0]
    parts = re.split(r"\nSak: (\d\d)/23\n", paper)
    return [(int(parts[i]), parts[i + 1]) for i in range(1, len(parts), 2)]


@pytest.mark.parametrize(
    ("number", "paper"), [pytest.param(n, paper, id=f"{n:02d}/23") for n, paper in fsu_bu_cases()]
)
def test_fsu_bu_papers_as_the_source(module_demo_data, number, paper):
    case = Case.objects.select_related("body__partnership", "meeting").get(
        meeting__start__date="2023-05-12", number=number
    )
    html = public_page(case.get_absolute_url())
    shown = page_text(html)
    printed = pdf_text(pdf.render_case_pdf(case))
    origin = re.search(r"\nFra: (.+)", paper)
    # The paper up to its decision: the decision is the minutes' part, not the paper's.
    headings = [h for h in paper_headings(paper.split("\nVedtak:", 1)[0]) if not h.startswith("Neste møte")]
    proposal = paper.split("Forslag til vedtak:", 1)[1].split("\nVedlegg", 1)[0] if headings else ""
    for where, output in (("page", shown), ("pdf", printed)):
        fold = str.casefold if where == "pdf" else str
        if origin:
            assert_in_order(output, [fold(flat(origin[1]))], where)
        assert_in_order(output, [fold(h) for h in headings], where)
        if proposal:
            assert_in_order(output, [fold("Forslag til vedtak"), *map(fold, lines(proposal))], where)
    if origin:
        for person in Person.objects.all():
            if origin[1].startswith(person.name):
                assert linked(html, person), person.name
    if "Vedtaket utformes i møtet" in paper:
        # Under "Forslag til vedtak", once, as the source has it: not a heading of its own.
        assert shown.count("Vedtaket utformes i møtet") == 1
        assert not re.search(r"<h\d[^>]*>\s*Vedtaket utformes", html)


def test_fsu_bu_place_says_digital_once(module_demo_data):
    place = re.search(r"Sted: (.+)", source("fsu_bu_2023-05-12.txt"))[1].strip()
    meeting = Meeting.objects.select_related("body__partnership").get(start__date="2023-05-12")
    shown = page_text(public_page(meeting.get_absolute_url()))
    assert place in shown
    assert "digitalt)" not in shown.split(place, 1)[1][:20]
    assert shown.casefold().count("digitalt via teams (digitalt)") == 0


def test_fsu_bu_italics_as_the_source(module_demo_data):
    """The source's *italic* is <em> on the page, and no raw asterisk is shown."""
    italic = re.findall(r"(?<![\w*])\*([^*\s][^*]*?[^*\s]|\w)\*(?![\w*])", source("fsu_bu_2023-05-12.txt"))
    assert italic
    case = Case.objects.select_related("body__partnership").get(meeting__start__date="2023-05-12", number=7)
    html = public_page(case.get_absolute_url())
    for words in italic:
        assert f"<em>{words}</em>" in html
    assert "*" not in page_text(html)


def programme_blocks(text: str) -> list[dict]:
    """The programme's time blocks: title, (start, end) as the page prints them, and the talks
    in each: (title, speakers as written)."""
    blocks = []
    pattern = r"^(.+?) \(kl\.\s*(\d\d)[.:](\d\d)\s*[-–]\s*(\d\d)[.:](\d\d)\)$"
    lines = [line.strip() for line in text.split("\n")]
    for index, line in enumerate(lines):
        match = re.match(pattern, line)
        if not match:
            continue
        block = {"title": match[1], "time": f"{match[2]}.{match[3]}–{match[4]}.{match[5]}", "talks": []}
        for talk in lines[index + 1 :]:
            if re.match(pattern, talk) or talk.endswith(":"):
                break
            if not talk:
                continue
            talk = talk.removeprefix("- ")
            title, _, speakers = talk.partition(" ved ")
            if not speakers:
                title, _, speakers = talk.partition(". ")
            block["talks"].append((title, speakers))
        blocks.append(block)
    return blocks


def test_dialogmotet_programme_as_the_source(module_demo_data):
    text = source("dialogmotet_2024.txt")
    blocks = programme_blocks(text)
    assert [len(b["talks"]) for b in blocks] == [4, 2]
    meeting = Meeting.objects.select_related("body__partnership").get(title="Dialogmøtet 2024")
    html = public_page(meeting.get_absolute_url())
    shown = page_text(html)
    printed = pdf_text(pdf.render_notice_pdf(meeting))
    # The opening talk's speaker, as the slides name him (two lines in the source).
    opening = flat(next(part for part in text.split("\n\n") if part.startswith("Arne M. Myrland")))
    assert opening.endswith("Helsefellesskapet Lofoten, Vesterålen, Salten")
    for where, output in (("page", shown), ("pdf", printed)):
        fold = str.casefold if where == "pdf" else str
        assert_in_order(output, [fold(opening)], where)
        for block in blocks:
            expected = [fold(block["title"]), fold(f"kl. {block['time']}")]
            for title, speakers in block["talks"]:
                expected += [fold(title), fold(speakers)]
            assert_in_order(output, expected, where)
    speakers = " ".join(s for block in blocks for _, s in block["talks"]) + opening
    named = [person for person in Person.objects.all() if person.name in speakers]
    assert {p.name for p in named} >= {"Arne M. Myrland", "Monica Tangen", "Beate Sørslett"}
    for person in named:
        assert linked(html, person), person.name
    assert 'href="/personer/' not in printed  # the PDF names them; it has no links to pages
