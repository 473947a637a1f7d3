"""The action plan status PDF: action plans and measure status are public (DOMAIN.md)."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from actionplans import pdf
from actionplans.models import ActionPlan
from documents.http import pdf_response


@require_safe
def action_plan(request, partnership, plan):
    action_plan = get_object_or_404(
        ActionPlan.objects.visible_to(request.user).select_related("partnership"),
        partnership__slug=partnership,
        slug=plan,
    )
    return pdf_response(request, pdf.action_plan_document(action_plan))
