"""Archive-quality PDFs: rendering, versioning, storage and the HTTP response, for every app.

A document (`PdfDocument`) knows, with a few small queries and no HTML, who it is for (its
audience: public, member or restricted) and its version: a fingerprint of the kind, the object,
the audience, what of the data this user sees, the active language, the stamps of the data it
is built from (documents/stamps.py: one small query, whatever the size of the history) and the
code version (`code_version()`: the PDF templates, static files and translations).
`stored_pdf()` keeps one file per audience and version in Django's default storage (a local
folder, or S3-compatible object storage by configuration), named
pdf/<kind>/<pk>/<audience>-<version>.pdf: a request whose file exists is served from it without
building any HTML. Only when it is absent is the HTML built and rendered by `render_pdf(html)`
into PDF/A-2a bytes with WeasyPrint, once, and the older versions of the same variant deleted.

WeasyPrint only ever reads our own files: `hfstatic:` (the project's static files) and
`hffont:` (the PDF font); every other URL is refused.

The documents themselves are made in meetings/pdf.py and actionplans/pdf.py; this module knows
nothing of meetings or plans.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import font_source_sans_pro
import pydyf
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import stamps, storage

# PDF/A-2a: the archival level Arkivverket accepts for Noark 5, with the tagged structure
# ("a", accessible) that universal design asks for. PDF/A-3 would also allow embedding
# arbitrary files, which archives do not want; PDF/UA-1 alone is not an archival format, so the
# documents are PDF/A-2a *and* PDF/UA-1 (ISO 14289-1): WeasyPrint writes the PDF/A-2a file and
# `_finish_accessible` adds what PDF/UA-1 asks beyond it (below).
PDF_VARIANT = "pdf/a-2a"
FONT_DIR = Path(font_source_sans_pro.font_directory)

PUBLIC = "public"  # what anyone who may see the document sees; cached, Cache-Control public
MEMBER = "member"  # includes exempt content the user may read; cached, Cache-Control private
RESTRICTED = "restricted"  # not yet published (draft agenda or minutes): never stored


class OwnFilesOnly(URLFetcher):
    """A URL fetcher that reads only our static files and the PDF font, nothing else."""

    def fetch(self, url, headers=None):
        if url.startswith("hfstatic:"):
            path = finders.find(url.removeprefix("hfstatic:"))
        elif url.startswith("hffont:"):
            name = url.removeprefix("hffont:")
            path = FONT_DIR / name if "/" not in name and "\\" not in name else None
        else:
            raise ValueError(f"PDF documents may only use our own files, not {url[:80]!r}")
        if not path or not Path(path).is_file():
            raise ValueError(f"No such file: {url[:80]!r}")
        content_type = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(path).read_bytes(), headers={"Content-Type": content_type})


@dataclass(frozen=True)
class PdfDocument:
    """One document as one user gets it, known by its version before any HTML is built.

    `access` is what of the data this user sees beyond the audience (the cases whose content
    is visible, for the protocol also the next meeting); `build()` returns the HTML and the
    same (audience, access) as read from the full data, so a change between the two reads is
    noticed (`consistent`) and such a document is not stored. `scopes` name the data the
    document is built from (documents/stamps.py: for a meeting's documents its partnership);
    GLOBAL is always added.
    """

    kind: str
    pk: int
    audience: str
    access: tuple
    filename: str
    build: Callable[[], tuple[str, tuple]]
    scopes: tuple[str, ...]
    version: str = field(init=False)

    def __post_init__(self):
        if not self.scopes:
            raise ValueError("A document names the scopes of the data it shows.")
        # Now, in the active language and with the data as it is now.
        version = fingerprint(self.kind, self.pk, self.audience, self.access, self.scopes)
        object.__setattr__(self, "version", version)

    @cached_property
    def _built(self) -> tuple[str, tuple]:
        return self.build()

    @property
    def html(self) -> str:
        return self._built[0]

    @property
    def consistent(self) -> bool:
        """The built HTML shows what the version says (false only if data changed in between)."""
        return self._built[1] == (self.audience, self.access)

    @property
    def storable(self) -> bool:
        return self.audience != RESTRICTED


class StaleDocumentError(Exception):
    """The data changed between the version and the HTML: serve it once, store nothing."""


@functools.cache
def code_version() -> str:
    """A hash of what lays the documents out, once per process: a deploy with a new layout,
    style or translation makes new versions."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256(f"weasyprint {weasyprint.__version__}".encode())
    files = [
        *(base / "templates" / "meetings" / "pdf").rglob("*"),
        *(base / "templates" / "actionplans" / "pdf").rglob("*"),
        *(base / "static" / "pdf").rglob("*"),
        base / "templates" / "meetings" / "_case_paper.html",
        base / "templates" / "meetings" / "_case_text.html",
        base / "templates" / "meetings" / "_record_entry.html",
        base / "templates" / "meetings" / "_next_meeting.html",
        base / "meetings" / "record.py",
        base / "governance" / "templatetags" / "portal.py",
        base / "meetings" / "text.py",
        base / "meetings" / "pdf.py",
        base / "actionplans" / "pdf.py",
    ]
    return files_digest(digest, base, files)


def files_digest(digest, base: Path, files) -> str:
    """`digest` updated with the name and content of each file of `files` (under `base`) and of
    the compiled translations: by content, not modification time, so every app server arrives
    at the same versions. Shared with the public pages' code version (helsefellesskap/pagecache.py)."""
    for path in sorted(path for path in files if path.is_file()):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes())
    for mo in sorted((base / "locale").glob("*/LC_MESSAGES/django.mo")):
        digest.update(mo.relative_to(base).as_posix().encode() + b"\0" + mo.read_bytes())
    return digest.hexdigest()


def fingerprint(kind: str, pk: int, audience: str, access: tuple, scopes: tuple[str, ...]) -> str:
    """The version: which variant of the document (the object, audience, access and language:
    variants live side by side) followed by what it is made of now (the stamps of its scopes and
    the code), so a newer file of the same variant supersedes an older one."""
    variant = hashlib.sha256(repr((kind, pk, audience, access, get_language())).encode()).hexdigest()
    made_of = hashlib.sha256(f"{stamps.version(scopes)} {code_version()}".encode()).hexdigest()
    return variant[:VARIANT_LENGTH] + made_of[: 32 - VARIANT_LENGTH]


def render_pdf(html: str) -> bytes:
    """The PDF for a document's HTML: PDF/A-2a and PDF/UA-1, tagged, fonts embedded and subset."""
    return HTML(string=html, base_url="hfstatic:", url_fetcher=OwnFilesOnly()).write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False, finisher=_finish_accessible
    )


# The PDF/UA identification, and its description as PDF/A requires for a namespace outside the
# XMP standard (ISO 19005-2, 6.6.2.3.1: an extension schema in pdfaExtension:schemas).
PDFUA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\
<pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
"""


def _finish_accessible(document, pdf) -> None:
    """What PDF/UA-1 asks beyond WeasyPrint's PDF/A-2a file, added before it is written.

    - the XMP says PDF/UA-1 (`pdfuaid:part` 1) beside PDF/A-2a, with the extension schema;
    - every table header cell has a /Scope: /Column in the header rows, /Row in the body (the
      templates use scope="col" in <thead> and scope="row" in <tbody>; WeasyPrint writes the
      Headers of the data cells but no Scope);
    - page labels 1, 2, 3 … as the footer numbers the pages ("Side 2 av 7"), so a reader's
      "go to page" and the footer agree;
    - each link within the document says where it goes ("Gå til side 4").
    WeasyPrint already writes the title (DisplayDocTitle), /Lang, the outlines from the
    bookmark-level of headings, MarkInfo and the image's /Alt.
    """
    objects = pdf.objects

    def structure(reference: bytes):  # b"12 0 R" → object 12
        return objects[int(reference.split()[0])]

    metadata = structure(pdf.catalog["Metadata"])
    metadata.stream = [part.replace(b"</rdf:RDF>", PDFUA_XMP + b"</rdf:RDF>", 1) for part in metadata.stream]
    for element in objects:
        if isinstance(element, dict) and element.get("S") == "/TH":
            group = structure(structure(element["P"])["P"])  # TH → TR → THead, TBody or Table
            element["A"]["Scope"] = "/Column" if group.get("S") == "/THead" else "/Row"
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array([0, pydyf.Dictionary({"S": "/D"})])})
    _margins_as_artifacts(pdf, structure)
    # A link's description (ISO 14289-1 7.18.5, /Contents): WeasyPrint writes the target's id
    # ("case-12"); a reader hears where the link goes instead.
    page_of = {name: number for number, page in enumerate(document.pages, 1) for name in page.anchors}
    for annotation in objects:
        if isinstance(annotation, dict) and annotation.get("Subtype") == "/Link" and "Dest" in annotation:
            page = page_of.get(annotation["Dest"].string)
            if page is not None:
                annotation["Contents"] = pydyf.String(_("Go to page %(page)s") % {"page": page})


def _margins_as_artifacts(pdf, structure) -> None:
    """The running header and footer ("Side 2 av 7") as pagination artifacts.

    WeasyPrint tags the text of the page margins as spans of structure elements that it leaves
    out of the structure tree (PDF 1.7 has no artifact element); content tagged by an element no
    reader can reach is neither real content nor an artifact (ISO 14289-1 7.1, Matterhorn 01-005).
    Its marked content becomes /Artifact <</Type /Pagination>>, and the parent tree forgets it.
    """
    tree = structure(pdf.catalog["StructTreeRoot"])
    reachable, stack = set(), list(tree["K"])
    while stack:
        kid = stack.pop()
        if isinstance(kid, bytes) and int(kid.split()[0]) not in reachable:
            reachable.add(int(kid.split()[0]))
            element = structure(kid)
            if isinstance(element, dict) and isinstance(element.get("K"), list):
                stack.extend(element["K"])
    nums = structure(tree["ParentTree"])["Nums"]
    for page_number, page in enumerate(pdf.page_references):
        mapped = nums[2 * page_number + 1]  # the page's MCID → element array (StructParents = its number)
        orphans = {mcid for mcid, ref in enumerate(mapped) if int(ref.split()[0]) not in reachable}
        if not orphans:
            continue
        content = structure(structure(page)["Contents"]).stream
        for index, operand in enumerate(content):
            if isinstance(operand, dict) and operand.get("MCID") in orphans and content[index + 1] == b"BDC":
                mapped[operand["MCID"]] = "null"
                content[index - 1] = "/Artifact"
                content[index] = pydyf.Dictionary({"Type": "/Pagination"})


# ---------------------------------------------------------------------------
# Stored files, through Django's storage API (local folder or S3-compatible)
# ---------------------------------------------------------------------------

STORAGE_PREFIX = "pdf"
VARIANT_LENGTH = 12
# pdf/<kind>/<pk>/<audience>-<variant><made of>.pdf
STORED_NAME = re.compile(rf"^(?P<audience>[a-z]+)-(?P<variant>[0-9a-f]{{{VARIANT_LENGTH}}})[0-9a-f]+\.pdf$")


class StoredPdf(NamedTuple):
    """A stored file: its storage name, and whether this call rendered it."""

    name: str
    rendered: bool


def folder(kind: str, pk: int) -> str:
    return f"{STORAGE_PREFIX}/{kind}/{pk}"


def storage_name(document: PdfDocument) -> str:
    return f"{folder(document.kind, document.pk)}/{document.audience}-{document.version}.pdf"


def stored_pdf(document: PdfDocument) -> StoredPdf:
    """The stored file of this version and audience, rendered and stored now if absent.

    A stored file is served without building the HTML. A new file supersedes the older files of
    the same variant, which are deleted. Raises StaleDocumentError, storing nothing, when the
    data changed between the version and the HTML.
    """
    if not document.storable:
        raise ValueError("Unpublished documents are never stored.")
    name = storage_name(document)
    if default_storage.exists(name):
        return StoredPdf(name, False)
    if not document.consistent:
        raise StaleDocumentError(name)
    data = render_pdf(document.html)
    # The storage makes the file appear whole (documents/storage.py; an S3 upload is atomic).
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # another worker stored this version meanwhile: keep theirs
        default_storage.delete(saved)
    delete_superseded(document.kind, document.pk, keep=name)
    return StoredPdf(name, True)


def delete_superseded(kind: str, pk: int, *, keep: str) -> list[str]:
    """Delete the other files of the variant `keep` names (older versions of the same document,
    audience, access and language); return their names."""
    variant = STORED_NAME.match(keep.rsplit("/", 1)[-1]).group("audience", "variant")
    deleted = []
    for other in default_storage.listdir(folder(kind, pk))[1]:
        found = STORED_NAME.match(other)
        name = f"{folder(kind, pk)}/{other}"
        if found and name != keep and found.group("audience", "variant") == variant:
            default_storage.delete(name)
            deleted.append(name)
    return deleted


def delete_superseded_files(*, older_than: datetime, dry_run: bool = False) -> list[str]:
    """For `manage.py cleanup_files`: of every variant's files keep the newest, delete the others;
    delete leftovers that are no stored PDF (a temporary file of a killed worker) once they are
    older than `older_than`. Returns the names deleted (or that would be, with `dry_run`)."""
    variants: dict[tuple, list[str]] = defaultdict(list)
    doomed = []
    for name in storage.walk(default_storage, STORAGE_PREFIX):
        folder_name, _, file_name = name.rpartition("/")
        found = STORED_NAME.match(file_name)
        if found:
            variants[(folder_name, *found.group("audience", "variant"))].append(name)
        elif default_storage.get_modified_time(name) < older_than:
            doomed.append(name)
    for names in variants.values():
        if len(names) > 1:
            doomed.extend(sorted(names, key=default_storage.get_modified_time)[:-1])
    if not dry_run:
        for name in doomed:
            default_storage.delete(name)
    return sorted(doomed)


def open_stored(name: str):
    """(file, modified time) of a stored file; FileNotFoundError if it was deleted meanwhile."""
    file = default_storage.open(name, "rb")  # first: S3 says FileNotFoundError here, cleanly
    try:
        return file, default_storage.get_modified_time(name)
    except BaseException:
        file.close()
        raise


# ---------------------------------------------------------------------------
# Shared pieces of every document
# ---------------------------------------------------------------------------


def page_footer_css() -> str:
    """CSS content value for "Page X of Y" in the active language."""
    text = _("Page %(page)s of %(pages)s") % {"page": "\0", "pages": "\1"}
    text = _css_string(text).replace("\0", '" counter(page) "').replace("\1", '" counter(pages) "')
    return mark_safe(text)  # noqa: S308 - escaped as a CSS string above


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def base_context(*, partnership, title: str) -> dict:
    return {
        "partnership": partnership,
        "doc_title": title,
        "doc_author": _("Secretariat of %(partnership)s") % {"partnership": partnership.name},
        "footer_css": page_footer_css(),
        "lang": get_language() or settings.LANGUAGE_CODE,
    }
