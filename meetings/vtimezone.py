"""VTIMEZONE components built from yearly rules, derived from the tz database (zoneinfo).

A zone's changeovers listed as one long comma-separated RDATE (what icalendar's
add_missing_timezones writes) are valid RFC 5545, but ical.js, the parser inside Thunderbird and
many web calendars, reads only the first date of such a list and then puts a summer meeting an
hour late. The zones Outlook and Google publish give each rule once, as a yearly RRULE
("the last Sunday of October at 03:00"), and every client reads those alike.

So the changeovers of the years asked for are found by asking zoneinfo for the offset (probing,
then bisecting to the second), and consecutive years that change over by the same rule become
one STANDARD or DAYLIGHT component with that RRULE: a rule the zone gave up (Norway's last Sunday
of September, 1980–1995) ends with UNTIL just after its last changeover, a rule still in force at the end
of the years asked for has no end, and a changeover that follows no yearly pattern is a component
of its own. Nothing is assumed about a zone: a zone without summer time gets one STANDARD
component, and one whose rules change is covered period by period.
"""

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PROBE_STEP = dt.timedelta(hours=6)  # no zone changes its offset twice within six hours
UNTIL_MARGIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class Observance:
    """What a zone's clocks show from some moment: the offset from UTC, whether it is summer time
    (DST), and the zone's abbreviation for it (CET, CEST)."""

    offset: dt.timedelta
    daylight: bool
    name: str


@dataclass(frozen=True)
class Changeover:
    at: dt.datetime  # UTC
    before: Observance
    after: Observance

    @property
    def onset(self) -> dt.datetime:
        """The local time of the changeover on the clocks before it, as a VTIMEZONE's DTSTART."""
        return (self.at + self.before.offset).replace(tzinfo=None)


@dataclass
class Period:
    """Consecutive years that change over to one observance by one yearly rule."""

    first: Changeover
    last: Changeover
    rules: set = field(default_factory=set)


def _observance(zone: ZoneInfo, moment: dt.datetime) -> Observance:
    local = moment.astimezone(zone)
    return Observance(local.utcoffset(), bool(local.dst()), local.tzname() or "")


def changeovers(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> tuple[Observance, list[Changeover]]:
    """The observance in effect at `start` (UTC) and every changeover up to `end`, to the second."""
    current = _observance(zone, start)
    found = []
    moment = start
    while moment < end:
        probe = min(moment + PROBE_STEP, end)
        if _observance(zone, probe) != current:
            low, high = moment, probe  # current at low, something else at high
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if _observance(zone, middle) == current:
                    low = middle
                else:
                    high = middle
            after = _observance(zone, high)
            found.append(Changeover(high, current, after))
            current = after
            moment = high  # the rest of the step is probed again: it may hold another changeover
            continue
        moment = probe
    return _observance(zone, start), found


def _rules(onset: dt.datetime) -> set:
    """The yearly rules a changeover's local date fits: its weekday counted from the start of the
    month (2SU), from its end when it is the last one (-1SU), or the day of the month itself."""
    weekday = WEEKDAYS[onset.weekday()]
    rules = {("byday", f"{(onset.day - 1) // 7 + 1}{weekday}"), ("bymonthday", onset.day)}
    if onset.day + 7 > monthrange(onset.year, onset.month)[1]:
        rules.add(("byday", f"-1{weekday}"))
    return rules


def _key(changeover: Changeover):
    onset = changeover.onset
    return (changeover.before.offset, changeover.after, onset.month, onset.time())


def periods(found: list[Changeover]) -> list[Period]:
    """Changeovers grouped into periods of consecutive years that follow one rule."""
    open_periods: dict = {}
    done = []
    for changeover in found:
        key = _key(changeover)
        rules = _rules(changeover.onset)
        period = open_periods.get(key)
        if period and changeover.onset.year == period.last.onset.year + 1 and period.rules & rules:
            period.last = changeover
            period.rules &= rules
            continue
        if period:
            done.append(period)
        open_periods[key] = Period(changeover, changeover, rules)
    return sorted(done + list(open_periods.values()), key=lambda period: period.first.at)


def _rrule(period: Period, ongoing: bool) -> dict:
    """The period's yearly rule: by weekday where every year fits one (the last one preferred, as
    the tz database writes "lastSun"), else by the day of the month."""
    byday = sorted(value for kind, value in period.rules if kind == "byday")
    rule = {"freq": "yearly", "bymonth": period.first.onset.month}
    if byday:
        rule["byday"] = next((value for value in byday if value.startswith("-1")), byday[0])
    else:
        (rule["bymonthday"],) = (value for kind, value in period.rules if kind == "bymonthday")
    if not ongoing:
        # In UTC, as RFC 5545 asks of a VTIMEZONE, and a day after the last changeover: a client
        # that compares UNTIL with the local DTSTART as if both were local times (dateutil, which
        # icalendar uses, does) would otherwise drop the last one east of Greenwich. The next
        # year's would-be changeover is months away, so the rule gives the same changeovers.
        rule["until"] = period.last.at + UNTIL_MARGIN
    return rule


def _component(observance: Observance, onset: dt.datetime, offset_from: dt.timedelta):
    component = TimezoneDaylight() if observance.daylight else TimezoneStandard()
    component.add("dtstart", onset)
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", observance.offset)
    if observance.name:
        component.add("tzname", observance.name)
    return component


@lru_cache(maxsize=64)
def _vtimezone_ical(tzid: str, first_year: int, last_year: int) -> bytes:
    zone = ZoneInfo(tzid)
    # From the year before the first (whose last changeover starts the first year) to the year
    # after the last: a rule seen then too is still in force after the years asked for.
    horizon = min(last_year + 1, 9998)
    start = dt.datetime(max(first_year - 1, 2), 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(horizon, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    initial, found = changeovers(zone, start, end)
    vtimezone = Timezone()
    vtimezone.add("tzid", tzid)
    if not any(changeover.onset.year < first_year for changeover in found):
        # No changeover in the year before: the first year begins under the observance at the start.
        onset = start.astimezone(zone).replace(tzinfo=None)
        vtimezone.add_component(_component(initial, onset, initial.offset))
    for period in periods(found):
        if period.first.onset.year == horizon:
            continue  # a rule that begins after the years asked for concerns none of them
        component = _component(period.first.after, period.first.onset, period.first.before.offset)
        ongoing = period.last.onset.year == horizon
        if period.last is not period.first or ongoing:
            component.add("rrule", _rrule(period, ongoing))
        vtimezone.add_component(component)
    return vtimezone.to_ical()


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of `tzid` for local times from `first_year` to `last_year`, both included.

    `last_year` is the last year the tz database is read for: a rule still in force then is
    given without an end (as the zone is known today), so callers pass at least the current year.
    """
    return Timezone.from_ical(_vtimezone_ical(tzid, first_year, last_year))


def add_vtimezones(calendar, *, last_year: int) -> None:
    """Give `calendar` a VTIMEZONE for each zone its events' times are in (TZID), covering the
    years of those times up to `last_year` (the current year: the rules then in force)."""
    years: dict[str, set[int]] = {}
    for event in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            prop = event.get(name)
            if prop is not None and "TZID" in prop.params:
                years.setdefault(str(prop.params["TZID"]), set()).add(prop.dt.year)
    for position, (tzid, seen) in enumerate(sorted(years.items())):
        calendar.subcomponents.insert(position, vtimezone(tzid, min(seen), max(*seen, last_year)))
