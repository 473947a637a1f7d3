"""`load_demo`, Troms og Ofoten: FSU barn og unge 12.5.2023 and Handlingsplan 2023 (seed 004 and the plan)."""

import datetime as dt

import pytest

from actionplans.models import ActionPlan, FocusArea, Measure
from meetings.models import Attachment, Case
from tests.portal.demo.seeds import TO, fsu_bu, local, meeting_on

pytestmark = pytest.mark.django_db


# --- FSU barn og unge 12.5.2023 ----------------------------------------------------------------


def test_fsu_bu_cases_are_numbered_once_in_agenda_order(output):
    meeting = meeting_on("FSU BU", TO, dt.date(2023, 5, 12))
    assert (local(meeting.start).time(), local(meeting.end).time()) == (dt.time(12), dt.time(14))
    assert meeting.place == "Digitalt via Teams" and meeting.is_digital
    assert meeting.status == "notice_issued"  # the notice does not say the meeting was held
    cases = list(meeting.cases.order_by("order"))
    assert [(case.order, case.case_number, case.kind, case.title) for case in cases] == [
        (1, "06/23", "notice_approval", "Innkalling og dagsorden"),
        (
            2,
            "07/23",
            "discussion",
            "Palliativt team for barn og unge (PALBU, Troms og Finnmark) og ønske om samarbeid ihht. "
            "helsefellesskapets vedtekter.",
        ),
        (3, "08/23", "decision", "Samhandlingsavvik BUK/Kommunene"),
        (4, "09/23", "decision", "Partnerskapsmøtet 2023"),
        (5, "10/23", "any_other_business", "Eventuelt"),
        (6, "11/23", "next_meeting", "Neste møte og kommende saker"),
    ]
    # The agenda's own shorter titles are kept beside the papers' titles.
    assert [case.agenda_title for case in cases[1:3]] == [
        "Palliativt team for barn og unge, og samhandling med kommunene",
        "Samhandlingsavvik mellom BUK UNN og kommunene",
    ]
    assert meeting.start_time_known
    numbers = list(Case.objects.filter(body=fsu_bu(), year=2023).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))

    by_number = {case.number: case for case in cases}
    origin = by_number[7].people.get()
    assert (origin.role, origin.person.name) == ("origin", "Andre Grundevig")
    assert origin.wording == "Andre Grundevig, leder av Palliativt team for barn og unge, UNN"
    assert (by_number[7].proposal_kind, by_number[7].proposal) == (
        "formed_in_meeting",
        "Vedtaket utformes i møtet.",
    )
    assert [section.heading for section in by_number[7].sections.order_by("order")] == [
        "Bakgrunn og hensikt",
        "Pasientgrupper",
        "Palliativt team for barn og unge, Troms og Finnmark",
        "Målsetting",
        "Organisering av PALBU",
        "Retningslinjer for PALBU sitt arbeid og oppgaver",
        "Samarbeidende avdelinger/miljøer",
        "Forslag til hva som skal til for å bedre samarbeidet med kommuner, og hva kan FSU bidra med?",
    ]
    pasientgrupper = by_number[7].sections.get(heading="Pasientgrupper").text
    assert pasientgrupper.rstrip().endswith("Basal-og-spesialiseret-indsats.aspx)")
    assert "\n¹ **Basal palliativ behandling** betegner" in pasientgrupper
    assert [(p.role, p.person, p.wording) for p in by_number[8].people.all()] == [
        ("origin", None, "Utvalgsleder og nestleder.")
    ]
    assert by_number[8].proposal.splitlines()[-1] == "4. FSU BU følger opp sak i møtet 09.11.23"
    # The notice's «Vedtak:» is the paper's proposal: the source records no decision.
    assert by_number[11].proposal == (
        "FSU BU tar informasjonen om neste møte og rutine for innmelding av saker til orientering."
    )
    assert by_number[11].decision == "" and by_number[11].outcome == ""
    assert Attachment.objects.get(case=by_number[9]).title == "Handlingsplan HTO 2023"
    for number in (7, 8, 9):
        assert list(by_number[number].patient_groups.values_list("slug", flat=True)) == ["barn-og-unge"]


def test_fsu_bu_previous_and_next_meetings(output):
    case_08 = Case.objects.get(body=fsu_bu(), year=2023, number=8)
    previous = case_08.previous
    assert (previous.case_number, previous.title) == ("03/23", "FSUets videre arbeid")
    assert local(previous.meeting.start).date() == dt.date(2023, 2, 8)
    assert previous.meeting.status == "minutes_published"
    assert previous.meeting.minutes.approval_method == "email_round"
    assert (
        previous.meeting.minutes.approval.date_unknown and previous.meeting.minutes.publication.date_unknown
    )
    assert previous.decision == "" and previous.outcome == ""
    assert previous.meeting.cases.count() == 1

    september = meeting_on("FSU BU", TO, dt.date(2023, 9, 6))
    assert september.status == "planned" and september.is_digital
    assert (local(september.start).time(), local(september.end).time()) == (dt.time(12), dt.time(15))


# --- Handlingsplan 2023, Troms og Ofoten -------------------------------------------------------

# (focus area, letter, responsible as written, linked bodies, linked organisations), in the order
# of the plan; letters are per goal (2.3 starts again at a) under its last goal).
MEASURES_2023 = [
    ("2.1", "a", "FSU BU", {"FSU BU"}, set()),
    ("2.1", "b", "Samhandl.-sjefene", set(), set()),
    ("2.1", "c", "UNN og kommunene", set(), {"UNN"}),
    ("2.1", "d", "FSU og SSU", {"SSU"}, set()),
    ("2.1", "e", "Utvalgsrepresentanter", set(), set()),
    ("2.1", "f", "SEKR, UNN, kommunene", {"SEKR"}, {"UNN"}),
    ("2.1", "g", "SEKR", {"SEKR"}, set()),
    ("2.1", "h", "Samhandl.-sjefene", set(), set()),
    ("2.1", "i", "SSU, FSU DIG", {"SSU", "FSU DIG"}, set()),
    ("2.2", "a", "SEKR", {"SEKR"}, set()),
    ("2.2", "b", "SEKR", {"SEKR"}, set()),
    ("2.2", "c", "SEKR", {"SEKR"}, set()),
    ("2.2", "d", "SEKR", {"SEKR"}, set()),
    ("2.2", "e", "Felles", set(), set()),
    ("2.2", "f", "FSU, SSU", {"SSU"}, set()),
    ("2.2", "g", "UNN, kommunene", set(), {"UNN"}),
    ("2.3", "a", "UNN og kommunene", set(), {"UNN"}),
    ("2.3", "b", "UNN og kommunene", set(), {"UNN"}),
    ("2.3", "c", "UNN og kommunene", set(), {"UNN"}),
    ("2.3", "d", "FSU REST", {"FSU REST"}, set()),
    ("2.3", "e", "FSU REST", {"FSU REST"}, set()),
    ("2.3", "f", "FSU REST", {"FSU REST"}, set()),
    ("2.3", "a", "UNN og kommunene", set(), {"UNN"}),
    ("2.3", "b", "UNN og kommunene", set(), {"UNN"}),
    ("2.3", "c", "FSU REST, SSU", {"FSU REST", "SSU"}, set()),
]


def test_action_plan_2023(output):
    plan = ActionPlan.objects.get(partnership__slug=TO, slug="handlingsplan-2023")
    assert plan.title == "Handlingsplan 2023"
    assert "Innbyggerens helsetjeneste - en god og trygg helsetjeneste" in plan.subtitle
    assert (plan.period_start, plan.period_end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert plan.adopted_by is None
    assert plan.patient_groups.count() == 4
    assert "- vi lærer av hverandre, med kompetansedeling på tvers." in plan.introduction
    assert plan.period_dates_inferred
    assert plan.period_text == "Handlingsplanen vil derfor i utgangspunktet gjelde for bare ett år."
    fsu_dig = plan.abbreviation_entries.get(body__short_name="FSU DIG")
    assert fsu_dig.explanation == "faglig samarbeidsutvalg for digital samhandling"
    assert plan.abbreviation_entries.count() == 10
    assert plan.next_steps.startswith("Arbeidet med ny samarbeidsavtale pågår")

    areas = list(plan.focus_areas.order_by("order"))
    assert [(area.number, area.title) for area in areas] == [
        ("2.1", "Helsetjenester til personer med sammensatte behov"),
        ("2.2", "Forebygging og egenmestring"),
        ("2.3", "Personell og kompetanse"),
    ]
    assert [area.measures.count() for area in areas] == [9, 7, 9]
    assert [area.goals.count() for area in areas] == [3, 3, 3]
    assert areas[0].description.endswith("- helsefellesskapet er pådriver")

    measures = (
        Measure.objects.filter(focus_area__action_plan=plan)
        .select_related("focus_area")
        .order_by("focus_area__order", "order")
    )
    loaded = [
        (
            measure.focus_area.number,
            measure.letter,
            measure.responsible_text,
            {body.short_name for body in measure.responsible_bodies.all()},
            {organisation.short_name for organisation in measure.responsible_organisations.all()},
        )
        for measure in measures
    ]
    assert loaded == MEASURES_2023
    assert all(
        body.partnership.slug == TO for measure in measures for body in measure.responsible_bodies.all()
    )


def test_action_plan_2023_letters_and_links(output):
    area_23 = FocusArea.objects.get(action_plan__slug="handlingsplan-2023", number="2.3")
    technology = area_23.goals.get(text="Bruk av teknologi og digitale løsninger")
    # The seed restarts at a); letters are unique per goal, so they are the seed's.
    assert list(technology.measures.order_by("order").values_list("letter", flat=True)) == ["a", "b", "c"]
    first = Measure.objects.get(
        focus_area__number="2.1", focus_area__action_plan__slug="handlingsplan-2023", letter="a"
    )
    assert first.text == "Utarbeide plan for bedre overganger barn til voksen"
    assert [case.case_number for case in first.cases.all()] == ["09/23"]
    report = first.progress_reports.get()
    assert (report.status, report.case.case_number, report.date) == (
        "in_progress",
        "09/23",
        dt.date(2023, 5, 12),
    )
    assert first.status == "in_progress"
    others = Measure.objects.filter(focus_area__action_plan__slug="handlingsplan-2023").exclude(pk=first.pk)
    assert all(measure.status == "not_reported" for measure in others)
