"""Public pages of the installation, its partnerships and their bodies."""

from itertools import groupby

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from actionplans.models import ActionPlan
from governance import permissions
from governance import selectors as body_selectors
from governance.models import Body, Partnership
from meetings import selectors as meeting_selectors
from meetings.models import Case

from .. import selectors as portal_selectors
from ..filters import CaseFilter

CASES_PER_PAGE = 25
# The action-plan measures a case reports on, for the case page.
MEASURES = ("measures__focus_area__action_plan__partnership",)


@require_safe
def home(request):
    partnerships = list(Partnership.objects.order_by("name"))
    return render(
        request,
        "portal/home.html",
        {
            "partnerships": partnerships,
            "upcoming": meeting_selectors.upcoming_meetings(request.user, limit=8),
        },
    )


@require_safe
def partnership_detail(request, partnership):
    partnership = get_object_or_404(Partnership, slug=partnership)
    bodies = body_selectors.bodies_by_level(partnership)
    levels = [(level, list(group)) for level, group in groupby(bodies, key=lambda body: body.level)]
    return render(
        request,
        "portal/partnership.html",
        {
            "partnership": partnership,
            "levels": levels,
            "upcoming": meeting_selectors.upcoming_meetings(request.user, partnership=partnership),
            "decisions": meeting_selectors.latest_decisions(request.user, partnership=partnership),
            "action_plan": ActionPlan.objects.select_related("partnership").current(partnership),
        },
    )


@require_safe
def body_detail(request, partnership, body):
    try:
        body = body_selectors.body_with_relations(partnership, body)
    except Body.DoesNotExist:
        raise Http404 from None
    current, past = body_selectors.body_members(body)
    meetings = meeting_selectors.body_meetings(request.user, body)
    meetings_by_year = [
        (year, list(group))
        for year, group in groupby(meetings, key=lambda m: timezone.localtime(m.start).year)
    ]
    return render(
        request,
        "portal/body.html",
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


def _query_without_page(params) -> str:
    """The filter's query string without the page number, for the pagination links."""
    query = params.copy()
    query.pop("side", None)
    return query.urlencode()


@require_safe
def case_list(request, partnership):
    partnership = get_object_or_404(Partnership, slug=partnership)
    visible, years = portal_selectors.listed_cases(request.user, partnership)
    case_filter = CaseFilter(
        request.GET or None, visible, partnership=partnership, years=years, request=request
    )
    # Each filter matches a case at most once (one patient group, one measure, one search
    # document per case), so no DISTINCT; the key makes the order total for stable pages.
    cases = case_filter.qs.order_by("-year", "-number", "-pk")
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("side"))
    return render(
        request,
        "portal/case_list.html",
        {
            "partnership": partnership,
            "filter": case_filter,
            "page": page,
            "query": _query_without_page(request.GET),
        },
    )


@require_safe
def case_detail(request, partnership, body, year, number):
    """The case page: the paper from meetings, and the action-plan measures it reports on."""
    user = request.user
    try:
        case = meeting_selectors.case_page(
            user, partnership=partnership, body=body, year=year, number=number, prefetch=MEASURES
        )
    except Case.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "portal/case.html",
        {
            "partnership": case.body.partnership,
            "body": case.body,
            "case": case,
            "meeting": case.meeting,
            "earlier": meeting_selectors.earlier_handlings(user, case),
        },
    )


@require_safe
def accessibility_statement(request):
    return render(request, "pages/accessibility.html")
