"""Action plans are public: focus areas, goals, measures, who is responsible and status."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from governance.models import Partnership
from meetings import permissions

from .. import selectors
from ..models import ActionPlan


@require_safe
def plan_detail(request, partnership, slug):
    try:
        plan = selectors.plan_with_structure(request.user, partnership=partnership, slug=slug)
    except ActionPlan.DoesNotExist:
        raise Http404 from None
    adopted_by = plan.adopted_by
    if adopted_by is not None and not permissions.can_view_case(request.user, adopted_by):
        adopted_by = None
    return render(
        request,
        "actionplans/action_plan.html",
        {
            "partnership": plan.partnership,
            "plan": plan,
            "adopted_by": adopted_by,
            "is_current": plan.is_current(timezone.localdate()),
        },
    )


@require_safe
def plan_list(request, partnership):
    partnership = get_object_or_404(Partnership, slug=partnership)
    plans = (
        ActionPlan.objects.visible_to(request.user)
        .filter(partnership=partnership)
        .select_related("period_end_meeting__body")
        .order_by("-period_start")
    )
    return render(request, "actionplans/plan_list.html", {"partnership": partnership, "plans": plans})
