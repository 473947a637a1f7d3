"""Archive-quality PDFs of meetings: the notice with case papers, the protocol, one case paper.

`*_document(obj, user)` decides, with a few small queries and no HTML, who the document is for
(its audience: public, member or restricted) and its version: a fingerprint of the kind, the
object, the audience, what of the data this user sees (the cases whose content is visible),
the data version (`data_version()`: the newest change anywhere in the domain's history), the
active language and the code version (`code_version()`: the PDF templates, static files and
translations). `stored_pdf()` keeps one file per audience and version under MEDIA_ROOT: a
request whose file exists is served from it without building any HTML. Only when it is absent
is the HTML built (`document.html`, through the governance.permissions querysets) and
rendered by `render_pdf(html)` into PDF/A-2a bytes with WeasyPrint, once.

WeasyPrint only ever reads our own files: `hf-static:` (the project's static files) and
`hf-font:` (the PDF font); every other URL is refused.
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
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from governance.models import Membership

from .models import Attendance, Case, FollowUp, Meeting, Minutes, Recusal, Reservation

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
        if url.startswith("hf-static:"):
            path = finders.find(url.removeprefix("hf-static:"))
        elif url.startswith("hf-font:"):
            name = url.removeprefix("hf-font:")
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
        base / "templates" / "meetings" / "_case_text.html",
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
    return HTML(string=html, base_url="hf-static:", url_fetcher=OwnFilesOnly()).write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )


def pdf_cache_root() -> Path:
    return Path(getattr(settings, "PDF_CACHE_ROOT", Path(settings.MEDIA_ROOT) / "pdf"))


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


def _date_text(meeting: Meeting) -> str:
    from django.template.defaultfilters import date as date_filter

    return date_filter(timezone.localtime(meeting.start), "j. F Y")


def _case_queryset(user):
    """Cases with everything a paper or decision shows, and per-row access annotations."""
    return (
        Case.objects.with_access(user)
        .select_related("body__partnership", "meeting__body__partnership")
        .prefetch_related(
            "sections",
            "attachments",
            Prefetch("reservations", queryset=Reservation.objects.select_related("party", "person")),
            Prefetch("recusals", queryset=Recusal.objects.select_related("person")),
        )
    )


def _cases_for(user, meeting: Meeting) -> list[Case]:
    return list(_case_queryset(user).filter(meeting=meeting).order_by("order", "number", "pk"))


def _audience(cases, *, published: bool) -> str:
    """Public unless the user reads exempt content here; restricted before publication."""
    if not published:
        return RESTRICTED
    if any(case.exempt and case.content_visible for case in cases):
        return MEMBER
    return PUBLIC


@dataclass(frozen=True)
class _Access:
    """A case's access flags, as the small audience query reads them."""

    pk: int
    exempt: bool
    content_visible: bool


def _access_of(cases) -> tuple:
    """What of the cases the user reads: the cases whose content is visible."""
    return (tuple(sorted(case.pk for case in cases if case.content_visible)),)


def _access_rows(user, **filters) -> list[_Access]:
    """One small query: the access flags of the cases, with the same rules as the document."""
    rows = Case.objects.with_access(user).filter(**filters).values_list("pk", "exempt", "content_visible")
    return [_Access(*row) for row in rows]


# ---------------------------------------------------------------------------
# The notice (innkalling) with every case paper
# ---------------------------------------------------------------------------


def summoned(meeting: Meeting):
    """Members and substitutes in office on the meeting day, by whom they represent."""
    roles_first = [
        Membership.Role.LEADER,
        Membership.Role.DEPUTY_LEADER,
        Membership.Role.MEMBER,
        Membership.Role.OBSERVER,
    ]
    rows = (
        Membership.objects.current(on=timezone.localtime(meeting.start).date())
        .filter(body=meeting.body, role__in=[*roles_first, Membership.Role.SUBSTITUTE])
        .select_related("person__organisation", "on_behalf_of", "substitute_for__person")
        .order_by("on_behalf_of__name", "person__name")
    )
    members, substitutes = [], []
    for row in rows:
        (substitutes if row.role == Membership.Role.SUBSTITUTE else members).append(row)
    members.sort(key=lambda m: (roles_first.index(m.role), m.on_behalf_of.name if m.on_behalf_of else ""))
    return members, substitutes


def notice_html(meeting: Meeting, user) -> tuple[str, tuple]:
    cases = _cases_for(user, meeting)
    members, substitutes = summoned(meeting)
    context = base_context(
        partnership=meeting.body.partnership,
        title=_("Notice of meeting: %(body)s, %(date)s")
        % {"body": meeting.body.name, "date": _date_text(meeting)},
    ) | {"meeting": meeting, "cases": cases, "members": members, "substitutes": substitutes}
    seen = (_audience(cases, published=meeting.agenda_is_public), _access_of(cases))
    return render_to_string("meetings/pdf/notice.html", context), seen


def notice_document(meeting: Meeting, user) -> PdfDocument:
    rows = _access_rows(user, meeting=meeting)
    return PdfDocument(
        kind="notice",
        pk=meeting.pk,
        audience=_audience(rows, published=meeting.agenda_is_public),
        access=_access_of(rows),
        filename=f"innkalling-{meeting.body.slug}-{timezone.localtime(meeting.start):%Y-%m-%d}.pdf",
        build=functools.partial(notice_html, meeting, user),
    )


def render_notice_pdf(meeting: Meeting, user=None) -> bytes:
    return render_pdf(notice_document(meeting, user).html)


# ---------------------------------------------------------------------------
# The protocol (møteprotokoll)
# ---------------------------------------------------------------------------


def attendance_groups(meeting: Meeting) -> dict:
    rows = meeting.attendances.select_related("person", "on_behalf_of", "substitute_for").order_by(
        "order", "pk"
    )
    groups = {"present": [], "absent": [], "substitutes": [], "guests": [], "referents": []}
    guest_roles = {Attendance.Role.GUEST, Attendance.Role.SPEAKER, Attendance.Role.FACILITATOR}
    for row in rows:
        if row.is_referent:
            groups["referents"].append(row)
        if row.status != Attendance.Status.PRESENT:
            groups["absent"].append(row)
        elif row.role == Attendance.Role.SUBSTITUTE or row.substitute_for_id:
            groups["substitutes"].append(row)
        elif row.role in guest_roles:
            groups["guests"].append(row)
        elif not row.is_referent or row.role != Attendance.Role.SECRETARY:
            groups["present"].append(row)
    return groups


def _next_meeting(meeting: Meeting, user):
    """The next meeting of the body the user may see (a planned one only for its leaders and
    the secretariat, so the protocol's version depends on it)."""
    later = Meeting.objects.visible_to(user).filter(body_id=meeting.body_id, start__gt=meeting.start)
    return later.order_by("start")


def protocol_html(meeting: Meeting, user) -> tuple[str, tuple]:
    cases = _cases_for(user, meeting)
    readable = {case.pk for case in cases if case.content_visible}
    follow_ups = [
        follow_up
        for follow_up in FollowUp.objects.filter(meeting=meeting)
        .select_related("responsible_person", "case__body__partnership")
        .order_by("order", "pk")
        if follow_up.case_id is None or follow_up.case_id in readable
    ]
    minutes = (
        Minutes.objects.filter(meeting=meeting).select_related("approved_in_case__body__partnership").first()
    )
    next_meeting = _next_meeting(meeting, user).first()
    context = base_context(
        partnership=meeting.body.partnership,
        title=_("Minutes: %(body)s, %(date)s") % {"body": meeting.body.name, "date": _date_text(meeting)},
    ) | {
        "meeting": meeting,
        "cases": cases,
        "attendance": attendance_groups(meeting),
        "follow_ups": follow_ups,
        "minutes": minutes,
        "next_meeting": next_meeting,
    }
    access = (*_access_of(cases), next_meeting.pk if next_meeting else None)
    seen = (_audience(cases, published=meeting.minutes_are_public), access)
    return render_to_string("meetings/pdf/protocol.html", context), seen


def protocol_document(meeting: Meeting, user) -> PdfDocument:
    rows = _access_rows(user, meeting=meeting)
    return PdfDocument(
        kind="protocol",
        pk=meeting.pk,
        audience=_audience(rows, published=meeting.minutes_are_public),
        access=(*_access_of(rows), _next_meeting(meeting, user).values_list("pk", flat=True).first()),
        filename=f"protokoll-{meeting.body.slug}-{timezone.localtime(meeting.start):%Y-%m-%d}.pdf",
        build=functools.partial(protocol_html, meeting, user),
    )


def render_protocol_pdf(meeting: Meeting, user=None) -> bytes:
    return render_pdf(protocol_document(meeting, user).html)


# ---------------------------------------------------------------------------
# One case paper (saksframlegg)
# ---------------------------------------------------------------------------


def case_html(case: Case, user) -> tuple[str, tuple]:
    case = _case_queryset(user).get(pk=case.pk)
    meeting = case.meeting
    context = base_context(
        partnership=case.body.partnership,
        title=_("Case paper %(number)s: %(title)s")
        % {"number": case.case_number, "title": case.title if case.content_visible else case.shown_title},
    ) | {"case": case, "meeting": meeting}
    seen = (_audience([case], published=bool(meeting and meeting.agenda_is_public)), _access_of([case]))
    return render_to_string("meetings/pdf/case.html", context), seen


def case_document(case: Case, user) -> PdfDocument:
    """The case paper; `case` comes with its meeting and body (select_related)."""
    rows = _access_rows(user, pk=case.pk)
    meeting = case.meeting
    return PdfDocument(
        kind="case",
        pk=case.pk,
        audience=_audience(rows, published=bool(meeting and meeting.agenda_is_public)),
        access=_access_of(rows),
        filename=f"saksframlegg-{case.body.slug}-{case.year}-{case.number or case.pk}.pdf",
        build=functools.partial(case_html, case, user),
    )


def render_case_pdf(case: Case, user=None) -> bytes:
    return render_pdf(case_document(case, user).html)
