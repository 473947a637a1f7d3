"""Serve a PDF document: stored file, ETag and Last-Modified, Cache-Control by audience."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from . import pdf

PUBLIC_MAX_AGE = 60 * 60  # an hour: a new version gets a new ETag, so caches revalidate cheaply


def _served_once(document: pdf.PdfDocument) -> HttpResponse:
    """The document built now, kept nowhere: its data changed while it was read."""
    response = HttpResponse(pdf.render_pdf(document.html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Cookie"])
    return response


def pdf_response(request, document: pdf.PdfDocument):
    """The document with ETag, Last-Modified and Cache-Control by audience; 304 when unchanged.

    The version is known before any HTML is built: a stored file (or a 304) costs no template.
    The file is read through the default storage, so every app server serves what any of them
    stored.
    """
    etag = f'"{document.audience}-{document.version}"'
    file = None
    if document.storable:
        try:
            name, _rendered = pdf.stored_pdf(document)
            file, modified = pdf.open_stored(name)
        except (pdf.StaleDocumentError, FileNotFoundError):
            # The data changed while we read it (or a newer version replaced this one just
            # now): this once, serve what was built, keep nothing.
            return _served_once(document)
    else:
        modified = timezone.now()
    modified_at = int(modified.timestamp())  # whole seconds, as If-Modified-Since carries them
    response = get_conditional_response(request, etag=etag, last_modified=modified_at)
    if response is None:
        if file is not None:
            response = FileResponse(file, content_type="application/pdf")
        else:
            response = HttpResponse(pdf.render_pdf(document.html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    elif file is not None:
        file.close()
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified_at)
    if document.audience == pdf.PUBLIC:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    else:
        # Exempt content for one user: kept by no cache, not even the browser's (the ETag stays,
        # harmless, for a client that revalidates anyway).
        response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Cookie"])
    return response
