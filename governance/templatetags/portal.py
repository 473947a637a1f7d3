"""Template helpers for the portal's pages and PDFs: dates, times and labels in Norwegian.

A meeting's time is written in one place: `meeting_when` (“12. mai 2023 kl. 12.00–14.00”) and,
where only the day is wanted (titles, breadcrumbs, file names people read), `meeting_date`
(“12. mai 2023”). Pages, PDFs, feeds and e-mails use these; the formats themselves are the
active language's (helsefellesskap/formats/).
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


def _date_unknown(meeting) -> str:
    """“dato ikke oppgitt i kilden (2024, Helseinnovasjonsuka)”: never the sort key in `start`."""
    text = _("date not stated in the source")
    return f"{text} ({meeting.date_text})" if meeting.date_text else text


@register.filter
def meeting_date(meeting) -> str:
    """“12. mai 2023”: the day the meeting starts, in local time; what the source says when it
    gives no date."""
    if not meeting.date_known:
        return _date_unknown(meeting)
    return date_filter(timezone.localtime(meeting.start), "DATE_FORMAT")


@register.filter
def meeting_when(meeting) -> str:
    """“12. mai 2023 kl. 12.00–14.00”, the date alone when the time is not known, or “Dato ikke
    oppgitt i kilden (…)” when the date is not."""
    if not meeting.date_known:
        return capfirst(_date_unknown(meeting))
    start = timezone.localtime(meeting.start)
    day = meeting_date(meeting)
    if not meeting.start_time_known:
        return day
    text = _("%(day)s at %(time)s") % {"day": day, "time": date_filter(start, "TIME_FORMAT")}
    if meeting.end:
        end = timezone.localtime(meeting.end)
        if end.date() == start.date():
            text += "–" + date_filter(end, "TIME_FORMAT")
        else:
            text += " – " + date_filter(end, "DATETIME_FORMAT")
    return text


@register.filter
def meeting_place(meeting) -> str:
    """Where a meeting is, saying once that it is digital: "Digitalt via Teams" stays as it is,
    "Bodø" of a digital meeting becomes "Bodø (digitalt)"."""
    if meeting.is_digital and not meeting.place:
        return _("Digital meeting")
    if meeting.is_digital and "digital" not in meeting.place.casefold():
        return _("%(place)s (digital)") % {"place": meeting.place}
    return meeting.place


@register.simple_tag(takes_context=True)
def active(context, prefix: str) -> str:
    """aria-current for navigation links whose path starts with `prefix`."""
    request = context.get("request")
    if request is not None and request.path.startswith(prefix):
        return mark_safe('aria-current="page"')
    return ""
