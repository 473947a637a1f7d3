"""Checking an uploaded attachment: its size, and its type from its content.

The type is read from the file's first bytes (and, for Office Open XML files,
from the parts inside the ZIP), and must agree with the file name's extension,
so a renamed executable or a PDF called .docx is refused before it is stored.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
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


def detect_kind(upload) -> str | None:
    """The content kind of a file object ("pdf", "png", "docx", …), or None if unknown."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(_OLE2):
        return "ole2"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        for folder, kind in _OOXML_FOLDERS.items():
            if any(name.startswith(folder) for name in names):
                return kind
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
