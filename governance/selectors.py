"""Reads for the public pages of partnerships and bodies, with their queries bounded."""

from django.db.models import Prefetch

from actionplans.models import ActionPlan
from meetings.models import Case, Meeting

from .models import Body, Membership


def upcoming_meetings(user, *, partnership=None, body=None, limit=6):
    meetings = Meeting.objects.visible_to(user).upcoming().select_related("body__partnership")
    if partnership is not None:
        meetings = meetings.filter(body__partnership=partnership)
    if body is not None:
        meetings = meetings.filter(body=body)
    return list(meetings.filter(cancelled_at__isnull=True)[:limit])


def latest_decisions(user, *, partnership, limit=5):
    """Decided cases whose decision the user may read, newest first."""
    return list(
        Case.objects.visible_to(user)
        .with_access(user)
        .filter(body__partnership=partnership, decision_visible=True, number__isnull=False)
        .exclude(decision="")
        .select_related("body__partnership", "meeting")
        .order_by("-meeting__start", "order")[:limit]
    )


def bodies_by_level(partnership):
    """The partnership's bodies in level order, each with its parent."""
    return list(Body.objects.filter(partnership=partnership).select_related("parent", "partnership"))


def current_action_plan(partnership):
    return ActionPlan.objects.filter(partnership=partnership).order_by("-period_start").first()


def body_members(body):
    """(current, past) memberships with the person and whom they represent."""
    memberships = Membership.objects.filter(body=body).select_related(
        "person__organisation", "on_behalf_of", "substitute_for__person"
    )
    order = ("role", "person__name")
    return list(memberships.current().order_by(*order)), list(
        memberships.past().order_by("-end_date", "person__name")
    )


def body_with_relations(partnership_slug, body_slug):
    return (
        Body.objects.select_related("partnership", "parent__partnership")
        .prefetch_related(Prefetch("children", queryset=Body.objects.select_related("partnership")))
        .get(partnership__slug=partnership_slug, slug=body_slug)
    )
