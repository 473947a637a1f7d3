"""Calendar clients read the portal's .ics feeds alike, and right.

Two parsers that real calendars use read each feed: ical.js (inside Thunderbird and many web
calendars; npm, run on the machine's Node.js from tests/portal/calendar_client, installed by
`make test-tools`) and Python's icalendar. Both are made to use the feed's own VTIMEZONE, never a
zone database of their own, so what is tested is what the feed says: a 12.00 meeting in Oslo is at
10:00Z in summer and 11:00Z in winter, in both, in every year the portal shows — also under the
rules Norway had before 1996 (summer time ended on the last Sunday of September).
"""

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from meetings.feeds import meeting_uid
from meetings.models import Meeting
from meetings.vtimezone import add_vtimezones
from tests.meetings import factories as mf

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC
CLIENT = Path(__file__).parent / "calendar_client"


def read_with_icaljs(ics: bytes) -> dict:
    """{uid: UTC start (or the date of an all-day event)} as ical.js reads the feed."""
    node = shutil.which("node")
    assert node, "The calendar client test runs ical.js on Node.js: apt-get install nodejs npm"
    assert (CLIENT / "node_modules" / "ical.js").is_dir(), (
        "ical.js is not installed: make test-tools (npm ci --prefix tests/portal/calendar_client)"
    )
    result = subprocess.run(
        [node, str(CLIENT / "read_calendar.mjs")], input=ics, capture_output=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    events = {}
    for event in json.loads(result.stdout):
        if "date" in event:
            events[event["uid"]] = dt.date.fromisoformat(event["date"])
        else:
            assert event["zone"] != "floating", event  # ical.js found the feed's VTIMEZONE
            events[event["uid"]] = dt.datetime.fromisoformat(event["utc"].replace("Z", "+00:00"))
    return events


def read_with_icalendar(ics: bytes) -> dict:
    """The same as Python's icalendar reads it, with a zone built from the feed's VTIMEZONE."""
    calendar = Calendar.from_ical(ics)
    zones = {str(vtz["TZID"]): vtz.to_tz(lookup_tzid=False) for vtz in calendar.walk("VTIMEZONE")}
    events = {}
    for event in calendar.walk("VEVENT"):
        start = event["DTSTART"]
        if "TZID" in start.params:
            local = start.dt.replace(tzinfo=None).replace(tzinfo=zones[str(start.params["TZID"])])
            events[str(event["UID"])] = local.astimezone(UTC)
        else:
            events[str(event["UID"])] = start.dt
    return events


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=OSLO)


@pytest.mark.django_db
def test_icaljs_and_icalendar_put_summer_and_winter_meetings_at_the_same_right_moment(world, anon_client):
    summer = mf.meeting(world.body, status=Meeting.Status.HELD, start=at_noon(dt.date(2023, 5, 12)))
    winter = mf.meeting(world.body, status=Meeting.Status.HELD, start=at_noon(dt.date(2023, 11, 16)))
    planned = mf.meeting(world.body, status=Meeting.Status.PLANNED, start=at_noon(dt.date(2023, 12, 7)))
    response = anon_client.get(f"/{world.partnership.slug}/{world.body.slug}/kalender.ics", {"år": 2023})
    assert response.status_code == 200
    expected = {
        meeting_uid(summer): dt.datetime(2023, 5, 12, 10, 0, tzinfo=UTC),  # 12.00 CEST
        meeting_uid(winter): dt.datetime(2023, 11, 16, 11, 0, tzinfo=UTC),  # 12.00 CET
    }
    for reader in (read_with_icaljs, read_with_icalendar):
        events = reader(response.content)
        assert {uid: events.get(uid) for uid in expected} == expected, reader.__name__
        assert meeting_uid(planned) not in events, reader.__name__  # a visitor may not see it yet


@pytest.mark.django_db
def test_a_year_under_norways_old_rules_is_read_right(world, anon_client):
    """Until 1995 summer time ended on the last Sunday of September (29 September in 1985): a
    meeting on 10 October 1985 was in winter time, which a zone with today's rules would miss."""
    september = mf.meeting(world.body, status=Meeting.Status.HELD, start=at_noon(dt.date(1985, 9, 26)))
    october = mf.meeting(world.body, status=Meeting.Status.HELD, start=at_noon(dt.date(1985, 10, 10)))
    response = anon_client.get(f"/{world.partnership.slug}/kalender.ics", {"år": 1985})
    expected = {
        meeting_uid(september): dt.datetime(1985, 9, 26, 10, 0, tzinfo=UTC),
        meeting_uid(october): dt.datetime(1985, 10, 10, 11, 0, tzinfo=UTC),
    }
    for reader in (read_with_icaljs, read_with_icalendar):
        events = reader(response.content)
        assert {uid: events.get(uid) for uid in expected} == expected, reader.__name__


@pytest.mark.django_db
def test_the_zone_is_yearly_rules_without_an_end_date(world, anon_client):
    mf.meeting(world.body, status=Meeting.Status.HELD, start=at_noon(dt.date(2023, 5, 12)))
    ics = anon_client.get(f"/{world.partnership.slug}/kalender.ics", {"år": 2023}).content.decode()
    (vtimezone,) = Calendar.from_ical(ics).walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Oslo"
    assert "RDATE" not in ics and "COMMENT" not in vtimezone  # no list of dates, no "valid until 2038"
    rules = {
        (observance.name, observance["RRULE"].to_ical().decode()) for observance in vtimezone.subcomponents
    }
    assert rules == {
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
        ("STANDARD", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
    }


@pytest.mark.django_db
def test_uids_are_on_the_portals_own_domain(world, anon_client, settings):
    settings.SITE_URL = "https://hf.example.no"
    meeting = mf.meeting(world.body, status=Meeting.Status.HELD, start=at_noon(dt.date(2023, 5, 12)))
    response = anon_client.get(f"/{world.partnership.slug}/kalender.ics", {"år": 2023})
    uids = {str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}
    assert uids == {f"meeting-{meeting.pk}@hf.example.no"}
    # Whatever host name the request came by.
    other = anon_client.get(f"/{world.partnership.slug}/kalender.ics", {"år": 2023}, HTTP_HOST="localhost")
    assert {str(e["UID"]) for e in Calendar.from_ical(other.content).walk("VEVENT")} == uids


ZONES_AND_YEARS = [
    (
        "Europe/Oslo",
        1938,
        2030,
    ),  # summer time in the war, none 1946–1958 and 1966–1979, rules changed 1981, 1996
    ("America/New_York", 2000, 2030),  # the United States' rules changed in 2007
    ("Australia/Sydney", 2000, 2030),  # southern hemisphere: summer time across the new year
]


def _local_times(zone: ZoneInfo, first: int, last: int):
    """Noon on the 15th of every month and on the days before and after a changeover, and every
    hour of each day the zone changes over; without the hours that do not exist or happen twice
    (how a client reads those is its own business, not the zone's)."""
    noons = {dt.date(year, month, 15) for year in range(first, last + 1) for month in range(1, 13)}
    changeovers = set()
    day = dt.date(first, 1, 1)
    while day.year <= last:
        start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        if start.utcoffset() != (start + dt.timedelta(days=1)).utcoffset():
            changeovers.add(day)
            noons |= {day - dt.timedelta(days=1), day + dt.timedelta(days=1)}
        day += dt.timedelta(days=1)
    for day in sorted(noons | changeovers):
        for hour in range(24) if day in changeovers else [12]:
            local = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=zone)
            exists = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)
            if exists and local.replace(fold=1).utcoffset() == local.utcoffset():
                yield local


@pytest.mark.parametrize(("tzid", "first", "last"), ZONES_AND_YEARS)
def test_the_zone_agrees_with_the_tz_database_in_both_clients(tzid, first, last):
    """meetings/vtimezone.py's rules, read by both clients, give every local time the offset the
    tz database gives it, in every year from `first` to `last`."""
    zone = ZoneInfo(tzid)
    calendar = Calendar()
    calendar.add("prodid", "-//Helsefellesskap//test//NB")
    calendar.add("version", "2.0")
    expected = {}
    for number, local in enumerate(_local_times(zone, first, last)):
        event = Event()
        event.add("uid", f"{number}@test")
        event.add("dtstamp", dt.datetime(2024, 1, 1, tzinfo=UTC))
        event.add("dtstart", local)
        calendar.add_component(event)
        expected[f"{number}@test"] = local.astimezone(UTC)
    add_vtimezones(calendar, last_year=last)
    ics = calendar.to_ical()
    for reader in (read_with_icaljs, read_with_icalendar):
        events = reader(ics)
        wrong = {uid: (events.get(uid), utc) for uid, utc in expected.items() if events.get(uid) != utc}
        assert not wrong, (reader.__name__, len(wrong), list(wrong.items())[:5])
