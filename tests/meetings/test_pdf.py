"""The notice, protocol and case paper PDFs: content, archival form, audiences, access and caching.

PDF renders are slow, so the demo data is loaded once for the module and every document is
fetched once per audience; the tests read those bytes.

About the demo data because the PDFs are checked as archival documents of the seeds' meetings:
their real text and long agendas, page counts, bookmarks and fonts.
"""

import contextlib
import datetime as dt
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from documents import pdf as documents
from governance.models import Body
from meetings import pdf
from meetings.models import Case, CaseSection, Meeting
from tests import pdftools
from tests.conftest import DEMO_PERSONAS, demo_client

pytestmark = pytest.mark.django_db

TO, LVS = "troms-ofoten", "lofoten-vesteralen-salten"
BU_MAY = {"partnership": TO, "body": "fsu-bu", "date": dt.date(2023, 5, 12)}
LOFOTEN = {"partnership": LVS, "body": "samhandlingsarena-lofoten", "date": dt.date(2023, 6, 14)}
MARKER = "KONFIDENSIELT-DEMO"


def exempt_meeting_kwargs():
    """The demo meeting with the exempt case: held, its minutes published."""
    meeting = Case.objects.get(exempt=True).meeting
    return {"partnership": TO, "body": "fsu-bu", "date": timezone.localtime(meeting.start).date()}


def get(persona, name, **kwargs):
    return demo_client(persona).get(reverse(name, kwargs=kwargs))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture(scope="module")
def docs(module_demo_data, django_db_blocker):
    """Every document once, as the persona that sees each version."""
    with django_db_blocker.unblock():
        fetch = {
            "notice": ("visitor", "pdf:notice", BU_MAY),
            "protocol_draft": ("leader", "pdf:protocol", BU_MAY),
            "protocol_lofoten": ("visitor", "pdf:protocol", LOFOTEN),
            "case": ("visitor", "pdf:case", {"partnership": TO, "body": "fsu-bu", "year": 2023, "number": 8}),
            "exempt_public": ("visitor", "pdf:notice", exempt_meeting_kwargs()),
            "exempt_member": ("member", "pdf:notice", exempt_meeting_kwargs()),
            "exempt_protocol_public": ("visitor", "pdf:protocol", exempt_meeting_kwargs()),
            "exempt_protocol_member": ("member", "pdf:protocol", exempt_meeting_kwargs()),
        }
        result = {}
        for key, (persona, name, kwargs) in fetch.items():
            response = get(persona, name, **kwargs)
            assert response.status_code == 200, (key, response.status_code)
            result[key] = (response, body_of(response))
        return result


def test_notice_text_and_agenda(docs):
    response, data = docs["notice"]
    assert response["Content-Type"] == "application/pdf"
    text = pdftools.text(data)
    for expected in (
        "Møteinnkalling",
        "Faglig samarbeidsutvalg for barn og unge",
        "Helsefellesskapet Troms og Ofoten",
        "12. mai 2023",
        "kl. 12.00–14.00",
        "Saksliste",
        "06/23",
        "Palliativt team for barn og unge, og samhandling med kommunene",
        "Sak 11/23",
        "Forslag til vedtak",
        "Side 2 av",
    ):
        assert expected.casefold() in text, expected
    assert 6 <= pdftools.pages(data) <= 20


def test_notice_is_archival(docs):
    pdftools.assert_archival(
        docs["notice"][1], title_part="Møteinnkalling: Faglig samarbeidsutvalg for barn og unge"
    )


def test_notice_has_bookmarks_of_the_cases(docs):
    _, data = docs["notice"]
    assert b"/Outlines" in data or pdftools.catalog_values(data, b"Title")
    titles = b" ".join(pdftools.catalog_values(data, b"Title"))
    assert b"Sak 08/23" in titles or "Sak 08/23".encode("utf-16-be") in titles


def test_protocol_of_published_minutes(docs):
    response, data = docs["protocol_lofoten"]
    text = pdftools.text(data)
    for expected in (
        "Møteprotokoll",
        "Samhandlingsarena Lofoten",
        "14. juni 2023",
        "Oppmøte",
        "Møtt",
        "Referent",
    ):
        assert expected.casefold() in text, expected
    assert "oppfølgingspunkter" in text and "neste møte" in text
    # In the referat's order: the purpose before the programme, the challenges after it.
    purpose = text.index("utvikle et nettverk for samhandling")
    programme = text.index("innledning v/rkk lofoten")
    challenges = text.index("utfordringer presentert i møtet")
    assert purpose < programme < challenges
    assert response["Cache-Control"].startswith("public")
    pdftools.assert_archival(data, title_part="Møteprotokoll: Samhandlingsarena Lofoten")


def test_draft_protocol_is_private_and_marked(docs):
    response, data = docs["protocol_draft"]
    assert "ikke godkjent ennå (utkast)" in pdftools.text(data)
    assert response["Cache-Control"].startswith("private")
    assert "Cookie" in response["Vary"]


def test_single_case_paper(docs):
    _, data = docs["case"]
    text = pdftools.text(data)
    assert "saksframlegg" in text and "samhandlingsavvik buk/kommunene" in text
    assert "to avvik knyttet til manglende epikrise." in text
    pdftools.assert_archival(data, title_part="Saksframlegg 08/23")


def test_exempt_content_only_in_the_members_pdf(docs):
    public_response, public = docs["exempt_public"]
    member_response, member = docs["exempt_member"]
    public_text, member_text = pdftools.text(public), pdftools.text(member)
    assert MARKER.casefold() not in public_text
    assert "henvendelse om samhandling rundt enkeltpasient (demo)" in public_text
    assert "unntatt offentlighet, offl. § 13 jf. fvl. § 13" in public_text
    assert MARKER.casefold() in member_text
    assert public_response["ETag"] != member_response["ETag"]
    assert public_response["Cache-Control"].startswith("public")
    assert member_response["Cache-Control"].startswith("private")


def test_published_protocol_with_an_exempt_case(docs):
    """The visitor's protocol: number, public title, basis and public decision; the member's: all."""
    public_response, public = docs["exempt_protocol_public"]
    member_response, member = docs["exempt_protocol_member"]
    public_text, member_text = pdftools.text(public), pdftools.text(member)
    exempt = Case.objects.get(exempt=True)
    assert MARKER.casefold() not in public_text
    flat = " ".join(public_text.split())
    assert f"sak {exempt.case_number} henvendelse om samhandling rundt enkeltpasient (demo)" in flat
    assert "unntatt offentlighet, offl. § 13 jf. fvl. § 13" in flat
    assert " ".join(exempt.public_decision.casefold().split()) in flat
    for text in (
        exempt.discussion,
        exempt.decision,
        exempt.reservations.get().text,
        exempt.recusals.get().reason,
    ):
        assert " ".join(text.casefold().split()[:4]) in " ".join(member_text.split()), text
    assert flat.count("innkalling og dagsorden er godkjent (demo)") == 1  # no copy beside the record
    assert "utkast" not in flat and public_response["Cache-Control"].startswith("public")
    assert member_response["Cache-Control"].startswith("private")
    pdftools.assert_archival(public, title_part="Møteprotokoll: Faglig samarbeidsutvalg for barn og unge")


def test_public_pdf_never_served_from_the_members_file(docs):
    """After a member fetched the member version, a visitor still gets the public one."""
    response = get("visitor", "pdf:notice", **exempt_meeting_kwargs())
    assert MARKER.casefold() not in pdftools.text(body_of(response))


def no_html():
    """Patches that fail the test if a document's HTML is built or rendered."""
    stack = contextlib.ExitStack()
    rendered = AssertionError("rendered again")
    stack.enter_context(mock.patch.object(documents, "render_pdf", side_effect=rendered))
    for builder in ("render_to_string", "notice_html", "protocol_html", "case_html", "_cases_for"):
        stack.enter_context(mock.patch.object(pdf, builder, side_effect=AssertionError(f"{builder} called")))
    return stack


def test_second_request_is_served_without_rendering(docs):
    with no_html():
        response = get("visitor", "pdf:notice", **BU_MAY)
        assert response.status_code == 200
        assert body_of(response) == docs["notice"][1]
        again = demo_client("visitor").get(
            reverse("pdf:notice", kwargs=BU_MAY), HTTP_IF_NONE_MATCH=response["ETag"]
        )
        assert again.status_code == 304
        since = demo_client("visitor").get(
            reverse("pdf:notice", kwargs=BU_MAY), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]
        )
        assert since.status_code == 304
    assert response["Last-Modified"] and response["ETag"]


def test_every_document_is_served_from_its_file_without_html(docs):
    case = {"partnership": TO, "body": "fsu-bu", "year": 2023, "number": 8}
    for key, persona, name, kwargs in [
        ("protocol_lofoten", "visitor", "pdf:protocol", LOFOTEN),
        ("case", "visitor", "pdf:case", case),
        ("exempt_public", "visitor", "pdf:notice", exempt_meeting_kwargs()),
        ("exempt_member", "member", "pdf:notice", exempt_meeting_kwargs()),
    ]:
        with no_html():
            response = get(persona, name, **kwargs)
            assert body_of(response) == docs[key][1], key
        assert response["ETag"] == docs[key][0]["ETag"], key


def test_a_change_makes_a_new_version(docs):
    case = Case.objects.get(body__slug="fsu-bu", year=2023, number=10)
    before = pdf.notice_document(case.meeting, None).version
    case.title = "Eventuelt (endret)"
    case.save()
    assert pdf.notice_document(case.meeting, None).version != before


def stored_names(kind: str, pk: int) -> set[str]:
    """The files stored for one document, as the default storage lists them."""
    folder = documents.folder(kind, pk)
    return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()


def test_an_edited_section_is_served_in_a_new_file_and_the_old_one_deleted(docs):
    """A change to what the document shows is a new version, rendered anew; the superseded file
    of the same variant is deleted, other variants (the English one) stay."""
    old_response, _old = docs["case"]
    kwargs = {"partnership": TO, "body": "fsu-bu", "year": 2023, "number": 8}
    section = CaseSection.objects.filter(case__body__slug="fsu-bu", case__year=2023, case__number=8).first()
    with override("en"):
        english = documents.stored_pdf(pdf.case_document(section.case, None)).name.rsplit("/", 1)[-1]
    old_file = f"{old_response['ETag'].strip(chr(34))}.pdf"
    assert {old_file, english} <= stored_names("case", section.case_id)
    section.text += "\n\nTILLEGG-ETTER-ENDRING"
    section.save()
    response = get("visitor", "pdf:case", **kwargs)
    assert response["ETag"] != old_response["ETag"]
    assert "tillegg-etter-endring" in pdftools.text(body_of(response))
    new_file = f"{response['ETag'].strip(chr(34))}.pdf"
    after = stored_names("case", section.case_id)
    assert new_file in after and old_file not in after
    assert english in after  # another language is another variant, not superseded
    assert new_file.startswith("public-")


def test_public_and_member_files_are_apart(docs):
    public, member = docs["exempt_public"][0]["ETag"], docs["exempt_member"][0]["ETag"]
    assert public.startswith('"public-') and member.startswith('"member-')
    names = stored_names("notice", Case.objects.get(exempt=True).meeting_id)
    assert public.strip('"') + ".pdf" in names and member.strip('"') + ".pdf" in names


def test_the_version_follows_language_and_audience(docs):
    meeting = Meeting.objects.get(body__slug="fsu-bu", start__date=BU_MAY["date"])
    with override("nb"):
        nb = pdf.notice_document(meeting, None)
    with override("en"):
        en = pdf.notice_document(meeting, None)
    assert nb.version != en.version
    assert nb.audience == documents.PUBLIC


@pytest.mark.parametrize(
    ("persona", "name", "kwargs", "status"),
    [
        (persona, name, kwargs, status)
        for name, kwargs, statuses in [
            ("pdf:notice", BU_MAY, dict.fromkeys(DEMO_PERSONAS, 200)),
            (
                "pdf:protocol",
                BU_MAY,
                {"visitor": 404, "member": 404, "leader": 200, "secretariat": 200, "other_secretariat": 404},
            ),
            ("pdf:protocol", LOFOTEN, dict.fromkeys(DEMO_PERSONAS, 200)),
        ]
        for persona, status in statuses.items()
    ],
)
def test_access(docs, persona, name, kwargs, status):
    assert get(persona, name, **kwargs).status_code == status


def test_draft_notice_is_hidden_from_visitors_and_members(docs):
    draft = Meeting.objects.get(status="planned", title__startswith="Demo")
    kwargs = {"partnership": TO, "body": "fsu-bu", "date": timezone.localtime(draft.start).date()}
    assert get("visitor", "pdf:notice", **kwargs).status_code == 404
    assert get("member", "pdf:notice", **kwargs).status_code == 404
    assert get("other_secretariat", "pdf:notice", **kwargs).status_code == 404
    with mock.patch.object(documents, "stored_pdf", side_effect=AssertionError("a draft was stored")):
        response = get("secretariat", "pdf:notice", **kwargs)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")
    assert not stored_names("notice", draft.pk)


def test_unknown_meeting_and_case_are_404(docs):
    assert (
        get("secretariat", "pdf:notice", partnership=TO, body="fsu-bu", date=dt.date(2023, 5, 13)).status_code
        == 404
    )
    assert (
        get("secretariat", "pdf:case", partnership=TO, body="fsu-bu", year=2023, number=99).status_code == 404
    )


CACHED_QUERIES = 8  # session, user, meeting or case, the viewer (2), audience, stamps (+ next meeting)


@pytest.mark.parametrize("persona", list(DEMO_PERSONAS))
def test_query_count_of_a_cached_document(docs, persona, django_assert_max_num_queries):
    client = demo_client(persona)
    case = {"partnership": TO, "body": "fsu-bu", "year": 2023, "number": 8}
    for name, kwargs in [("pdf:notice", BU_MAY), ("pdf:protocol", LOFOTEN), ("pdf:case", case)]:
        url = reverse(name, kwargs=kwargs)
        assert client.get(url).status_code == 200
        with no_html(), django_assert_max_num_queries(CACHED_QUERIES):
            assert client.get(url).status_code == 200


def test_url_fetcher_reads_only_our_files():
    fetcher = documents.OwnFilesOnly()
    assert fetcher.fetch("hfstatic:pdf/print.css").read().startswith(b"/*")
    assert fetcher.fetch("hffont:SourceSansPro-Regular.ttf").read()[:4] == b"\x00\x01\x00\x00"
    for url in ("http://example.org/x.png", "file:///etc/passwd", "hffont:../../x", "data:text/plain,x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_bad_data_renders_without_lost_text(docs):
    body = Body.objects.get(partnership__slug=TO, slug="fsu-bu")
    meeting = Meeting.objects.create(
        body=body, start=timezone.now() + dt.timedelta(days=300), status="notice_issued"
    )
    long_title = "Svært lang tittel " * 25 + "SLUTT"
    Case.objects.create(body=body, meeting=meeting, year=2099, number=1, order=1, title=long_title)
    odd = Case.objects.create(
        body=body, meeting=meeting, year=2099, number=2, order=2, title="Sámi: á š ŋ đ ŧ ž 🙂"
    )
    CaseSection.objects.create(
        case=odd,
        heading="Tabell",
        text="| Kommune | Antall |\n|---|---|\n| Áltá/Alta | 12 |\n| Kárášjohka | 3 |\n\n"
        "<script>alert(1)</script> <img src=http://example.org/x.png> **æøå ÆØÅ**",
    )
    with override("nb"):
        data = pdf.render_notice_pdf(meeting, None)
    text = pdftools.text(data)
    assert "slutt" in text.replace("\n", " ")
    for expected in ("á š ŋ đ ŧ ž", "kárášjohka", "<script>alert(1)</script>", "æøå æøå", "🙂"):
        assert expected.casefold() in text, expected


def test_the_access_flags_compiled_once_are_those_compiled_for_each_reader(docs, monkeypatch):
    """The stored PDF's access query (meetings/pdf._ACCESS) is compiled once per reader's
    standing: for every persona, meeting and case it gives what the query built afresh for that
    reader gives, and a second request builds nothing."""
    from django.contrib.auth.models import AnonymousUser

    from governance.permissions import viewer_for
    from tests.conftest import demo_user

    meetings = list(Meeting.objects.filter(cases__isnull=False).distinct())
    cases = list(Case.objects.filter(meeting__in=meetings)[:20])
    for persona in DEMO_PERSONAS:
        user = AnonymousUser() if persona == "visitor" else demo_user(persona)
        viewer = viewer_for(user)
        for meeting in meetings:
            fresh = sorted(pdf._access_query(meeting.pk, viewer, "meeting_id"))
            compiled = sorted(pdf._access_rows(user, meeting=meeting), key=lambda row: row.pk)
            assert compiled == [pdf._Access(*row) for row in fresh], (persona, meeting)
        for case in cases:
            fresh = list(pdf._access_query(case.pk, viewer, "pk"))
            assert pdf._access_rows(user, case=case) == [pdf._Access(*row) for row in fresh], (persona, case)
    exempt = Case.objects.get(exempt=True)
    member, visitor = demo_user("member"), AnonymousUser()
    assert pdf._access_rows(member, case=exempt)[0].content_visible  # the exempt case: members read it
    assert not pdf._access_rows(visitor, case=exempt)[0].content_visible
    built = []
    monkeypatch.setattr(pdf, "_access_query", lambda *args: built.append(args))
    assert get("visitor", "pdf:notice", **BU_MAY).status_code == 200
    assert get("member", "pdf:case", partnership=TO, body="fsu-bu", year=2023, number=8).status_code == 200
    assert built == []
