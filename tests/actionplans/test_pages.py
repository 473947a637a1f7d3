"""The public plan page and the secretariat's measure page after #13: goal → measures, responsibles
as written and linked, "ikke rapportert", the period as the source gives it, the abbreviation
list, attachments that are the plan; bounded queries; bad input refused in Norwegian."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from actionplans.models import Abbreviation, ActionPlan, Measure
from meetings.models import Attachment
from tests.actionplans import factories as af
from tests.conftest import assert_nul_refused, has_nul
from tests.governance import factories as gf
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    """A plan of unknown period: 2.1 with two goals, measures a)–b) and a) again."""
    ssu = gf.body(
        world.partnership, name="Strategisk samarbeidsutvalg", short_name="SSU", slug="ssu", level=2
    )
    unn = gf.organisation(world.partnership, name="UNN HF", short_name="UNN")
    plan = af.action_plan(world.partnership, title="Handlingsplan 2023", period_start=None)
    area = af.focus_area(plan, number="2.1", title="Helsetjenester til personer med sammensatte behov")
    first = af.goal(area, text="Tett og forpliktende samarbeid")
    second = af.goal(area, text="Bruk av teknologi og digitale løsninger")
    af.measure(
        area,
        goal=first,
        letter="a",
        text="Aktiv bruk av FSU og SSU",
        responsible_text="FSU og SSU",
        bodies=[ssu],
    )
    measure = af.measure(
        area, goal=first, letter="b", text="Styrke teamsamarbeid", responsible_text="UNN og kommunene"
    )
    measure.responsible_organisations.add(unn)
    af.measure(area, goal=second, letter="a", text="Prøve ut løsninger", responsible_text="Felles")
    Abbreviation.objects.create(
        action_plan=plan, order=1, body=ssu, explanation="Strategisk samarbeidsutvalg"
    )
    return plan


def page(client, plan):
    response = client.get(plan.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_groups_measures_under_their_goal_with_their_letters(plan, anon_client):
    html = page(anon_client, plan)
    first, second = html.index("Tett og forpliktende samarbeid"), html.index("Bruk av teknologi og digitale")
    assert first < html.index("a) Aktiv bruk") < html.index("b) Styrke") < second < html.index("a) Prøve ut")
    assert html.count('<tbody class="goal">') == 2
    assert html.count("Ikke rapportert") == 3 and "Ikke startet" not in html
    assert "Perioden er ikke oppgitt i kilden" in html and "Gjeldende plan" not in html
    ssu = plan.partnership.bodies.get(short_name="SSU")
    assert f'FSU og <a href="{ssu.get_absolute_url()}">SSU</a>' in html
    assert '<abbr title="UNN HF">UNN</abbr> og kommunene' in html
    assert "<dt><a" in html and "Strategisk samarbeidsutvalg" in html
    assert "(ikke i planens egen liste; fra portalens register)" in html  # UNN, from the register


def test_status_follows_the_reports_and_a_report_shows_where_it_was_given(plan, world, anon_client):
    measure = Measure.objects.get(focus_area__action_plan=plan, text="Aktiv bruk av FSU og SSU")
    case = mf.case(mf.meeting(world.body), number=9, year=2023, title="Partnerskapsmøtet 2023")
    af.progress_report(measure, case=case, status=Measure.Status.IN_PROGRESS, text="Arbeidet er i gang.")
    measure.cases.add(case)
    html = page(anon_client, plan)
    assert "Pågår" in html and html.count("Ikke rapportert") == 2
    assert "Arbeidet er i gang." in html and case.get_absolute_url() in html


def test_current_plan_and_period_as_written(plan, anon_client):
    plan.period_text = "Handlingsplanen vil derfor i utgangspunktet gjelde for bare ett år."
    today = dt.date.today()
    plan.period_start, plan.period_end, plan.period_dates_inferred = (
        today.replace(month=1, day=1),
        today.replace(month=12, day=31),
        True,
    )
    plan.save()
    html = page(anon_client, plan)
    assert plan.period_text in html and "kilden oppgir ikke disse datoene" in html
    assert "Gjeldende plan" in html
    partnership_page = anon_client.get(reverse("portal:partnership", args=[plan.partnership.slug]))
    assert plan.get_absolute_url() in partnership_page.content.decode()


def test_an_attachment_that_is_the_plan_links_to_its_case(plan, world, anon_client):
    case = mf.case(mf.meeting(world.body), number=9, year=2023, title="Partnerskapsmøtet 2023")
    attachment = Attachment.objects.create(case=case, order=1, title="Handlingsplan HTO 2023")
    plan.attachments.add(attachment)
    html = page(anon_client, plan)
    assert "«Handlingsplan HTO 2023»" in html and f'href="{case.get_absolute_url()}"' in html
    # An exempt attachment does not show its title to a visitor.
    attachment.exempt, attachment.exemption_basis = True, "offl. § 14"
    attachment.save()
    assert "Handlingsplan HTO 2023" not in page(anon_client, plan)


def test_adopting_case_without_a_decision_is_shown_as_put_before(plan, world, anon_client):
    case = mf.case(
        mf.meeting(world.body), number=7, year=2021, title="Handlingsplan", proposal="Slutter seg til"
    )
    case.proposal_kind = "recommendation"
    case.save()
    plan.adopted_by = case
    plan.save()
    html = page(anon_client, plan)
    assert (
        f"Lagt fram for {world.body.name} i sak" in html
        and "med anbefaling; vedtaket er ikke gjengitt i kilden" in html
    )
    case.decision, case.outcome = "Vedtatt.", "consensus"
    case.save()
    assert f"Vedtatt av {world.body.name} i sak" in page(anon_client, plan)


@pytest.mark.parametrize("persona", ["visitor", "member", "secretariat"])
def test_plan_page_queries_are_few_and_do_not_grow(
    plan, world, client_as, persona, django_assert_max_num_queries
):
    client = client_as(persona)

    def count():
        with django_assert_max_num_queries(15) as captured:
            page(client, plan)
        return len(captured)

    before = count()
    area = af.focus_area(plan, number="2.2")
    case = mf.case(mf.meeting(world.body), number=3, year=2023)
    unn = world.partnership.organisations.get(short_name="UNN")
    for letter in "abcdef":
        goal = af.goal(area, text=f"Mål {letter}")
        measure = af.measure(
            area,
            goal=goal,
            letter=letter,
            responsible_text="SSU, UNN",
            bodies=[plan.partnership.bodies.get(short_name="SSU")],
        )
        measure.responsible_organisations.add(unn)
        measure.cases.add(case)
        af.progress_report(measure, case=case)
        Abbreviation.objects.create(action_plan=plan, abbreviation=f"X{letter}", explanation="x")
    plan.attachments.add(Attachment.objects.create(case=case, title=f"Vedlegg {letter}"))
    assert count() == before


def measure_url(plan):
    measure = Measure.objects.get(focus_area__action_plan=plan, text="Styrke teamsamarbeid")
    return measure, reverse("manage:measure", args=[plan.partnership.slug, measure.pk])


def test_the_secretariat_corrects_a_measure_with_several_responsibles(plan, world, secretariat_client):
    measure, url = measure_url(plan)
    ssu = plan.partnership.bodies.get(short_name="SSU")
    unn = plan.partnership.organisations.get(short_name="UNN")
    second = measure.focus_area.goals.get(text__startswith="Bruk av")
    response = secretariat_client.post(
        url,
        {
            "action": "edit",
            "measure-goal": second.pk,
            "measure-letter": "B",
            "measure-text": "Styrke teamsamarbeid på tvers",
            "measure-responsible_text": "UNN, SSU og FSU BU",
            "measure-responsible_bodies": [ssu.pk, world.body.pk],
            "measure-responsible_organisations": [unn.pk],
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get(pk=measure.pk)
    assert (measure.goal, measure.letter, measure.responsible_text) == (second, "b", "UNN, SSU og FSU BU")
    assert set(measure.responsible_bodies.all()) == {ssu, world.body}
    assert list(measure.responsible_organisations.all()) == [unn]
    assert measure.history.latest().history_change_reason == "Tiltak rettet"
    html = secretariat_client.get(url).content.decode()
    assert "Ikke rapportert" in html
    # The progress form offers what a report can say: never "not reported".
    assert 'value="not_reported"' not in html


def test_a_letter_taken_in_the_goal_is_refused_in_norwegian_and_the_text_stays(plan, secretariat_client):
    measure, url = measure_url(plan)
    response = secretariat_client.post(
        url,
        {
            "action": "edit",
            "measure-goal": measure.goal_id,
            "measure-letter": "a",
            "measure-text": "Ny tekst som ikke skal gå tapt",
            "measure-responsible_text": "UNN og kommunene",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dette målet har allerede et tiltak med denne bokstaven" in html
    assert "Ny tekst som ikke skal gå tapt" in html
    assert Measure.objects.get(pk=measure.pk).text == "Styrke teamsamarbeid"


ID = st.one_of(st.text(max_size=12), st.integers(min_value=-(2**70), max_value=2**70).map(str))


@settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(goal=ID, letter=st.text(max_size=6), bodies=st.lists(ID, max_size=3), status=st.text(max_size=15))
def test_bad_input_to_the_measure_forms_is_a_4xx_in_norwegian_and_changes_nothing(
    plan, secretariat_client, goal, letter, bodies, status
):
    measure, url = measure_url(plan)
    before = (measure.goal_id, measure.letter, measure.text, list(measure.responsible_bodies.all()))
    edit = secretariat_client.post(
        url,
        {
            "action": "edit",
            "measure-goal": goal,
            "measure-letter": letter,
            "measure-text": "",  # required: always refused
            "measure-responsible_bodies": bodies,
        },
    )
    if has_nul({"goal": goal, "letter": letter, **{str(i): body for i, body in enumerate(bodies)}}):
        assert_nul_refused(edit)
    else:
        assert edit.status_code == 400 and "Feltet er påkrevet." in edit.content.decode()
    if status not in {"in_progress", "completed", "postponed", "cancelled", "not_started"}:
        report = secretariat_client.post(url, {"action": "report", "status": status})
        if has_nul(status):
            assert_nul_refused(report)
        else:
            assert report.status_code == 400
            assert ("Velg et gyldig valg" if status else "Feltet er påkrevet.") in report.content.decode()
    measure = Measure.objects.get(pk=measure.pk)
    assert (measure.goal_id, measure.letter, measure.text, list(measure.responsible_bodies.all())) == before
    assert not measure.progress_reports.exists()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"period_dates_inferred": "on"}, "Det er ingen datoer å merke som utledet."),
        (
            {"period_start": "2021-09-23", "period_end": "2022-10-25", "period_open_ended": "on"},
            "En plan som gjelder inntil videre, har ingen sluttdato.",
        ),
        ({"period_start": "2023-12-31", "period_end": "2023-01-01"}, "kan ikke slutte før den begynner"),
        ({"period_start": "ikke en dato"}, "Oppgi en gyldig dato."),
    ],
)
def test_a_plan_with_an_impossible_period_is_refused_in_norwegian(plan, secretariat_client, period, message):
    before = ActionPlan.objects.count()
    response = secretariat_client.post(
        reverse("manage:action_plans", args=[plan.partnership.slug]),
        {"title": "Handlingsplan 2021-2022", "period_text": "til og med partnerskapsmøtet 2022", **period},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "til og med partnerskapsmøtet 2022" in html
    assert ActionPlan.objects.count() == before


def test_a_plan_of_unknown_period_can_be_created(plan, secretariat_client):
    response = secretariat_client.post(
        reverse("manage:action_plans", args=[plan.partnership.slug]), {"title": "Plan uten periode"}
    )
    assert response.status_code == 302
    created = ActionPlan.objects.get(title="Plan uten periode")
    assert created.period_start is None and not created.is_current(dt.date.today())
