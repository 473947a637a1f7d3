"""The secretariat's action-plan work: plans, focus areas, measures pasted from a table, progress.

Views stay thin: they read forms and call actionplans.services, which check
permission, validate, write in a transaction and record history with a reason.
A service's ValidationError comes back to the form in Norwegian, and the
user's text (such as pasted rows) stays on screen.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from governance.decorators import secretariat_required

from .. import selectors, services
from ..forms import (
    ActionPlanForm,
    AdoptionForm,
    FocusAreaForm,
    MeasureForm,
    MeasureRowsForm,
    ProgressReportForm,
)
from ..models import FocusArea


def _call(form, field, call):
    """Call a service; a ValidationError goes onto the form (on `field`, or the form) and gives None."""
    try:
        return call()
    except ValidationError as error:
        form.add_error(field, error.messages)
        return None


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
    return render(
        request,
        "actionplans/manage/action_plans.html",
        {"partnership": partnership, "plans": selectors.plans_of(partnership), "form": form},
        status=400 if form.errors else 200,
    )


# The plan page's forms, each a POST with its own `action`; a handler returns a redirect when the
# service did its work, or None to show the page again with its bound form and the errors.


class PlanForms:
    """The forms on a plan's page: unbound, until a POST binds the one it is about."""

    def __init__(self, partnership, plan):
        self.area = FocusAreaForm(prefix="area")
        self.adoption = AdoptionForm(
            prefix="adoption", partnership=partnership, initial={"case": plan.adopted_by_id}
        )
        self.failed_rows = None  # (focus area pk, bound form) of a paste that was refused

    def rows_for(self, area):
        if self.failed_rows and self.failed_rows[0] == area.pk:
            return self.failed_rows[1]
        return MeasureRowsForm(prefix=f"rows-{area.pk}")


def _add_area(request, partnership, plan, forms):
    form = forms.area = FocusAreaForm(request.POST, prefix="area")
    if form.is_valid() and _call(
        form, None, lambda: services.focus_area_add(action_plan=plan, by=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("The focus area is added."))
        return redirect("manage:action_plan", partnership.slug, plan.pk)
    return None


def _import_rows(request, partnership, plan, forms):
    posted = request.POST.get("area", "")
    # Not a whole number (tampered or stale form): no such focus area, a 404 rather than a 500.
    area_pk = int(posted) if posted.isascii() and posted.isdigit() and len(posted) < 19 else 0
    area = get_object_or_404(FocusArea, pk=area_pk, action_plan=plan)
    form = MeasureRowsForm(request.POST, prefix=f"rows-{area.pk}")
    created = form.is_valid() and _call(
        form,
        "text",
        lambda: services.measures_import_rows(
            focus_area=area, text=form.cleaned_data["text"], by=request.user
        ),
    )
    if created:
        count = len(created)
        messages.success(
            request,
            ngettext("%(count)d measure is added.", "%(count)d measures are added.", count)
            % {"count": count},
        )
        return redirect(f"{request.path}#omrade-{area.pk}")
    forms.failed_rows = (area.pk, form)
    return None


def _adopt(request, partnership, plan, forms):
    form = forms.adoption = AdoptionForm(request.POST, prefix="adoption", partnership=partnership)
    if form.is_valid() and _call(
        form,
        None,
        lambda: services.action_plan_link_adoption(
            action_plan=plan, case=form.cleaned_data["case"], by=request.user
        ),
    ):
        messages.success(request, _("The adopting case is linked."))
        return redirect("manage:action_plan", partnership.slug, plan.pk)
    return None


PLAN_ACTIONS = {"add_area": _add_area, "import": _import_rows, "adopt": _adopt}


@secretariat_required
@require_http_methods(["GET", "POST"])
def action_plan(request, partnership, pk):
    """A plan's focus areas, goals and measures; add an area, paste measures, link the adopting case."""
    plan = get_object_or_404(selectors.workspace_plans(partnership), pk=pk)
    forms = PlanForms(partnership, plan)
    handler = PLAN_ACTIONS.get(request.POST.get("action")) if request.method == "POST" else None
    if handler is not None and (response := handler(request, partnership, plan, forms)):
        return response
    areas = list(plan.focus_areas.all())
    for area in areas:
        area.rows_form = forms.rows_for(area)
    return render(
        request,
        "actionplans/manage/action_plan.html",
        {
            "partnership": partnership,
            "plan": plan,
            "areas": areas,
            "area_form": forms.area,
            "adoption_form": forms.adoption,
        },
    )


def _measure_initial(item):
    return {
        "goal": item.goal_id,
        "letter": item.letter,
        "text": item.text,
        "responsible_text": item.responsible_text,
        "responsible_bodies": [b.pk for b in item.responsible_bodies.all()],
        "responsible_organisations": [o.pk for o in item.responsible_organisations.all()],
        "due": item.due,
    }


def _measure_forms(request, partnership, item):
    """(action, the measure's form, the progress form): each bound only to its own post."""
    action = request.POST.get("action") if request.method == "POST" else None
    edit = MeasureForm(
        request.POST if action == "edit" else None,
        prefix="measure",
        measure=item,
        initial=_measure_initial(item),
    )
    form = ProgressReportForm(
        request.POST if request.method == "POST" and action != "edit" else None,
        partnership=partnership,
        initial={"status": item.status if item.latest_report is not None else None},
    )
    return action, edit, form


def _measure_saved(request, item, action, edit, form) -> str:
    """The success message of a valid post once its service has run; "" for anything else."""
    if action == "edit":
        if edit.is_valid() and _call(
            edit, None, lambda: services.measure_update(measure=item, by=request.user, **edit.cleaned_data)
        ):
            return _("The measure is corrected.")
        return ""
    if (
        request.method == "POST"
        and form.is_valid()
        and _call(
            form,
            None,
            lambda: services.progress_report_add(measure=item, by=request.user, **form.cleaned_data),
        )
    ):
        return _("The progress is recorded.")
    return ""


@secretariat_required
@require_http_methods(["GET", "POST"])
def measure(request, partnership, pk):
    """A measure and its progress reports; correct the measure, or record a new report (the
    measure's status is its latest report's)."""
    item = get_object_or_404(selectors.workspace_measures(partnership), pk=pk)
    action, edit, form = _measure_forms(request, partnership, item)
    if success := _measure_saved(request, item, action, edit, form):
        messages.success(request, success)
        return redirect("manage:measure", partnership.slug, item.pk)
    return render(
        request,
        "actionplans/manage/measure.html",
        {
            "partnership": partnership,
            "measure": item,
            "plan": item.focus_area.action_plan,
            "form": form,
            "edit_form": edit,
        },
        # Refused input: the page again with its messages and the person's text, as a 400.
        status=400 if edit.errors or form.errors else 200,
    )
