"""Archive-quality PDFs of meetings: the notice with case papers, the protocol, one case paper.

Each document is built in two steps. `*_document(obj, user)` reads what the user may see
(through governance.permissions and the querysets), decides the audience and renders the
HTML; `render_pdf(html)` turns it into PDF/A-2a bytes with WeasyPrint. `stored_pdf()` keeps
one file per audience and version (a hash of the HTML, so any change to what the document
shows is a new version) under MEDIA_ROOT, so a published PDF is rendered once.

WeasyPrint only ever reads our own files: `hf-static:` (the project's static files) and
`hf-font:` (the PDF font); every other URL is refused.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import font_source_sans_pro
from django.conf import settings
from django.contrib.staticfiles import finders
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
    kind: str
    pk: int
    audience: str
    html: str
    filename: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.html.encode()).hexdigest()[:32]

    @property
    def storable(self) -> bool:
        return self.audience != RESTRICTED


def render_pdf(html: str) -> bytes:
    """The PDF for a document's HTML: PDF/A-2a, tagged, fonts embedded and subset."""
    return HTML(string=html, base_url="hf-static:", url_fetcher=OwnFilesOnly()).write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )


def pdf_cache_root() -> Path:
    return Path(getattr(settings, "PDF_CACHE_ROOT", Path(settings.MEDIA_ROOT) / "pdf"))


def stored_pdf(document: PdfDocument) -> tuple[Path, bool]:
    """The stored file of this version and audience, rendered now if absent; (path, rendered)."""
    if not document.storable:
        raise ValueError("Unpublished documents are never stored.")
    path = pdf_cache_root() / document.kind / str(document.pk) / f"{document.audience}-{document.version}.pdf"
    if path.is_file():
        return path, False
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


def meeting_by_date(body, day):
    """The body's meeting on a day (local time), or None."""
    return (
        Meeting.objects.filter(body=body, start__date=day)
        .select_related("body__partnership")
        .order_by("start")
        .first()
    )


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


def notice_document(meeting: Meeting, user) -> PdfDocument:
    cases = _cases_for(user, meeting)
    members, substitutes = summoned(meeting)
    context = base_context(
        partnership=meeting.body.partnership,
        title=_("Notice of meeting: %(body)s, %(date)s")
        % {"body": meeting.body.name, "date": _date_text(meeting)},
    ) | {"meeting": meeting, "cases": cases, "members": members, "substitutes": substitutes}
    return PdfDocument(
        kind="notice",
        pk=meeting.pk,
        audience=_audience(cases, published=meeting.agenda_is_public),
        html=render_to_string("meetings/pdf/notice.html", context),
        filename=f"innkalling-{meeting.body.slug}-{timezone.localtime(meeting.start):%Y-%m-%d}.pdf",
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


def protocol_document(meeting: Meeting, user) -> PdfDocument:
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
    next_meeting = (
        Meeting.objects.visible_to(user)
        .filter(body=meeting.body, start__gt=meeting.start)
        .order_by("start")
        .first()
    )
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
    return PdfDocument(
        kind="protocol",
        pk=meeting.pk,
        audience=_audience(cases, published=meeting.minutes_are_public),
        html=render_to_string("meetings/pdf/protocol.html", context),
        filename=f"protokoll-{meeting.body.slug}-{timezone.localtime(meeting.start):%Y-%m-%d}.pdf",
    )


def render_protocol_pdf(meeting: Meeting, user=None) -> bytes:
    return render_pdf(protocol_document(meeting, user).html)


# ---------------------------------------------------------------------------
# One case paper (saksframlegg)
# ---------------------------------------------------------------------------


def case_document(case: Case, user) -> PdfDocument:
    case = _case_queryset(user).get(pk=case.pk)
    meeting = case.meeting
    context = base_context(
        partnership=case.body.partnership,
        title=_("Case paper %(number)s: %(title)s")
        % {"number": case.case_number, "title": case.title if case.content_visible else case.shown_title},
    ) | {"case": case, "meeting": meeting}
    return PdfDocument(
        kind="case",
        pk=case.pk,
        audience=_audience([case], published=bool(meeting and meeting.agenda_is_public)),
        html=render_to_string("meetings/pdf/case.html", context),
        filename=f"saksframlegg-{case.body.slug}-{case.year}-{case.number or case.pk}.pdf",
    )


def render_case_pdf(case: Case, user=None) -> bytes:
    return render_pdf(case_document(case, user).html)
