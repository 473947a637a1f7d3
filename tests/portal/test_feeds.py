"""The feeds parse back as calendar clients and feed readers would read them."""

import datetime as dt
from zoneinfo import ZoneInfo

import feedparser
import pytest
from icalendar import Calendar

from meetings.models import Meeting
from tests.conftest import demo_client
from tests.portal.conftest import DRAFT_MINUTES_MARKER, EXEMPT_MARKER

OSLO = ZoneInfo("Europe/Oslo")


def parse_ics(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


@pytest.mark.django_db
def test_body_calendar_is_valid_and_public_only(demo_data):
    # Even a member's calendar client gets only what a visitor may see.
    for persona in ("visitor", "leader"):
        calendar = parse_ics(demo_client(persona).get("/troms-ofoten/fsu-bu/kalender.ics"))
        events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
        assert f"meeting-{demo_data['draft_meeting'].pk}@helsefellesskap" not in events
        may = events[f"meeting-{demo_data['may_meeting'].pk}@helsefellesskap"]
        start = may.decoded("dtstart")
        assert start == dt.datetime(2023, 5, 12, 12, 0, tzinfo=OSLO)
        assert str(may["dtstart"].params["TZID"]) == "Europe/Oslo"
        assert may.decoded("dtend") == dt.datetime(2023, 5, 12, 14, 0, tzinfo=OSLO)
        assert str(may["location"]) == "Digitalt via Teams"
        assert str(may["status"]) == "CONFIRMED"
    assert calendar.walk("VTIMEZONE"), "calendar clients need the VTIMEZONE"
    body = demo_client("visitor").get("/troms-ofoten/fsu-bu/kalender.ics").content.decode()
    assert "teams.example.invalid" not in body and EXEMPT_MARKER not in body


@pytest.mark.django_db
def test_calendar_uid_stable_and_sequence_grows_on_change(demo_data):
    meeting = demo_data["notice_meeting"]
    uid = f"meeting-{meeting.pk}@helsefellesskap"

    def event():
        calendar = parse_ics(demo_client("visitor").get("/troms-ofoten/kalender.ics"))
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
def test_dates_without_time_are_all_day_events(demo_data):
    calendar = parse_ics(demo_client("visitor").get("/lofoten-vesteralen-salten/kalender.ics"))
    pm = [e for e in calendar.walk("VEVENT") if "Partnerskapsmøtet" in str(e["summary"])]
    assert pm
    assert all(
        isinstance(e.decoded("dtstart"), dt.date) and not isinstance(e.decoded("dtstart"), dt.datetime)
        for e in pm
    )


@pytest.mark.django_db
def test_minutes_feed_lists_published_minutes_only(demo_data):
    response = demo_client("visitor").get("/lofoten-vesteralen-salten/referater.atom")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title.startswith("Referater og vedtak")
    links = [entry.link for entry in feed.entries]
    assert any(link.endswith("/samhandlingsarena-lofoten/moter/2023-06-14/") for link in links)

    response = demo_client("visitor").get("/troms-ofoten/referater.atom")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    body = response.content.decode()
    assert DRAFT_MINUTES_MARKER not in body
    assert "rutine for innmelding av saker til orientering" not in body  # unpublished decision
    assert all("2023-05-12" not in entry.link for entry in feed.entries)
    held = Meeting.objects.get(pk=demo_data["may_meeting"].pk)
    assert held.status == Meeting.Status.HELD


@pytest.mark.django_db
def test_unknown_partnership_feeds_are_404(demo_data):
    client = demo_client("visitor")
    assert client.get("/finnes-ikke/kalender.ics").status_code == 404
    assert client.get("/finnes-ikke/referater.atom").status_code == 404
    assert client.get("/troms-ofoten/finnes-ikke/kalender.ics").status_code == 404
