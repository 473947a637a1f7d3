"""PDF views: authorise, then stream the stored (or freshly rendered) document. No layout here."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from documents.http import pdf_response
from meetings import pdf, permissions
from meetings.models import Case

from .public import meeting_or_404


@require_safe
def notice(request, partnership, body, date):
    meeting = meeting_or_404(request.user, partnership, body, date)
    if not permissions.can_view_meeting(request.user, meeting):
        raise Http404
    return pdf_response(request, pdf.notice_document(meeting, request.user))


@require_safe
def protocol(request, partnership, body, date):
    meeting = meeting_or_404(request.user, partnership, body, date)
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
