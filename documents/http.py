"""Serve a PDF document: stored file, ETag and Last-Modified, Cache-Control by audience."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from . import pdf

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
