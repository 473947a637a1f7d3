"""Action plan rules held by the models: status from reports, letters per goal, responsibles as
written and linked, the abbreviation list, the period and "current", the adopting case."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplans import services
from actionplans.models import Abbreviation, ActionPlan, Measure, ProgressReport
from tests.actionplans import factories as af
from tests.governance import factories as gf
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(world):
    return af.focus_area(af.action_plan(world.partnership), number="2.3")


def test_a_measure_no_report_covers_is_not_reported_and_its_latest_report_decides(area, world):
    measure = af.measure(area)
    assert measure.status == Measure.Status.NOT_REPORTED
    assert measure.get_status_display() == "ikke rapportert"
    assert Measure.Status.NOT_REPORTED != Measure.Status.NOT_STARTED
    case = mf.case(mf.meeting(world.body), number=9, year=2023)
    af.progress_report(measure, date=dt.date(2023, 5, 12), status=Measure.Status.IN_PROGRESS, case=case)
    af.progress_report(measure, date=dt.date(2023, 11, 9), status=Measure.Status.COMPLETED)
    af.progress_report(measure, date=dt.date(2023, 6, 1), status=Measure.Status.POSTPONED)
    measure = Measure.objects.prefetch_related("progress_reports").get(pk=measure.pk)
    assert measure.status == Measure.Status.COMPLETED  # the newest report, whatever the order entered
    assert [r.status for r in measure.progress_reports.all()] == ["completed", "postponed", "in_progress"]


def test_a_report_cannot_say_not_reported(area):
    """ "Not reported" is the absence of a report, never a report's status."""
    measure = af.measure(area)
    with pytest.raises(ValidationError):
        ProgressReport(measure=measure, date=dt.date(2023, 1, 1), status="not_reported").full_clean()


def test_letters_are_unique_per_goal_not_per_focus_area(area):
    first, second = (
        af.goal(area, text="Tett og forpliktende samarbeid"),
        af.goal(area, text="Bruk av teknologi"),
    )
    for letter in "abc":
        af.measure(area, goal=first, letter=letter)
    # The source prints a)–c) again under the next goal: allowed.
    for letter in "abc":
        measure = Measure(focus_area=area, goal=second, letter=letter, text=f"Tiltak {letter}")
        measure.full_clean()
        measure.save()
    with pytest.raises(ValidationError, match="Dette målet har allerede et tiltak med denne bokstaven"):
        Measure(focus_area=area, goal=second, letter="a", text="Igjen").full_clean()
    # Measures without a goal keep letters unique in their focus area.
    af.measure(area, letter="x")
    with pytest.raises(ValidationError):
        Measure(focus_area=area, letter="x", text="Igjen").full_clean()


def test_pasted_rows_start_letters_again_under_a_new_goal(world, area):
    staff = world.users["secretariat"]
    rows = "Mål A\ta) Én\tSEKR\n\tb) To\tSEKR\nMål B\ta) Tre\tSEKR\n\tFire\tSEKR\nMål C\tFem\tSEKR"
    created = services.measures_import_rows(focus_area=area, text=rows, by=staff)
    assert [(m.goal.text, m.letter) for m in created] == [
        ("Mål A", "a"),
        ("Mål A", "b"),
        ("Mål B", "a"),
        ("Mål B", "b"),  # unlettered: the next after the row above
        ("Mål C", "c"),
    ]
    with pytest.raises(ValidationError, match="Rad 2: målet har allerede et tiltak a"):
        services.measures_import_rows(focus_area=area, text="Mål A\tc) Ny\tSEKR\n\ta) Igjen\tSEKR", by=staff)


def test_responsible_wording_is_kept_and_each_named_record_linked(world, area):
    ssu = gf.body(world.partnership, name="Strategisk samarbeidsutvalg", short_name="SSU", slug="ssu")
    unn = gf.organisation(world.partnership, name="UNN HF", short_name="UNN")
    names = services.ResponsibleNames(world.partnership)
    assert names.links("FSU og SSU") == ([ssu], [])
    assert names.links("UNN og kommunene") == ([], [unn])
    assert names.links("SEKR, UNN, kommunene")[1] == [unn]
    assert names.links("Samhandl.-sjefene") == ([], []) and names.links("Felles") == ([], [])
    measure = af.measure(area, responsible_text="FSU og SSU", bodies=[ssu])
    parts = Measure.objects.get(pk=measure.pk).responsible_parts()
    assert "".join(text for text, _record, _url in parts) == "FSU og SSU"
    assert [(text, record) for text, record, _url in parts if record] == [("SSU", ssu)]
    assert [url for _text, record, url in parts if record] == [ssu.get_absolute_url()]
    # A linked record the wording does not name still shows, after the wording.
    measure.responsible_organisations.add(unn)
    parts = Measure.objects.get(pk=measure.pk).responsible_parts()
    assert "".join(text for text, _record, _url in parts) == "FSU og SSU, UNN"
    assert af.measure(area, responsible_text="").responsible_parts() == []


def test_the_abbreviation_list_is_the_plans_own_then_the_named_records(world, area):
    plan = area.action_plan
    sekr = world.partnership.bodies.get(kind="secretariat")
    unn = gf.organisation(world.partnership, name="UNN HF", short_name="UNN")
    Abbreviation.objects.create(
        action_plan=plan, order=1, body=sekr, explanation="helsefellesskapets sekretariat"
    )
    Abbreviation.objects.create(
        action_plan=plan, order=2, abbreviation="NSHP", explanation="Nasjonal helse- og sykehusplan"
    )
    measure = af.measure(area, responsible_text="SEKR, UNN, FSU BU", bodies=[sekr, world.body])
    measure.responsible_organisations.add(unn)
    plan = ActionPlan.objects.get(pk=plan.pk)
    assert plan.abbreviation_list() == [
        (sekr.short_name, "helsefellesskapets sekretariat", sekr.get_absolute_url(), True),
        ("NSHP", "Nasjonal helse- og sykehusplan", "", True),
        (world.body.short_name, world.body.name, world.body.get_absolute_url(), False),
        ("UNN", "UNN HF", "", False),
    ]
    with pytest.raises(ValidationError):
        Abbreviation(action_plan=plan, order=3).full_clean()
    with pytest.raises(ValidationError):
        Abbreviation(action_plan=plan, body=sekr, organisation=unn).full_clean()


DAYS = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.none() | DAYS,
    length=st.none() | st.integers(min_value=0, max_value=900),
    meeting_after=st.none() | st.integers(min_value=0, max_value=900),
    open_ended=st.booleans(),
    day=DAYS,
)
def test_current_in_sql_and_in_python_agree(world, start, length, meeting_after, open_ended, day):
    """One rule for "current", in two forms (the partnership page's query, the plan's page)."""
    ActionPlan.objects.all().delete()
    plan = af.action_plan(world.partnership, period_start=start, period_open_ended=open_ended)
    if start is not None and length is not None:
        plan.period_end = start + dt.timedelta(days=length)
    elif start is not None and meeting_after is not None:
        when = dt.datetime.combine(start + dt.timedelta(days=meeting_after), dt.time(9), dt.UTC)
        plan.period_end_meeting = mf.meeting(world.body, start=when)
    plan.save()
    plan = ActionPlan.objects.select_related("period_end_meeting").get(pk=plan.pk)
    in_sql = ActionPlan.objects.current(world.partnership, day=day) == plan
    assert in_sql == plan.is_current(day)
    if start is None or day < start:
        assert not in_sql
    if plan.end_date is None and not open_ended:
        assert not in_sql  # an end the source does not give is never taken as "still running"


def test_the_adopting_cases_record_decides_what_the_plan_says(world, area):
    plan = area.action_plan
    case = mf.case(mf.meeting(world.body), number=7, year=2021, proposal="Partnerskapsmøtet slutter seg til")
    case.proposal_kind = "recommendation"
    case.save()
    plan.adopted_by = case
    assert not plan.adoption_decided
    case.decision, case.outcome = "Vedtatt som foreslått", "consensus"
    assert plan.adoption_decided


def test_chapters_are_numbered_as_the_plan_numbers_them():
    plan = ActionPlan(title="Plan", introduction="Innledning.", next_steps="Videre.")
    assert plan.chapter_numbers == {}
    plan.chapters_numbered = True
    assert plan.chapter_numbers == {"introduction": 1, "focus_areas": 2, "next_steps": 3}
    plan.purpose, plan.next_steps = "Formål.", ""
    assert plan.chapter_numbers == {"purpose": 1, "introduction": 2, "focus_areas": 3}


@pytest.mark.django_db
def test_the_page_heads_its_chapters_with_their_numbers_and_the_areas_with_their_introduction(world, client):
    plan = af.action_plan(world.partnership, introduction="Innledning her.", next_steps="Videre her.")
    plan.chapters_numbered, plan.focus_areas_introduction = True, "Tre hovedsatsinger."
    plan.save()
    page = client.get(plan.get_absolute_url()).content.decode()
    for heading in ("1 Innledning", "2 Innsatsområder", "3 Veien videre"):
        assert f">{heading}</h2>" in page
    assert page.index("2 Innsatsområder") < page.index("Tre hovedsatsinger") < page.index("3 Veien videre")
