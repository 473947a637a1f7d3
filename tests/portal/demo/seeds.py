"""Helpers for the tests of `load_demo`: the partnerships' slugs, Oslo time, finding a meeting."""

import datetime as dt

from django.utils import timezone

from governance.models import Body
from meetings.models import Meeting
from portal import demo

LVS = "lofoten-vesteralen-salten"
TO = "troms-ofoten"


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, demo.OSLO)


def fsu_bu() -> Body:
    return Body.objects.get(partnership__slug=TO, short_name="FSU BU")


def meeting_on(body_short_name: str, partnership_slug: str, day: dt.date) -> Meeting:
    meetings = [
        meeting
        for meeting in Meeting.objects.filter(
            body__short_name=body_short_name, body__partnership__slug=partnership_slug
        )
        if local(meeting.start).date() == day
    ]
    assert len(meetings) == 1, meetings
    return meetings[0]
