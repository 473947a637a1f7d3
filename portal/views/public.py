"""Public pages of the installation, its partnerships and their bodies."""

from itertools import groupby

from django.db.models import Prefetch, prefetch_related_objects
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
from ..pagination import NarrowPaginator

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
    partnership = get_object_or_404(Partnership.objects.prefetch_related("names"), slug=partnership)
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
            "parties": body_selectors.parties(partnership),
            "sources": body_selectors.sources_of(partnership),
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
    page = NarrowPaginator(cases, CASES_PER_PAGE).get_page(request.GET.get("side"))
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


def _read_plans_attached(case) -> None:
    """For each attachment the reader may open that may be an action plan the portal holds
    (ActionPlan.attachments: never an exempt one), the plans, as `plans`, linked from the
    attachment (meetings/_case_attachments.html): one query when there is such an attachment."""
    open_ones = [a for a in case.attachments.all() if a.readable and not a.exempt and not case.exempt]
    plans = ActionPlan.objects.select_related("partnership").order_by("period_start", "pk")
    prefetch_related_objects(open_ones, Prefetch("action_plans", queryset=plans, to_attr="plans"))


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
    _read_plans_attached(case)
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
