"""Shared reading for the per-seed fidelity tests (tests/fidelity/test_seed_*.py, #13).

`shown(file_name)` gathers what an anonymous visitor gets of every record loaded from one source
document: the public pages of its meetings, numbered cases and action plans, the pages of the
people those pages link to, and the public PDFs (notice, protocol, case papers, plan status), as
text the way a reader sees it. The checks then hold the source's own lines, dates and numbers
against that text: nothing lost, nothing dated that the source does not date.
"""

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans.models import ActionPlan
from governance.models import SourceCorrection, SourceDocument
from meetings.models import Case, Meeting
from tests.pdftools import _run

SOURCES_DIR = Path(settings.BASE_DIR) / "fixtures" / "sources"
MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober"]
MONTHS += ["november", "desember"]
_MONTH = "|".join(MONTHS)
# The ways the sources and the portal write a day: 14.6.2023, 12.05.23, 14.juni 2023, 2. september 2022.
NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\d])")
LONG_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\. ?({_MONTH}) (\d{{4}})", re.IGNORECASE)
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# The header lines of the case papers ("Label: value").
FIELD = re.compile(
    r"^(Saksbehandler|Dato dok|Møtedato|Vår ref|Sak|Tittel|Fra|Sted|Vedlegg \d+|Vedlegg \(t\)): ?(.*)$"
)
# How the portal marks a date it does not have from the source, or one it reads into it.
MARKED = ("dato ikke oppgitt i kilden", "kilden oppgir ikke disse datoene")


def source_text(name: str) -> str:
    return (SOURCES_DIR / name).read_text(encoding="utf-8")


def flat(text: str) -> str:
    """Whitespace as single spaces, markdown emphasis and link syntax gone: as a reader sees it."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\*\*|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", text)
    return " ".join(text.split())


def page_text(markup: str) -> str:
    """A page's text: inline tags join their text, others part it; scripts and styles gone."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    markup = re.sub(r"</?(a|abbr|span|strong|em|b|i|cite|sup|time)\b[^>]*>", "", markup)
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def pdf_text(data: bytes) -> str:
    return " ".join(_run("pdftotext", data, "-enc", "UTF-8").split())


@dataclass
class Shown:
    """What a visitor gets of one source's records: text per page and per PDF, by address."""

    document: SourceDocument
    pages: dict[str, str] = field(default_factory=dict)
    pdfs: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # addresses a visitor may not open

    @property
    def everything(self) -> str:
        return "\n".join([*self.pages.values(), *self.pdfs.values()])

    @property
    def of_records(self) -> dict[str, str]:
        """The records' own pages and PDFs: without the pages of the people they link to, which
        list what else each person is named in."""
        pages = {url: text for url, text in self.pages.items() if not url.startswith("/personer/")}
        return pages | self.pdfs


def records(document: SourceDocument) -> tuple[list, list, list]:
    meetings = list(Meeting.objects.filter(source=document).select_related("body__partnership"))
    cases = list(
        Case.objects.filter(source=document, number__isnull=False).select_related(
            "body__partnership", "meeting"
        )
    )
    plans = list(ActionPlan.objects.filter(source=document).select_related("partnership"))
    return meetings, cases, plans


def _pdf_urls(meetings, cases, plans) -> list[str]:
    urls = []
    for meeting in meetings:
        args = {
            "partnership": meeting.body.partnership.slug,
            "body": meeting.body.slug,
            "date": meeting.url_key,
        }
        urls += [reverse("pdf:notice", kwargs=args), reverse("pdf:protocol", kwargs=args)]
    urls += [case_pdf_url(case) for case in cases]
    for plan in plans:
        urls.append(
            reverse("pdf:action_plan", kwargs={"partnership": plan.partnership.slug, "plan": plan.slug})
        )
    return urls


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code in (403, 404):
        return None
    assert response.status_code == 200, (url, response.status_code)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def shown(file_name: str) -> Shown:
    """Every public page and PDF of the records loaded from the source, read once."""
    document = SourceDocument.objects.get(file_name=file_name)
    result = Shown(document)
    client = Client()
    meetings, cases, plans = records(document)
    for record in [*meetings, *cases, *plans]:
        url = record.get_absolute_url()
        content = _get(client, url)
        if content is None:
            result.refused.append(url)
            continue
        result.pages[url] = page_text(content.decode())
        for person_url in sorted(set(re.findall(r'href="(/personer/\d+/)"', content.decode()))):
            if person_url not in result.pages:
                result.pages[person_url] = page_text(_get(client, person_url).decode())
    for url in _pdf_urls(meetings, cases, plans):
        data = _get(client, url)
        if data is None:
            result.refused.append(url)
        else:
            result.pdfs[url] = pdf_text(data)
    return result


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def dates_in(text: str) -> set[dt.date]:
    """Every day written in the text, in any of the ways the sources and the portal write one."""
    found = set()
    for day, month, year in NUMERIC_DATE.findall(text):
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            found.add(dt.date(_year(year), int(month), int(day)))
    for day, month, year in LONG_DATE.findall(text):
        found.add(dt.date(int(year), MONTHS.index(month.casefold()) + 1, int(day)))
    for year, month, day in ISO_DATE.findall(text):
        found.add(dt.date(int(year), int(month), int(day)))
    return found


def long_form(day: dt.date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def written_forms(day: dt.date) -> tuple[str, ...]:
    """The ways a day may be shown: the sources' and the portal's."""
    return (
        f"{day.day}.{day.month}.{day.year}",
        f"{day:%d.%m.%Y}",
        f"{day:%d.%m.%y}",
        long_form(day),
    )


def correction_text(document: SourceDocument) -> str:
    return "\n".join(
        f"{c.source_says}\n{c.portal_shows}\n{c.reason}"
        for c in SourceCorrection.objects.filter(source=document)
    )


def print_stamps(text: str) -> str:
    """The text without the day a PDF is made, where it says so: a plan's "Status per <day>" and
    its running footer "<title> · <day>" (a status report is as of the day it is printed)."""
    today = "|".join(re.escape(form) for form in written_forms(timezone.localdate()))
    return re.sub(rf"(Status per|·) (?:{today})", r"\1 [utskriftsdag]", text)


def unsourced_dates(text: str, source: str, document: SourceDocument) -> list[str]:
    """Each day shown in `text` that neither the source nor one of its corrections writes, and that
    is not marked as the portal's reading or as not stated, with its context."""
    allowed = dates_in(source) | dates_in(correction_text(document))
    text = print_stamps(text)
    found = []
    for pattern in (NUMERIC_DATE, LONG_DATE, ISO_DATE):
        for match in pattern.finditer(text):
            days = dates_in(match[0])
            context = text[max(0, match.start() - 120) : match.end() + 120]
            if days and not days <= allowed and not any(mark in context for mark in MARKED):
                found.append(context)
    return found


def source_lines(source: str) -> list[str]:
    """The source's text, line by line and cell by cell, as a reader sees it: markdown markers and
    list markers gone, table cells apart."""
    cells = []
    for line in source.splitlines():
        line = line.strip()
        while re.match(r"^(#+|[-•]|\d+\.(?=\s))\s+", line):
            line = re.sub(r"^(#+|[-•]|\d+\.(?=\s))\s+", "", line)
        cells += [flat(cell) for cell in line.split("\t") if cell.strip()]
    return cells


def ways_shown(line: str) -> list[str]:
    """The ways a source line may be shown as the source writes it: as written; with its footnote
    marks as superscripts apart; a heading without its closing colon; a link without its angle
    brackets; "X = Y" (a list of abbreviations) as X and Y."""
    field = FIELD.match(line)
    if field:  # a case paper's header: the portal labels the value in its own words
        value = field[2]
        if not value:  # a label alone ("Vedlegg (t):"): the label, the list under it follows
            return [field[1].split(" (")[0]]
        return [value, NUMERIC_DATE.sub(lambda day: long_form(min(dates_in(day[0]))), value)]
    ways = [line, re.sub(r" ([¹²³])", r"\1", line), re.sub(r"\s*[¹²³]", "", line)]
    ways += [way.rstrip(":;").rstrip() for way in ways if way.endswith((":", ";"))]
    ways += [re.sub(r"<(https?://[^>]+)>", r"\1", way) for way in ways if "<http" in way]
    ways += (
        [" ".join(re.split(r" (?:=|–) ", line, maxsplit=1))] if re.match(r"^[A-ZÆØÅ ]+ (=|–) ", line) else []
    )
    return ways


def missing_lines(source: str, text: str, exceptions: dict[str, str]) -> list[str]:
    """The source's lines (cells) shown in none of their ways in `text`; each exception must be a
    line of the source, and one that is in fact not shown as written (else it is no exception)."""
    lines = source_lines(source)
    for line in exceptions:
        assert line in lines, f"an exception that is no line of the source: {line}"
    missing = [line for line in lines if not any(way in text for way in ways_shown(line))]
    needless = [line for line in exceptions if line not in missing]
    assert not needless, f"shown as written after all, no exception: {needless}"
    return [line for line in missing if line not in exceptions]


def check_every_line_shown(seen: Shown, exceptions: dict[str, str]) -> None:
    source = source_text(seen.document.file_name)
    missing = missing_lines(source, seen.everything, exceptions)
    assert not missing, f"{seen.document.file_name}: not shown as the source writes it: {missing}"


def check_no_unsourced_dates(seen: Shown) -> None:
    source = source_text(seen.document.file_name)
    for url, text in seen.of_records.items():
        unsourced = unsourced_dates(text, source, seen.document)
        assert not unsourced, f"{url}: a day the source does not give: {unsourced}"
        # Nor that the next meeting's day or a meeting's place is not yet set: the source says
        # nothing of it ("Ikke oppgitt i kilden").
        assert "Ikke fastsatt" not in text, url


def check_every_date_shown(seen: Shown) -> None:
    """Each day the source writes is shown, in the source's way or the portal's."""
    text = "\n".join(seen.of_records.values())
    for day in sorted(dates_in(source_text(seen.document.file_name))):
        assert any(form in text for form in written_forms(day)), f"{day} is not shown"


def check_nothing_exempt(seen: Shown) -> None:
    """No source is an exempt paper (none is marked unntatt offentlighet), so nothing of it is
    held back from a visitor: every page and PDF of its records a visitor is refused belongs to
    a meeting that has not had its notice out or its minutes published (the source's date)."""
    source = source_text(seen.document.file_name)
    assert not re.search(r"unntatt offentlighet|offl\. ?§", source, re.IGNORECASE)
    meetings, cases, _plans = records(seen.document)
    assert not [case for case in cases if case.exempt]
    for url in seen.refused:
        meeting = next(m for m in meetings if m.get_absolute_url() in url)
        assert (
            url.endswith("protokoll.pdf") and not meeting.minutes_are_public or not meeting.agenda_is_public
        )


def check_paper_header(seen: Shown, case: Case, paper: str) -> None:
    """The case paper's header ("Saksbehandler: …", "Dato dok: …", "Vår ref: …") on the case's
    page and in its PDF, each value as written (a day in the portal's way, "4. oktober 2022");
    "Møtedato" on the meeting's page and in its notice."""
    page, printed = seen.pages[case.get_absolute_url()], seen.pdfs[case_pdf_url(case)]
    meeting_url = case.meeting.get_absolute_url()
    matches = [FIELD.match(line.strip()) for line in paper.splitlines()]
    header = [match for match in matches if match and match[2]]
    assert header
    for line in header:
        ways = ways_shown(line[0])
        where = [seen.pages[meeting_url], seen.pdfs[meeting_url + "innkalling.pdf"]]
        if line[1] != "Møtedato":
            where = [page, printed]
        for text in where:
            assert any(way in text for way in ways), (line[0], case)


def case_pdf_url(case: Case) -> str:
    args = {"partnership": case.body.partnership.slug, "body": case.body.slug}
    return reverse("pdf:case", kwargs=args | {"year": case.year, "number": case.number})


def check_no_decision_shown(text: str) -> None:
    """No decision, outcome or adoption is shown where the source gives none."""
    for word in ("Vedtak", "Vedtatt", "vedtatt i konsensus", "Konsensusvedtak", "Enstemmig"):
        assert not re.search(rf"(?<![\w-]){word}(?![\w])", text), word


def says_held(text: str) -> bool:
    return bool(re.search(r"Status Avholdt", text))


def paper_case(seen: Shown) -> Case:
    """The case of a partnership meeting's case paper ("Partnerskapsmøte sak 04-2022")."""
    number, year = re.search(r"sak (\d+)-(\d{4})", source_text(seen.document.file_name)).groups()
    return Case.objects.select_related("body__partnership", "meeting").get(
        source=seen.document, year=int(year), number=int(number)
    )


def no_held_status_test():
    """A test that no meeting loaded from the source is shown as held, which it does not say
    (a notice or case paper is written before its meeting: the meeting stays "notice issued")."""

    def test_no_status_the_source_does_not_give(seen):
        meetings = [url for url in seen.pages if "/moter/" in url]
        assert meetings and not [url for url in meetings if says_held(seen.pages[url])]

    return test_no_status_the_source_does_not_give


def seen_fixture(name: str):
    """The module's `seen`: what a visitor gets of the records loaded from the source, read once."""

    @pytest.fixture(scope="module")
    def seen(module_demo_data, django_db_blocker):
        with django_db_blocker.unblock():
            return shown(name)

    return seen


class TestEverySeed:
    """The tests every seed's module runs (imported there, so run against its `seen`)."""

    def test_every_day_it_names_is_shown(self, seen):
        check_every_date_shown(seen)

    def test_no_day_it_does_not_name_is_shown_as_fact(self, seen):
        check_no_unsourced_dates(seen)

    def test_nothing_exempt(self, seen):
        check_nothing_exempt(seen)
