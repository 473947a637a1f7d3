"""Archive-quality PDFs of meetings: the notice with case papers, the protocol, one case paper.

`*_document(obj, user)` says, with a few small queries and no HTML, who the document is for and
its version (documents/pdf.py); the HTML is built only when no stored file of that version
exists, through the meetings.permissions querysets.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.pdf import MEMBER, PUBLIC, RESTRICTED, PdfDocument, base_context, render_pdf
from governance.models import Membership
from governance.permissions import viewer_for
from governance.querysets import PreparedRows
from governance.stamps import document_scopes
from governance.templatetags.portal import meeting_date

from . import permissions, selectors
from .models import Attachment, Case, Meeting, Recusal, Reservation
from .record import protocol_record


def _with_attachment_access(cases, user):
    """Annotate `reads_exempt_attachment`: the user may read this case's exempt attachments
    (the page's rule, permissions.attachment_readable_q), in the same query."""
    readable = Attachment.objects.filter(
        permissions.attachment_readable_q(user), case=OuterRef("pk"), exempt=True
    )
    return cases.annotate(reads_exempt_attachment=Exists(readable))


def _case_queryset(user):
    """Cases with everything a paper or decision shows, and per-row access annotations."""
    return (
        _with_attachment_access(Case.objects.with_access(user).with_names(), user)
        .select_related("body__partnership", "meeting__body__partnership")
        .prefetch_related(
            "sections",
            *selectors.case_paper_prefetches(),
            Prefetch("reservations", queryset=Reservation.objects.select_related("party", "person")),
            Prefetch("recusals", queryset=Recusal.objects.select_related("person")),
        )
    )


def _mark_listed_attachments(cases) -> None:
    """Which attachment titles a paper shows: the same rule as the pages (DOMAIN.md).

    An exempt attachment's title shows to those who may read it (members of the body, the
    secretariat), on the page and in the PDF alike; everyone else gets "Vedlegg unntatt
    offentlighet, <hjemmel>". A document that shows one is stored for the member audience only.
    """
    for case in cases:
        for attachment in case.attachments.all():
            attachment.readable = bool(case.content_visible) and (
                not attachment.exempt or case.exempt or bool(case.reads_exempt_attachment)
            )


def _cases_for(user, meeting: Meeting) -> list[Case]:
    cases = list(_case_queryset(user).filter(meeting=meeting).order_by("order", "number", "pk"))
    _mark_listed_attachments(cases)
    return cases


def _audience(cases, *, published: bool) -> str:
    """Public unless the user reads exempt content here; restricted before publication."""
    if not published:
        return RESTRICTED
    if any(case.exempt and case.content_visible or case.reads_exempt_attachment for case in cases):
        return MEMBER
    return PUBLIC


@dataclass(frozen=True)
class _Access:
    """A case's access flags, as the small audience query reads them."""

    pk: int
    exempt: bool
    content_visible: bool
    reads_exempt_attachment: bool


def _access_of(cases) -> tuple:
    """What of the cases the user reads: cases whose content, and whose exempt attachments, show."""
    return (
        tuple(sorted(case.pk for case in cases if case.content_visible)),
        tuple(sorted(case.pk for case in cases if case.reads_exempt_attachment)),
    )


def _access_rows(user, *, meeting: Meeting | None = None, case: Case | None = None) -> list[_Access]:
    """One small query: the access flags of the meeting's cases, or of the case, with the same
    rules as the document; compiled once per reader's standing (a stored PDF is served after
    this query and the stamps', and building this one cost more than running it)."""
    key, field = (meeting.pk, "meeting_id") if meeting is not None else (case.pk, "pk")
    return [_Access(*row) for row in _ACCESS.rows(key, viewer_for(user), field)]


def _access_query(key, viewer, field):
    return (
        _with_attachment_access(Case.objects.with_access(viewer).with_names(), viewer)
        .filter(**{field: key})
        .values_list("pk", "exempt", "content_visible", "reads_exempt_attachment")
    )


_ACCESS = PreparedRows(_access_query)


# ---------------------------------------------------------------------------
# The notice (innkalling) with every case paper
# ---------------------------------------------------------------------------


def summoned(meeting: Meeting):
    """Members and substitutes in office on the meeting day, by whom they represent; nobody when
    the source gives no day (who was in office then is not known)."""
    if not meeting.date_known:
        return [], []
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
        % {"body": meeting.body.name, "date": meeting_date(meeting)},
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
        filename=f"innkalling-{meeting.body.slug}-{meeting.url_key}.pdf",
        build=functools.partial(notice_html, meeting, user),
        scopes=document_scopes(meeting.body.partnership_id),
    )


def render_notice_pdf(meeting: Meeting, user=None) -> bytes:
    return render_pdf(notice_document(meeting, user).html)


# ---------------------------------------------------------------------------
# The protocol (møteprotokoll)
# ---------------------------------------------------------------------------


def protocol_html(meeting: Meeting, user) -> tuple[str, tuple]:
    """The protocol from the record (meetings/record.py), the same read as the page's."""
    record = protocol_record(user, meeting)
    cases = _access_rows(user, meeting=meeting)  # the protocol lists no attachments; same flags
    context = base_context(
        partnership=meeting.body.partnership,
        title=_("Minutes: %(body)s, %(date)s") % {"body": meeting.body.name, "date": meeting_date(meeting)},
    ) | {"meeting": meeting, "record": record, "minutes": record.minutes}
    seen = (_audience(cases, published=meeting.minutes_are_public), _access_of(cases))
    return render_to_string("meetings/pdf/protocol.html", context), seen


def protocol_document(meeting: Meeting, user) -> PdfDocument:
    rows = _access_rows(user, meeting=meeting)
    return PdfDocument(
        kind="protocol",
        pk=meeting.pk,
        audience=_audience(rows, published=meeting.minutes_are_public),
        access=_access_of(rows),
        filename=f"protokoll-{meeting.body.slug}-{meeting.url_key}.pdf",
        build=functools.partial(protocol_html, meeting, user),
        scopes=document_scopes(meeting.body.partnership_id),
    )


def render_protocol_pdf(meeting: Meeting, user=None) -> bytes:
    return render_pdf(protocol_document(meeting, user).html)


# ---------------------------------------------------------------------------
# One case paper (saksframlegg)
# ---------------------------------------------------------------------------


def case_html(case: Case, user) -> tuple[str, tuple]:
    case = _case_queryset(user).get(pk=case.pk)
    _mark_listed_attachments([case])
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
    rows = _access_rows(user, case=case)
    meeting = case.meeting
    return PdfDocument(
        kind="case",
        pk=case.pk,
        audience=_audience(rows, published=bool(meeting and meeting.agenda_is_public)),
        access=_access_of(rows),
        filename=f"saksframlegg-{case.body.slug}-{case.year}-{case.number or case.pk}.pdf",
        build=functools.partial(case_html, case, user),
        scopes=document_scopes(case.body.partnership_id),
    )


def render_case_pdf(case: Case, user=None) -> bytes:
    return render_pdf(case_document(case, user).html)
