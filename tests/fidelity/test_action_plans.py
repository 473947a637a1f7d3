"""The two action plans against their sources, read from fixtures/sources/*.txt (#13).

Handlingsplan 2023 (Troms og Ofoten) is the attachment at the end of the FSU BU notice of
12 May 2023; the plan 2021–2022 (Lofoten, Vesterålen og Salten) is the attachment of PM sak
07-2021. Every focus area, goal, measure (with its letter) and responsible wording the source
prints is checked on the public plan page and in the status PDF (pdftotext), under its goal and in
the source's order; the plan's own list of abbreviations likewise; and no status, period or
decision that the source does not give is shown as fact.
"""

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse

from actionplans.models import ActionPlan, Measure
from tests import pdftools
from tests.conftest import demo_client

pytestmark = pytest.mark.django_db

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
TO = ("troms-ofoten", "handlingsplan-2023")
LVS = ("lofoten-vesteralen-salten", "handlingsplan-2021-2022")
LETTERED = re.compile(r"^([a-zæøå])\) (.+)$")


# --- The sources, read ---


@dataclass
class SourceMeasure:
    letter: str
    text: str
    responsible: str


@dataclass
class SourceGoal:
    text: str
    measures: list[SourceMeasure] = field(default_factory=list)


@dataclass
class SourceArea:
    number: str
    title: str
    goals: list[SourceGoal] = field(default_factory=list)  # a goal of "" holds measures without one

    @property
    def measures(self):
        return [measure for goal in self.goals for measure in goal.measures]


@dataclass
class SourcePlan:
    title: str
    areas: list[SourceArea]
    abbreviations: list[tuple[str, str]]


def _lines(name: str) -> list[str]:
    return (SOURCES / name).read_text(encoding="utf-8").splitlines()


def plan_2023() -> SourcePlan:
    """The attachment after the last case of the notice: from its title line to the end."""
    lines = _lines("fsu_bu_2023-05-12.txt")
    start = max(i for i, line in enumerate(lines) if line.strip() == "Handlingsplan 2023")
    lines = lines[start:]
    abbreviations = []
    first = lines.index("Forkortelser i dokumentet:") + 1
    for line in lines[first : lines.index("1 Innledning")]:
        if line.strip():
            abbreviation, _sep, explanation = re.split(r"\s+(=|–)\s+", line.strip(), maxsplit=1)
            abbreviations.append((abbreviation, explanation))
    areas, area, in_table = [], None, False
    for line in lines[lines.index("2 Innsatsområder") :]:
        heading = re.match(r"^(2\.\d) (.+)$", line)
        if heading and "\t" not in line:
            area = SourceArea(heading[1], heading[2].strip())
            areas.append(area)
        elif line.startswith("Hva vil vi?\tHvordan få det til?\tAnsvarlig"):
            in_table = True
        elif in_table and "\t" in line:
            goal, measure, responsible = line.split("\t")
            if goal.strip():
                area.goals.append(SourceGoal(goal.strip()))
            letter, text = LETTERED.match(measure.strip()).groups()
            area.goals[-1].measures.append(SourceMeasure(letter, text.strip(), responsible.strip()))
        else:
            in_table = False
    return SourcePlan("Handlingsplan 2023", areas, abbreviations)


def plan_2021() -> SourcePlan:
    """The plan in the case paper: after its purpose's list of patient groups, each line that is
    not a bullet is a focus area and the bullets under it are its measures (no goals, no letters,
    no responsible)."""
    lines = _lines("pm_sak_07-2021.txt")
    title = next(line for line in lines if line.startswith("Handlingsplan for Helsefelleskapet"))
    lines = lines[lines.index(title) :]
    purpose_end = max(i for i, line in enumerate(lines) if line == "- Personer med flere kroniske lidelser")
    areas = []
    for line in lines[purpose_end + 1 :]:
        if line.startswith("- "):
            areas[-1].goals[0].measures.append(SourceMeasure("", line[2:].strip(), ""))
        elif line.strip():
            areas.append(SourceArea("", line.strip(), [SourceGoal("")]))
    return SourcePlan(title, areas, [])


# --- The portal, read ---


def _text(markup: str) -> str:
    """What a reader sees: inline tags join their text, others part it."""
    inline = re.sub(r"</?(?:a|abbr|span|strong|em)\b[^>]*>", "", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _squash(text: str) -> str:
    """Without any white space and case-folded (as pdftools.text): the PDF breaks lines where it
    likes, and sets some headings in capitals."""
    return re.sub(r"\s+", "", text).casefold()


@pytest.fixture(scope="module")
def shown(module_demo_data, django_db_blocker):
    """(page HTML, PDF text) of each plan, as a visitor gets them."""
    with django_db_blocker.unblock():
        client = demo_client("visitor")
        result = {}
        for partnership, slug in (TO, LVS):
            page = client.get(reverse("actionplans:detail", args=[partnership, slug]))
            assert page.status_code == 200
            response = client.get(
                reverse("pdf:action_plan", kwargs={"partnership": partnership, "plan": slug})
            )
            assert response.status_code == 200
            result[slug] = (page.content.decode(), pdftools.raw_text(b"".join(response.streaming_content)))
        return result


def _areas_on_page(page: str) -> list[str]:
    return re.findall(r'<section class="case-paper" id="omrade-\d+".*?</section>', page, re.S)


def _goal_groups(area_html: str) -> list[str]:
    return re.findall(r'<tbody class="goal">(.*?)</tbody>', area_html, re.S)


def _rows(group_html: str) -> list[list[str]]:
    """The measure rows of a goal: the text of each cell."""
    rows = re.findall(r'<tr id="tiltak-\d+">(.*?)</tr>', group_html, re.S)
    return [[_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def _measure_cell(measure: SourceMeasure) -> str:
    return f"{measure.letter}) {measure.text}" if measure.letter else measure.text


@pytest.mark.parametrize(("source", "slug"), [(plan_2023, TO[1]), (plan_2021, LVS[1])])
def test_every_focus_area_goal_measure_and_responsible_is_on_the_page_under_its_goal(shown, source, slug):
    plan = source()
    page, _pdf = shown[slug]
    areas = _areas_on_page(page)
    # Focus areas without measures are listed too (2021–2022's smittevern has none).
    assert len(areas) == len(plan.areas)
    for area, area_html in zip(plan.areas, areas, strict=True):
        heading = _text(re.search(r"<h2[^>]*>(.*?)</h2>", area_html, re.S)[1])
        assert heading == f"{area.number} {area.title}".strip()
        groups = _goal_groups(area_html)
        with_measures = [goal for goal in area.goals if goal.measures]
        assert len(groups) == len(with_measures), area.title
        for goal, group in zip(with_measures, groups, strict=True):
            if goal.text:
                header = _text(re.search(r'<tr class="goal-row">(.*?)</tr>', group, re.S)[1])
                assert header == f"Hva vil vi? {goal.text}"
            rows = _rows(group)
            # Measure (with its letter), responsible as written, in the source's order.
            assert [row[:2] for row in rows] == [
                [_measure_cell(m), m.responsible or "–"] for m in goal.measures
            ], goal.text


def test_letters_start_again_under_the_last_goal_of_2_3(shown):
    """The source prints a)–c) twice in 2.3; the portal keeps them (they were renumbered g)–i))."""
    area = next(area for area in plan_2023().areas if area.number == "2.3")
    assert [m.letter for m in area.measures] == ["a", "b", "c", "d", "e", "f", "a", "b", "c"]
    area_html = next(a for a in _areas_on_page(shown[TO[1]][0]) if "2.3 Personell og kompetanse" in a)
    last = _rows(_goal_groups(area_html)[-1])
    assert [row[0][:2] for row in last] == ["a)", "b)", "c)"]


@pytest.mark.parametrize(("source", "slug"), [(plan_2023, TO[1]), (plan_2021, LVS[1])])
def test_the_status_pdf_groups_measures_under_their_goal_in_the_sources_order(shown, source, slug):
    plan = source()
    text = _squash(shown[slug][1])
    position = 0
    for area in plan.areas:
        position = text.index(_squash(f"{area.number}{area.title}"), position)
        for goal in area.goals:
            if goal.text:
                position = text.index(_squash(f"Hva vil vi? {goal.text}"), position)
            for measure in goal.measures:
                letter = f"{measure.letter})" if measure.letter else ""
                position = text.index(_squash(letter + measure.text), position) + 1
                if measure.responsible:
                    position = text.index(_squash(measure.responsible), position)


def test_responsibles_link_what_they_name_and_keep_their_wording(shown):
    page = shown[TO[1]][0]
    rows = {
        _text(cells[0]): cells
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r'<tr id="tiltak-\d+">(.*?)</tr>', page, re.S)
        )
    }
    links = {name: re.findall(r"<a [^>]*>([^<]+)</a>", cells[1]) for name, cells in rows.items()}
    explained = {name: re.findall(r"<abbr [^>]*>([^<]+)</abbr>", cells[1]) for name, cells in rows.items()}
    assert links["d) Aktiv bruk av FSU og SSU (melde relevante saker og delta i aktivt i diskusjoner)"] == [
        "SSU"
    ]
    assert links["f) Ferdigstille og implementere ny samarbeidsavtale"] == ["SEKR"]
    assert explained["f) Ferdigstille og implementere ny samarbeidsavtale"] == ["UNN"]
    assert links[
        "i) Støtte opp om pågående tiltak/prosjekt og nye initiativ til digital hjemmeoppfølging (DHO)"
    ] == [
        "SSU",
        "FSU DIG",
    ]
    assert (
        links["e) Sette temaet på dagsorden på aktuelle fagdager, seminar, konferanser, i nettverk osv."]
        == []
    )
    # "FSU" alone, "kommunene", "Felles", "Samhandl.-sjefene" name no single record: text only.
    for cells in rows.values():
        assert not re.search(r">(FSU|kommunene|Felles|Samhandl\.-sjefene)</a>", cells[1])


def test_only_the_reported_measure_has_a_status(shown):
    """The sources report on 2.1 a) only (FSU BU 09/23); every other measure is "not reported"."""
    for slug, source in ((TO[1], plan_2023), (LVS[1], plan_2021)):
        page, pdf_text = shown[slug]
        measures = [m for area in source().areas for m in area.measures]
        statuses = [_text(row[2]) for row in _rows(page)]
        reported = [i for i, status in enumerate(statuses) if not status.startswith("Ikke rapportert")]
        assert reported == ([0] if slug == TO[1] else [])
        assert len(statuses) == len(measures)
        assert "Ikke startet" not in _text(page) and "ikke startet" not in pdf_text
        assert _squash(pdf_text).count(_squash("Ikke rapportert")) == len(measures) - len(reported)
    first = _rows(shown[TO[1]][0])[0]
    assert first[2].startswith("Pågår") and first[3] == "FSU BU 09/23"
    # The report quotes the case, as the source writes it.
    quote = "FSU barn og unge er satt ansvarlig på dette punktet."
    assert quote in " ".join(_lines("fsu_bu_2023-05-12.txt")) and quote in first[2]


def test_the_plans_own_abbreviations_are_shown_as_the_source_writes_them(shown):
    source = plan_2023().abbreviations
    assert len(source) == 10
    page, pdf_text = shown[TO[1]]
    listed = re.search(r'<dl class="abbreviations">(.*?)</dl>', page, re.S)[1]
    pairs = [(_text(dt_), _text(dd)) for dt_, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", listed, re.S)]
    assert pairs[: len(source)] == source
    # What the plan names beyond its own list comes from the register, and says so.
    for abbreviation, explanation in pairs[len(source) :]:
        assert explanation.endswith("(ikke i planens egen liste; fra portalens register)"), abbreviation
    squashed = _squash(pdf_text)
    position = squashed.index(_squash("Forkortelser"))
    for abbreviation, explanation in source:
        position = squashed.index(_squash(abbreviation + explanation), position)


def test_the_abbreviations_come_from_the_bodies(shown):
    plan = ActionPlan.objects.get(slug=TO[1])
    for entry, (abbreviation, _explanation) in zip(
        plan.abbreviation_entries.select_related("body"), plan_2023().abbreviations, strict=True
    ):
        assert entry.body is not None and entry.abbreviation == ""
        assert entry.body.short_name == abbreviation


def test_no_period_the_source_does_not_give(shown):
    page, pdf_text = shown[TO[1]]
    period = _text(re.search(r"<dt>Periode</dt>\s*<dd>(.*?)</dd>", page, re.S)[1])
    sentence = "Handlingsplanen vil derfor i utgangspunktet gjelde for bare ett år."
    assert sentence in " ".join(_lines("fsu_bu_2023-05-12.txt"))
    assert period.startswith(sentence)
    # The dates are the portal's reading and are shown as such, nowhere as the source's.
    assert "tolket som 1. januar 2023 – 31. desember 2023; kilden oppgir ikke disse datoene" in period
    for text in (_text(page), " ".join(pdf_text.split())):
        assert text.count("31. desember 2023") == text.count("kilden oppgir ikke disse datoene")
    lvs_page = shown[LVS[1]][0]
    written = "Gjeldene for perioden 23. september 2021 til og med partnerskapsmøtet 2022."
    assert written in " ".join(_lines("pm_sak_07-2021.txt"))
    assert written in _text(lvs_page)


def test_a_plan_is_current_only_within_its_period(shown):
    lvs = ActionPlan.objects.get(slug=LVS[1])
    assert lvs.is_current(dt.date(2022, 10, 25)) and not lvs.is_current(dt.date(2022, 10, 26))
    assert ActionPlan.objects.current(lvs.partnership, day=dt.date(2026, 1, 1)) is None
    page = demo_client("visitor").get(reverse("portal:partnership", args=[LVS[0]]))
    assert lvs.get_absolute_url() not in page.content.decode()
    assert "Gjeldende plan" not in _text(shown[LVS[1]][0])


def test_the_adopting_case_is_shown_as_its_record_says(shown):
    """Derived from the case: "Vedtatt" only where the case holds a decision."""
    lvs = ActionPlan.objects.select_related("adopted_by").get(slug=LVS[1])
    page = _text(shown[LVS[1]][0])
    if lvs.adopted_by.decision or lvs.adopted_by.outcome:
        assert "Vedtatt av Partnerskapsmøtet i sak 07-2021" in page
    else:
        assert (
            "Lagt fram for Partnerskapsmøtet i sak 07-2021 med anbefaling; vedtaket er ikke gjengitt i kilden"
            in page
        )
        assert "Vedtatt" not in page


def test_the_2021_plan_is_not_shown_as_adopted(shown):
    source = _lines("pm_sak_07-2021.txt")
    assert "Anbefaling" in source and "Vedtak" not in source
    assert "vedtaket er ikke gjengitt i kilden" in _text(shown[LVS[1]][0])


def test_the_attachments_that_are_the_plans_link_to_them(shown):
    client = demo_client("visitor")
    for (partnership, slug), body, year, number, title in (
        (TO, "fsu-bu", 2023, 9, "Handlingsplan HTO 2023"),
        (LVS, "pm", 2021, 7, "Forslag til handlingsplan for strategisk samarbeidsutvalg (SSU)"),
    ):
        assert title in " ".join(_lines("fsu_bu_2023-05-12.txt") + _lines("pm_sak_07-2021.txt"))
        case_url = reverse("portal:case", args=[partnership, body, year, number])
        assert client.get(case_url).status_code == 200
        plan_page = shown[slug][0]
        # The plan page names the attachment and links to its case.
        assert f"«{title}»" in _text(plan_page) and f'href="{case_url}"' in plan_page


def test_measures_of_the_sources_only(shown):
    """Nothing more than the sources print: as many measures as the source, all not-reported but one."""
    for slug, source in ((TO[1], plan_2023), (LVS[1], plan_2021)):
        expected = sum(len(area.measures) for area in source().areas)
        assert Measure.objects.filter(focus_area__action_plan__slug=slug).count() == expected
