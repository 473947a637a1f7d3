"""Public pages of the installation, its partnerships and their bodies."""

from itertools import groupby

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from governance import permissions, selectors
from governance.models import Body, Partnership
from meetings.models import Meeting


@require_safe
def home(request):
    partnerships = list(Partnership.objects.order_by("name"))
    return render(
        request,
        "governance/home.html",
        {"partnerships": partnerships, "upcoming": selectors.upcoming_meetings(request.user, limit=8)},
    )


@require_safe
def partnership_detail(request, partnership):
    partnership = get_object_or_404(Partnership, slug=partnership)
    bodies = selectors.bodies_by_level(partnership)
    levels = [(level, list(group)) for level, group in groupby(bodies, key=lambda body: body.level)]
    return render(
        request,
        "governance/partnership.html",
        {
            "partnership": partnership,
            "levels": levels,
            "upcoming": selectors.upcoming_meetings(request.user, partnership=partnership),
            "decisions": selectors.latest_decisions(request.user, partnership=partnership),
            "action_plan": selectors.current_action_plan(partnership),
        },
    )


@require_safe
def body_detail(request, partnership, body):
    try:
        body = selectors.body_with_relations(partnership, body)
    except Body.DoesNotExist:
        raise Http404 from None
    current, past = selectors.body_members(body)
    meetings = list(Meeting.objects.visible_to(request.user).filter(body=body).order_by("-start"))
    meetings_by_year = [
        (year, list(group))
        for year, group in groupby(meetings, key=lambda m: timezone.localtime(m.start).year)
    ]
    return render(
        request,
        "governance/body.html",
        {
            "partnership": body.partnership,
            "body": body,
            "members": current,
            "past_members": past,
            "meetings_by_year": meetings_by_year,
            "show_contact": permissions.is_member(request.user, body)
            or permissions.is_secretariat(request.user, body.partnership),
        },
    )


@require_safe
def accessibility_statement(request):
    return render(request, "pages/accessibility.html")
