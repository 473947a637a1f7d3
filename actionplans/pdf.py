"""The action plan status PDF, for the yearly report to the partnership meeting.

Built like the meeting PDFs (meetings/pdf.py, on documents/pdf.py): HTML from
templates/actionplans/pdf/, rendered to PDF/A-2a. The plan and its measures are public; the
cases that reported on a measure are listed only when their agenda is public, and always under
their shown title, so the document is the same for everyone and has one audience. Its version
(documents.pdf.fingerprint: the stamps of its partnership) is known without building the HTML,
so a stored file is served straight away.
"""

import functools

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from documents.pdf import PUBLIC, PdfDocument, base_context, render_pdf
from governance.stamps import document_scopes
from meetings.models import Case

from . import selectors
from .models import ActionPlan, Measure


def action_plan_html(action_plan: ActionPlan) -> tuple[str, tuple]:
    public_cases = Case.objects.published()
    plan = (
        ActionPlan.objects.filter(pk=action_plan.pk)
        .select_related(*selectors.PLAN_RELATIONS)
        .prefetch_related(
            selectors.ABBREVIATIONS,
            selectors.plan_attachments(public_cases),
            Prefetch(
                "focus_areas__measures",
                queryset=Measure.objects.select_related("goal").prefetch_related(
                    selectors.BODIES,
                    "responsible_organisations",
                    Prefetch(
                        "cases",
                        queryset=public_cases.select_related("body__partnership", "meeting").order_by(
                            "meeting__start", "number"
                        ),
                        to_attr="public_cases",
                    ),
                    selectors.REPORTS,
                ),
            ),
        )
        .get()
    )
    adopted_by = plan.adopted_by
    if adopted_by is not None and not Case.objects.published().filter(pk=adopted_by.pk).exists():
        adopted_by = None
    context = base_context(
        partnership=plan.partnership,
        title=_("Status of %(plan)s") % {"plan": plan.title},
    ) | {"plan": plan, "adopted_by": adopted_by}
    return render_to_string("actionplans/pdf/status.html", context), (PUBLIC, ())


def action_plan_document(action_plan: ActionPlan) -> PdfDocument:
    return PdfDocument(
        kind="action-plan",
        pk=action_plan.pk,
        audience=PUBLIC,
        access=(),
        filename=f"handlingsplan-{action_plan.slug}-status.pdf",
        build=functools.partial(action_plan_html, action_plan),
        scopes=document_scopes(action_plan.partnership_id),
    )


def render_action_plan_pdf(action_plan: ActionPlan) -> bytes:
    return render_pdf(action_plan_document(action_plan).html)
