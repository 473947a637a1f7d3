"""Reads for the portal's pages that span apps: the workspace overview and the cases list.

Each returns what its page shows in a fixed number of queries, whatever the amount of data.
"""

import datetime as dt

from meetings import lifecycle
from meetings.models import Case, FollowUp, Meeting

OVERVIEW_MEETINGS = 20
FOLLOW_UP_HORIZON = dt.timedelta(days=14)


def meetings_to_work_on(partnership, *, today: dt.date) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming, past without published minutes): the overview's two meeting lists."""
    meetings = Meeting.objects.filter(body__partnership=partnership).select_related("body__partnership")
    upcoming = list(meetings.filter(start__date__gte=today).order_by("start")[:OVERVIEW_MEETINGS])
    to_finish = list(
        meetings.filter(start__date__lt=today, status__in=lifecycle.UNFINISHED_STATUSES).order_by("-start")[
            :OVERVIEW_MEETINGS
        ]
    )
    return upcoming, to_finish


def follow_ups_due(partnership, *, today: dt.date):
    """Open follow-up points of the partnership due within two weeks, or overdue; soonest first."""
    return (
        FollowUp.objects.filter(meeting__body__partnership=partnership, due__isnull=False)
        .exclude(status__in=[FollowUp.Status.DONE, FollowUp.Status.CANCELLED])
        .filter(due__lte=today + FOLLOW_UP_HORIZON)
        .select_related("meeting__body__partnership")
        .order_by("due")
    )


def bodies_in_order(partnership):
    """The partnership's bodies as the workspace lists them (lazy: the template reads it)."""
    return partnership.bodies.order_by("level", "order", "name")


def listed_cases(user, partnership) -> tuple:
    """(cases, years): the numbered cases of the partnership the user may see, and their years.

    The cases are a queryset for the filters to narrow; the years (newest first) are read now.
    """
    visible = (
        Case.objects.visible_to(user)
        .with_access(user)
        .filter(body__partnership=partnership, number__isnull=False)
        .select_related("body__partnership", "meeting__body__partnership")
    )
    years = list(visible.order_by("-year").values_list("year", flat=True).distinct())
    return visible, years
