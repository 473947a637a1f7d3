"""Unknown is a value: a meeting's date (exact, a day, not stated) and the minutes' approval and
publication (with a date, with the date not recorded in the source, not yet)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from meetings import lifecycle, selectors, services
from meetings.models import Meeting, Minutes
from tests.meetings import factories as mf

DAY = dt.datetime(2023, 5, 12, 12, 0, tzinfo=mf.TZ)
YEAR_2024 = dt.datetime(2024, 1, 1, 0, 0, tzinfo=mf.TZ)


def unknown(body, **kwargs):
    kwargs.setdefault("date_text", "2024, Helseinnovasjonsuka")
    return mf.meeting(body, start=YEAR_2024, end=None, start_time_known=False, date_known=False, **kwargs)


@pytest.mark.django_db
def test_each_date_precision(world):
    exact = mf.meeting(world.body, start=DAY)
    day = mf.meeting(world.body, start=DAY + dt.timedelta(days=1), start_time_known=False)
    not_stated = unknown(world.body)
    assert [m.date_precision for m in (exact, day, not_stated)] == ["exact", "day", "unknown"]
    assert lifecycle.in_calendar(exact) and lifecycle.in_calendar(day)
    assert not lifecycle.in_calendar(not_stated)
    assert set(Meeting.objects.in_calendar()) == {exact, day}
    assert "2024, Helseinnovasjonsuka" in str(not_stated) and "01.01.2024" not in str(not_stated)


@pytest.mark.django_db
def test_an_unknown_date_is_addressed_by_id_and_never_by_its_sort_key(world):
    known = mf.meeting(world.body, start=DAY)
    not_stated = unknown(world.body)
    assert known.url_key == "2023-05-12"
    assert not_stated.url_key == f"mote-{not_stated.pk}"
    assert not_stated.get_absolute_url().endswith(f"/moter/mote-{not_stated.pk}/")

    def named(key):
        return list(Meeting.objects.filter(selectors.meeting_key_q(key)))

    assert named("2023-05-12") == [known]
    assert named(dt.date(2023, 5, 12)) == [known]
    assert named(f"mote-{known.pk}") == [known]  # every meeting keeps an address by id
    assert named(f"mote-{not_stated.pk}") == [not_stated]
    assert named("2024-01-01") == []  # the sort key is not a date of the meeting
    for bad in ("mote-", "mote-x", "mote-١", "2023-13-45", "", "mote-" + "9" * 40, "2023-5-12"):
        assert named(bad) == []


@pytest.mark.django_db
def test_an_unknown_date_has_no_time_or_end(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        mf.meeting(world.body, start=YEAR_2024, date_known=False, start_time_known=True, end=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        mf.meeting(world.body, start=YEAR_2024, date_known=False, start_time_known=False)  # has an end


@pytest.mark.django_db
def test_minutes_steps(world):
    held = mf.meeting(world.body, status=Meeting.Status.HELD)
    draft = mf.minutes(held)
    assert draft.approval == lifecycle.Step(False, None) and draft.publication == lifecycle.Step(False, None)

    dated = mf.minutes(mf.meeting(world.body, start=DAY + dt.timedelta(days=7)), published=True)
    assert dated.approval.done and dated.approval.at and not dated.approval.date_unknown
    assert dated.publication.done and not dated.publication.date_unknown

    published = mf.meeting(
        world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=DAY + dt.timedelta(days=14)
    )
    undated = mf.minutes(published, approval_date_known=False, publication_date_known=False)
    assert undated.approval.done and undated.approval.date_unknown
    assert undated.publication.done and undated.publication.date_unknown
    # Published with its date unrecorded is still published: the public sees it.
    assert set(Minutes.objects.published()) == {undated}
    assert lifecycle.minutes_approval(None) == lifecycle.Step(False, None)


@pytest.mark.django_db
def test_an_unknown_date_is_never_stored_next_to_a_date(world):
    meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        mf.minutes(meeting, approved=True, approval_date_known=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        mf.minutes(meeting, published=True, publication_date_known=False)
    with pytest.raises(IntegrityError), transaction.atomic():  # published before any approval
        Minutes.objects.create(meeting=meeting, published_at=DAY)
    # Published on a known day after an approval on a day the source does not give: allowed.
    assert Minutes.objects.create(meeting=meeting, approval_date_known=False, published_at=DAY).approval.done


@pytest.mark.django_db
def test_services_treat_an_undated_approval_as_an_approval(world):
    meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_APPROVED)
    minutes = mf.minutes(meeting, text="Referat", approval_date_known=False)
    with pytest.raises(ValidationError, match="allerede godkjent|already approved"):
        services.minutes_approve(
            minutes=minutes, method=Minutes.ApprovalMethod.EMAIL_ROUND, by=world.users["secretariat"]
        )
    published = services.minutes_publish(minutes=minutes, by=world.users["secretariat"])
    assert published.published_at is not None and published.approved_at is None
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MINUTES_PUBLISHED


@pytest.mark.django_db
def test_meeting_create_with_each_kind_of_date(world):
    unknown_date = services.meeting_create(
        body=world.body,
        start=YEAR_2024,
        start_time_known=False,
        date_known=False,
        date_text="2024, Helseinnovasjonsuka",
        standing_items=True,
        by=world.users["secretariat"],
    )
    assert unknown_date.date_precision == "unknown"
    assert {case.year for case in unknown_date.cases.all()} == {2024}  # the year the source gives
    day = services.meeting_create(
        body=world.body, start=DAY, start_time_known=False, by=world.users["secretariat"]
    )
    assert day.date_precision == "day"
