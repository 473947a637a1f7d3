"""What must never happen is refused by the database itself, with a clear message.

Each constraint is tried twice: through model validation (what a form shows,
in Norwegian) and straight at the database (what protects against any path
around validation).
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from actionplans.models import ActionPlan, FocusArea, Measure
from governance.models import Membership
from meetings.models import Case, Meeting
from tests.governance import factories as gf
from tests.meetings import factories as mf


def assert_refused(obj, message_nb):
    """full_clean() names the problem in Norwegian; a raw save is refused by the database."""
    with translation.override("nb"), pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    assert message_nb in " ".join(excinfo.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


@pytest.mark.django_db
def test_two_cases_with_the_same_number_in_one_body_and_year(world):
    meeting = mf.meeting(world.body)
    mf.case(meeting, number=9, order=1)
    duplicate = Case(
        body=world.body, meeting=meeting, year=meeting.start.year, number=9, order=2, title="Eventuelt"
    )
    assert_refused(duplicate, "Dette organet har allerede en sak med dette nummeret i år.")


@pytest.mark.django_db
def test_same_number_is_fine_in_another_year_or_body(world):
    meeting = mf.meeting(world.body)
    mf.case(meeting, number=9, order=1)
    mf.case(meeting, number=9, order=2, year=meeting.start.year - 1)
    other = mf.meeting(world.other_body_same_partnership)
    mf.case(other, number=9, order=1)
    # Unnumbered cases (drafts, programme items) do not collide.
    mf.case(meeting, order=3)
    mf.case(meeting, order=4)
    assert Case.objects.filter(number=9).count() == 3


@pytest.mark.django_db
def test_meeting_cannot_end_before_it_starts(world):
    start = dt.datetime(2023, 5, 12, 12, tzinfo=dt.UTC)
    meeting = Meeting(body=world.body, start=start, end=start - dt.timedelta(minutes=1))
    assert_refused(meeting, "Et møte kan ikke slutte før det begynner.")


@pytest.mark.django_db
def test_two_cases_cannot_share_an_agenda_position(world):
    meeting = mf.meeting(world.body)
    mf.case(meeting, order=1)
    clash = Case(body=world.body, meeting=meeting, year=2023, order=1, title="Annen sak")
    assert_refused(clash, "To saker kan ikke ha samme plass i en saksliste.")


@pytest.mark.django_db
def test_exempt_case_needs_its_legal_basis(world):
    meeting = mf.meeting(world.body)
    case = Case(body=world.body, meeting=meeting, year=2023, order=1, title="Sak", exempt=True)
    assert_refused(case, "En sak som er unntatt offentlighet, må ha hjemmel.")


@pytest.mark.django_db
def test_membership_cannot_end_before_it_starts(world):
    person = world.people["member"]
    seat = Membership(
        person=person, body=world.body, start_date=dt.date(2023, 1, 1), end_date=dt.date(2022, 12, 31)
    )
    assert_refused(seat, "Et medlemskap kan ikke slutte før det begynner.")


@pytest.mark.django_db
def test_action_plan_period_cannot_end_before_it_starts(world):
    plan = ActionPlan(
        partnership=world.partnership,
        title="Handlingsplan",
        slug="hp",
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2022, 1, 1),
    )
    assert_refused(plan, "En handlingsplans periode kan ikke slutte før den begynner.")


@pytest.mark.django_db
def test_measure_letters_are_unique_within_a_focus_area(world):
    plan = ActionPlan.objects.create(
        partnership=world.partnership,
        title="Handlingsplan 2023",
        slug="hp-2023",
        period_start=dt.date(2023, 1, 1),
    )
    area = FocusArea.objects.create(action_plan=plan, number="2.3", title="Personell og kompetanse")
    Measure.objects.create(focus_area=area, letter="a", text="Første")
    assert_refused(
        Measure(focus_area=area, letter="a", text="Andre"), "Dette innsatsområdet har allerede et tiltak"
    )


@pytest.mark.django_db
def test_minutes_are_approved_before_they_are_published(world):
    from django.utils import timezone

    from meetings.models import Minutes

    meeting = mf.meeting(world.body, status=Meeting.Status.HELD)
    minutes = Minutes(meeting=meeting, published_at=timezone.now())
    assert_refused(minutes, "Et referat må godkjennes før det publiseres.")


@pytest.mark.django_db
def test_case_number_is_written_as_the_partnership_writes_it(world):
    meeting = mf.meeting(world.body)
    case = mf.case(meeting, number=6, year=2023)
    assert case.case_number == "06/23"
    dash = gf.partnership(case_number_style="dash")
    pm = gf.body(dash, name="Partnerskapsmøtet", short_name="PM", slug="pm")
    pm_case = mf.case(mf.meeting(pm), number=4, year=2022)
    assert pm_case.case_number == "04-2022"
    assert mf.case(meeting, order=9).case_number == ""
