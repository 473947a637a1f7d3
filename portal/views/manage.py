"""The secretariat's workspace: only secretariat staff, each only in their own partnership."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from actionplans.models import ActionPlan, Measure
from governance import permissions
from governance.decorators import secretariat_required
from governance.history import latest_changes
from governance.models import Partnership
from meetings import selectors as meeting_selectors
from meetings.models import Case, Meeting

from .. import selectors as portal_selectors


@login_required
@require_safe
def workspace_home(request):
    """Send staff to their partnership's workspace; others have none."""
    managed = permissions.managed_partnership_ids(request.user)
    partnerships = Partnership.objects.order_by("name")
    if managed is not None:
        partnerships = partnerships.filter(pk__in=managed)
    partnerships = list(partnerships)
    if not partnerships:
        raise Http404
    if len(partnerships) == 1:
        return redirect("manage:overview", partnerships[0].slug)
    return render(request, "portal/manage/choose.html", {"partnerships": partnerships})


@secretariat_required
@require_safe
def overview(request, partnership):
    today = timezone.localdate()
    upcoming, to_finish = portal_selectors.meetings_to_work_on(
        partnership,
        today=today,
    )
    proposals = list(meeting_selectors.proposals_waiting(partnership=partnership))
    follow_ups = list(
        portal_selectors.follow_ups_due(partnership, today=today),
    )
    context = {"partnership": partnership, "today": today, "upcoming": upcoming, "to_finish": to_finish}
    context |= {"proposals": proposals, "follow_ups": follow_ups}
    context["bodies"] = portal_selectors.bodies_in_order(partnership)
    return render(request, "portal/manage/overview.html", context)


# URL word → (model, path from it to its partnership).
HISTORY_MODELS = {
    "sak": (Case, "body__partnership"),
    "mote": (Meeting, "body__partnership"),
    "handlingsplan": (ActionPlan, "partnership"),
    "tiltak": (Measure, "focus_area__action_plan__partnership"),
}


@secretariat_required
@require_safe
def history(request, partnership, kind, pk):
    if kind not in HISTORY_MODELS:
        raise Http404
    model, lookup = HISTORY_MODELS[kind]
    obj = get_object_or_404(model, pk=pk, **{lookup: partnership})
    records = list(latest_changes(obj, limit=100))
    # Newest first: each record's previous version is the next one in the list.
    rows = [
        {"record": record, "changes": record.diff_against(older).changes if older else []}
        for record, older in zip(records, [*records[1:], None], strict=True)
    ]
    return render(
        request,
        "portal/manage/history.html",
        {"partnership": partnership, "object": obj, "rows": rows},
    )
