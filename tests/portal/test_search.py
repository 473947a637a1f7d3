"""Search finds cases, decisions, minutes and attachments, and never what the searcher may not read.

Runs on both databases: PostgreSQL with the Norwegian full-text configuration,
SQLite with the plain fallback.

About the demo data because search is checked on the seeds' real Norwegian text (stemming and
ranking with PostgreSQL's `norwegian` configuration: "Vestfjorderklæringen", "RKK Salten",
"samhandlingsarenaer"), and the never-finds checks search the demo's protected texts.
"""

import pytest

from meetings.models import Case, CaseSection
from meetings.search import search, uses_postgres
from tests.conftest import demo_client
from tests.portal.conftest import DRAFT_MINUTES_MARKER


def titles(hits):
    return [hit.title for hit in hits]


@pytest.mark.django_db
def test_finds_cases_with_highlighted_snippets(demo_data):
    html = demo_client("visitor").get("/sok/?q=palliativ").content.decode()
    assert "/troms-ofoten/fsu-bu/saker/2023/7/" in html
    assert "<mark>" in html


@pytest.mark.django_db
def test_finds_text_in_sections_and_minutes(demo_data):
    from django.contrib.auth.models import AnonymousUser

    hits = search(AnonymousUser(), "Vestfjorderklæringen")
    assert any(hit.url == "/lofoten-vesteralen-salten/pm/saker/2022/4/" for hit in hits)
    # A word from a section only (the municipalities' assessment of 04-2022).
    hits = search(AnonymousUser(), "RKK Salten")
    assert any("/pm/saker/2022/4/" in hit.url for hit in hits)


@pytest.mark.django_db
def test_never_finds_what_the_searcher_may_not_read(demo_data):
    exempt_url = demo_data["exempt_case"].get_absolute_url()
    readers = [("visitor", False), ("other_secretariat", False), ("member", True), ("secretariat", True)]
    for persona, allowed in readers:
        html = demo_client(persona).get("/sok/?q=KONFIDENSIELT").content.decode()
        assert (exempt_url in html) is allowed, persona
    # The public title is searchable by all.
    assert exempt_url in demo_client("visitor").get("/sok/?q=enkeltpasient").content.decode()
    # Draft minutes and decisions not yet published.
    for query in (DRAFT_MINUTES_MARKER.split("-")[0], "innmelding"):
        visitor_html = demo_client("visitor").get(f"/sok/?q={query}").content.decode()
        assert DRAFT_MINUTES_MARKER not in visitor_html
    visitor = demo_client("visitor").get("/sok/?q=rutine+innmelding").content.decode()
    assert "rutine for innmelding av saker til orientering" not in visitor
    # Draft agendas are not searchable by visitors.
    draft_titles = [c.title for c in demo_data["draft_meeting"].cases.filter(title__contains="overganger")]
    assert draft_titles
    assert draft_titles[0] not in demo_client("visitor").get("/sok/?q=overganger+demo").content.decode()
    assert draft_titles[0] in demo_client("leader").get("/sok/?q=overganger+demo").content.decode()


@pytest.mark.django_db
def test_snippets_escape_case_text(demo_data):
    case = Case.objects.get(body__slug="fsu-bu", year=2023, number=10)
    text = "Skadelig <script>alert(1)</script> samhandlingsord"
    CaseSection.objects.create(case=case, order=9, heading="Test", text=text)
    html = demo_client("visitor").get("/sok/?q=samhandlingsord").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<mark>samhandlingsord</mark>" in html
    if not uses_postgres():  # PostgreSQL's headline drops tags; the fallback escapes them
        assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_partnership_filter_and_empty_query(demo_data):
    client = demo_client("visitor")
    html = client.get("/sok/?q=samhandling&helsefellesskap=troms-ofoten").content.decode()
    assert "/lofoten-vesteralen-salten/" not in html.split("<main", 1)[1].split("</main>")[0].replace(
        'value="lofoten-vesteralen-salten"', ""
    )
    assert client.get("/sok/").status_code == 200
    assert client.get("/sok/?q=" + "x" * 5000).status_code == 200


@pytest.mark.django_db
def test_ranking_on_postgres(demo_data):
    from django.contrib.auth.models import AnonymousUser

    hits = search(AnonymousUser(), "samhandlingsarenaer")
    assert hits
    if uses_postgres():
        assert hits == sorted(hits, key=lambda hit: -hit.rank)
        assert hits[0].url.endswith("/pm/saker/2022/4/")  # the word is in its title


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_search_query_count_is_bounded(demo_data, persona, django_assert_max_num_queries):
    client = demo_client(persona)
    client.get("/")
    # Issue #12's bound: ranked keys per kind (cases, minutes, attachments, action plans), the shown
    # page's rows per kind, the partnerships (tests/portal/test_search_forgives.py: constant).
    with django_assert_max_num_queries(15):
        assert client.get("/sok/?q=samhandling").status_code == 200


@pytest.mark.django_db
def test_queries_compiled_once_answer_as_if_compiled_for_each_search(demo_data):
    """Search's queries are built once per kind, standing and partnership choice and then run with
    each search's words and ids (governance.querysets.PreparedQuery): every reader, word, page and
    partnership gets exactly what a search compiled afresh gets."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    from actionplans import search as plan_search
    from governance.models import Partnership
    from meetings import search as meetings_search

    compiled = [meetings_search._NEWEST, meetings_search._SHOWN, plan_search._NEWEST, plan_search._SHOWN]
    readers = [
        AnonymousUser(),
        *get_user_model().objects.filter(username__in=["medlem", "sekretariat", "admin"]),
    ]
    choices = [None, Partnership.objects.order_by("slug").first()]

    def answers(user, word, partnership, page):
        found = meetings_search.search_page(
            user, word, partnership=partnership, page=page, extra=plan_search.SOURCES
        )
        return found.total, [(hit.kind, hit.url, str(hit.snippet)) for hit in found.hits]

    words = (
        ["palliativ", "kommune samarbeid"] if uses_postgres() else ["palliativ"]
    )  # SQLite: nothing compiled
    for user in readers:
        for word in words:
            for partnership in choices:
                for page in (1, 2):
                    kept = answers(user, word, partnership, page)
                    for prepared in compiled:
                        prepared._compiled.entries.clear()
                    assert answers(user, word, partnership, page) == kept, (user, word, partnership, page)
    assert any(len(prepared._compiled) for prepared in compiled) == uses_postgres()
