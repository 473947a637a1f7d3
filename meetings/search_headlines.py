"""The snippets of a page of search hits on PostgreSQL, marked by ts_headline in only the
paragraphs the snippets need.

ts_headline parses every word it is given (about 1 ms per 5 KB on the development machine), and
a page of 20 case papers gave it 100-200 KB to show 20 windows of 270 characters. A document is
cut into paragraphs as the renderer cuts it (search_words.paragraphs_of); the text between
paragraphs is blank, where no word or match starts or ends, so marking a paragraph alone marks
it as marking the whole document does. A paragraph can only hold a match if its lowercased text
holds one of the query's lexemes: PostgreSQL's norwegian configuration lowercases a word and
Snowball only takes endings off it (or the `simple` dictionary keeps it whole), so a lexeme is
the start of every word it matches. Only those candidate paragraphs are sent, and of them first
those each snippet will most likely need (the titles' and the first two after them); where a
snippet needs another candidate (search_words.snippet_of tells), a second query marks all of
that document's other candidates. Every paragraph a snippet reads is then either marked or
holds no match, so it is the snippet the whole marked document gives
(tests/portal/test_search_headlines.py compares them on PostgreSQL).
"""

from __future__ import annotations

import re

from django.db import connection
from django.utils.safestring import SafeString

from .search_words import START, STOP, paragraphs_of, snippet_of

_HEADLINES = """
SELECT ts_headline('norwegian', t.paragraph, websearch_to_tsquery('norwegian', %s), %s)
FROM unnest(%s::text[]) WITH ORDINALITY AS t (paragraph, number) ORDER BY t.number
"""
_OPTIONS = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
# A lexeme in a tsquery's text: between single quotes, a quote or backslash in it doubled.
_LEXEME = re.compile(r"'((?:[^'\\]|''|\\.)*)'")
# Of each document, the candidates sent first: those among its titles' paragraphs and this many after.
FIRST_AFTER_TITLES = 2


def lexemes(terms: str) -> tuple[str, ...]:
    """The lexemes of a tsquery's text (`websearch_to_tsquery(…)::text`), negated ones included."""
    return tuple(match.replace("''", "'").replace("\\\\", "\\") for match in _LEXEME.findall(terms or ""))


class _Document:
    def __init__(self, text: str, titles, words: tuple[str, ...]):
        self.paragraphs = paragraphs_of(text or "")
        self.titles = titles
        self.pending = {
            number
            for number, paragraph in enumerate(self.paragraphs)
            if any(word in paragraph.lower() for word in words)
        }

    def first(self) -> list[int]:
        """The candidates this document's snippet most likely needs."""
        candidates = sorted(self.pending)
        titles = [number for number in candidates if number < len(self.titles)]
        return titles + candidates[len(titles) : len(titles) + FIRST_AFTER_TITLES]

    def snippet(self) -> SafeString | None:
        return snippet_of(self.paragraphs, self.titles, frozenset(self.pending))


def snippets(query: str, terms: str, documents) -> list[SafeString]:
    """The snippet of each of `documents` ((text, titles) pairs, as search_words.snippet takes
    them), its matches for `query` marked; `terms`: the query's tsquery as text."""
    words = tuple(word.lower() for word in lexemes(terms))
    shown = [_Document(text, titles, words) for text, titles in documents]
    _mark(query, [(document, document.first()) for document in shown])
    found = [document.snippet() for document in shown]
    if missing := [number for number, snippet in enumerate(found) if snippet is None]:
        _mark(query, [(shown[number], sorted(shown[number].pending)) for number in missing])
        for number in missing:
            found[number] = shown[number].snippet()
    return found


def _mark(query: str, wanted) -> None:
    """Mark these paragraphs ((document, their numbers) pairs) in one query."""
    wanted = [(document, number) for document, numbers in wanted for number in numbers]
    if not wanted:
        return
    with connection.cursor() as cursor:
        cursor.execute(_HEADLINES, [query, _OPTIONS, [d.paragraphs[number] for d, number in wanted]])
        for (document, number), (marked,) in zip(wanted, cursor.fetchall(), strict=True):
            document.paragraphs[number] = marked
            document.pending.discard(number)
