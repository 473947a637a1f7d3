"""Action plans and their measures in the portal's search (a source of meetings/search.py).

Everything in an action plan is public (DOMAIN.md: action plans and measure status are read by
all), so every plan and measure is searched for every reader. On PostgreSQL they match through
the stored, GIN-indexed vectors of migration 0006 (a plan: its title and subtitle weigh most, then
its purpose, introduction and the way ahead; a measure: its text, then who is responsible), in one
query for the ranked keys of both and one per kind for the shown page's rows and snippets. On
SQLite the fallback reads them (two queries). Their words join the vocabulary of suggestions
(meetings.SearchWord) when they are saved, and whenever the vocabulary is drawn afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchRank, SearchVectorField
from django.db.models import F, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from governance.querysets import PreparedQuery
from meetings import search_index
from meetings.search import (
    BLOCK,
    CANDIDATES,
    PER_PAGE,
    Hit,
    marked_headline,
    padded_keys,
    search_query,
    snippet,
)

from .models import ActionPlan, Measure

PLAN_FIELDS = ("title", "subtitle", "purpose", "introduction", "focus_areas_introduction", "next_steps")
MEASURE_FIELDS = ("text", "responsible_text")


def _vector(model):
    return RawSQL(f'"{model._meta.db_table}"."search_vector"', [], output_field=SearchVectorField())


def _document(fields):
    parts = []
    for name in fields:
        parts += [F(name), Value(BLOCK)]
    return Concat(*parts[:-1], output_field=TextField())


def measure_title(measure) -> str:
    """ "Handlingsplan 2023, tiltak 2.1 a)": the plan and where the measure stands in it."""
    area = measure.focus_area
    place = " ".join(part for part in (area.number, f"{measure.letter})" if measure.letter else "") if part)
    plan = area.action_plan.title
    if place:
        return _("%(plan)s, measure %(place)s") % {"plan": plan, "place": place}
    return _("%(plan)s, measure under “%(area)s”") % {"plan": plan, "area": area.title}


def _plan_hit(plan, shown, rank=0.0) -> Hit:
    return Hit(
        "actionplan",
        plan.title,
        plan.get_absolute_url(),
        shown,
        plan.period_start,
        rank,
        date_known=False,  # a plan has a period, shown on its page, not a date
        context=plan.partnership.name,
    )


def _measure_hit(measure, shown, rank=0.0) -> Hit:
    plan = measure.focus_area.action_plan
    return Hit(
        "measure",
        measure_title(measure),
        f"{plan.get_absolute_url()}#tiltak-{measure.pk}",
        shown,
        plan.period_start,
        rank,
        date_known=False,
        context=plan.partnership.name,
    )


@dataclass(frozen=True)
class _Kind:
    """One kind of hit: its rows, the path from them to the plan, its text and its hit."""

    name: str
    model: type
    plan: str  # the lookup from a row to its plan ("" for the plan itself)
    fields: tuple[str, ...]
    hit: Callable
    titles: Callable  # what the hit's title shows of the start of the document

    def rows(self, partnership):
        related = f"{self.plan}__partnership" if self.plan else "partnership"
        rows = self.model.objects.select_related(related)
        return rows if partnership is None else rows.filter(**{related: partnership})

    def document(self, row) -> str:
        return BLOCK.join(value for value in (getattr(row, name) for name in self.fields) if value)

    def path(self, name: str) -> str:
        return f"{self.plan}__{name}" if self.plan else name


KINDS = (
    _Kind("actionplan", ActionPlan, "", PLAN_FIELDS, _plan_hit, lambda plan: (plan.title,)),
    _Kind("measure", Measure, "focus_area__action_plan", MEASURE_FIELDS, _measure_hit, lambda measure: ()),
)


class ActionPlanSource:
    """Action plans and measures, for meetings.search.search_page(extra=…)."""

    kinds = tuple(kind.name for kind in KINDS)
    # A suggested word must still match a plan or a measure (meetings.search.suggest).
    public_words = tuple(
        f"EXISTS (SELECT 1 FROM {kind.model._meta.db_table} r"
        " WHERE r.search_vector @@ plainto_tsquery('norwegian', {word}))"
        for kind in KINDS
    )

    def newest(self, query: str, partnership) -> list[tuple]:
        """(kind, pk, rank, date) of the newest matching plans and measures (PostgreSQL): one query."""
        where = () if partnership is None else (partnership.pk,)
        return list(_NEWEST((query, *where)))

    def hits(self, keys: dict, query: str) -> list[Hit]:
        """The shown page's plans and measures, with their snippets (PostgreSQL): a query per kind."""
        hits = []
        for kind in KINDS:
            ranks = {pk: rank for (name, pk), rank in keys.items() if name == kind.name}
            if ranks:
                rows = _SHOWN((query, *padded_keys(ranks)), kind)
                hits += [
                    kind.hit(row, snippet(row.headline, kind.titles(row)), ranks[row.pk]) for row in rows
                ]
        return hits

    def fallback(self, matcher, partnership) -> list[Hit]:
        """The plans and measures whose text has every word (SQLite): a query per kind."""
        hits = []
        for kind in KINDS:
            for row in kind.rows(partnership):
                if matcher.matches(text := kind.document(row)):
                    hits.append(kind.hit(row, matcher.snippet(text, kind.titles(row))))
        return hits


def _newest_query(query, *where):
    """The newest plans and measures that match `query` (in the partnership `where` names)."""
    terms = search_query(query)
    partnership = where[0] if where else None
    found = [
        kind.rows(partnership)
        .annotate(vector=_vector(kind.model))
        .filter(vector=terms)
        .annotate(
            kind=Value(kind.name),
            key=F("pk"),
            rank=SearchRank(F("vector"), terms),
            sort_date=F(kind.path("period_start")),
        )
        .values_list("kind", "key", "rank", "sort_date")
        for kind in KINDS
    ]
    return found[0].union(*found[1:], all=True).order_by("-sort_date", "-key")[:CANDIDATES]


def _shown_query(query, *rest):
    """The plans or measures (`kind`) with these ids, with their headlines for `query`."""
    keys, (kind,) = rest[:PER_PAGE], rest[PER_PAGE:]
    return (
        kind.rows(None)
        .filter(pk__in=keys)
        .alias(document=_document(kind.fields))
        .annotate(headline=marked_headline("document", search_query(query)))
    )


# Built and compiled once (per kind; with or without a chosen partnership) and run with the
# words and ids in their places: compiling them cost more than running them (issue #12).
_NEWEST = PreparedQuery(_newest_query, planned_once=False)
_SHOWN = PreparedQuery(_shown_query, planned_once=False)

SOURCES = (ActionPlanSource(),)


def add_all_words() -> None:
    """Every plan's and measure's words into the vocabulary of suggestions (PostgreSQL)."""
    plan_text = " || ' ' || ".join(PLAN_FIELDS)
    search_index.add_public_words_of(
        f"SELECT {plan_text} FROM actionplans_actionplan"  # noqa: S608 (our column names)
        " UNION ALL SELECT text || ' ' || responsible_text FROM actionplans_measure"
    )


def connect() -> None:
    """Saved plans and measures add their words; a vocabulary drawn afresh gets them all."""

    plan_kind, measure_kind = KINDS

    def plan_saved(sender, instance, **kwargs):
        search_index.add_public_words([plan_kind.document(instance)])

    def measure_saved(sender, instance, **kwargs):
        search_index.add_public_words([measure_kind.document(instance)])

    def rebuilt(sender, **kwargs):
        add_all_words()

    uid = "actionplans.search"
    post_save.connect(plan_saved, sender=ActionPlan, weak=False, dispatch_uid=f"{uid}:plan")
    post_save.connect(measure_saved, sender=Measure, weak=False, dispatch_uid=f"{uid}:measure")
    search_index.words_rebuilt.connect(rebuilt, weak=False, dispatch_uid=f"{uid}:rebuilt")
