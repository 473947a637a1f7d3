"""Reads of partnerships, bodies and members for the pages, with their queries bounded."""

from django.db.models import Prefetch

from .models import Body, Membership


def bodies_by_level(partnership):
    """The partnership's bodies in level order, each with its parent."""
    return list(Body.objects.filter(partnership=partnership).select_related("parent", "partnership"))


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
