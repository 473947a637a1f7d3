"""PDF views: authorise, then stream the stored (or freshly rendered) document. No layout here."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from documents.http import pdf_response
from meetings import pdf, permissions, selectors
from meetings.models import Case, Meeting


def _meeting(user, partnership, body, date):
    """The body's meeting its URL segment names (a day, or “mote-<id>”) if the user may see it,
    in one query compiled once per reader's standing (selectors.meeting_on, as the meeting page):
    a stored PDF is served after it, the access flags and the stamps."""
    try:
        return selectors.meeting_on(user, partnership=partnership, body=body, day=date)
    except Meeting.DoesNotExist:
        raise Http404 from None


@require_safe
def notice(request, partnership, body, date):
    meeting = _meeting(request.user, partnership, body, date)
    if not permissions.can_view_meeting(request.user, meeting):
        raise Http404
    return pdf_response(request, pdf.notice_document(meeting, request.user))


@require_safe
def protocol(request, partnership, body, date):
    meeting = _meeting(request.user, partnership, body, date)
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
