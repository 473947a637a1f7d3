"""The feeds parse back as calendar clients and feed readers would read them.

On factories: body A's calendar holds a held meeting with draft minutes and a decision not yet
published, a notice with an online link and an exempt case, and a draft; the other
partnership has Partnerskapsmøtet's meetings without a known time and a meeting of
Samhandlingsarena Lofoten with published minutes.
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.utils import timezone
from icalendar import Calendar

from meetings.feeds import meeting_uid
from meetings.models import Case, Meeting
from tests.governance import factories as gf
from tests.meetings import factories as mf
from tests.portal.conftest import DRAFT_MINUTES_MARKER, EXEMPT_MARKER

OSLO = ZoneInfo("Europe/Oslo")
UNPUBLISHED_DECISION = (
    "FSU BU tar informasjonen om neste møte og rutine for innmelding av saker til orientering."
)


@pytest.fixture
def feeds(world):
    body = world.body
    may = mf.meeting(
        body,
        status=Meeting.Status.HELD,
        start=dt.datetime(2023, 5, 12, 12, 0, tzinfo=OSLO),
        end=dt.datetime(2023, 5, 12, 14, 0, tzinfo=OSLO),
        place="Digitalt via Teams",
        is_digital=True,
    )
    mf.case(
        may,
        number=11,
        title="Neste møte",
        decision=UNPUBLISHED_DECISION,
        outcome=Case.Outcome.FOR_INFORMATION,
    )
    mf.minutes(may, text=f"{DRAFT_MINUTES_MARKER} – ikke godkjent")
    soon = timezone.now() + dt.timedelta(days=14)
    notice = mf.meeting(body, start=soon, place="Teams", online_link="https://teams.example.invalid/demo")
    mf.case(notice, number=1, year=soon.year, exempt=True, title=f"{EXEMPT_MARKER}: sak om en enkeltpasient")
    draft = mf.meeting(body, status=Meeting.Status.PLANNED, start=timezone.now() + dt.timedelta(days=30))

    other = world.other_partnership
    pm = gf.body(other, name="Partnerskapsmøtet", short_name="PM", slug="pm", level=1)
    for day in (dt.date(2021, 9, 23), dt.date(2022, 10, 25)):
        start = dt.datetime.combine(day, dt.time(12), tzinfo=OSLO)  # a placeholder time
        mf.meeting(pm, status=Meeting.Status.HELD, start=start, start_time_known=False)
    arena = gf.body(
        other, name="Samhandlingsarena Lofoten", short_name="SA", slug="samhandlingsarena-lofoten"
    )
    lofoten = mf.meeting(
        arena, status=Meeting.Status.MINUTES_PUBLISHED, start=dt.datetime(2023, 6, 14, 10, 0, tzinfo=OSLO)
    )
    mf.minutes(lofoten, published=True, text="Referat fra Henningsvær")
    return SimpleNamespace(
        to=world.partnership.slug, other=other.slug, body=body.slug, may=may, notice=notice, draft=draft
    )


def parse_ics(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


@pytest.mark.django_db
def test_body_calendar_is_valid_and_public_only(feeds, client_as):
    url = f"/{feeds.to}/{feeds.body}/kalender.ics"
    # Even a member's calendar client gets only what a visitor may see.
    for persona in ("visitor", "leader"):
        calendar = parse_ics(client_as(persona).get(url, {"år": 2023}))  # older than the window
        events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
        may = events[meeting_uid(feeds.may)]
        start = may.decoded("dtstart")
        assert start == dt.datetime(2023, 5, 12, 12, 0, tzinfo=OSLO)
        assert str(may["dtstart"].params["TZID"]) == "Europe/Oslo"
        assert may.decoded("dtend") == dt.datetime(2023, 5, 12, 14, 0, tzinfo=OSLO)
        assert str(may["location"]) == "Digitalt via Teams"
        assert str(may["status"]) == "CONFIRMED"
    assert calendar.walk("VTIMEZONE"), "calendar clients need the VTIMEZONE"
    events = {str(e["uid"]) for e in parse_ics(client_as("leader").get(url)).walk("VEVENT")}
    assert meeting_uid(feeds.draft) not in events
    assert meeting_uid(feeds.notice) in events  # the one with the online link
    body = client_as("visitor").get(url).content.decode()
    assert "teams.example.invalid" not in body and EXEMPT_MARKER not in body


@pytest.mark.django_db
def test_calendar_uid_stable_and_sequence_grows_on_change(feeds, anon_client):
    meeting = feeds.notice
    uid = meeting_uid(meeting)

    def event():
        calendar = parse_ics(anon_client.get(f"/{feeds.to}/kalender.ics"))
        return next(e for e in calendar.walk("VEVENT") if str(e["uid"]) == uid)

    before = event()
    meeting.place = "Tromsø, UNN Breivika"
    meeting.save()
    after = event()
    assert int(after["sequence"]) > int(before["sequence"])
    assert str(after["location"]) == "Tromsø, UNN Breivika"

    meeting.cancelled_at = meeting.start - dt.timedelta(days=1)
    meeting.save()
    assert str(event()["status"]) == "CANCELLED"


@pytest.mark.django_db
def test_dates_without_time_are_all_day_events(feeds, anon_client):
    calendar = parse_ics(anon_client.get(f"/{feeds.other}/kalender.ics", {"år": 2022}))
    pm = [e for e in calendar.walk("VEVENT") if "Partnerskapsmøtet" in str(e["summary"])]
    assert pm
    assert all(
        isinstance(e.decoded("dtstart"), dt.date) and not isinstance(e.decoded("dtstart"), dt.datetime)
        for e in pm
    )


@pytest.mark.django_db
def test_minutes_feed_lists_published_minutes_only(feeds, anon_client):
    response = anon_client.get(f"/{feeds.other}/referater.atom")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title.startswith("Referater og vedtak")
    links = [entry.link for entry in feed.entries]
    assert any(link.endswith("/samhandlingsarena-lofoten/moter/2023-06-14/") for link in links)

    response = anon_client.get(f"/{feeds.to}/referater.atom")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    body = response.content.decode()
    assert DRAFT_MINUTES_MARKER not in body
    assert "rutine for innmelding av saker til orientering" not in body  # unpublished decision
    assert all("2023-05-12" not in entry.link for entry in feed.entries)
    held = Meeting.objects.get(pk=feeds.may.pk)
    assert held.status == Meeting.Status.HELD


@pytest.mark.django_db
def test_unknown_partnership_feeds_are_404(feeds, anon_client):
    client = anon_client
    assert client.get("/finnes-ikke/kalender.ics").status_code == 404
    assert client.get("/finnes-ikke/referater.atom").status_code == 404
    assert client.get(f"/{feeds.to}/finnes-ikke/kalender.ics").status_code == 404


@pytest.mark.django_db
def test_minutes_feed_escapes_markup_in_decisions(world, anon_client):
    """A decision containing markup reaches a feed reader as text, never as live HTML."""
    meeting = mf.meeting(
        world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=dt.datetime(2023, 3, 1, 12, tzinfo=OSLO)
    )
    mf.case(meeting, number=4, title="Sak <i>med</i> markering", decision='<script>alert("x")</script> & <b>')
    mf.minutes(meeting, published=True, text="Referat")
    response = anon_client.get(f"/{world.partnership.slug}/referater.atom")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    (entry,) = [e for e in feed.entries if "2023-03-01" in e.link]
    summary = entry.summary_detail
    assert summary.type == "text/html"
    # What the reader renders as HTML has the markup as escaped text.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in summary.value
    assert "Sak &lt;i&gt;med&lt;/i&gt; markering" in summary.value
    assert "<script" not in summary.value
    raw = response.content.decode()
    assert "&lt;script" not in raw.replace("&amp;lt;script", "")


@pytest.mark.django_db
def test_minutes_feed_skips_a_published_meeting_without_minutes(world, anon_client):
    """A meeting marked published with no minutes row must not break the feed (it was a 500)."""
    mf.meeting(
        world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=dt.datetime(2023, 4, 1, 12, tzinfo=OSLO)
    )
    response = anon_client.get(f"/{world.partnership.slug}/referater.atom")
    assert response.status_code == 200
    assert all("2023-04-01" not in entry.link for entry in feedparser.parse(response.content).entries)


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["partnership", "body"])
def test_calendars_hold_the_past_year_and_the_future_and_older_years_on_request(world, anon_client, scope):
    now = timezone.now()
    ages = {"13 months ago": 395, "11 months ago": 335, "in a year": -365, "in 2021": None}
    meetings = {
        label: mf.meeting(
            world.body,
            status=Meeting.Status.HELD if days is None or days > 0 else Meeting.Status.NOTICE_ISSUED,
            start=dt.datetime(2021, 3, 4, 12, tzinfo=OSLO) if days is None else now - dt.timedelta(days=days),
        )
        for label, days in ages.items()
    }
    url = f"/{world.partnership.slug}/kalender.ics"
    if scope == "body":
        url = f"/{world.partnership.slug}/{world.body.slug}/kalender.ics"

    def uids(**params):
        calendar = parse_ics(anon_client.get(url, params))
        return calendar, {str(e["uid"]) for e in calendar.walk("VEVENT")}

    def uid(label):
        return meeting_uid(meetings[label])

    calendar, shown = uids()
    assert shown == {uid("11 months ago"), uid("in a year")}
    # The calendar says what it holds and how to reach the rest, in bokmål.
    description = str(calendar["x-wr-caldesc"])
    assert "siste 12 månedene" in description and "kalender.ics?%C3%A5r=" in description
    old = meetings["13 months ago"].start.astimezone(OSLO).year
    assert uid("13 months ago") in uids(år=old)[1]
    calendar, shown = uids(år=2021)
    assert shown == {uid("in 2021")} and "2021" in str(calendar["x-wr-calname"])
    assert uids(år=2019)[1] == set()


@pytest.mark.django_db
def test_a_bad_year_is_a_norwegian_400(world, anon_client):
    url = f"/{world.partnership.slug}/kalender.ics"
    for bad in ("abc", "23", "20233", "٢٠٢٣", "-202", "0000", "9999", ""):
        response = anon_client.get(url, {"år": bad})
        assert response.status_code == 400, bad
        assert "Året må ha fire sifre" in response.content.decode(), bad


@pytest.mark.django_db
def test_minutes_feed_holds_the_latest_only(world, anon_client):
    from meetings.feeds import MINUTES_FEED_ITEMS

    starts = [dt.datetime(2020, 1, 1, 12, tzinfo=OSLO) + dt.timedelta(days=7 * i) for i in range(25)]
    for start in starts:
        meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=start)
        mf.minutes(meeting, published=True)
    feed = feedparser.parse(anon_client.get(f"/{world.partnership.slug}/referater.atom").content)
    assert len(feed.entries) == MINUTES_FEED_ITEMS < len(starts)
    newest = {f"{start.astimezone(OSLO):%Y-%m-%d}" for start in starts[-MINUTES_FEED_ITEMS:]}
    assert {entry.link.rstrip("/").rsplit("/", 1)[1] for entry in feed.entries} == newest
    assert f"siste {MINUTES_FEED_ITEMS}" in feed.feed.subtitle
