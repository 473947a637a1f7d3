"""The stored search documents: kept current on every write, at each reader's level, paged.

Runs on both databases. On PostgreSQL search matches the stored, GIN-indexed documents
(meetings/models/search.py), so these tests prove the documents follow each edit; on SQLite
the tables stay empty and the same searches read the text itself (the fallback), so the same
behaviour is asserted there and the rows' absence besides.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection

from meetings.models import Case, CaseSearchDocument, CaseSection, Meeting, MinutesSearchDocument
from meetings.search import PER_PAGE, SUGGEST_BELOW, search, search_page, uses_postgres
from tests.meetings import factories as mf

VISITOR = AnonymousUser()


def urls(user, query):
    return {hit.url for hit in search(user, query)}


def levels(case):
    return set(CaseSearchDocument.objects.filter(case=case).values_list("level", flat=True))


def held(world, **kwargs):
    return mf.meeting(world.body, status=Meeting.Status.HELD, **kwargs)


def published(world, **kwargs):
    return mf.meeting(world.body, status=Meeting.Status.MINUTES_PUBLISHED, **kwargs)


@pytest.mark.django_db
def test_documents_follow_every_edit_of_the_case_and_its_sections(world):
    case = mf.case(published(world), number=1, title="Kommunehelse", decision="Vedtatt gammelvedtak")
    section = CaseSection.objects.create(case=case, order=1, heading="Bakgrunn", text="Om fjordbåter")
    url = case.get_absolute_url()
    assert url in urls(VISITOR, "fjordbåter") and url in urls(VISITOR, "gammelvedtak")
    if uses_postgres():
        assert levels(case) == {"paper", "full"}  # not exempt: no public levels
    else:
        assert not CaseSearchDocument.objects.exists()  # SQLite reads the text itself

    section.text = "Om ferjesamband"
    section.save()
    case.decision = "Vedtatt nyvedtak"
    case.save()
    assert url not in urls(VISITOR, "fjordbåter") and url in urls(VISITOR, "ferjesamband")
    assert url not in urls(VISITOR, "gammelvedtak") and url in urls(VISITOR, "nyvedtak")

    section.delete()
    assert url not in urls(VISITOR, "ferjesamband")
    CaseSection.objects.create(case=case, order=2, text="Ny seksjon om legevakt")
    assert url in urls(VISITOR, "legevakt")


@pytest.mark.django_db
def test_a_deleted_case_takes_its_documents_along(world):
    case = mf.case(published(world), number=1, title="Slettesak")
    CaseSection.objects.create(case=case, order=1, text="Seksjon som slettes")
    CaseSection.objects.create(case=case, order=2, text="Enda en")
    case.delete()
    if uses_postgres():
        connection.check_constraints()  # the deferred foreign keys hold: no document of a deleted case
    assert not CaseSearchDocument.objects.filter(case_id=case.pk).exists()
    assert not search(VISITOR, "Slettesak")


@pytest.mark.django_db
def test_exempt_text_only_for_those_who_may_read_it(world, client_as):
    case = mf.case(
        published(world),
        number=1,
        exempt=True,
        title="Hemmeligtittel",
        public_title="Offentligtittel",
        decision="Hemmeligvedtak",
        public_decision="Anonymisertvedtak",
    )
    CaseSection.objects.create(case=case, order=1, text="Hemmeligseksjon")
    url = case.get_absolute_url()
    member, other = world.users["member"], world.users["other_member"]
    for word in ("Hemmeligtittel", "Hemmeligseksjon", "Hemmeligvedtak"):
        assert url not in urls(VISITOR, word), word
        assert url not in urls(other, word), word
        assert url in urls(member, word), word
    for word in ("Offentligtittel", "Anonymisertvedtak"):
        assert url in urls(VISITOR, word), word
    if uses_postgres():
        assert levels(case) == {"paper", "full", "public", "public_decision"}
    # And on the page: the visitor's results neither show nor link the exempt text.
    html = client_as("visitor").get("/sok/?q=Hemmeligseksjon").content.decode()
    assert url not in html and "0 treff" in html


@pytest.mark.django_db
def test_a_decision_is_found_once_the_minutes_are_public(world):
    meeting = held(world)
    case = mf.case(meeting, number=1, title="Vanlig sak", decision="Beslutningsord")
    url = case.get_absolute_url()
    assert url in urls(VISITOR, "Vanlig") and url not in urls(VISITOR, "Beslutningsord")
    assert url in urls(world.users["leader"], "Beslutningsord")  # the leader reads draft minutes
    # Publishing saves the meeting (as the services do): its cases' rows get the visitor's new
    # level (meetings/search_index.py); the text is not redrawn.
    meeting.status = Meeting.Status.MINUTES_PUBLISHED
    meeting.save()
    assert url in urls(VISITOR, "Beslutningsord")


@pytest.mark.django_db
def test_minutes_sections_are_searchable_and_follow_edits(world):
    meeting = published(world)
    minutes = mf.minutes(meeting, published=True, text="Referatord om samhandling")
    assert any(hit.kind == "minutes" for hit in search(VISITOR, "Referatord"))
    section = minutes.sections.get()
    section.text = "Annet innhold"
    section.save()
    assert not search(VISITOR, "Referatord")
    assert MinutesSearchDocument.objects.filter(minutes=minutes).exists() is uses_postgres()


@pytest.mark.django_db
def test_rebuild_search_redraws_what_bulk_writes_left_out(world):
    meeting = published(world)
    case = mf.case(meeting, number=1, title="Masseinnlagt")
    # A bulk insert bypasses the model signals, as the national-scale generator does.
    CaseSection.objects.bulk_create([CaseSection(case=case, order=1, text="Bulkord")])
    url = case.get_absolute_url()
    if uses_postgres():
        assert url not in urls(VISITOR, "Bulkord")  # not yet in the stored documents
    call_command("rebuild_search", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert url in urls(VISITOR, "Bulkord") and url in urls(VISITOR, "Masseinnlagt")


@pytest.mark.django_db
def test_hits_come_a_page_at_a_time(world, client_as):
    meeting = published(world)
    for number in range(1, PER_PAGE + 6):
        mf.case(meeting, number=number, title=f"Sideord sak {number}")
    first, second = search_page(VISITOR, "Sideord"), search_page(VISITOR, "Sideord", page=2)
    assert (first.total, len(first.hits), len(second.hits)) == (PER_PAGE + 5, PER_PAGE, 5)
    assert not {hit.url for hit in first.hits} & {hit.url for hit in second.hits}
    client = client_as("visitor")
    html = client.get("/sok/?q=Sideord").content.decode()
    assert "Side 1 av 2" in html and "side=2" in html and f"{PER_PAGE + 5} treff" in html
    assert "Side 2 av 2" in client.get("/sok/?q=Sideord&side=2").content.decode()
    for bad in ("abc", "-1", "0", "99999999999", "٣"):
        response = client.get("/sok/", {"q": "Sideord", "side": bad})
        assert response.status_code == 200, bad
        assert "Side 1 av 2" in response.content.decode() or "Side 2 av 2" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_search_query_count_does_not_grow_with_hits(world, client_as, persona, django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    meeting = published(world, start=dt.datetime(2024, 3, 1, 12, tzinfo=mf.TZ))
    client = client_as(persona)
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/sok/?q=Tellesak").status_code == 200
        return len(queries)

    # As many hits as make no suggestion (meetings.search.SUGGEST_BELOW): a search that finds fewer
    # asks for one, a query more for any amount of data (tests/portal/test_search_forgives.py).
    for number in range(1, SUGGEST_BELOW + 1):
        mf.case(meeting, number=number, title=f"Tellesak {number}")
    before = count()
    for number in range(SUGGEST_BELOW + 1, 40):
        case = mf.case(meeting, number=number, title=f"Tellesak {number}")
        mf.attachment(case, title="Tellesak vedlegg")
    assert count() == before
    with django_assert_max_num_queries(12):
        client.get("/sok/?q=Tellesak")
    assert Case.objects.count() == 39


@pytest.mark.django_db
def test_an_attachment_is_found_by_its_title_as_it_is_now(world):
    """On PostgreSQL the title's vector is a stored generated column (migration 0015) that the
    database keeps current; a renamed attachment is found by its new title only."""
    case = mf.case(published(world), number=1, title="Sak med vedlegg")
    attachment = mf.attachment(case, title="Kartlegging av ventetider")
    assert [hit.kind for hit in search(VISITOR, "ventetider")] == ["attachment"]
    attachment.title = "Oversikt over legevaktsamarbeid"
    attachment.save()
    assert search(VISITOR, "ventetider") == []
    assert [hit.title for hit in search(VISITOR, "legevaktsamarbeid")] == ["Oversikt over legevaktsamarbeid"]
    if uses_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT title_vector::text FROM meetings_attachment WHERE id = %s", [attachment.id]
            )
            assert "legevaktsamarbeid" in cursor.fetchone()[0]


@pytest.mark.django_db
def test_search_indexes_take_each_write_at_once_with_no_pending_list():
    """Migration meetings.0018: every GIN index of search has fastupdate off, so a search never
    reads a list of entries waiting for vacuum (at national scale 20,000 of them)."""
    if not uses_postgres():
        # SQLite has no GIN index (it searches the text itself): the migration leaves it alone.
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%vector%'")
            assert cursor.fetchall() == []
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_am a ON a.oid = c.relam"
            " WHERE c.relkind = 'i' AND a.amname = 'gin' AND c.relname LIKE %s",
            ["%search%vector%"],
        )
        options = dict(cursor.fetchall())
        cursor.execute("SELECT c.reloptions FROM pg_class c WHERE c.relname = 'attachment_title_vector'")
        options["attachment_title_vector"] = cursor.fetchone()[0]
    assert set(options) == {
        "case_search_vector",
        "minutes_search_vector",
        "attachment_title_vector",
        "actionplan_search_vector",  # actionplans.0006
        "measure_search_vector",
    }
    assert all(value and "fastupdate=off" in value for value in options.values()), options
