"""Checking an uploaded attachment: its size, and its type from its content.

Size first, before the file is read: `UploadLimitMiddleware` refuses a request whose
Content-Length is over the limit without reading its body, and `LimitedUploadHandler` (the first
of FILE_UPLOAD_HANDLERS) stops an upload as soon as a file's received bytes pass
ATTACHMENT_MAX_BYTES; both answer 413 with a Norwegian page.

Then the type: its signature is read by puremagic (a maintained, pure-Python magic-number
library, released through 2025, where `filetype` has had no release since 2022), and must agree
with the file name's extension; then each kind is checked beyond its header, so a renamed
executable, a PDF called .docx, HTML behind a "%PDF-" or "GIF89a" header, a five-byte "PDF" or a
zip bomb called .docx is refused before it is stored:

- no kind may have HTML markup in its first kilobyte (what a browser would sniff);
- a PDF needs "%%EOF" near its end and a minimal size;
- an image must open in Pillow (installed already, for WeasyPrint) as its own format, within a
  pixel limit, and pass Pillow's verify();
- an Office Open XML file (a ZIP) is read from its central directory only: at most
  ATTACHMENT_MAX_ZIP_ENTRIES entries declaring at most ATTACHMENT_MAX_UNPACKED_BYTES together,
  "[Content_Types].xml" and the kind's folder present, no macros; nothing is unpacked.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

# Extension → the content kind it must have.
EXTENSION_KINDS = {
    "pdf": "pdf",
    "doc": "ole2",
    "xls": "ole2",
    "ppt": "ole2",
    "docx": "docx",
    "xlsx": "xlsx",
    "pptx": "pptx",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "gif": "gif",
}
ACCEPTED_EXTENSIONS = tuple(EXTENSION_KINDS)

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_OOXML_FOLDERS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def _format_megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f}" if megabytes >= 1 else f"{megabytes:.1f}".replace(".", ",")


HEAD_BYTES = 1024
_HTML_MARKERS = (b"<html", b"<script", b"<body", b"<head", b"<iframe", b"<svg", b"<!doctype")
MIN_PDF_BYTES = 32
MAX_IMAGE_PIXELS = 50_000_000
_PUREMAGIC_KINDS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif"}
_OLE2_EXTENSIONS = {".doc", ".xls", ".ppt"}
_ZIP_EXTENSIONS = {".docx", ".xlsx", ".pptx", ".zip"}
_IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF"}


def _signature_kind(head: bytes) -> str | None:
    """The kind puremagic reads from the first bytes: "pdf", "png", …, "ole2", "zip" or None."""
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        if match.mime_type in _PUREMAGIC_KINDS:
            return _PUREMAGIC_KINDS[match.mime_type]
    extensions = {match.extension.lower() for match in matches}
    if extensions & _OLE2_EXTENSIONS and head.startswith(_OLE2):
        return "ole2"
    if extensions & _ZIP_EXTENSIONS and head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _tail(upload, size: int) -> bytes:
    upload.seek(max(size - HEAD_BYTES, 0))
    tail = upload.read(HEAD_BYTES)
    upload.seek(0)
    return tail


def _pdf_is_whole(upload, head: bytes, size: int) -> bool:
    return head.startswith(b"%PDF-") and size >= MIN_PDF_BYTES and b"%%EOF" in _tail(upload, size)


def _image_is_whole(upload, kind: str) -> bool:
    from PIL import Image  # Pillow comes with WeasyPrint; imported only for images

    try:
        with Image.open(upload) as image:
            width, height = image.size
            if image.format != _IMAGE_FORMATS[kind] or width * height > MAX_IMAGE_PIXELS:
                return False
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of error for a broken image
        return False
    finally:
        upload.seek(0)
    return True


def _ooxml_kind(upload) -> str | None:
    """The Office kind of a ZIP from its central directory, or None if it is not a safe one."""
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > settings.ATTACHMENT_MAX_ZIP_ENTRIES:
                return None
            if sum(entry.file_size for entry in entries) > settings.ATTACHMENT_MAX_UNPACKED_BYTES:
                return None
            names = [entry.filename for entry in entries]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names or any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    for folder, kind in _OOXML_FOLDERS.items():
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def detect_kind(upload) -> str | None:
    """The content kind of a file object ("pdf", "png", "docx", …), or None if unknown or if it
    is not what its header claims (see the module docstring)."""
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if any(marker in head.lower() for marker in _HTML_MARKERS):
        return None
    kind = _signature_kind(head)
    if kind == "pdf":
        return kind if _pdf_is_whole(upload, head, size) else None
    if kind in _IMAGE_FORMATS:
        return kind if _image_is_whole(upload, kind) else None
    if kind == "ole2":
        return kind if size >= 512 else None  # an OLE2 file is at least its 512-byte header
    if kind == "zip":
        return _ooxml_kind(upload)
    return None


def validate_upload(upload) -> str:
    """Raise ValidationError unless the upload is an accepted, honest file; return its kind."""
    name = getattr(upload, "name", "") or ""
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The file is too large (max %(size)s MB).") % {"size": _format_megabytes(limit)},
            code="too_large",
        )
    if extension not in EXTENSION_KINDS:
        raise ValidationError(
            _("The file type is not allowed. Accepted: %(types)s.")
            % {"types": "PDF, Word (doc, docx), Excel (xls, xlsx), PowerPoint (ppt, pptx), PNG, JPEG, GIF"},
            code="type_not_allowed",
        )
    kind = detect_kind(upload)
    if kind != EXTENSION_KINDS[extension]:
        raise ValidationError(
            _(
                "The content of the file does not match its extension (.%(extension)s). "
                "Save it again in the right format, or give it the right name."
            )
            % {"extension": extension},
            code="content_mismatch",
        )
    return kind


class UploadTooLarge(MultiPartParserError):
    """An upload stopped because it is larger than ATTACHMENT_MAX_BYTES."""


def request_max_bytes() -> int:
    """The largest request with files: one attachment and the rest of its form."""
    return max_bytes() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _too_large_message() -> str:
    return _("The file is too large (max %(size)s MB).") % {"size": _format_megabytes(max_bytes())}


class LimitedUploadHandler(FileUploadHandler):
    """The first upload handler: refuses a request that says it is too large before reading it,
    and stops reading a file as soon as more than ATTACHMENT_MAX_BYTES of it have arrived."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > request_max_bytes():
            raise UploadTooLarge(_too_large_message())

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_bytes():
            raise UploadTooLarge(_too_large_message())
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


class UploadLimitMiddleware:
    """Parse a form with files here, before anything else reads it, so an upload over the limit
    (or a form over DATA_UPLOAD_MAX_MEMORY_SIZE, or a broken one) gets a Norwegian page with 413
    or 400 instead of an error deep in another middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            refused = self._refusal(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def _refusal(request):
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

        try:
            request.POST  # noqa: B018 - parses the body through LimitedUploadHandler
        except (UploadTooLarge, RequestDataTooBig) as error:
            message = str(error) if isinstance(error, UploadTooLarge) else _("The form is too large.")
            status = 413
        except (TooManyFieldsSent, TooManyFilesSent):
            message, status = _("The form has too many fields or files."), 400
        except MultiPartParserError:
            message, status = _("The form could not be read. Reload the page and try again."), 400
        else:
            return None
        response = render(request, "400.html", {"message": message}, status=status)
        response["Cache-Control"] = "no-store"
        return response
