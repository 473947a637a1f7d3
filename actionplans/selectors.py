"""Reads for the action-plan pages, each with its relations loaded in a fixed number of queries."""

from django.db.models import Prefetch

from governance.models import Body
from governance.querysets import with_source_corrections
from meetings.models import Case

from .models import ActionPlan, FocusArea, Measure, ProgressReport


def plan_with_structure(user, *, partnership, slug) -> ActionPlan:
    """The plan and everything its public page shows; linked cases filtered to what the user may see.

    Raises ActionPlan.DoesNotExist when there is no such plan the user may see.
    """
    # Only what the page shows (its goals through the measures), a query per kind whatever the
    # number of measures; the status PDF (actionplans/pdf.py) reads its own.
    visible_cases = Case.objects.visible_to(user).select_related("body__partnership", "meeting")
    measures = Measure.objects.select_related("goal").prefetch_related(
        Prefetch("responsible_bodies", queryset=Body.objects.select_related("partnership")),
        Prefetch("cases", queryset=visible_cases.order_by("meeting__start")),
        "progress_reports",
    )
    return (
        with_source_corrections(ActionPlan.objects.visible_to(user))
        .select_related("partnership", "adopted_by__body__partnership", "adopted_by__meeting__body", "source")
        .prefetch_related("patient_groups", Prefetch("focus_areas__measures", measures))
        .get(partnership__slug=partnership, slug=slug)
    )


def workspace_plans(partnership):
    """The partnership's plans for the workspace's plan page, with its focus areas and measures."""
    measures = Measure.objects.select_related("goal").prefetch_related(
        "responsible_bodies", "responsible_organisations", "cases__body"
    )
    return (
        ActionPlan.objects.filter(partnership=partnership)
        .select_related("partnership", "adopted_by__body")
        .prefetch_related(
            Prefetch(
                "focus_areas",
                FocusArea.objects.prefetch_related("goals", Prefetch("measures", measures)),
            )
        )
    )


def plans_of(partnership) -> list[ActionPlan]:
    """The partnership's plans, newest period first, for the workspace's list."""
    return list(ActionPlan.objects.filter(partnership=partnership).order_by("-period_start", "title"))


def workspace_measures(partnership):
    """The partnership's measures for the workspace's measure page, with their progress reports."""
    return (
        Measure.objects.filter(focus_area__action_plan__partnership=partnership)
        .select_related("focus_area__action_plan__partnership", "goal")
        .prefetch_related(
            "responsible_bodies",
            "responsible_organisations",
            Prefetch(
                "progress_reports",
                ProgressReport.objects.select_related("case__body", "reported_by"),
            ),
        )
    )
