"""The secretariat's action-plan work: plans, focus areas, measures pasted from a table, progress.

Views stay thin: they read forms and call actionplans.services, which check
permission, validate, write in a transaction and record history with a reason.
A service's ValidationError comes back to the form in Norwegian, and the
user's text (such as pasted rows) stays on screen.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from governance.decorators import secretariat_required

from .. import services
from ..forms import ActionPlanForm, AdoptionForm, FocusAreaForm, MeasureRowsForm, ProgressReportForm
from ..models import ActionPlan, FocusArea, Measure, ProgressReport


def _call(form, field, call):
    """Call a service; a ValidationError goes onto the form (on `field`, or the form) and gives None."""
    try:
        return call()
    except ValidationError as error:
        form.add_error(field, error.messages)
        return None


def _plan(partnership, pk) -> ActionPlan:
    measures = Measure.objects.select_related("goal").prefetch_related(
        "responsible_bodies", "responsible_organisations", "cases__body"
    )
    return get_object_or_404(
        ActionPlan.objects.select_related("partnership", "adopted_by__body").prefetch_related(
            Prefetch(
                "focus_areas",
                FocusArea.objects.prefetch_related("goals", Prefetch("measures", measures)),
            )
        ),
        pk=pk,
        partnership=partnership,
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def action_plans(request, partnership):
    """The partnership's plans, and a form for a new one."""
    form = ActionPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = _call(
            form,
            None,
            lambda: services.action_plan_create(
                partnership=partnership, by=request.user, **form.cleaned_data
            ),
        )
        if plan is not None:
            messages.success(request, _("The action plan is created. Add its focus areas."))
            return redirect("manage:action_plan", partnership.slug, plan.pk)
    plans = list(ActionPlan.objects.filter(partnership=partnership).order_by("-period_start", "title"))
    return render(
        request,
        "actionplans/manage/action_plans.html",
        {"partnership": partnership, "plans": plans, "form": form},
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def action_plan(request, partnership, pk):
    """A plan's focus areas, goals and measures; add an area, paste measures, link the adopting case."""
    plan = _plan(partnership, pk)
    area_form = FocusAreaForm(prefix="area")
    adoption_form = AdoptionForm(
        prefix="adoption", partnership=partnership, initial={"case": plan.adopted_by_id}
    )
    failed_rows = None  # (focus area pk, bound form) of a paste that was refused
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_area":
            area_form = FocusAreaForm(request.POST, prefix="area")
            if area_form.is_valid() and _call(
                area_form,
                None,
                lambda: services.focus_area_add(action_plan=plan, by=request.user, **area_form.cleaned_data),
            ):
                messages.success(request, _("The focus area is added."))
                return redirect("manage:action_plan", partnership.slug, plan.pk)
        elif action == "import":
            area = get_object_or_404(FocusArea, pk=request.POST.get("area"), action_plan=plan)
            rows_form = MeasureRowsForm(request.POST, prefix=f"rows-{area.pk}")
            created = rows_form.is_valid() and _call(
                rows_form,
                "text",
                lambda: services.measures_import_rows(
                    focus_area=area, text=rows_form.cleaned_data["text"], by=request.user
                ),
            )
            if created:
                messages.success(
                    request,
                    ngettext("%(count)d measure is added.", "%(count)d measures are added.", len(created))
                    % {"count": len(created)},
                )
                return redirect(f"{request.path}#omrade-{area.pk}")
            failed_rows = (area.pk, rows_form)
        elif action == "adopt":
            adoption_form = AdoptionForm(request.POST, prefix="adoption", partnership=partnership)
            if adoption_form.is_valid() and _call(
                adoption_form,
                None,
                lambda: services.action_plan_link_adoption(
                    action_plan=plan, case=adoption_form.cleaned_data["case"], by=request.user
                ),
            ):
                messages.success(request, _("The adopting case is linked."))
                return redirect("manage:action_plan", partnership.slug, plan.pk)
    areas = list(plan.focus_areas.all())
    for area in areas:
        if failed_rows and failed_rows[0] == area.pk:
            area.rows_form = failed_rows[1]
        else:
            area.rows_form = MeasureRowsForm(prefix=f"rows-{area.pk}")
    return render(
        request,
        "actionplans/manage/action_plan.html",
        {
            "partnership": partnership,
            "plan": plan,
            "areas": areas,
            "area_form": area_form,
            "adoption_form": adoption_form,
        },
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def measure(request, partnership, pk):
    """A measure and its progress reports; record a new report (the measure takes its status)."""
    item = get_object_or_404(
        Measure.objects.select_related("focus_area__action_plan__partnership", "goal").prefetch_related(
            "responsible_bodies",
            "responsible_organisations",
            Prefetch(
                "progress_reports",
                ProgressReport.objects.select_related("case__body", "reported_by"),
            ),
        ),
        pk=pk,
        focus_area__action_plan__partnership=partnership,
    )
    form = ProgressReportForm(request.POST or None, partnership=partnership, initial={"status": item.status})
    recorded = (
        request.method == "POST"
        and form.is_valid()
        and _call(
            form,
            None,
            lambda: services.progress_report_add(measure=item, by=request.user, **form.cleaned_data),
        )
    )
    if recorded:
        messages.success(request, _("The progress is recorded."))
        return redirect("manage:measure", partnership.slug, item.pk)
    return render(
        request,
        "actionplans/manage/measure.html",
        {
            "partnership": partnership,
            "measure": item,
            "plan": item.focus_area.action_plan,
            "form": form,
        },
    )
