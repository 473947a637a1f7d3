"""PDF views: authorise, then stream the stored (or freshly rendered) document. No layout here."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from governance import permissions
from meetings import pdf
from meetings.models import Case, Meeting

PUBLIC_MAX_AGE = 60 * 60  # an hour: a new version gets a new ETag, so caches revalidate cheaply


def pdf_response(request, document: pdf.PdfDocument):
    """The document with ETag, Last-Modified and Cache-Control by audience; 304 when unchanged.

    The version is known before any HTML is built: a stored file (or a 304) costs no template.
    """
    etag = f'"{document.audience}-{document.version}"'
    if document.storable:
        try:
            path, _rendered = pdf.stored_pdf(document)
        except pdf.StaleDocumentError:
            # The data changed while we read it: this once, serve what was built, keep nothing.
            response = HttpResponse(pdf.render_pdf(document.html), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{document.filename}"'
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ["Cookie"])
            return response
        modified = pdf.last_modified(path)
    else:
        path, modified = None, timezone.now()
    modified_at = int(modified.timestamp())  # whole seconds, as If-Modified-Since carries them
    response = get_conditional_response(request, etag=etag, last_modified=modified_at)
    if response is None:
        if path is not None:
            response = FileResponse(path.open("rb"), content_type="application/pdf")
        else:
            response = HttpResponse(pdf.render_pdf(document.html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified_at)
    if document.audience == pdf.PUBLIC:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    else:
        response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


def _meeting(partnership, body, date):
    """The body's meeting on a day (local time), in one query with its body and partnership."""
    meeting = (
        Meeting.objects.filter(body__partnership__slug=partnership, body__slug=body, start__date=date)
        .select_related("body__partnership")
        .order_by("start")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


@require_safe
def notice(request, partnership, body, date):
    meeting = _meeting(partnership, body, date)
    if not permissions.can_view_meeting(request.user, meeting):
        raise Http404
    return pdf_response(request, pdf.notice_document(meeting, request.user))


@require_safe
def protocol(request, partnership, body, date):
    meeting = _meeting(partnership, body, date)
    if not permissions.can_view_minutes(request.user, meeting):
        raise Http404
    return pdf_response(request, pdf.protocol_document(meeting, request.user))


@require_safe
def case_paper(request, partnership, body, year, number):
    case = get_object_or_404(
        Case.objects.select_related("body__partnership", "meeting__body__partnership"),
        body__partnership__slug=partnership,
        body__slug=body,
        year=year,
        number=number,
    )
    if not permissions.can_view_case(request.user, case):
        raise Http404
    return pdf_response(request, pdf.case_document(case, request.user))
