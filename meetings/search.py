"""Search across cases, decisions, minutes and attachment titles, within what the user may read.

On PostgreSQL: full-text search with the Norwegian configuration, ranked, with
highlighted snippets (ts_headline). Elsewhere (SQLite): every word must occur,
newest first, with a snippet cut around the first match. Both search the same
documents, built from the same visibility rules (governance.permissions via
the querysets), so neither can find what the user may not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models import Case as Conditional
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import permissions
from .models import Attachment, Case, CaseSection, Minutes, MinutesSection

MAX_HITS = 50
SNIPPET_RADIUS = 90
# Markers ts_headline puts around matches; the snippet is escaped before they become <mark>.
START, STOP = "\x02", "\x03"


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: SafeString
    date: object
    rank: float = 0.0


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def _sections_text(model=None, owner="case", text=None):
    """All section text of a case (or minutes) as one string (a correlated subquery)."""
    model = model or CaseSection
    text = text if text is not None else F("text")
    if uses_postgres():
        from django.contrib.postgres.aggregates import StringAgg

        aggregate = StringAgg(text, delimiter=" ")
    else:
        from django.db.models import Aggregate

        class GroupConcat(Aggregate):
            function = "GROUP_CONCAT"
            template = "%(function)s(%(expressions)s, ' ')"
            output_field = TextField()

        aggregate = GroupConcat(text)
    return Subquery(
        model.objects.filter(**{owner: OuterRef("pk")})
        .values(owner)
        .annotate(all_text=aggregate)
        .values("all_text")[:1],
        output_field=TextField(),
    )


def _case_documents(user):
    """Cases with their searchable text: full text where readable, only the public title where exempt.

    PostgreSQL builds the `document` in SQL to rank it there; SQLite's parser cannot
    take that expression, so there the document is assembled in Python
    (`case_document`) from prefetched sections.
    """
    cases = (
        Case.objects.visible_to(user)
        .with_access(user)
        .annotate(
            public_decision_visible=Conditional(
                When(permissions.minutes_visible_q(user, "meeting__") & Q(exempt=True), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("body__partnership", "meeting__body__partnership")
    )
    if not uses_postgres():
        return cases.prefetch_related("sections")
    space = Value(" ")
    full = Concat(
        F("title"),
        space,
        F("agenda_title"),
        space,
        F("origin"),
        space,
        F("proposal"),
        space,
        Coalesce(_sections_text(), Value(""), output_field=TextField()),
        space,
        Conditional(
            When(
                decision_visible=True,
                then=Concat(F("discussion"), space, F("decision"), output_field=TextField()),
            ),
            default=Value(""),
            output_field=TextField(),
        ),
        output_field=TextField(),
    )
    public = Conditional(
        When(
            public_decision_visible=True,
            then=Concat(F("public_title"), space, F("public_decision"), output_field=TextField()),
        ),
        default=F("public_title"),
        output_field=TextField(),
    )
    return cases.annotate(
        document=Conditional(When(content_visible=True, then=full), default=public, output_field=TextField())
    )


def case_document(case) -> str:
    """The same document as the SQL expression above, for the SQLite fallback."""
    if not case.content_visible:
        if case.public_decision_visible and case.public_decision:
            return f"{case.public_title} {case.public_decision}"
        return case.public_title
    parts = [case.title, case.agenda_title, case.origin, case.proposal]
    parts += [section.text for section in case.sections.all()]
    if case.decision_visible:
        parts += [case.discussion, case.decision]
    return " ".join(part for part in parts if part)


def _minutes_documents(user):
    """The minutes' own text, their free sections; the cases' parts are found as cases."""
    sections = _sections_text(
        MinutesSection, "minutes", Concat(F("heading"), Value(" "), F("text"), output_field=TextField())
    )
    return (
        Minutes.objects.visible_to(user)
        .annotate(document=Coalesce(sections, Value(""), output_field=TextField()))
        .select_related("meeting__body__partnership")
    )


def _attachment_documents(user):
    return (
        Attachment.objects.readable_by(user)
        .annotate(document=F("title"))
        .select_related("case__body__partnership", "case__meeting__body__partnership")
    )


def _hit_for(kind, obj, snippet, rank=0.0) -> Hit:
    if kind == "case":
        title = f"{obj.label} {obj.title if obj.content_visible else obj.shown_title}".strip()
        return Hit(
            "case", title, obj.get_absolute_url(), snippet, obj.meeting.start if obj.meeting else None, rank
        )
    if kind == "minutes":
        meeting = obj.meeting
        return Hit(
            "minutes", str(meeting), meeting.get_absolute_url() + "#minutes", snippet, meeting.start, rank
        )
    case = obj.case
    return Hit(
        "attachment",
        obj.title,
        case.get_absolute_url(),
        snippet,
        case.meeting.start if case.meeting else None,
        rank,
    )


def search(user, query: str, *, partnership=None) -> list[Hit]:
    query = " ".join(query.split())[:200]
    if not query:
        return []
    sources = [
        ("case", _case_documents(user), "body__partnership"),
        ("minutes", _minutes_documents(user), "meeting__body__partnership"),
        ("attachment", _attachment_documents(user), "case__body__partnership"),
    ]
    hits: list[Hit] = []
    for kind, queryset, partnership_path in sources:
        if partnership is not None:
            queryset = queryset.filter(**{partnership_path: partnership})
        if uses_postgres():
            hits += _postgres_hits(kind, queryset, query)
        else:
            hits += _fallback_hits(kind, queryset, query)
    if uses_postgres():
        hits.sort(key=lambda hit: (-hit.rank, -(hit.date.timestamp() if hit.date else 0)))
    else:
        hits.sort(key=lambda hit: -(hit.date.timestamp() if hit.date else 0))
    return hits[:MAX_HITS]


def _postgres_hits(kind, queryset, query):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    search_query = SearchQuery(query, config="norwegian", search_type="websearch")
    vector = SearchVector("document", config="norwegian")
    rows = (
        queryset.annotate(vector=vector)
        .filter(vector=search_query)
        .annotate(
            rank=SearchRank(vector, search_query),
            headline=SearchHeadline(
                "document",
                search_query,
                config="norwegian",
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
            ),
        )
        .order_by("-rank")[:MAX_HITS]
    )
    return [_hit_for(kind, row, _marked(row.headline), row.rank) for row in rows]


def _fallback_hits(kind, queryset, query):
    """Every word must occur, matched in Python: an SQLite installation is small enough to scan."""
    words = [word.lower() for word in query.split()[:8]]
    hits = []
    for row in queryset:
        text = case_document(row) if kind == "case" else (row.document or "")
        if all(word in text.lower() for word in words):
            hits.append(_hit_for(kind, row, _snippet(text, words)))
    return hits


def _snippet(text: str, words: list[str]) -> SafeString:
    """A window of text around the first match, with every match marked."""
    text = " ".join(text.split())
    lower = text.lower()
    positions = [lower.find(word.lower()) for word in words if lower.find(word.lower()) >= 0]
    first = min(positions) if positions else 0
    start = max(first - SNIPPET_RADIUS, 0)
    end = min(first + SNIPPET_RADIUS * 2, len(text))
    window = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return _marked(pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", window))


def _marked(text: str) -> SafeString:
    """Escape everything, then turn the match markers into <mark>."""
    return mark_safe(escape(text or "").replace(START, "<mark>").replace(STOP, "</mark>"))


__all__ = ["Hit", "search", "uses_postgres"]
