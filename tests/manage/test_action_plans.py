"""The secretariat's action-plan pages: plans, focus areas, pasted measures, adoption, progress."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplans import services
from actionplans.models import ActionPlan, FocusArea, Measure
from governance.models import Body
from meetings.models import Case
from tests.actionplans import factories as af
from tests.conftest import PERSONAS
from tests.governance import factories as gf

# The 2.2 table of Handlingsplan 2023 (shared seed 004) as pasted from Word: tab-separated.
ROWS_2_2 = (
    "Hva vil vi?\tHvordan få det til?\tAnsvarlig\n"
    "Styrke forebyggings- og folkehelseperspektivet\ta) Etablere kontakt mellom helsefellesskapet og "
    "fylkeskommunene (tannhelse og folkehelse), og samarbeide om aktiviteter der dette er aktuelt\tSEKR\n"
    "\tb) Etablere faglig nettverk for ernæring på tvers av kommuner og UNN\tSEKR\n"
    "\tc) Sette temaet på dagsorden til SSU for innspill til strategi\tSEKR\n"
    "Gode lærings- og mestringstilbud\td) Etablere kontakt mellom helsefellesskapet og Lærings- og "
    "mestringssenteret i UNN, Arbeidsmedisin i UNN og frisklivssentraler i kommunene, og samarbeide om "
    "aktiviteter der dette er aktuelt\tSEKR\n"
    "Kunnskaps- og erfaringsdeling om forebyggende tiltak\te) Sette temaet på dagsorden på aktuelle "
    "fagdager, seminar, konferanser, i nettverk osv.\tFelles\n"
    "\tf) Trekke fram gode erfaringer fra DHO og andre teknologisk støttet tiltak og oppfordre til "
    "spredning ute i tjenestene\tFSU, SSU\n"
    "\tg) Evaluere enkelte pasientforløp i et forebyggende perspektiv\tUNN, kommunene\n"
)


@pytest.fixture
def plan(meetings_world):
    """Handlingsplan 2023 of the world's partnership: 2.1 a) for body A, 2.3 with three measures."""
    world = meetings_world.world
    gf.body(world.partnership, name="Strategisk samarbeidsutvalg", short_name="SSU", slug="ssu", level=2)
    plan = af.action_plan(world.partnership, title="Handlingsplan 2023")
    area_2_1 = af.focus_area(plan, number="2.1", title="Helsetjenester til personer med sammensatte behov")
    goal = af.goal(area_2_1, text="Personsentrert, helhetlig og proaktiv helsetjeneste")
    af.measure(
        area_2_1, goal=goal, text="Utarbeide plan for bedre overganger barn til voksen", bodies=[world.body]
    )
    area_2_3 = af.focus_area(plan, number="2.3", title="Bruk av teknologi og digitale løsninger")
    for _ in range(3):
        af.measure(area_2_3)
    return plan


def slug(plan):
    return plan.partnership.slug


def measure_2_1_a(plan):
    return Measure.objects.get(focus_area__action_plan=plan, focus_area__number="2.1", letter="a")


def case_09_23(meetings_world):
    return meetings_world.cases[9]


def action_plan_urls(plan):
    return {
        "plans": reverse("manage:action_plans", args=[slug(plan)]),
        "plan": reverse("manage:action_plan", args=[slug(plan), plan.pk]),
        "measure": reverse("manage:measure", args=[slug(plan), measure_2_1_a(plan).pk]),
    }


@pytest.mark.django_db
def test_only_the_partnerships_secretariat_reaches_the_action_plan_pages(plan, client_as):
    failures = []
    for persona in PERSONAS:
        client = client_as(persona)
        for name, url in action_plan_urls(plan).items():
            response = client.get(url)
            expected = {"visitor": 302, "secretariat": 200}.get(persona, 404)
            if response.status_code != expected:
                failures.append(f"{persona} {name} {url}: {response.status_code} (expected {expected})")
            if persona == "visitor" and "/konto/login/" not in response.get("Location", ""):
                failures.append(f"visitor {name}: not sent to the login page")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_another_partnerships_secretariat_gets_404_on_troms_og_ofotens_plan(plan, world, client_as):
    other = client_as("other_secretariat")
    measure = measure_2_1_a(plan)
    other_slug = world.other_partnership.slug
    # In its own partnership's URL, with the first partnership's ids.
    assert other.get(reverse("manage:action_plan", args=[other_slug, plan.pk])).status_code == 404
    assert other.get(reverse("manage:measure", args=[other_slug, measure.pk])).status_code == 404
    assert other.get(reverse("manage:action_plans", args=[slug(plan)])).status_code == 404
    response = other.post(reverse("manage:measure", args=[slug(plan), measure.pk]), {"status": "completed"})
    assert response.status_code == 404
    measure.refresh_from_db()
    assert measure.status != "completed"


@pytest.mark.django_db
def test_action_plan_pages_have_bounded_queries(plan, secretariat_client, django_assert_max_num_queries):
    client = secretariat_client
    for name, url in action_plan_urls(plan).items():
        with django_assert_max_num_queries(30, info=name):
            assert client.get(url).status_code == 200


def _queries(client, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(30) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_plan_page_queries_do_not_grow_with_measures(
    plan, world, secretariat_client, django_assert_max_num_queries
):
    staff = world.users["secretariat"]
    plan = services.action_plan_create(
        partnership=plan.partnership, title="Målt plan", period_start=dt.date(2024, 1, 1), by=staff
    )
    area = services.focus_area_add(action_plan=plan, title="Måling", number="1.1", by=staff)
    rows = [f"Mål {i // 3}\tTiltak {i}\tSEKR, FSU BU, UNN" for i in range(9)]
    services.measures_import_rows(focus_area=area, text="\n".join(rows), by=staff)
    for report_case in Case.objects.filter(body=world.body, number__isnull=False)[:2]:
        area.measures.first().cases.add(report_case)
    client = secretariat_client
    url = reverse("manage:action_plan", args=[slug(plan), plan.pk])
    with_9 = _queries(client, url, django_assert_max_num_queries)
    more_area = services.focus_area_add(action_plan=plan, title="Mer måling", number="1.2", by=staff)
    for area_ in (area, more_area):
        count = 16 if area_ is area else 15
        rows = [f"Mål B{i // 4}\tTiltak B{i}\tSSU, UNN" for i in range(count)]
        services.measures_import_rows(focus_area=area_, text="\n".join(rows), by=staff)
    assert Measure.objects.filter(focus_area__action_plan=plan).count() == 40
    with_40 = _queries(client, url, django_assert_max_num_queries)
    assert with_9 == with_40


@pytest.mark.django_db
def test_create_a_plan_and_paste_the_2_2_rows(plan, secretariat_client):
    client = secretariat_client
    response = client.post(
        reverse("manage:action_plans", args=[slug(plan)]),
        {
            "title": "Handlingsplan 2025",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "period_text": "Hele 2025",
            "purpose": "Styre arbeidet.",
        },
    )
    plan = ActionPlan.objects.get(partnership=plan.partnership, title="Handlingsplan 2025")
    plan_url = reverse("manage:action_plan", args=[slug(plan), plan.pk])
    assert response.status_code == 302 and response["Location"] == plan_url
    assert (plan.slug, plan.period_end, plan.period_text) == (
        "handlingsplan-2025",
        dt.date(2025, 12, 31),
        "Hele 2025",
    )

    response = client.post(
        plan_url, {"action": "add_area", "area-number": "2.2", "area-title": "Forebygging og egenmestring"}
    )
    assert response.status_code == 302
    area = FocusArea.objects.get(action_plan=plan, number="2.2")

    response = client.post(plan_url, {"action": "import", "area": area.pk, f"rows-{area.pk}-text": ROWS_2_2})
    assert response.status_code == 302
    measures = list(area.measures.order_by("order").prefetch_related("responsible_bodies"))
    assert [m.letter for m in measures] == list("abcdefg")
    sekr = Body.objects.get(partnership=plan.partnership, short_name="SEKR")
    assert all(sekr in m.responsible_bodies.all() for m in measures[:4])
    assert {b.short_name for b in measures[5].responsible_bodies.all()} == {
        "SSU"
    }  # "FSU" alone names no body
    assert measures[0].goal.text == "Styrke forebyggings- og folkehelseperspektivet"
    assert (
        measures[1].goal == measures[0].goal and measures[3].goal.text == "Gode lærings- og mestringstilbud"
    )
    page = client.get(plan_url).content.decode()
    assert "Etablere faglig nettverk for ernæring" in page and "<caption>" in page


@pytest.mark.django_db
def test_a_malformed_paste_shows_the_row_error_and_keeps_the_text(plan, secretariat_client):
    client = secretariat_client
    area = plan.focus_areas.get(number="2.3")
    before = area.measures.count()
    pasted = "Mål\tx) Første tiltak\tSEKR\nbare én kolonne uten tabulator\n"
    response = client.post(
        reverse("manage:action_plan", args=[slug(plan), plan.pk]),
        {"action": "import", "area": area.pk, f"rows-{area.pk}-text": pasted},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rad 2" in page  # the Norwegian row-numbered message
    assert "bare én kolonne uten tabulator" in page  # the pasted text stays on screen
    assert 'id="error-summary"' in page
    assert area.measures.count() == before


@pytest.mark.django_db
def test_link_the_adopting_case(plan, meetings_world, secretariat_client):
    client = secretariat_client
    case = case_09_23(meetings_world)
    response = client.post(
        reverse("manage:action_plan", args=[slug(plan), plan.pk]),
        {"action": "adopt", "adoption-case": case.pk},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.adopted_by == case
    other_case = Case.objects.filter(
        body__partnership=meetings_world.world.other_partnership, number__isnull=False
    ).first()
    response = client.post(
        reverse("manage:action_plan", args=[slug(plan), plan.pk]),
        {"action": "adopt", "adoption-case": other_case.pk},
    )
    assert response.status_code == 200  # not a choice: the form says so
    plan.refresh_from_db()
    assert plan.adopted_by == case


@pytest.mark.django_db
def test_record_progress_and_see_it_on_the_public_plan(plan, meetings_world, client_as):
    client = client_as("secretariat")
    measure = measure_2_1_a(plan)
    case = case_09_23(meetings_world)
    url = reverse("manage:measure", args=[slug(plan), measure.pk])
    response = client.post(
        url,
        {
            "status": "in_progress",
            "text": "Planen for overganger er på høring.",
            "case": case.pk,
            "date": "2023-05-12",
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    measure.refresh_from_db()
    assert measure.status == "in_progress"
    report = measure.progress_reports.get()
    assert (report.case, report.reported_by, report.date) == (case, case.body, dt.date(2023, 5, 12))
    assert "Planen for overganger er på høring." in client.get(url).content.decode()
    public = client_as("visitor").get(f"/{slug(plan)}/handlingsplaner/handlingsplan-2023/")
    assert public.status_code == 200
    assert "Planen for overganger er på høring." in public.content.decode()

    response = client.post(url, {"status": "no-such-status"})
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(area=st.one_of(st.text(max_size=25), st.integers(min_value=-(2**70), max_value=2**70).map(str)))
def test_a_pasted_row_for_a_malformed_focus_area_is_404_and_adds_nothing(plan, secretariat_client, area):
    """`area=abc` (and every other value that is not one of the plan's focus areas) was a 500."""
    own = {str(pk) for pk in plan.focus_areas.values_list("pk", flat=True)}
    if area.strip() in own:
        return
    before = Measure.objects.count()
    response = secretariat_client.post(
        action_plan_urls(plan)["plan"], {"action": "import", "area": area, f"rows-{area}-text": ROWS_2_2}
    )
    assert response.status_code in (400, 404)
    assert Measure.objects.count() == before
