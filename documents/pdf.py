"""Archive-quality PDFs: rendering, versioning, storage and the HTTP response, for every app.

A document (`PdfDocument`) knows, with a few small queries and no HTML, who it is for (its
audience: public, member or restricted) and its version: a fingerprint of the kind, the object,
the audience, what of the data this user sees, the data version (`data_version()`: the newest
change anywhere in the domain's history), the active language and the code version
(`code_version()`: the PDF templates, static files and translations). `stored_pdf()` keeps one
file per audience and version under PDF_CACHE_ROOT: a request whose file exists is served from
it without building any HTML. Only when it is absent is the HTML built and rendered by
`render_pdf(html)` into PDF/A-2a bytes with WeasyPrint, once.

WeasyPrint only ever reads our own files: `hfstatic:` (the project's static files) and
`hffont:` (the PDF font); every other URL is refused.

The documents themselves are made in meetings/pdf.py and actionplans/pdf.py; this module knows
nothing of meetings or plans.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import font_source_sans_pro
import weasyprint
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# PDF/A-2a: the archival level Arkivverket accepts for Noark 5, with the tagged structure
# ("a", accessible) that universal design asks for. PDF/A-3 would also allow embedding
# arbitrary files, which archives do not want; PDF/UA-1 alone is not an archival format.
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
    noticed (`consistent`) and such a document is not stored.
    """

    kind: str
    pk: int
    audience: str
    access: tuple
    filename: str
    build: Callable[[], tuple[str, tuple]]
    version: str = field(init=False)

    def __post_init__(self):
        # Now, in the active language and with the data as it is now.
        object.__setattr__(self, "version", fingerprint(self.kind, self.pk, self.audience, self.access))

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


# Every model of these apps keeps its history with django-simple-history. Writes go through
# history (the services, the admin and the management forms save models; no queryset.update()
# or bulk_create() on domain data), so a saved change anywhere makes a new data version.
HISTORY_APPS = ("governance", "meetings", "actionplans")


@functools.cache
def _history_tables() -> tuple[tuple[str, bool], ...]:
    """(table, has history_date) of every history model, m2m history tables included."""
    tables = []
    for label in HISTORY_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                has_date = any(field.name == "history_date" for field in model._meta.fields)
                tables.append((model._meta.db_table, has_date))
    return tuple(sorted(tables))


def data_version() -> str:
    """The newest history_date and the row count of every history table, in one query.

    A governance portal changes rarely, so any change anywhere is a new version of every
    document: simple and safe (nothing a document shows can change unnoticed).
    """
    quote = connection.ops.quote_name
    selects = [
        f"SELECT {index}, {'MAX(' + quote('history_date') + ')' if has_date else 'NULL'}, COUNT(*) "
        f"FROM {quote(table)}"
        for index, (table, has_date) in enumerate(_history_tables())
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects))
        rows = sorted(cursor.fetchall())
    summary = [(index, str(newest), count) for index, newest, count in rows]
    return hashlib.sha256(repr(summary).encode()).hexdigest()


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
    for path in sorted(path for path in files if path.is_file()):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes())
    for mo in sorted((base / "locale").glob("*/LC_MESSAGES/django.mo")):
        stat = mo.stat()
        digest.update(f"{mo.relative_to(base)} {stat.st_mtime_ns} {stat.st_size}".encode())
    return digest.hexdigest()


def fingerprint(kind: str, pk: int, audience: str, access: tuple) -> str:
    parts = (kind, pk, audience, access, data_version(), get_language(), code_version())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def render_pdf(html: str) -> bytes:
    """The PDF for a document's HTML: PDF/A-2a, tagged, fonts embedded and subset."""
    return HTML(string=html, base_url="hfstatic:", url_fetcher=OwnFilesOnly()).write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )


def pdf_cache_root() -> Path:
    return Path(settings.PDF_CACHE_ROOT)


def stored_path(document: PdfDocument) -> Path:
    return pdf_cache_root() / document.kind / str(document.pk) / f"{document.audience}-{document.version}.pdf"


def stored_pdf(document: PdfDocument) -> tuple[Path, bool]:
    """The stored file of this version and audience, rendered now if absent; (path, rendered).

    A stored file is served without building the HTML. Raises StaleDocumentError, storing
    nothing, when the data changed between the version and the HTML.
    """
    if not document.storable:
        raise ValueError("Unpublished documents are never stored.")
    path = stored_path(document)
    if path.is_file():
        return path, False
    if not document.consistent:
        raise StaleDocumentError(path.name)
    data = render_pdf(document.html)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside it and rename, so a concurrent reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as tmp_file:
        tmp_file.write(data)
    os.replace(tmp, path)
    return path, True


def last_modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


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
