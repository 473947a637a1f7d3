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

from .models import ActionPlan, Measure, ProgressReport


def action_plan_html(action_plan: ActionPlan) -> tuple[str, tuple]:
    plan = (
        ActionPlan.objects.filter(pk=action_plan.pk)
        .select_related("partnership", "adopted_by__body__partnership")
        .prefetch_related(
            "focus_areas__goals",
            Prefetch(
                "focus_areas__measures",
                queryset=Measure.objects.select_related("goal").prefetch_related(
                    "responsible_bodies",
                    "responsible_organisations",
                    Prefetch(
                        "cases",
                        queryset=Case.objects.published()
                        .select_related("body__partnership", "meeting")
                        .order_by("meeting__start", "number"),
                        to_attr="public_cases",
                    ),
                    Prefetch(
                        "progress_reports",
                        queryset=ProgressReport.objects.select_related(
                            "reported_by", "case__body__partnership"
                        ),
                    ),
                ),
            ),
        )
        .get()
    )
    context = base_context(
        partnership=plan.partnership,
        title=_("Status of %(plan)s") % {"plan": plan.title},
    ) | {"plan": plan, "statuses": Measure.Status}
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
