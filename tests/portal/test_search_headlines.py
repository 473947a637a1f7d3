"""Search marks only the paragraphs its snippets need (meetings/search_headlines.py), and its
snippets are those of the whole marked document.

On PostgreSQL the snippets are compared with those cut from ts_headline over each whole document,
for documents made of words that match, words that hold a lexeme without matching ("prusa" holds
"rus"), light markdown and blank lines, and for every hit of searches of the demo data. On SQLite
search marks words itself (the fallback): the same searches show the match after the titles.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplans.search import SOURCES
from meetings import search_headlines
from meetings.search import search_page, uses_postgres
from meetings.search_words import snippet

QUERIES = ["barn", "rus", "helse barn", '"barn unge"', "e-post", "post -rus", "barn or rus", "o'neil"]
WORDS = [
    "Helse",
    "helsetjenester",
    "barn",
    "barna",
    "unge",
    "Prusa",
    "rus",
    "rusmidler",
    "strukturert",
    "e-post",
    "posten",
    "O'Neil",
    "**barn**",
    "og",
]
_PARAGRAPH = st.lists(st.sampled_from(WORDS), min_size=1, max_size=40).map(" ".join)
_SEPARATOR = st.sampled_from(["\n\n", "\n \n", "\n\n\n", "\n- "])


def _whole(query, documents):
    """The snippets cut from ts_headline over each whole document."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline('norwegian', t.d, websearch_to_tsquery('norwegian', %s), %s)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS t (d, n) ORDER BY t.n",
            [query, search_headlines._OPTIONS, [text for text, _titles in documents]],
        )
        return [
            snippet(marked, titles)
            for (marked,), (_text, titles) in zip(cursor.fetchall(), documents, strict=True)
        ]


def _terms(query):
    with connection.cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery('norwegian', %s)::text", [query])
        return cursor.fetchone()[0]


def test_lexemes_are_read_from_the_text_of_a_tsquery():
    terms = "'barn' <-> 'ung' & !'rus' & 'o''neil' & 'hels':* & 'a\\\\b'"
    assert search_headlines.lexemes(terms) == ("barn", "ung", "rus", "o'neil", "hels", "a\\b")


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    documents=st.lists(
        st.tuples(st.lists(st.tuples(_PARAGRAPH, _SEPARATOR), min_size=1, max_size=12), st.integers(0, 2)),
        min_size=1,
        max_size=6,
    ),
    query=st.sampled_from(QUERIES),
)
def test_the_snippets_are_those_of_the_whole_marked_documents(documents, query):
    made = []
    for parts, titles_taken in documents:
        text = "".join(paragraph + separator for paragraph, separator in parts)
        made.append((text, tuple(paragraph for paragraph, _separator in parts[:titles_taken])))
    if uses_postgres():
        assert search_headlines.snippets(query, _terms(query), made) == _whole(query, made)
    else:  # ts_headline is PostgreSQL's: on SQLite search marks words itself (the last test)
        with pytest.raises(DatabaseError):
            search_headlines.snippets("barn", "'barn'", [("Om barn", ())])


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["helse", "barn unge", "palliativ", "kommune or sykehus", "samarbeid"])
def test_every_hit_of_the_demo_searches_has_the_snippet_of_its_whole_document(demo_data, query, monkeypatch):
    found = search_page(AnonymousUser(), query, extra=SOURCES).hits
    assert found, query
    if not uses_postgres():  # the fallback marks the words itself, never through ts_headline
        monkeypatch.setattr(search_headlines, "snippets", None)
        assert search_page(AnonymousUser(), query, extra=SOURCES).hits == found
        assert any("<mark>" in hit.snippet for hit in found), query
        return
    monkeypatch.setattr(
        search_headlines, "snippets", lambda query, terms, documents: _whole(query, documents)
    )
    whole = search_page(AnonymousUser(), query, extra=SOURCES).hits
    assert [(hit.url, hit.snippet) for hit in found] == [(hit.url, hit.snippet) for hit in whole]
    assert any("<mark>" in hit.snippet for hit in found)
