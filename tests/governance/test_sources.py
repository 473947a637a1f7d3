"""Provenance (#13): source documents, corrections of them shown on the record they concern, and
names of organisations, bodies and partnerships in other languages.

The demo data's own sources are checked against the source files in tests/fidelity/test_sources.py;
here the rules are checked on records made for the test.
"""

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.models import Name, SourceCorrection, SourceDocument
from meetings.models import Meeting
from tests.actionplans import factories as af
from tests.conftest import login_with_second_factor
from tests.governance import factories as gf
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db

SOURCE_LINE = re.compile(r'<aside class="source-note".*?</aside>', re.S)


def source(partnership, **kwargs) -> SourceDocument:
    kwargs.setdefault("title", "Referat møte 1.2.2023 Testutvalget")
    kwargs.setdefault("kind", SourceDocument.Kind.MINUTES)
    kwargs.setdefault("file_name", f"referat_{SourceDocument.objects.count()}.txt")
    return SourceDocument.objects.create(partnership=partnership, **kwargs)


def correct(record, src, text="Kilden sier noe annet") -> SourceCorrection:
    return SourceCorrection.objects.create(
        source=src,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        source_says=text,
        portal_shows="Portalen viser dette",
        reason="Fordi regelen krever det",
    )


@pytest.fixture
def sourced(world):
    """A held meeting with published minutes, a case and an exempt case loaded from a source, an
    action plan from it, and a meeting of the same body entered in the portal."""
    src = source(world.partnership, date=dt.date(2023, 2, 1))
    meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_PUBLISHED, source=src)
    mf.minutes(meeting, published=True, text="Referatets tekst", source=src)
    case = mf.case(meeting, number=1, title="Kildesak", source=src)
    exempt = mf.case(meeting, number=2, exempt=True, title="Hemmelig sak", source=src)
    plan = af.action_plan(world.partnership, title="Plan fra kilden", slug="plan", source=src)
    own = mf.meeting(
        world.body,
        status=Meeting.Status.MINUTES_PUBLISHED,
        start=dt.datetime(2023, 9, 1, 12, tzinfo=dt.UTC),
    )
    own_case = mf.case(own, number=3, title="Egen sak")
    return {"src": src, "meeting": meeting, "case": case, "exempt": exempt, "plan": plan, "own": own_case}


def _note(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    found = SOURCE_LINE.search(response.content.decode())
    return found.group(0) if found else ""


# --- Models ---------------------------------------------------------------------------------


def test_a_name_belongs_to_exactly_one_owner(world):
    organisation = gf.organisation(world.partnership)
    with pytest.raises(ValidationError):
        Name(lang="se", name="Navn").full_clean()
    with pytest.raises(ValidationError):
        Name(lang="se", name="Navn", organisation=organisation, body=world.body).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Name.objects.create(lang="se", name="Navn")
    Name(lang="smj", name="NORDLÁNDA SKIPPIJVIESO", organisation=organisation).full_clean()


def test_a_name_is_recorded_once_per_language_and_owner(world):
    organisation = gf.organisation(world.partnership)
    Name.objects.create(lang="sma", name="Navn", organisation=organisation)
    with pytest.raises(ValidationError, match="allerede registrert"):
        Name(lang="sma", name="Navn", organisation=organisation).full_clean()
    Name(lang="se", name="Navn", organisation=organisation).full_clean()  # another language
    Name(lang="sma", name="Navn", body=world.body).full_clean()  # another owner


def test_only_the_four_languages(world):
    with pytest.raises(ValidationError):
        Name(lang="sv", name="Namn", body=world.body).full_clean()


def test_a_source_file_is_a_text_file_in_the_sources_folder(world):
    def document(file_name):
        return SourceDocument(partnership=world.partnership, title="T", kind="minutes", file_name=file_name)

    for bad in ("../etc/passwd", "sources/x.txt", "x.pdf", ".hidden.txt", ""):
        with pytest.raises(ValidationError):
            document(bad).full_clean()
    document("a_1-2.txt").full_clean()


def test_a_correction_concerns_a_record_that_exists(sourced):
    case = sourced["case"]
    correction = SourceCorrection(
        source=sourced["src"],
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk + 10_000,
        source_says="a",
        portal_shows="b",
        reason="c",
    )
    with pytest.raises(ValidationError, match="ingen slik post"):
        correction.full_clean()
    correction.object_id = case.pk
    correction.full_clean()


def test_a_correction_concerns_only_a_record_loaded_from_a_source(sourced, world):
    correction = SourceCorrection(
        source=sourced["src"],
        content_type=ContentType.objects.get_for_model(world.body),
        object_id=world.body.pk,
        source_says="a",
        portal_shows="b",
        reason="c",
    )
    with pytest.raises(ValidationError):
        correction.full_clean()


def test_the_letterhead_names_are_those_the_document_writes(world):
    trust = gf.organisation(world.partnership, name="Sykehuset HF")
    src = source(world.partnership, letterhead=trust)
    other = source(world.partnership)
    Name.objects.create(organisation=trust, lang="nb", name="SYKEHUSET", source=src, order=1)
    Name.objects.create(organisation=trust, lang="se", name="BUOHCCIVIESSU", source=src, order=2)
    Name.objects.create(organisation=trust, lang="sma", name="Annet", source=other, order=3)
    names = [(n.lang, n.name) for n in src.letterhead_names()]
    assert names == [("nb", "SYKEHUSET"), ("se", "BUOHCCIVIESSU")]
    assert other.letterhead_names() == []


# --- Pages ----------------------------------------------------------------------------------


def test_every_record_loaded_from_a_source_says_so(sourced, client_as):
    visitor = client_as("visitor")
    for record in (sourced["meeting"], sourced["case"], sourced["plan"]):
        note = _note(visitor, record.get_absolute_url())
        line = "Kilde: <cite>Referat møte 1.2.2023 Testutvalget</cite> (referat, 1. februar 2023)"
        assert line in note, record


def test_a_record_entered_in_the_portal_says_nothing_of_a_source(sourced, client_as):
    own = sourced["own"]
    for url in (own.get_absolute_url(), own.meeting.get_absolute_url()):
        page = client_as("visitor").get(url).content.decode()
        assert "source-note" not in page and "Kilde:" not in page, url


def test_a_source_without_a_date_says_so(sourced, client_as):
    SourceDocument.objects.filter(pk=sourced["src"].pk).update(date=None)
    note = _note(client_as("visitor"), sourced["case"].get_absolute_url())
    assert "(referat, dato ikke oppgitt i kilden)" in note


def test_a_correction_shows_on_the_page_of_its_record_only(sourced, client_as):
    correct(sourced["case"], sourced["src"], "Saksnummeret var 09/23 i sakslisten")
    visitor = client_as("visitor")
    note = _note(visitor, sourced["case"].get_absolute_url())
    assert "Rettelse av kilden" in note
    for text in ("Saksnummeret var 09/23 i sakslisten", "Portalen viser dette", "Fordi regelen krever det"):
        assert text in note
    assert "Rettelse av kilden" not in _note(visitor, sourced["meeting"].get_absolute_url())
    correct(sourced["meeting"], sourced["src"], "Møtets rettelse")
    correct(sourced["plan"], sourced["src"], "Planens rettelse")
    assert "Møtets rettelse" in _note(visitor, sourced["meeting"].get_absolute_url())
    assert "Planens rettelse" in _note(visitor, sourced["plan"].get_absolute_url())


def test_a_correction_of_an_exempt_case_shows_only_where_its_content_does(sourced, client_as):
    correct(sourced["exempt"], sourced["src"], "HEMMELIG-RETTELSE")
    url = sourced["exempt"].get_absolute_url()
    for persona in ("visitor", "other_member", "former_member"):
        page = client_as(persona).get(url).content.decode()
        assert "HEMMELIG-RETTELSE" not in page, persona
        assert "Kilde:" in page, persona  # where it comes from is public
    for persona in ("member", "leader"):
        assert "HEMMELIG-RETTELSE" in _note(client_as(persona), url), persona


def test_names_in_other_languages_carry_their_lang_attribute(world, client_as):
    trust = gf.organisation(world.partnership, name="Sykehuset HF", kind="health_trust")
    src = source(world.partnership)
    Name.objects.create(organisation=trust, lang="smj", name="SKIHPPIJVIESSO", source=src)
    Name.objects.create(partnership=world.partnership, lang="se", name="Dearvvašvuođaovttasbargu")
    Name.objects.create(body=world.body, lang="sma", name="Åvtese", source=src)
    page = client_as("visitor").get(world.partnership.get_absolute_url()).content.decode()
    assert '<span lang="smj">SKIHPPIJVIESSO</span> (lulesamisk; skrevet slik i «Referat møte' in page
    assert '<span lang="se">Dearvvašvuođaovttasbargu</span>' in page
    assert "Kildedokumenter" in page and "Referat møte 1.2.2023 Testutvalget" in page
    body_page = client_as("visitor").get(world.body.get_absolute_url()).content.decode()
    assert '<span lang="sma">Åvtese</span>' in body_page


def test_page_queries_do_not_grow_with_corrections(sourced, client_as):
    url = sourced["meeting"].get_absolute_url()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client_as("visitor").get(url).status_code == 200
        return len(queries)

    correct(sourced["meeting"], sourced["src"], "Første")
    one = count()
    for n in range(5):
        correct(sourced["meeting"], sourced["src"], f"Rettelse {n}")
    assert count() == one


# --- PDFs -----------------------------------------------------------------------------------


def test_the_minutes_pdf_names_its_source_and_prints_its_letterhead(world):
    from meetings.pdf import render_case_pdf, render_protocol_pdf
    from tests.pdftools import _run

    trust = gf.organisation(world.partnership, name="Sykehuset HF", kind="health_trust")
    src = source(world.partnership, letterhead=trust, date=dt.date(2023, 2, 1))
    Name.objects.create(organisation=trust, lang="nb", name="SYKEHUSET", source=src, order=1)
    Name.objects.create(organisation=trust, lang="smj", name="NORDLÁNDA SKIPPIJVIESO", source=src, order=2)
    meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_PUBLISHED, source=src)
    mf.minutes(meeting, published=True, text="Referatets tekst", source=src)
    case = mf.case(meeting, number=1, title="Kildesak", source=src)
    correct(case, src, "Kilden hadde 09/23")
    protocol = _run("pdftotext", render_protocol_pdf(meeting))
    assert "SYKEHUSET" in protocol and "NORDLÁNDA SKIPPIJVIESO" in protocol
    colophon = "Kilde: Referat møte 1.2.2023 Testutvalget (referat, 1. februar 2023)"
    assert colophon in " ".join(protocol.split())
    paper = " ".join(_run("pdftotext", render_case_pdf(case)).split())
    assert "Kilde: Referat møte 1.2.2023" in paper and "Kilden hadde 09/23" in paper
    assert "NORDLÁNDA" not in paper  # the letterhead is the minutes'


def test_the_letterhead_is_tagged_with_its_language(world):
    from django.template.loader import render_to_string

    trust = gf.organisation(world.partnership, name="Sykehuset HF")
    src = source(world.partnership, letterhead=trust)
    Name.objects.create(organisation=trust, lang="smj", name="NORDLÁNDA SKIPPIJVIESO", source=src)
    html = render_to_string("governance/pdf/_letterhead.html", {"source": src})
    assert '<div lang="smj">NORDLÁNDA SKIPPIJVIESO</div>' in html


# --- Admin ----------------------------------------------------------------------------------


@pytest.fixture
def staff(admin_user):
    return login_with_second_factor(Client(), admin_user)


def test_the_admin_adds_a_source_document_with_a_reason(staff, world):
    response = staff.post(
        "/admin/governance/sourcedocument/add/",
        {
            "partnership": world.partnership.pk,
            "title": "Referat 3.3.2023",
            "kind": "minutes",
            "date": "2023-03-03",
            "file_name": "referat_2023-03-03.txt",
            "url": "",
            "change_reason": "Ny kilde",
        },
    )
    assert response.status_code == 302
    added = SourceDocument.objects.get(file_name="referat_2023-03-03.txt")
    assert added.history.first().history_change_reason == "Ny kilde"


def test_the_admin_edits_names_inline_on_an_organisation(staff, world):
    organisation = gf.organisation(world.partnership)
    page = staff.get(f"/admin/governance/organisation/{organisation.pk}/change/").content.decode()
    assert "names-TOTAL_FORMS" in page


def assert_norwegian_errors(response):
    """The form again with its field errors, in bokmål (the admin's own heading is Django's)."""
    page = response.content.decode()
    assert '<ul class="errorlist' in page
    for english in ("This field is required", "Enter a valid", "Select a valid choice", "Ensure this value"):
        assert english not in page, english


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    title=TEXT,
    kind=st.one_of(st.sampled_from(["minutes", "case_papers", "x"]), TEXT),
    date=st.one_of(st.just(""), st.just("2023-13-45"), TEXT),
    file_name=st.one_of(st.just("../x.txt"), TEXT),
    url=st.one_of(st.just("javascript:alert(1)"), TEXT),
)
def test_bad_input_to_the_source_admin_is_refused(staff, world, title, kind, date, file_name, url):
    before = SourceDocument.objects.count()
    data = {
        "partnership": world.partnership.pk,
        "title": title,
        "kind": kind,
        "date": date,
        "file_name": file_name,
        "url": url,
        "change_reason": "Prøver",
    }
    with transaction.atomic():
        response = staff.post("/admin/governance/sourcedocument/add/", data)
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 200:  # the form again, with its errors in Norwegian
            assert SourceDocument.objects.count() == before
            assert_norwegian_errors(response)
        transaction.set_rollback(True)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    content_type=st.one_of(st.integers(min_value=-5, max_value=10_000), TEXT),
    object_id=st.one_of(st.integers(min_value=-5, max_value=10**20), TEXT),
    says=TEXT,
)
def test_bad_input_to_the_correction_admin_is_refused(staff, sourced, content_type, object_id, says):
    before = SourceCorrection.objects.count()
    data = {
        "source": sourced["src"].pk,
        "content_type": content_type,
        "object_id": object_id,
        "source_says": says,
        "portal_shows": "b",
        "reason": "c",
        "order": 0,
        "change_reason": "Prøver",
    }
    with transaction.atomic():
        response = staff.post("/admin/governance/sourcecorrection/add/", data)
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code != 302:
            assert SourceCorrection.objects.count() == before
            if response.status_code == 200:
                assert_norwegian_errors(response)
        else:  # only a correction of a record loaded from a source, that exists
            correction = SourceCorrection.objects.latest("pk")
            assert correction.record is not None
            assert correction.content_type.model in ("meeting", "case", "minutes", "actionplan")
        transaction.set_rollback(True)
