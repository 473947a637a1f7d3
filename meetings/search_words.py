"""The words of a search and the hits they make: the page of hits (Hit, SearchPage); the query's
words, whole-word matching and marking (SQLite's fallback and the snippets on both databases);
the snippets cut from the text as the pages render it; and the "Mente du …?" suggestions drawn
from the words visitors may read (PostgreSQL's pg_trgm). Split from meetings/search.py, which
finds and ranks the hits and re-exports these names."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .text import plain_text

# Markers ts_headline puts around matches; the snippet is escaped before they become <mark>.
START, STOP = "\x02", "\x03"
PER_PAGE = 20
MAX_PAGES = 10  # hits past the first 200 are not shown: a narrower search finds them
CANDIDATES = MAX_PAGES * PER_PAGE + 1  # per kind: the newest matches that are ranked and counted
MAX_QUERY_LENGTH = 200
# A search that finds fewer hits than this is offered a spelling suggestion (PostgreSQL).
SUGGEST_BELOW = 3
# Fields of a document are separate blocks of text, as the page shows them.
BLOCK = "\n\n"


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: SafeString
    date: object
    rank: float = 0.0
    date_known: bool = True  # False: `date` only sorts the hit (the source gives no date)
    context: str = ""  # where the hit belongs, when the title does not say (an action plan's partnership)


@dataclass
class SearchPage:
    """One page of hits, with what the page links (templates/_pagination.html) need."""

    hits: list[Hit]
    total: int
    number: int = 1
    per_page: int = PER_PAGE
    paginator: SearchPage | None = field(default=None, repr=False)
    suggestion: str = ""  # "Mente du …?": the query with its misspelt words mended (PostgreSQL)

    def __post_init__(self):
        self.paginator = self  # the pagination template asks page.paginator.num_pages

    @property
    def num_pages(self) -> int:
        return max(min(math.ceil(self.total / self.per_page), MAX_PAGES), 1)

    @property
    def shown_at_most(self) -> int:
        return MAX_PAGES * self.per_page

    @property
    def truncated(self) -> bool:
        """More hits than are shown: `total` then counts only those looked at."""
        return self.total > self.shown_at_most

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


SNIPPET_RADIUS = 90
MAX_WORDS = 8


def padded_keys(keys) -> tuple[int, ...]:
    """The ids of a page of hits of one kind, PER_PAGE of them (0, no row's id, fills the rest):
    the SQL that reads them is the same for every page, so it is compiled once."""
    keys = tuple(keys)
    return keys + (0,) * (PER_PAGE - len(keys))


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def marked_headline(document, terms):
    """The whole `document` with every word `terms` match (the word or its stem) between the
    markers: the snippet is cut from it after it is rendered as the page shows it (`snippet`)."""
    from django.contrib.postgres.search import SearchHeadline

    return SearchHeadline(
        document, terms, config="norwegian", start_sel=START, stop_sel=STOP, highlight_all=True
    )


_ENDINGS = "(?:ene|enes|ane|ens|ers|ets|en|er|et|ar|te|na|a|e|s|t)?"
_QUERY_WORD = re.compile(r"\w[\w'’.-]*\w|\w")


def query_words(query: str) -> list[str]:
    """The words of a query (at most MAX_WORDS), without its quotes, dashes and operators."""
    return _QUERY_WORD.findall(query)[:MAX_WORDS]


class Matcher:
    """The SQLite fallback's match: every word of the query, as a whole word (with an ending)."""

    def __init__(self, query: str):
        words = [word for word in query_words(query) if word.lower() not in ("or", "and")]
        self.patterns = [_word_pattern([word]) for word in words]
        self.any_word = _word_pattern(words) if words else None

    def matches(self, text: str) -> bool:
        return bool(self.patterns) and all(pattern.search(text) for pattern in self.patterns)

    def marked(self, text: str) -> str:
        if self.any_word is None:
            return text
        return self.any_word.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)

    def snippet(self, text: str, titles=()) -> SafeString:
        return snippet(self.marked(text), titles)


def _word_pattern(words: list[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives}){_ENDINGS}(?!\w)", re.IGNORECASE)


def snippet(marked: str | None, titles=()) -> SafeString:
    """A window of the text as the page shows it, around the first marked word, marks kept.

    `marked`: the document (case text with its light markdown) with the matched words between
    START and STOP. It is rendered as the pages render it (meetings/text.py) and read as plain
    text, so no "**" or "|" shows; then escaped, and only the markers become <mark>. `titles`:
    what the hit's title already shows, which the document starts with; the snippet starts after
    them when the text after them has a match.

    Only the paragraphs the window needs are rendered: the renderer renders each paragraph (lines
    up to a blank line) on its own, keeps the markers and makes none, so the paragraphs from the
    start until the titles are settled, then those around the first marked paragraph after them,
    give the window the whole text would give (tests/meetings/test_snippets.py proves it). A page
    of large case papers took 25-40 ms here when every hit's whole document was rendered.
    """
    return snippet_of(paragraphs_of(marked or ""), titles)


class _Pending(Exception):
    """The window needs a paragraph whose matches are not marked yet."""


def snippet_of(paragraphs: list[str], titles=(), pending=frozenset()) -> SafeString | None:
    """The snippet of the text made of `paragraphs` (as `snippet`). `pending`: the numbers of
    paragraphs that may hold a match not marked yet (meetings/search_headlines.py marks only those
    a window needs): None when this window needs one of them."""
    try:
        return _snippet(paragraphs, [plain_text(title) for title in titles], pending)
    except _Pending:
        return None


def _snippet(paragraphs: list[str], heads: list[str], pending) -> SafeString:
    marked_at = [n for n, paragraph in enumerate(paragraphs) if n in pending or START in paragraph]
    last_marked = max((n for n, p in enumerate(paragraphs) if n not in pending and START in p), default=-1)
    last_pending = max(pending, default=-1)
    text = ""
    for done in range(1, len(paragraphs) + 1):
        if shown := _plain(paragraphs, done - 1, pending):
            text = f"{text} {shown}" if text else shown
        complete = done == len(paragraphs)
        # Whether a match follows: True, False, or None while only a pending paragraph may hold one.
        follow = last_marked >= done or (None if last_pending >= done else False)
        after, settled = _without_heads(text, heads, complete, follow)
        if not settled:
            continue
        if START not in after and follow is not False:  # skip to the paragraphs around the next match
            return _marked(window_of(_with_next_match(text, paragraphs, done, marked_at, pending), heads))
        if (window := _window(after, complete)) is not None:
            return _marked(window)
    return _marked(window_of(text, heads))


def _plain(paragraphs: list[str], number: int, pending) -> str:
    if number in pending:
        raise _Pending
    return plain_text(paragraphs[number])


def _with_next_match(text: str, paragraphs: list[str], done: int, marked_at: list[int], pending) -> str:
    """`text` (the plain text of the first `done` paragraphs) with the plain text of those around
    the first marked paragraph after them: enough before its first marker for the window's start
    (the paragraphs skipped before them lie outside the window), enough after it for its end."""
    marked = next(number for number in marked_at if number >= done)
    around = [_plain(paragraphs, marked, pending)]
    before = around[0].find(START)
    number = marked - 1
    while before <= SNIPPET_RADIUS and number >= done:
        if shown := _plain(paragraphs, number, pending):
            around.insert(0, shown)
            before += len(shown) + 1
        number -= 1
    after = len(around[-1]) - around[-1].find(START)
    number = marked + 1
    while after <= SNIPPET_RADIUS * 2 and number < len(paragraphs):
        if shown := _plain(paragraphs, number, pending):
            around.append(shown)
            after += len(shown) + 1
        number += 1
    return " ".join(part for part in [text, *around] if part)


def paragraphs_of(text: str) -> list[str]:
    """`text` cut at its blank lines, as meetings/text.py cuts it into blocks."""
    paragraphs, lines = [], []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            lines.append(line)
        elif lines:
            paragraphs.append("\n".join(lines))
            lines = []
    if lines:
        paragraphs.append("\n".join(lines))
    return paragraphs


def window_of(text: str, heads=()) -> str:
    """The snippet's text: `text` (plain, with markers) from after `heads` (the titles, plain)
    when a match follows them, around its first match."""
    return _window(_without_heads(text, heads, True, False)[0], True)


def _without_heads(text: str, heads, complete: bool, marks_follow: bool | None) -> tuple[str, bool]:
    """(`text` after each of `heads` it starts with, if a match follows; whether that is settled,
    which it may not be while `text` is not `complete` (`marks_follow`: a marker may follow))."""
    for head in heads:
        text, settled = _after(text, head, complete, marks_follow)
        if not settled:
            return text, False
    return text, True


def _window(text: str, complete: bool) -> str | None:
    """The window around the first match of `text` (or its start); None when `text` is only the
    start of the text (not `complete`) and what follows could change it."""
    first = text.find(START)
    if not complete and len(text) <= max(first, 0) + SNIPPET_RADIUS * 2:
        return None
    first = max(first, 0)
    start = max(first - SNIPPET_RADIUS, 0)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(first + SNIPPET_RADIUS * 2, len(text))
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    window = text[start:end]
    if window.count(START) > window.count(STOP):
        window += STOP  # a marked word cut at the end of the window
    return ("…" if start else "") + window.strip() + ("…" if end < len(text) else "")


def _after(text: str, head: str, complete: bool, marks_follow: bool | None) -> tuple[str, bool]:
    """(`text` (with markers) from after `head` (without) if it starts with it and a match follows,
    else `text`; whether that is settled, which it may not be while `text` is not `complete`)."""
    if not head:
        return text, True
    seen = position = 0
    while position < len(text) and seen < len(head):
        if text[position] not in (START, STOP):
            if text[position] != head[seen]:
                return text, True
            seen += 1
        position += 1
    if seen < len(head):
        return text, complete
    rest = text[position:].lstrip(STOP).lstrip()
    if START in rest or marks_follow:  # (a marker after the text so far comes after the head)
        return rest, True
    if marks_follow is None:
        raise _Pending
    return text, True


def _marked(text: str) -> SafeString:
    """Escape everything, then turn the match markers into <mark>."""
    return mark_safe(escape(text or "").replace(START, "<mark>").replace(STOP, "</mark>"))


# What a suggestion must still match to be offered: text visitors read now (the stored rows
# flagged `public`), so a word whose text has since become exempt is not offered. `{word}` is
# the candidate's column; the sources of `extra` add theirs (`public_words`).
_PUBLIC_WORDS = (
    "EXISTS (SELECT 1 FROM meetings_casesearchdocument d"
    " WHERE d.public AND d.vector @@ plainto_tsquery('norwegian', {word}))",
    "EXISTS (SELECT 1 FROM meetings_minutessearchdocument d"
    " WHERE d.public AND d.vector @@ plainto_tsquery('norwegian', {word}))",
)

# How alike (pg_trgm's similarity, 0 to 1) a word must be to be suggested. "paliativ" and
# "palliativ" are 0.73 alike, "kommunne" and "kommune" 0.7. The higher, the fewer words the GIN
# index hands on to be compared: at 0.3 (pg_trgm's default) a word made of common syllables
# ("helsefelesskap") had hundreds of thousands of words of a national vocabulary compared.
SIMILARITY = 0.5
MAX_SUGGESTED_WORDS = 4

# For each word of the query the vocabulary does not hold: the nearest of the words it holds
# (trigram similarity, through its GIN index: the five nearest, then the first of them that text
# visitors read still matches). One query for the whole query; the threshold is set with it
# (pg_trgm's `%` reads it; nothing else in the portal does).
_SUGGEST = """
SET pg_trgm.similarity_threshold = %s;
SELECT q.word, (
    SELECT near.word FROM (
        SELECT v.word, similarity(v.word, q.word) AS score FROM meetings_searchword v
        WHERE v.word %% q.word ORDER BY score DESC, v.word LIMIT 5
    ) AS near
    WHERE {public}
    ORDER BY near.score DESC, near.word LIMIT 1
)
FROM unnest(%s::text[]) AS q (word)
WHERE NOT EXISTS (SELECT 1 FROM meetings_searchword k WHERE k.word = q.word)
"""


def suggest(query: str, extra=()) -> str:
    """The query with its misspelt words replaced by the nearest words visitors read, or "".

    PostgreSQL only (pg_trgm). Words of 3 to 40 letters without digits are mended; the rest stay.
    """
    if not uses_postgres():
        return ""
    words = {
        word.lower()
        for word in query_words(query)
        if 3 <= len(word) <= 40 and not any(c.isdigit() for c in word) and "_" not in word
    }
    if not words:
        return ""
    checks = [*_PUBLIC_WORDS, *(check for source in extra for check in source.public_words)]
    public = " OR ".join(f"({check.format(word='near.word')})" for check in checks)
    with connection.cursor() as cursor:
        cursor.execute(_SUGGEST.format(public=public), [SIMILARITY, sorted(words)[:MAX_SUGGESTED_WORDS]])
        better = {word: near for word, near in cursor.fetchall() if near}
    if not better:
        return ""
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in better) + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(lambda m: better[m.group(0).lower()], query)
