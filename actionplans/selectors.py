"""Reads for the action-plan pages, each with its relations loaded in a fixed number of queries."""

from django.db.models import Prefetch

from governance.models import Body
from governance.querysets import with_source_corrections
from meetings.models import Attachment, Case

from .models import Abbreviation, ActionPlan, FocusArea, Measure, ProgressReport

# What the plan's pages and PDF show of each measure and of the plan itself, a query per kind.
BODIES = Prefetch("responsible_bodies", queryset=Body.objects.select_related("partnership"))
REPORTS = Prefetch(
    "progress_reports",
    queryset=ProgressReport.objects.select_related("reported_by", "case__body__partnership"),
)
ABBREVIATIONS = Prefetch(
    "abbreviation_entries",
    queryset=Abbreviation.objects.select_related("body__partnership", "organisation"),
)
PLAN_RELATIONS = (
    "partnership",
    "adopted_by__body__partnership",
    "adopted_by__meeting__body",
    "period_end_meeting__body",
)


def plan_attachments(cases):
    """The case attachments that are the plan, where the case is among `cases` and the attachment
    is not exempt."""
    return Prefetch(
        "attachments",
        queryset=Attachment.objects.filter(case__in=cases, exempt=False).select_related(
            "case__body__partnership", "case__meeting"
        ),
    )


def plan_with_structure(user, *, partnership, slug) -> ActionPlan:
    """The plan and everything its public page shows; linked cases filtered to what the user may see.

    Raises ActionPlan.DoesNotExist when there is no such plan the user may see.
    """
    visible_cases = Case.objects.visible_to(user).select_related("body__partnership", "meeting")
    measures = Measure.objects.select_related("goal").prefetch_related(
        BODIES,
        "responsible_organisations",
        Prefetch("cases", queryset=visible_cases.order_by("meeting__start")),
        REPORTS,
    )
    return (
        with_source_corrections(ActionPlan.objects.visible_to(user))
        .select_related(*PLAN_RELATIONS, "source")
        .prefetch_related(
            "patient_groups",
            ABBREVIATIONS,
            plan_attachments(Case.objects.visible_to(user)),
            Prefetch("focus_areas__measures", measures),
        )
        .get(partnership__slug=partnership, slug=slug)
    )


def workspace_plans(partnership):
    """The partnership's plans for the workspace's plan page, with its focus areas and measures."""
    measures = Measure.objects.select_related("goal").prefetch_related(
        BODIES, "responsible_organisations", "cases__body", REPORTS
    )
    return (
        ActionPlan.objects.filter(partnership=partnership)
        .select_related(*PLAN_RELATIONS)
        .prefetch_related(
            Prefetch(
                "focus_areas",
                FocusArea.objects.prefetch_related("goals", Prefetch("measures", measures)),
            )
        )
    )


def plans_of(partnership) -> list[ActionPlan]:
    """The partnership's plans, newest period first, for the workspace's list."""
    return list(
        ActionPlan.objects.filter(partnership=partnership)
        .select_related("period_end_meeting__body")
        .order_by("-period_start", "title")
    )


def workspace_measures(partnership):
    """The partnership's measures for the workspace's measure page, with their progress reports."""
    return (
        Measure.objects.filter(focus_area__action_plan__partnership=partnership)
        .select_related("focus_area__action_plan__partnership", "goal")
        .prefetch_related(BODIES, "responsible_organisations", REPORTS)
    )
