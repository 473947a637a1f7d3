"""Reads of partnerships, bodies and members for the pages, with their queries bounded."""

import datetime as dt

from django.db.models import Prefetch

from .models import Body, Membership, Name, Organisation, SourceDocument


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
        .prefetch_related(Prefetch("children", queryset=Body.objects.select_related("partnership")), "names")
        .get(partnership__slug=partnership_slug, slug=body_slug)
    )


PARTY_KINDS = (Organisation.Kind.HEALTH_TRUST, Organisation.Kind.MUNICIPALITY)


def parties(partnership) -> list[Organisation]:
    """The partnership's parties, its health trusts first and then its municipalities, each with
    its names in other languages as the sources write them."""
    names = Prefetch("names", queryset=Name.objects.select_related("source"))
    found = Organisation.objects.filter(partnership=partnership, parent=None, kind__in=PARTY_KINDS)
    return sorted(found.prefetch_related(names), key=lambda org: (PARTY_KINDS.index(org.kind), org.name))


def sources_of(partnership) -> list[SourceDocument]:
    """The documents the partnership's records were loaded from, oldest first (undated last)."""
    sources = SourceDocument.objects.filter(partnership=partnership).order_by("title")
    return sorted(sources, key=lambda source: (source.date is None, source.date or dt.date.min))
