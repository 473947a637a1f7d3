"""governance.querysets.PreparedQuery (issue #12): a queryset compiled once per shape and run
with each call's values gives exactly the rows the queryset built for those values gives, for
every reader; and the meeting page's reads through it (selectors.meeting_on, selectors.agenda)
agree with the plain visibility querysets for every persona, status and kind of URL key."""

import datetime as dt

import pytest
from django.utils import timezone

from governance.permissions import viewer_for
from governance.querysets import PreparedQuery
from meetings import permissions, selectors
from meetings.models import Attendance, Case, Meeting
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 5, 12)


@pytest.fixture
def meetings(world):
    """A meeting in each status on its own day, one with an undated start, one in another body."""
    made = {}
    for offset, status in enumerate(Meeting.Status):
        start = dt.datetime.combine(DAY + dt.timedelta(days=offset), dt.time(12), tzinfo=mf.TZ)
        made[status] = mf.meeting(world.body, status=status, start=start)
        mf.case(made[status], number=2 * offset + 1, title=f"Sak i {status}")
        mf.case(made[status], number=2 * offset + 2, title="Unntatt", exempt=True)
    made["undated"] = mf.meeting(
        world.body, status=Meeting.Status.NOTICE_ISSUED, date_known=False, start_time_known=False, end=None
    )
    made["other body"] = mf.meeting(world.other_body_same_partnership, status=Meeting.Status.NOTICE_ISSUED)
    return made


def _plain_meeting_on(user, *, partnership, body, day):
    return (
        Meeting.objects.visible_to(user)
        .filter(selectors.meeting_key_q(day), body__partnership__slug=partnership, body__slug=body)
        .order_by("start")
        .first()
    )


def _keys(meeting):
    local = timezone.localtime(meeting.start).date()
    return [local, local.isoformat(), f"mote-{meeting.pk}", meeting.url_key]


def test_meeting_on_finds_what_the_visibility_queryset_finds_for_every_reader(world, meetings):
    slugs = {"partnership": world.partnership.slug, "body": world.body.slug}
    for name, user in world.users.items():
        for meeting in meetings.values():
            for key in [*_keys(meeting), "1999-01-01", "mote-0", "mote-x", "2023-13-45", "nonsense"]:
                expected = _plain_meeting_on(user, day=key, **slugs)
                try:
                    found = selectors.meeting_on(user, day=key, **slugs)
                except Meeting.DoesNotExist:
                    found = None
                assert found == expected, (name, meeting.status, key)
                if found is not None:
                    assert found.body.partnership.slug == world.partnership.slug
    # Another partnership's or body's slug finds nothing, whatever the key.
    for meeting in meetings.values():
        with pytest.raises(Meeting.DoesNotExist):
            selectors.meeting_on(
                world.users["secretariat"],
                partnership=world.other_partnership.slug,
                body=world.body.slug,
                day=meeting.url_key,
            )


def test_the_agenda_is_the_meetings_cases_in_order_for_every_meeting(world, meetings):
    for meeting in meetings.values():
        for user in world.users.values():
            cases, _record = selectors.agenda(user, meeting)
            expected = list(Case.objects.filter(meeting=meeting).order_by("order", "number", "pk"))
            assert cases == expected
            assert all(case.meeting is meeting for case in cases)


def test_a_referent_reads_draft_minutes_without_a_query_of_its_own(
    world, meetings, django_assert_num_queries
):
    held = meetings[Meeting.Status.HELD]
    member = world.users["member"]
    slugs = {"partnership": world.partnership.slug, "body": world.body.slug, "day": held.url_key}
    viewer_for(member)  # the standing, read once per request anyway
    for is_referent in (False, True):
        if is_referent:
            Attendance.objects.create(meeting=held, person=world.people["member"], is_referent=True)
        meeting = selectors.meeting_on(member, **slugs)
        with django_assert_num_queries(0):
            shown = permissions.can_view_minutes(member, meeting)
        assert shown is is_referent
        assert shown is permissions.can_view_minutes(member, Meeting.objects.get(pk=held.pk))


def test_compiled_once_per_shape_and_each_call_runs_with_its_own_values(world, meetings):
    built = []

    def build(pk, body_slug, _shape):
        built.append(pk)
        return Meeting.objects.filter(pk=pk, body__slug=body_slug).order_by("pk")

    prepared = PreparedQuery(build)
    for meeting in meetings.values():
        assert list(prepared((meeting.pk, meeting.body.slug), "a")) == [meeting]
        assert list(prepared((meeting.pk, "no-such-body"), "a")) == []
    assert len(built) == 1
    list(prepared((1, "x"), "b"))
    assert len(built) == 2


def test_a_prepared_query_refuses_to_be_changed(world, meetings):
    prepared = PreparedQuery(lambda pk: Meeting.objects.filter(pk=pk))
    meeting = meetings[Meeting.Status.NOTICE_ISSUED]
    for change in (
        lambda queryset: queryset.filter(status="planned"),
        lambda queryset: queryset.order_by("pk"),
        lambda queryset: queryset.first(),
        lambda queryset: queryset[:1],
    ):
        with pytest.raises(TypeError):
            change(prepared((meeting.pk,)))


def test_a_value_that_does_not_reach_the_sql_is_refused(world):
    ignored = PreparedQuery(lambda pk, slug: Meeting.objects.filter(pk=pk))
    with pytest.raises(ValueError):
        list(ignored((1, "fsu-bu")))
    with pytest.raises(TypeError):
        PreparedQuery(lambda flag: Meeting.objects.filter(is_open=flag))((True,))


def test_dates_as_values_on_every_backend(world, meetings):
    """SQLite passes a date on as its ISO text, PostgreSQL as a date: both are filled in."""
    prepared = PreparedQuery(
        lambda day: Meeting.objects.filter(start__date=day, body=world.body).order_by("pk")
    )
    for meeting in meetings.values():
        if meeting.body_id == world.body.pk and meeting.date_known:
            local = timezone.localtime(meeting.start).date()
            assert meeting in list(prepared((local,)))
    assert list(prepared((dt.date(1999, 1, 1),))) == []
