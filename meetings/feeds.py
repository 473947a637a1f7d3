"""Feeds for calendar clients and feed readers: what a visitor may see, nothing more.

Feeds are fetched by programs without a login, so they always use the
visitor's view (AnonymousUser), whoever asks; a member's calendar shows the
public meetings, and their papers are on the site.

What a feed holds does not grow with the years: a calendar holds the meetings of the past 12
months and every coming one, and says so in its description; the older ones are there a year at
a time (`kalender.ics?år=2023`). A meeting whose date is not stated in the source is in no
calendar (meetings/lifecycle.py: in_calendar); one whose time is not known is an all-day event.
The Atom feed holds the latest MINUTES_FEED_ITEMS minutes.

What a feed says of itself is read from the portal's address (settings.SITE_URL,
DJANGO_SITE_URL), never from the request's host name, so it is the same however the portal is
reached: the events' UIDs are on the portal's own domain, the Atom feed's id is its address
there. The calendars' time zone is written as yearly rules (meetings/vtimezone.py), which every
calendar client reads alike.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from governance.models import Body, Partnership
from governance.templatetags.portal import meeting_date

from .models import Amendment, Meeting, Minutes
from .models.meeting import URL_KEY_PREFIX
from .record import protocol_records
from .vtimezone import add_vtimezones

VISITOR = AnonymousUser()
CALENDAR_WINDOW = dt.timedelta(days=365)  # and every coming meeting
YEAR_PARAMETER = "år"
MINUTES_FEED_ITEMS = 20
# An Atom entry's id is a tag URI (RFC 4151) on the meeting's id alone ("mote-<id>", as its
# address when the date is unknown): it stays the same when the meeting's date is found or moved,
# and holds no date of the meeting. The tag's own date is a constant, the year the name
# "helsefellesskap" was taken up as the tagging authority (RFC 4151 § 2.1), never the meeting's.
# The ids are kept as feed readers know them: a new id is a new entry to every subscriber.
ENTRY_ID_PREFIX = "tag:helsefellesskap,2023:"


def _site_domain() -> str:
    """The portal's own domain name, from its address (DJANGO_SITE_URL)."""
    return urlsplit(settings.SITE_URL).hostname


def meeting_uid(meeting: Meeting) -> str:
    """The iCalendar UID of a meeting: "meeting-<id>@<the portal's domain>" (RFC 5545 § 3.8.4.7)."""
    return f"meeting-{meeting.pk}@{_site_domain()}"


def minutes_entry_id(meeting: Meeting) -> str:
    """The Atom entry id of a meeting's minutes: "tag:helsefellesskap,2023:mote-<id>/referat"."""
    return f"{ENTRY_ID_PREFIX}{URL_KEY_PREFIX}{meeting.pk}/referat"


class BadYear(ValueError):
    pass


def _calendar_year(request) -> int | None:
    """The year asked for with ?år=, or None for the default window; BadYear for anything else."""
    value = request.GET.get(YEAR_PARAMETER)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4) or not 1900 <= int(value) < 9999:
        raise BadYear(value)
    return int(value)


def _in_window(meetings, year: int | None):
    """The meetings of `year` (local time), or of the past 12 months and the future."""
    if year is None:
        return meetings.filter(start__gte=timezone.now() - CALENDAR_WINDOW)
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return meetings.filter(start__gte=start, start__lt=timezone.make_aware(dt.datetime(year + 1, 1, 1)))


def _window_description(request, year: int | None) -> str:
    if year is not None:
        return _("Meetings of %(year)s.") % {"year": year}
    example = request.build_absolute_uri(f"?{YEAR_PARAMETER}={timezone.localdate().year - 2}")
    return _(
        "Meetings of the past 12 months and all coming meetings. Older meetings a year at a time: %(example)s"
    ) % {"example": example}


def _with_sequence(meetings):
    """Annotate how many times each meeting has changed, for iCalendar's SEQUENCE."""
    history = (
        Meeting.history.model.objects.filter(id=OuterRef("pk"))
        .values("id")
        .annotate(count=Count("history_id"))
        .values("count")
    )
    latest = (
        Meeting.history.model.objects.filter(id=OuterRef("pk"))
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    return meetings.annotate(changes=Subquery(history), last_change=Subquery(latest))


def meeting_event(meeting, request) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("summary", meeting.title or meeting.body.name)
    start = timezone.localtime(meeting.start)
    if meeting.start_time_known:
        event.add("dtstart", start)
        event.add("dtend", timezone.localtime(meeting.end) if meeting.end else start + dt.timedelta(hours=2))
    else:
        event.add("dtstart", start.date())
        event.add("dtend", start.date() + dt.timedelta(days=1))
    stamp = meeting.last_change or meeting.start
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("last-modified", stamp.astimezone(dt.UTC))
    event.add("sequence", max((meeting.changes or 1) - 1, 0))
    if meeting.place:
        event.add("location", meeting.place)
    event.add("url", request.build_absolute_uri(meeting.get_absolute_url()))
    description = [meeting.body.name]
    if meeting.is_digital:
        description.append(_("Digital meeting"))
    description.append(request.build_absolute_uri(meeting.get_absolute_url()))
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
    return event


def _calendar_response(request, meetings, name) -> HttpResponse:
    try:
        year = _calendar_year(request)
    except BadYear:
        message = _("The year must have four digits, for example ?%(parameter)s=2023.") % {
            "parameter": YEAR_PARAMETER
        }
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    calendar = Calendar()
    calendar.add("prodid", "-//Helsefellesskap//Møtekalender//NB")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name if year is None else f"{name} {year}")
    calendar.add("x-wr-caldesc", _window_description(request, year))
    calendar.add("x-wr-timezone", "Europe/Oslo")
    # A meeting whose date the source does not give is not put on an invented day.
    for meeting in _in_window(meetings.in_calendar(), year):
        calendar.add_component(meeting_event(meeting, request))
    # The zone for the years of these meetings up to this one, whose rules are then in force.
    add_vtimezones(calendar, last_year=timezone.localdate().year)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kalender.ics"'
    response["Cache-Control"] = "public, max-age=900"
    return response


def _public_meetings():
    return _with_sequence(Meeting.objects.visible_to(VISITOR).select_related("body__partnership")).order_by(
        "start"
    )


@require_safe
def partnership_calendar(request, partnership):
    partnership = get_object_or_404(Partnership, slug=partnership)
    meetings = _public_meetings().filter(body__partnership=partnership)
    return _calendar_response(request, meetings, partnership.name)


@require_safe
def body_calendar(request, partnership, body):
    body = get_object_or_404(
        Body.objects.select_related("partnership"), partnership__slug=partnership, slug=body
    )
    meetings = _public_meetings().filter(body=body)
    return _calendar_response(
        request, meetings, f"{body.name} – {body.partnership.short_name or body.partnership.name}"
    )


def _latest(amendments):
    """The time of the latest of `amendments`, as a subquery."""
    return Subquery(amendments.order_by("-at").values("at")[:1])


class MinutesFeed(Feed):
    """Atom feed of published minutes and the decisions in them."""

    feed_type = Atom1Feed

    def get_object(self, request, partnership):
        return get_object_or_404(Partnership, slug=partnership)

    def title(self, obj):
        return _("Minutes and decisions – %(name)s") % {"name": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_guid(self, obj):
        """The feed's id is its address on the portal's own domain: the same whatever host name
        the request came by, so a feed reader never takes it for another feed."""
        return settings.SITE_URL + reverse("meetings:minutes_feed", args=[obj.slug])

    # The partnership writes and publishes the minutes: atom:author (RFC 4287 § 4.1.1) of the
    # feed and of each entry, so an entry copied into another feed still says whose it is.
    def author_name(self, obj):
        return obj.name

    def author_link(self, obj):
        return settings.SITE_URL + obj.get_absolute_url()

    def item_author_name(self, item):
        return item.body.partnership.name

    def item_author_link(self, item):
        return settings.SITE_URL + item.body.partnership.get_absolute_url()

    def subtitle(self, obj):
        return _("The latest %(count)s published minutes and decisions of the bodies of %(name)s.") % {
            "count": MINUTES_FEED_ITEMS,
            "name": obj.name,
        }

    def items(self, obj):
        """The latest minutes, each with the visitor's record and its latest correction, read
        for all of them at once: a feed's queries do not grow with its items. Kept on the
        meetings read for this request, never on the feed, which serves every request."""
        meetings = list(
            Meeting.objects.with_minutes_published()
            # A meeting marked published whose minutes row is missing has nothing to show.
            .filter(body__partnership=obj, minutes__isnull=False)
            .select_related("body__partnership", "minutes")
            .annotate(
                minutes_amended_at=_latest(Amendment.objects.filter(minutes=OuterRef("minutes"))),
                case_amended_at=_latest(Amendment.objects.filter(case__meeting=OuterRef("pk"))),
                minutes_recorded_at=Subquery(
                    Minutes.history.model.objects.filter(id=OuterRef("minutes"))
                    .order_by("-history_date")
                    .values("history_date")[:1]
                ),
            )
            .order_by("-start")[:MINUTES_FEED_ITEMS]
        )
        for meeting, record in zip(meetings, protocol_records(VISITOR, meetings), strict=True):
            meeting.feed_record = record
        return meetings

    def item_title(self, item):
        return _("Minutes: %(body)s %(date)s") % {
            "body": item.body.name,
            "date": meeting_date(item),
        }

    def item_description(self, item):
        """The decisions as the visitor's record has them, with their corrections marked.

        Atom carries it as `<summary type="html">`: the text is escaped as HTML here (and again
        as XML by the feed writer), so a decision that contains markup is shown as text by a
        feed reader, never run as markup.
        """
        record = item.feed_record
        blocks = []
        for entry in record.entries:
            if not entry.decision:
                continue
            title = f"{entry.label} {entry.title}".strip()
            if entry.exemption:
                title += f" ({entry.exemption})"
            block = f"{title}: {entry.decision}"
            block += "".join(f"\n{correction}" for correction in entry.corrections)
            blocks.append(block)
        blocks += [str(correction) for correction in record.corrections]
        blocks += [str(c) for section in record.sections for c in section.corrections]
        if item.minutes.publication.date_unknown:
            blocks.insert(0, _("Published; the date is not stated in the source."))
        return linebreaks("\n\n".join(blocks) or _("Minutes published."), autoescape=True)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return minutes_entry_id(item)

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        """When the minutes were published; none (no atom:published, which is optional) when the
        source does not say, rather than an invented date or the meeting's."""
        return item.minutes.published_at

    def item_updateddate(self, item):
        """A correction after publication makes the entry new again. Minutes published on a day the
        source does not give have no publication date: the entry is then as new as its record in
        the portal (Atom's `updated` is about the entry, and no day is invented for the source)."""
        dates = [item.minutes.published_at, item.minutes_amended_at, item.case_amended_at]
        return max(filter(None, dates), default=item.minutes_recorded_at)
