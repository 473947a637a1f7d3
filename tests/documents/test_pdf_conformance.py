"""Every kind of PDF the portal makes, read back as PDF/UA-1 and PDF/A-2a validators and a reader
would: the XMP identification, the structure tree (headings from H1 without a skipped level,
table headers with a scope, figures with alternative text), outlines and page labels; then the
layout: no page that holds only a heading or a box, standing items sharing pages, column headers
on one line, the same columns in tables of one kind.

veraPDF is not installable from the registries the machine reaches (Debian, PyPI, npm), so these
checks stand in for its PDF/UA-1 profile (ISO 14289-1 and the Matterhorn Protocol's machine
checks) and its PDF/A-2a identification checks. About the demo data: the documents are those of
the seeds' meetings and plans, with their real lengths.
"""

import datetime as dt
import io

import pikepdf
import pytest

from actionplans import pdf as plan_pdf
from actionplans.models import ActionPlan
from documents.pdf import render_pdf
from meetings import pdf
from meetings.models import Case, Meeting
from tests import pdftools
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db


def meeting(body: str, day: dt.date) -> Meeting:
    return Meeting.objects.get(body__slug=body, start__date=day)


def build(persona: str, kind: str, obj) -> bytes:
    user = None if persona == "visitor" else demo_user(persona)
    if kind == "plan":
        return render_pdf(plan_pdf.action_plan_document(obj).html)
    makers = {"notice": pdf.notice_document, "protocol": pdf.protocol_document, "case": pdf.case_document}
    return render_pdf(makers[kind](obj, user).html)


BU_MAY = ("fsu-bu", dt.date(2023, 5, 12))
LOFOTEN = ("samhandlingsarena-lofoten", dt.date(2023, 6, 14))
DOCUMENTS = {
    "notice_bu_may": ("visitor", "notice", lambda: meeting(*BU_MAY)),
    "notice_pm_2021": ("visitor", "notice", lambda: meeting("pm", dt.date(2021, 9, 23))),
    "notice_exempt_member": ("member", "notice", lambda: Case.objects.get(exempt=True).meeting),
    "protocol_draft": ("leader", "protocol", lambda: meeting(*BU_MAY)),
    "protocol_lofoten": ("visitor", "protocol", lambda: meeting(*LOFOTEN)),
    "protocol_exempt_public": ("visitor", "protocol", lambda: Case.objects.get(exempt=True).meeting),
    "protocol_programme": ("secretariat", "protocol", lambda: Meeting.objects.get(body__slug="dialogmotet")),
    "case": ("visitor", "case", lambda: Case.objects.get(body__slug="fsu-bu", year=2023, number=8)),
    "case_long": ("visitor", "case", lambda: Case.objects.get(body__slug="fsu-bu", year=2023, number=7)),
    "plan_2023": ("visitor", "plan", lambda: ActionPlan.objects.get(slug="handlingsplan-2023")),
    "plan_2021": ("visitor", "plan", lambda: ActionPlan.objects.get(slug="handlingsplan-2021-2022")),
}


@pytest.fixture(scope="module")
def documents(module_demo_data, django_db_blocker):
    with django_db_blocker.unblock():
        return {key: build(persona, kind, get()) for key, (persona, kind, get) in DOCUMENTS.items()}


@pytest.mark.parametrize("key", list(DOCUMENTS))
def test_pdfua1_and_pdfa2a(documents, key):
    assert pdftools.accessibility_faults(documents[key]) == []
    assert pdftools.heading_levels(documents[key]).count(1) == 1  # one H1: the document's own
    fonts = {name.split("-")[0] for name, _ in pdftools.fonts(documents[key])}
    assert fonts == {"HF"}, fonts  # no fallback font for a glyph ours lacks (a hyphen, say)


def broken(data: bytes, change) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as document:
        change(document)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def structure_of(document, role: str):
    """Every structure element of one type, as pikepdf objects."""
    return [obj for obj in document.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == role]


def document_kids(document):
    """The kids of the structure tree's Document element."""
    top = document.Root.StructTreeRoot.K
    return (top[0] if isinstance(top, pikepdf.Array) else top).K


def links(document):
    return [annotation for page in document.pages for annotation in page.get("/Annots", [])]


def set_xmp(document, old: bytes, new: bytes):
    xmp = document.Root.Metadata.read_bytes()
    assert old in xmp
    document.Root.Metadata.write(xmp.replace(old, new))


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        (lambda d: set_xmp(d, b"<pdfuaid:part>1<", b"<pdfuaid:part>2<"), "no pdfuaid:part 1"),
        (lambda d: set_xmp(d, b"<pdfaSchema:prefix>pdfuaid<", b"<pdfaSchema:prefix>x<"), "extension schema"),
        (lambda d: set_xmp(d, b'pdfaid:conformance="A"', b'pdfaid:conformance="B"'), "not PDF/A-2a"),
        (lambda d: [setattr(h, "S", pikepdf.Name.H2) for h in structure_of(d, "/H1")], "do not start at H1"),
        (lambda d: [setattr(h, "S", pikepdf.Name.H4) for h in structure_of(d, "/H3")[:1]], "skipped"),
        (lambda d: [th.A.__delitem__("/Scope") for th in structure_of(d, "/TH")[:1]], "TH without Scope"),
        (lambda d: [f.__delitem__("/Alt") for f in structure_of(d, "/Figure")], "Figure without Alt"),
        (lambda d: d.Root.__delitem__("/Outlines"), "no outlines"),
        (lambda d: [link.__delitem__("/Contents") for link in links(d)], "undescribed link"),
        (lambda d: d.Root.__delitem__("/PageLabels"), "no PageLabels"),
        (lambda d: document_kids(d).__delitem__(0), "outside the structure tree"),
        (lambda d: d.Root.__delitem__("/Lang"), "no /Lang"),
        (lambda d: d.Root.ViewerPreferences.__setitem__("/DisplayDocTitle", False), "DisplayDocTitle"),
    ],
)
def test_the_check_finds_each_fault(documents, change, fault):
    """The check fails on each fault it looks for (on the notice, which has all the parts)."""
    assert pdftools.accessibility_faults(documents["notice_bu_may"]) == []
    faults = pdftools.accessibility_faults(broken(documents["notice_bu_may"], change))
    assert any(fault in found for found in faults), faults


def test_page_labels_follow_the_footer(documents):
    with pikepdf.open(io.BytesIO(documents["plan_2023"])) as document:
        labels = [page.label for page in document.pages]
    assert labels == [str(number) for number in range(1, len(labels) + 1)]


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(DOCUMENTS))
def test_no_page_holds_only_a_heading_or_a_box(documents, key):
    """Every page carries at least four lines besides the running header and footer: no heading,
    proposal box, colophon or next meeting left alone on a page."""
    texts = pdftools.page_texts(documents[key])
    for number, text in enumerate(texts, 1):
        lines = pdftools.body_lines(text, first=number == 1)
        assert len(lines) >= 4, (key, number, lines)


def test_notice_of_12_may_2023_shares_pages(documents):
    """The notice with eight cases: the agenda on the first page, the standing items sharing
    pages (the file had 11 pages, a page of its own for each case, the agenda alone on one)."""
    data = documents["notice_bu_may"]
    texts = pdftools.page_texts(data)
    assert len(texts) <= 8
    assert "saksliste" in texts[0] and "neste møte og kommende saker" in texts[0]
    numbers = [f"sak {n:02d}/23" for n in range(6, 12)]
    starts = {}  # page → the case papers that begin on it (their number on a line of its own)
    for number, text in enumerate(texts, 1):
        lines = pdftools.body_lines(text, first=number == 1)
        starts[number] = [line for line in lines if line in numbers]
        for heading in set(lines[-3:]) & set(numbers):
            pytest.fail(f"{heading} begins at the foot of page {number} without its paper: {lines[-3:]}")
    assert sorted(sum(starts.values(), [])) == numbers
    assert max(len(begun) for begun in starts.values()) >= 2  # standing items share a page
    assert len([page for page, begun in starts.items() if begun]) <= 4


def header_line(data: bytes, first: str) -> list[str]:
    """The layout lines where a table's header row begins with `first`."""
    lines = [line for text in pdftools.page_texts(data) for line in text.splitlines()]
    return [line for line in lines if line.strip().startswith(first)]


def test_column_headers_on_one_line(documents):
    for line in header_line(documents["plan_2023"], "tiltak "):
        assert " ".join(line.split()) == "tiltak hvordan få det til? ansvarlig status rapportert i", line
    assert header_line(documents["plan_2023"], "tiltak ")
    rows = header_line(documents["protocol_lofoten"], "navn ")
    assert rows and all(" ".join(row.split()) == "navn tittel/funksjon representerer" for row in rows), rows
    follow_ups = header_line(documents["protocol_lofoten"], "hva ")
    assert follow_ups and all(" ".join(row.split()) == "hva ansvarlig frist sak" for row in follow_ups)


def column_starts(data: bytes, word: str) -> set[float]:
    return {round(x, 1) for _, x, _, text in pdftools.word_boxes(data) if text == word}


def test_tables_of_one_kind_have_the_same_columns(documents):
    """The plan's measure tables (one per goal) and the protocol's attendance tables (present,
    absent, guests) line up, whatever their content."""
    assert len(column_starts(documents["plan_2023"], "Ansvarlig")) == 1
    assert len(column_starts(documents["plan_2023"], "Rapportert")) == 1
    assert len(column_starts(documents["plan_2021"], "Ansvarlig")) == 1
    assert len(column_starts(documents["protocol_lofoten"], "Representerer")) == 1
    assert len(column_starts(documents["protocol_lofoten"], "Tittel/funksjon")) == 1
