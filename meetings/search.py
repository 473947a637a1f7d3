"""Search across cases, decisions, minutes and attachment titles, within what the user may read.

The apps above add kinds of their own (the action plans and their measures: `extra`, objects
with `newest`, `hits`, `fallback` and `public_words`; actionplans/search.py), so the portal's
search page ranks, pages and suggests over all of them without this app knowing them.

On PostgreSQL: full-text search with the Norwegian configuration on stored, GIN-indexed
documents (meetings/models/search.py, kept current on write by meetings/search_index.py), ranked
(titles weigh most), with highlighted snippets (ts_headline) made for the shown page of hits
only, and of each hit's text only the paragraphs its snippet needs (meetings/search_headlines.py).
A case has one stored document per level of what a reader may see, and each reader matches only
the level the querysets' `with_access` gives them for that case, so exempt text or an
unpublished decision is never matched for a reader who may not read it.
Elsewhere (SQLite): every word must occur as a word, alone or with a common ending ("barn" finds
"barna" and "barnet", never "Barneschizofreni"), newest first. Both search what the same
visibility rules (meetings.permissions via the querysets) let the user read.

Snippets are cut from the text as the pages show it (meetings/text.py, no markdown marks), with
whole words highlighted: on PostgreSQL the words ts_headline matches (the query's words and
their stems), on SQLite the words the fallback matched. When a search finds little, PostgreSQL
offers "Mente du …?": the nearest words by trigram similarity (pg_trgm) from the vocabulary of
what visitors read (meetings.SearchWord), each offered only while a text visitors read still
matches it, so a suggestion never tells of exempt or unpublished text.

Work per search is bounded: one query per kind (cases, minutes, attachments, and one per extra
source) for the ranked keys of the first pages and the total, then one per kind for the shown
page's rows, one (rarely two) for their headlines, and one for the suggestion when a search
finds little.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models import Case as Conditional
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from governance.permissions import viewer_for
from governance.querysets import CompiledOnce, PreparedQuery

from . import permissions, search_headlines
from .models import (
    Attachment,
    Case,
    CasePerson,
    CaseSearchDocument,
    CaseSection,
    Minutes,
    MinutesSearchDocument,
    MinutesSection,
)
from .search_words import (  # the words, snippets, suggestions and hits; re-exported for other apps
    BLOCK,
    CANDIDATES,
    MAX_PAGES,
    MAX_QUERY_LENGTH,
    PER_PAGE,
    SUGGEST_BELOW,
    Hit,
    Matcher,
    SearchPage,
    marked_headline,
    padded_keys,
    query_words,
    snippet,
    suggest,
    uses_postgres,
)


def _sections_text(name: str, model=None, owner="case", text=None):
    """All section text of a case (or minutes) as one string (a correlated subquery, compiled
    once per `name`: governance.querysets.CompiledOnce)."""
    model = model or CaseSection

    def build():
        shown = text() if text is not None else F("text")
        if uses_postgres():
            from django.contrib.postgres.aggregates import StringAgg

            aggregate = StringAgg(shown, delimiter=BLOCK)
        else:
            aggregate = _GroupConcat(shown)
        return Subquery(
            model.objects.filter(**{owner: OuterRef("pk")})
            .values(owner)
            .annotate(all_text=aggregate)
            .values("all_text")[:1],
            output_field=TextField(),
        )

    return CompiledOnce(f"search:{name}", build, TextField())


class _GroupConcat(Aggregate):
    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = TextField()


def _named_text():
    """The names a case paper gives (its people's words as shown), as one string."""

    def shown():
        words = NullIf(F("wording"), Value(""))
        return Coalesce(words, F("person__name"), Value(""), output_field=TextField())

    return _sections_text("case_people", CasePerson, "case", shown)


def _cases(user):
    """Cases the user may see, with what of each they may read (`content_visible`, …)."""
    return _with_public_decision(Case.objects.visible_to(user).with_access(user), user)


def _with_public_decision(cases, user):
    """Annotate `public_decision_visible`: an exempt case's public decision, once its minutes are."""
    return cases.annotate(
        public_decision_visible=Conditional(
            When(permissions.minutes_visible_q(user, "meeting__") & Q(exempt=True), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _reader_level():
    """Which stored document of a case (CaseSearchDocument.Level) this reader may match.

    The same choice as `_case_documents` and `case_document` make of the text: the paper where
    the content is readable, with the decision once it is visible; else the public title, with
    the public decision once the minutes are.
    """
    level = CaseSearchDocument.Level
    has_decision = ~Q(decision="") | ~Q(discussion="")
    return Conditional(
        When(Q(content_visible=True, decision_visible=True) & has_decision, then=Value(level.FULL)),
        When(content_visible=True, then=Value(level.PAPER)),
        When(Q(public_decision_visible=True) & ~Q(public_decision=""), then=Value(level.PUBLIC_DECISION)),
        default=Value(level.PUBLIC),
        output_field=CharField(),
    )


def search_query(query: str):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(query, config="norwegian", search_type="websearch")


def matching_cases(cases, terms):
    """Narrow `cases` (annotated as `_cases` does) to those whose readable text matches `terms`.

    PostgreSQL: one join to the stored documents on their GIN index, at the level picked per
    case for this reader, so text above that level is never matched; annotates `rank`, from the
    title only (the `head` vector), so no match's whole document is read to rank it.
    """
    from django.contrib.postgres.search import SearchRank

    return (
        cases.annotate(search_level=_reader_level())
        .filter(search_documents__vector=terms, search_documents__level=F("search_level"))
        .annotate(rank=SearchRank(F("search_documents__head"), terms))
    )


@contextmanager
def index_scans():
    """Match through the GIN indexes, never by reading every stored document.

    A common word matches nearly every document, and PostgreSQL then prefers to read the table,
    which means decompressing every document (out of line, kilobytes each) to test it; the index
    answers the same question from the index alone. The setting is put back afterwards (and a
    transaction that fails takes it back by itself).
    """
    if not uses_postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_seqscan")


def filter_listed_cases(cases, user, query: str):
    """The case list's text filter: the listed cases (with_access) whose readable text has `query`."""
    if uses_postgres():
        return matching_cases(_with_public_decision(cases, user), search_query(query[:MAX_QUERY_LENGTH]))
    for word in query.split()[:8]:
        in_sections = Q(pk__in=CaseSection.objects.filter(text__icontains=word).values("case_id"))
        readable = Q(content_visible=True) & (
            Q(title__icontains=word)
            | Q(agenda_title__icontains=word)
            | Q(proposal__icontains=word)
            | Q(
                pk__in=CasePerson.objects.filter(
                    Q(wording__icontains=word) | Q(person__name__icontains=word)
                ).values("case_id")
            )
            | in_sections
            | (Q(decision_visible=True) & Q(decision__icontains=word))
        )
        public = Q(exempt=True) & Q(public_title__icontains=word)
        cases = cases.filter(readable | public)
    return cases


def _case_documents(user):
    """Cases with their searchable text: full text where readable, only the public title where exempt.

    PostgreSQL builds the `document` in SQL for the headlines of the shown page; SQLite's parser
    cannot take that expression, so there the document is assembled in Python (`case_document`)
    from prefetched sections.
    """
    cases = _cases(user).select_related("body__partnership", "meeting__body__partnership")
    if not uses_postgres():
        return cases.prefetch_related("sections", "people__person")
    space = Value(BLOCK)
    full = Concat(
        F("title"),
        space,
        F("agenda_title"),
        space,
        Coalesce(_named_text(), Value(""), output_field=TextField()),
        space,
        F("proposal"),
        space,
        Coalesce(_sections_text("case_sections"), Value(""), output_field=TextField()),
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
    return _with_document(
        cases, Conditional(When(content_visible=True, then=full), default=public, output_field=TextField())
    )


def _with_document(rows, document):
    """`rows` with their `document`: on PostgreSQL an alias that only the headlines of the shown
    page read (selected as well, SQL would build each document twice: once for the column and
    once for ts_headline); on SQLite a column, which the Python fallback reads."""
    return rows.alias(document=document) if uses_postgres() else rows.annotate(document=document)


def case_document(case) -> str:
    """The same document as the SQL expression above, for the SQLite fallback."""
    if not case.content_visible:
        if case.public_decision_visible and case.public_decision:
            return f"{case.public_title}{BLOCK}{case.public_decision}"
        return case.public_title
    parts = [case.title, case.agenda_title, case.named_text, case.proposal]
    parts += [section.text for section in case.sections.all()]
    if case.decision_visible:
        parts += [case.discussion, case.decision]
    return BLOCK.join(part for part in parts if part)


def _minutes_documents(user):
    """The minutes' own text, their free sections; the cases' parts are found as cases."""
    sections = _sections_text(
        "minutes_sections",
        MinutesSection,
        "minutes",
        lambda: Concat(F("heading"), Value(BLOCK), F("text"), output_field=TextField()),
    )
    document = Coalesce(sections, Value(""), output_field=TextField())
    minutes = Minutes.objects.visible_to(user).select_related("meeting__body__partnership")
    return _with_document(minutes, document)


def _attachment_documents(user):
    return _with_document(Attachment.objects.readable_by(user), F("title")).select_related(
        "case__body__partnership", "case__meeting__body__partnership"
    )


def _titles(kind, row) -> tuple[str, ...]:
    """What the hit's title shows of the start of its document (the snippet need not repeat it)."""
    if kind != "case":
        return ()
    return (row.title, row.agenda_title) if row.content_visible else (row.public_title,)


def _hit_for(kind, obj, snippet, rank=0.0) -> Hit:
    hit = _hit(kind, obj, snippet, rank)
    meeting = obj.meeting if kind in ("case", "minutes") else obj.case.meeting
    # The date sorts the hit; it is shown only when the source gives it (else start is a sort key).
    hit.date_known = meeting is not None and meeting.date_known
    return hit


def _hit(kind, obj, snippet, rank) -> Hit:
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


# kind: the rows with their `document` text; the lookups from a row to its partnership and date.
_ROWS = {"case": _case_documents, "minutes": _minutes_documents, "attachment": _attachment_documents}
_PATHS = {
    "case": ("body__partnership", "meeting__start"),
    "minutes": ("meeting__body__partnership", "meeting__start"),
    "attachment": ("case__body__partnership", "case__meeting__start"),
}


def _sources(user, partnership):
    """kind: (the rows with their `document` text, the lookup to the partnership, to the date)."""
    sources = {kind: (rows(user), *_PATHS[kind]) for kind, rows in _ROWS.items()}
    if partnership is None:
        return sources
    return {
        kind: (rows.filter(**{path: partnership}), path, date) for kind, (rows, path, date) in sources.items()
    }


def search_page(user, query: str, *, partnership=None, page: int = 1, extra=()) -> SearchPage:
    """Page `page` (1-based, at most MAX_PAGES) of the hits for `query` the user may read.

    `extra`: the sources of the apps above (see the module's docstring), ranked with these."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    page = min(max(page, 1), MAX_PAGES)
    if not query:
        return SearchPage([], 0)
    if uses_postgres():
        return _postgres_page(user, query, page, partnership, extra)
    return _fallback_page(_sources(user, partnership), query, page, partnership, extra)


def search(user, query: str, *, partnership=None, extra=()) -> list[Hit]:
    """The first page of hits."""
    return search_page(user, query, partnership=partnership, extra=extra).hits


def _attachment_title_vector():
    """The stored search vector of an attachment's title: a generated column that only
    PostgreSQL has (migration 0015), read by name as the model does not know it."""
    from django.contrib.postgres.search import SearchVectorField

    return RawSQL(f'"{Attachment._meta.db_table}"."title_vector"', [], output_field=SearchVectorField())


def _matches(kind, user, terms):
    """The rows of one kind whose stored document matches, annotated with `rank` (PostgreSQL)."""
    from django.contrib.postgres.search import SearchRank

    if kind == "case":
        return matching_cases(_cases(user), terms)
    if kind == "minutes":
        # Minutes have no title: they rank with the cases matched outside their titles, newest first.
        return (
            Minutes.objects.visible_to(user)
            .filter(search_document__vector=terms)
            .annotate(rank=Value(0.0, output_field=FloatField()))
        )
    return (
        Attachment.objects.readable_by(user)
        .annotate(title_vector=_attachment_title_vector())
        .filter(title_vector=terms)
        .annotate(rank=SearchRank(F("title_vector"), terms))
    )


def _postgres_page(user, query, page, partnership, extra) -> SearchPage:
    """The newest matches of each kind, ranked, and their totals; then this page's rows.

    Each query is built and compiled once per kind, reader's standing and whether a
    partnership is chosen, and run with the words (and ids) in their places (PreparedQuery:
    compiling these querysets cost more than running them), planned by PostgreSQL for the words.
    """
    viewer = viewer_for(user)
    ranked, total = [], 0
    with index_scans():
        for kind in _ROWS:
            newest = _newest_readable(kind, viewer, query, partnership)
            total += len(newest)
            ranked += [(rank, sort_date, kind, pk) for pk, rank, sort_date in newest]
        for source in extra:
            newest = source.newest(query, partnership)
            total += len(newest)
            ranked += [(rank, sort_date, kind, pk) for kind, pk, rank, sort_date in newest]
        suggestion = suggest(query, extra) if total < SUGGEST_BELOW else ""
    ranked.sort(key=lambda key: (-key[0], -_timestamp(key[1])))
    shown = ranked[(page - 1) * PER_PAGE : page * PER_PAGE]
    rows = []
    for kind in _ROWS:
        ranks = {pk: rank for rank, _date, row_kind, pk in shown if row_kind == kind}
        if ranks:
            rows += [(kind, row, ranks[row.pk]) for row in _SHOWN((query, *padded_keys(ranks)), kind, viewer)]
    terms = rows[0][1].terms if rows else ""
    documents = [(row.text, _titles(kind, row)) for kind, row, _rank in rows]
    marked = search_headlines.snippets(query, terms, documents)
    hits = [_hit_for(kind, row, shown, rank) for (kind, row, rank), shown in zip(rows, marked, strict=True)]
    for source in extra:
        keys = {(kind, pk): rank for rank, _date, kind, pk in shown if kind in source.kinds}
        if keys:
            hits += source.hits(keys, query)
    hits.sort(key=lambda hit: (-hit.rank, -_timestamp(hit.date)))
    return SearchPage(hits, total, page, suggestion=suggestion)


def _shown_query(query, *rest):
    """The rows of `kind` with these ids, with their `text` and the query's tsquery as text
    (`terms`), from which meetings/search_headlines.py marks what their snippets show."""
    keys, (kind, viewer) = rest[:PER_PAGE], rest[PER_PAGE:]
    terms = Cast(search_query(query), output_field=TextField())
    return _ROWS[kind](viewer).filter(pk__in=keys).annotate(text=F("document"), terms=terms)


_SHOWN = PreparedQuery(_shown_query, planned_once=False)


def _newest(matches, path, date, partnership) -> list[tuple]:
    """(pk, rank, date) of the newest CANDIDATES matches: bounded work.

    A search shows at most MAX_PAGES pages, so it ranks at most that many hits plus one (the
    one tells there are more): the newest matches, taken through the indexes, ranked by their
    titles. A rare word is found through the GIN index and sorted; a common one by walking the
    newest rows until enough match, so neither reads every match.
    """
    if partnership is not None:
        matches = matches.filter(**{path: partnership})
    return (
        matches.annotate(sort_date=F(date), key=F("pk"))
        .order_by(F("sort_date").desc(nulls_last=True), "-pk")
        .values_list("key", "rank", "sort_date")[:CANDIDATES]
    )


def _public_matches(kind, terms):
    """What a visitor reads of `kind` that matches, from the stored rows flagged `public`.

    (rows with `key`, `rank`, `sort_date`; the path to the body from those rows, and from the
    rows of `_matches`). A case: its row at the visitor's level. Minutes: their row, once the
    meeting's status makes them public. An attachment: readable by a visitor exactly when it is
    not exempt and its case is visible and readable by them, that is, when the case's `public`
    row is the paper (with or without the decision); the walk goes newest first along those rows.
    """
    from django.contrib.postgres.search import SearchRank

    level = CaseSearchDocument.Level
    if kind == "case":
        rows = CaseSearchDocument.objects.filter(public=True, vector=terms).annotate(
            rank=SearchRank(F("head"), terms), key=F("case_id"), sort_date=F("start")
        )
        return rows, "body", "body"
    if kind == "minutes":
        rows = MinutesSearchDocument.objects.filter(public=True, vector=terms).annotate(
            rank=Value(0.0, output_field=FloatField()), key=F("minutes_id"), sort_date=F("start")
        )
        return rows, "body", "meeting__body"
    rows = (
        Attachment.objects.annotate(title_vector=_attachment_title_vector())
        .filter(
            title_vector=terms,
            exempt=False,
            case__search_documents__public=True,
            case__search_documents__level__in=[level.PAPER, level.FULL],
        )
        .annotate(
            rank=SearchRank(F("title_vector"), terms),
            key=F("pk"),
            sort_date=F("case__search_documents__start"),
        )
    )
    return rows, "case__body", "case__body"


def _newest_readable(kind, viewer, query, partnership) -> list[tuple]:
    """(pk, rank, date) of the newest CANDIDATES matches of `kind` that this reader may read
    (_newest_query, compiled once per kind, standing and whether a partnership is chosen)."""
    where = () if partnership is None else (partnership.pk,)
    newest = list(_NEWEST((query, *where), kind, viewer))
    if len(newest) > CANDIDATES:  # a member's two parts (UNION ALL): the newest of both
        newest.sort(key=lambda row: (row[2] is not None, _timestamp(row[2]), row[0]), reverse=True)
    return newest[:CANDIDATES]


def _newest_query(query, *rest):
    """The newest CANDIDATES matches of `kind` that this reader may read, as (pk, rank, date).

    Where the reader stands no higher than a visitor (every body for a visitor, all but their
    own for a member), the stored rows flagged `public` are exactly what they read: one walk
    along those rows alone, newest first (`_public_matches`). In the bodies and partnerships
    where they stand higher, the querysets pick what they read (`_matches`), a part bounded by
    those bodies, in the same query (UNION ALL). A superuser reads everything the second way.
    """
    *where, kind, viewer = rest
    partnership = where[0] if where else None  # the chosen partnership's id
    terms = search_query(query)
    path, date = _PATHS[kind]
    if viewer.is_superuser:
        return _newest(_matches(kind, viewer, terms), path, date, partnership)
    bodies = viewer.member_bodies | viewer.leading_bodies | viewer.referent_bodies
    partnerships = viewer.secretariat_partnerships
    public, body, own_body = _public_matches(kind, terms)
    if bodies:
        public = public.exclude(**{f"{body}_id__in": bodies})
    if partnerships:
        public = public.exclude(**{f"{body}__partnership_id__in": partnerships})
    if partnership is not None:
        public = public.filter(**{f"{body}__partnership": partnership})
    newest = public.order_by("-sort_date", "-key").values_list("key", "rank", "sort_date")[:CANDIDATES]
    if not (bodies or partnerships):
        return newest
    own = _matches(kind, viewer, terms).filter(
        Q(**{f"{own_body}_id__in": bodies}) | Q(**{f"{own_body}__partnership_id__in": partnerships})
    )
    return newest.union(_newest(own, path, date, partnership), all=True)


_NEWEST = PreparedQuery(_newest_query, planned_once=False)


def _fallback_page(sources, query, page, partnership, extra) -> SearchPage:
    """Every word must occur, matched in Python: an SQLite installation is small enough to scan."""
    matcher = Matcher(query)
    hits = []
    for kind, (rows, _path, _date) in sources.items():
        for row in rows:
            text = case_document(row) if kind == "case" else (row.document or "")
            if matcher.matches(text):
                hits.append(_hit_for(kind, row, matcher.snippet(text, _titles(kind, row))))
    for source in extra:
        hits += source.fallback(matcher, partnership)
    hits.sort(key=lambda hit: -_timestamp(hit.date))
    return SearchPage(hits[(page - 1) * PER_PAGE : page * PER_PAGE], len(hits), page)


# The endings a word of the query may have in the text on SQLite, which has no stemmer: the
# common inflections of Norwegian nouns, adjectives and verbs ("barn": barna, barnet, barnas).
def _timestamp(date) -> float:
    if isinstance(date, dt.date) and not isinstance(date, dt.datetime):
        date = dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC)  # a plan's first day sorts it
    return date.timestamp() if date else 0


__all__ = [
    "Hit",
    "Matcher",
    "SearchPage",
    "filter_listed_cases",
    "marked_headline",
    "query_words",
    "search",
    "search_page",
    "snippet",
    "suggest",
    "uses_postgres",
]
