"""Action plans are public: focus areas, goals, measures, who is responsible and status."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from governance.models import Partnership
from meetings import permissions
from meetings.models import Case

from ..models import ActionPlan, Measure, ProgressReport


def plan_with_structure(user, *, partnership, slug) -> ActionPlan:
    """The plan and everything its page shows; linked cases filtered to what the user may see."""
    visible_cases = Case.objects.visible_to(user).select_related("body__partnership", "meeting")
    measures = Measure.objects.select_related("goal").prefetch_related(
        "responsible_bodies__partnership",
        "responsible_organisations",
        "patient_groups",
        Prefetch("cases", queryset=visible_cases.order_by("meeting__start")),
        Prefetch(
            "progress_reports",
            queryset=ProgressReport.objects.select_related("case__body__partnership", "reported_by"),
        ),
    )
    try:
        return (
            ActionPlan.objects.visible_to(user)
            .select_related("partnership", "adopted_by__body__partnership", "adopted_by__meeting__body")
            .prefetch_related(
                "patient_groups", "focus_areas__goals", Prefetch("focus_areas__measures", measures)
            )
            .get(partnership__slug=partnership, slug=slug)
        )
    except ActionPlan.DoesNotExist:
        raise Http404 from None


@require_safe
def plan_detail(request, partnership, slug):
    plan = plan_with_structure(request.user, partnership=partnership, slug=slug)
    adopted_by = plan.adopted_by
    if adopted_by is not None and not permissions.can_view_case(request.user, adopted_by):
        adopted_by = None
    return render(
        request,
        "actionplans/action_plan.html",
        {"partnership": plan.partnership, "plan": plan, "adopted_by": adopted_by},
    )


@require_safe
def plan_list(request, partnership):
    partnership = get_object_or_404(Partnership, slug=partnership)
    plans = (
        ActionPlan.objects.visible_to(request.user).filter(partnership=partnership).order_by("-period_start")
    )
    return render(request, "actionplans/plan_list.html", {"partnership": partnership, "plans": plans})
