"""Action plan services: entering a plan, pasting rows from the plan's table, reporting progress."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actionplans import services
from actionplans.models import Goal, Measure
from governance.models import Body
from tests.governance import factories as gf
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db

OTHERS = ["visitor", "member", "leader", "referent", "other_member", "former_member", "other_secretariat"]

# Handlingsplan 2023 for Helsefellesskapet Troms og Ofoten, focus area 2.1, as pasted from the table.
ROWS_2_1 = "\n".join(
    [
        "Hva vil vi?\tHvordan få det til?\tAnsvarlig",
        "Personsentrert, helhetlig og proaktiv helsetjeneste\t"
        "a) Utarbeide plan for bedre overganger barn til voksen\tFSU BU",
        "\tb) Felles fagdager innen psykisk helse og rus, i samarbeid med Statsforvalteren"
        "\tSamhandl.-sjefene",
        "\tc) Styrke teamsamarbeid på tvers mellom sykehus og kommune gjennom PSHT, FACT og andre "
        "aktuelle team\tUNN og kommunene",
        "Tett og forpliktende samarbeid\td) Aktiv bruk av FSU og SSU (melde relevante saker og delta "
        "i aktivt i diskusjoner)\tFSU og SSU",
        "\te) Systematisk følge opp vedtak i SSU og FSU\tUtvalgsrepresentanter",
        "\tf) Ferdigstille og implementere ny samarbeidsavtale\tSEKR, UNN, kommunene",
        "Bruke teknologi og digitale løsninger\tg) Starte opp FSU DIG\tSEKR",
        "\th) Etablere samarbeid med e-helse Nord og DIGI-nettverkene\tSamhandl.-sjefene",
        "\ti) Støtte opp om pågående tiltak/prosjekt og nye initiativ til digital hjemmeoppfølging (DHO)"
        "\tSSU, FSU DIG",
    ]
)


@pytest.fixture
def staff(world):
    return world.users["secretariat"]


@pytest.fixture
def area(world, staff):
    plan = services.action_plan_create(
        partnership=world.partnership, title="Handlingsplan 2023", period_start=dt.date(2023, 1, 1), by=staff
    )
    return services.focus_area_add(
        action_plan=plan, number="2.1", title="Helsetjenester til personer med sammensatte behov", by=staff
    )


def test_plan_and_focus_area_with_history(world, staff, area):
    plan = area.action_plan
    assert plan.slug == "handlingsplan-2023"
    assert plan.history.latest().history_user == staff
    assert plan.history.latest().history_change_reason == "Handlingsplan opprettet"
    assert area.order == 1 and area.history.latest().history_user == staff


def test_pasted_rows_of_2_1_give_letters_a_to_i_and_link_bodies(world, staff, area):
    ssu = gf.body(
        world.partnership, name="Strategisk samarbeidsutvalg", short_name="SSU", slug="ssu", level=2
    )
    dig = gf.body(world.partnership, name="FSU digital samhandling", short_name="FSU DIG", slug="fsu-dig")
    unn = gf.organisation(world.partnership, name="Universitetssykehuset Nord-Norge HF", short_name="UNN")
    sekr = Body.objects.get(partnership=world.partnership, short_name="SEKR")

    measures = services.measures_import_rows(focus_area=area, text=ROWS_2_1, by=staff)
    assert [m.letter for m in measures] == list("abcdefghi")
    assert measures[0].text == "Utarbeide plan for bedre overganger barn til voksen"
    assert list(measures[0].responsible_bodies.all()) == [world.body]
    assert set(measures[3].responsible_bodies.all()) == {ssu}
    assert list(measures[5].responsible_bodies.all()) == [sekr]
    assert list(measures[5].responsible_organisations.all()) == [unn]
    assert list(measures[2].responsible_organisations.all()) == [unn]
    assert set(measures[8].responsible_bodies.all()) == {ssu, dig}
    assert measures[8].responsible_text == "SSU, FSU DIG"
    goals = list(area.goals.order_by("order").values_list("text", flat=True))
    assert goals == [
        "Personsentrert, helhetlig og proaktiv helsetjeneste",
        "Tett og forpliktende samarbeid",
        "Bruke teknologi og digitale løsninger",
    ]
    assert [m.goal.text[:5] for m in measures] == ["Perso"] * 3 + ["Tett "] * 3 + ["Bruke"] * 3
    assert measures[0].history.latest().history_change_reason == "Tiltak importert fra tabell"
    assert measures[0].history.latest().history_user == staff


def test_rows_without_letters_get_the_next_free_one(world, staff, area):
    services.measure_add(focus_area=area, text="Første", letter="a", by=staff)
    measures = services.measures_import_rows(
        focus_area=area, text="Mål\tUten bokstav\tSEKR\n\tc) Med bokstav\t\n\tEnda en\t", by=staff
    )
    assert [m.letter for m in measures] == ["b", "c", "d"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bare én kolonne", "Rad 1"),
        ("Mål\tTiltak\tSEKR\nMål\t\tSEKR", "Rad 2"),
        ("Mål\ta) Tiltak\tSEKR\n\ta) Igjen\tSEKR", "Rad 2"),
        ("a\tb\tc\td", "Rad 1"),
        ("", "Ingen rader"),
    ],
)
def test_malformed_rows_name_the_row(staff, area, text, message):
    with pytest.raises(ValidationError, match=message):
        services.measures_import_rows(focus_area=area, text=text, by=staff)
    assert not Measure.objects.exists() and not Goal.objects.exists()


def test_adoption_and_progress_report(world, staff, area):
    measure = services.measure_add(focus_area=area, text="Utarbeide plan", letter="a", by=staff)
    meeting = mf.meeting(world.body)
    case = mf.case(meeting, number=9, year=2023, title="Overganger barn til voksen")
    plan = services.action_plan_link_adoption(action_plan=area.action_plan, case=case, by=staff)
    assert plan.adopted_by == case
    report = services.progress_report_add(
        measure=measure, status=Measure.Status.IN_PROGRESS, text="Arbeidet er i gang.", case=case, by=staff
    )
    measure = Measure.objects.get(pk=measure.pk)
    assert measure.status == Measure.Status.IN_PROGRESS
    assert report.reported_by == world.body and list(measure.cases.all()) == [case]
    # The status is not copied onto the measure: its history is the reports'.
    assert report.history.latest().history_user == staff
    assert report.history.latest().history_change_reason == "Status rapportert"
    assert not measure.history.filter(history_change_reason="Status rapportert").exists()


def test_other_partnerships_case_is_refused(world, staff, area):
    other_case = mf.case(mf.meeting(world.other_body), number=1, year=2023)
    with pytest.raises(ValidationError):
        services.action_plan_link_adoption(action_plan=area.action_plan, case=other_case, by=staff)


@pytest.mark.parametrize("persona", OTHERS)
def test_every_other_persona_is_refused(world, staff, area, persona):
    user = world.users[persona]
    measure = services.measure_add(focus_area=area, text="Tiltak", by=staff)
    calls = [
        lambda: services.action_plan_create(
            partnership=world.partnership, title="X", period_start=dt.date(2024, 1, 1), by=user
        ),
        lambda: services.focus_area_add(action_plan=area.action_plan, title="X", by=user),
        lambda: services.goal_add(focus_area=area, text="X", by=user),
        lambda: services.measure_add(focus_area=area, text="X", by=user),
        lambda: services.measures_import_rows(focus_area=area, text="Mål\tTiltak\tSEKR", by=user),
        lambda: services.action_plan_link_adoption(action_plan=area.action_plan, case=None, by=user),
        lambda: services.progress_report_add(measure=measure, status=Measure.Status.COMPLETED, by=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert Measure.objects.count() == 1
