"""Uploads: refused by size before they are read, and by content beyond their first bytes.

The cases of issue #11: HTML after a "%PDF-" or "GIF89a" header, a five-byte "PDF", a zip bomb
named .docx, and a 50 MB upload that used to be read in full before it was refused.
"""

import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from meetings import uploads
from meetings.models import Case
from tests.meetings.helpers import JPEG, PDF, PNG

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
MISMATCH = "Innholdet i filen stemmer ikke med filendelsen"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": CONTENT_TYPES.encode(), "word/document.xml": b"<w:document/>"})


def _zip_bomb() -> bytes:
    """A .docx whose document declares 1 GiB unpacked: a megabyte of zeros, deflated to about
    1 KB, with its size in the central directory raised to 1 GiB (nothing huge is written)."""
    data = bytearray(
        _zip({"[Content_Types].xml": CONTENT_TYPES.encode(), "word/document.xml": bytes(1 << 20)})
    )
    entry = data.rfind(b"PK\x01\x02")  # the central directory entry of word/document.xml
    struct.pack_into("<I", data, entry + 24, 1 << 30)  # its uncompressed size
    assert len(data) < 10_000
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml").file_size == 1 << 30
    return bytes(data)


def _kind(name: str, content: bytes) -> str:
    with override("nb"):
        return uploads.validate_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [("notat.pdf", PDF), ("bilde.png", PNG), ("foto.jpeg", JPEG), ("plan.docx", DOCX)],
)
def test_honest_files_are_accepted(name, content):
    assert _kind(name, content) == uploads.EXTENSION_KINDS[name.rsplit(".", 1)[1]]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("html.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"),
        ("html.gif", b"GIF89a<html><body><script>alert(1)</script></body></html>"),
        ("svg.gif", b"GIF89a\x01\x00\x01\x00<svg onload=alert(1)>"),
        ("fem.pdf", b"%PDF-"),
        ("uten-slutt.pdf", b"%PDF-1.4\n" + b"1 0 obj<<>>endobj\n" * 10),
        ("ødelagt.png", PNG[:-20]),
        ("png.jpg", PNG),
        ("tekst.jpg", b"\xff\xd8\xff\xe0 this is not a jpeg at all"),
        ("bombe.docx", _zip_bomb()),
        (
            "mange.docx",
            _zip(
                {"[Content_Types].xml": CONTENT_TYPES.encode(), **{f"word/{i}.xml": b"" for i in range(2001)}}
            ),
        ),
        ("uten-typer.docx", _zip({"word/document.xml": b"<w:document/>"})),
        (
            "makro.docx",
            _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"", "word/vbaProject.bin": b""}),
        ),
        ("regneark.docx", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b""})),
        ("kort.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 8),
    ],
)
def test_dishonest_files_are_refused_in_norwegian(name, content):
    with pytest.raises(ValidationError) as caught:
        _kind(name, content)
    assert MISMATCH in caught.value.messages[0]


def _multipart(
    boundary: bytes, fields: dict[str, str], file_field: str, filename: str
) -> tuple[bytes, bytes]:
    """The bytes before and after a file's content in a multipart/form-data body."""
    head = b"".join(
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary, k.encode(), v.encode())
        for k, v in fields.items()
    )
    head += (
        b'--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%%PDF-1.4\n"
        % (boundary, file_field.encode(), filename.encode())
    )
    return head, b"\r\n--%s--\r\n" % boundary


class CountingBody(io.RawIOBase):
    """A request body of `size` bytes made up as it is read, counting how much was read."""

    def __init__(self, head: bytes, size: int, tail: bytes):
        self.head, self.tail, self.size = head, tail, size
        self.filler = size - len(head) - len(tail)
        self.read_bytes = 0

    def readable(self):
        return True

    def read(self, n=-1):
        remaining = self.size - self.read_bytes
        n = remaining if n is None or n < 0 else min(n, remaining)
        out = bytearray()
        while len(out) < n:
            pos = self.read_bytes + len(out)
            if pos < len(self.head):
                out += self.head[pos : pos + n - len(out)]
            elif pos < len(self.head) + self.filler:
                out += b"x" * min(n - len(out), len(self.head) + self.filler - pos)
            else:
                offset = pos - len(self.head) - self.filler
                out += self.tail[offset : offset + n - len(out)]
        self.read_bytes += len(out)
        return bytes(out)

    def readline(self, size=-1):
        return self.read(size)


def _post_streamed(client: Client, url: str, fields: dict, file_field: str, size: int):
    boundary = b"grense12345"
    head, tail = _multipart(boundary, fields, file_field, "stor.pdf")
    body = CountingBody(head, size, tail)
    response = client.generic(
        "POST",
        url,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(size),
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary.decode()}",
        },
    )
    return response, body


@pytest.mark.django_db
def test_50_mb_upload_is_refused_before_any_of_it_is_read(world, member_client):
    url = reverse("members:propose", args=[world.body.pk])
    fields = {"title": "Stort forslag", "origin": "Meg", "background": "Se vedlegg"}
    response, body = _post_streamed(member_client, url, fields, "attachment", 50 * 1024 * 1024)
    assert response.status_code == 413
    assert "Filen er for stor (maks 25 MB)." in response.content.decode()
    assert body.read_bytes == 0
    assert not Case.objects.filter(title="Stort forslag").exists()


@pytest.mark.django_db
def test_upload_is_stopped_as_soon_as_it_passes_the_limit(world, secretariat_client, settings):
    """A request small enough to be started is still stopped at the file's limit, not read on."""
    from tests.meetings import factories as mf

    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    case = mf.case(mf.meeting(world.body), title="Sak")
    url = reverse("manage:case_attachment", args=[world.partnership.slug, case.pk])
    size = 5 * 1024 * 1024  # below 1 MB + DATA_UPLOAD_MAX_MEMORY_SIZE, so it is started
    response, body = _post_streamed(
        secretariat_client, url, {"attachment-title": "Stor"}, "attachment-file", size
    )
    assert response.status_code == 413
    assert "Filen er for stor (maks 1 MB)." in response.content.decode()
    assert body.read_bytes < 1.2 * 1024 * 1024  # the limit and at most a chunk or two more
    assert not case.attachments.exists()


@pytest.mark.django_db
def test_too_large_form_without_files_is_413(world, member_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = reverse("members:propose", args=[world.body.pk])
    response = member_client.post(url, {"title": "x", "origin": "y", "background": "z" * 2000})
    assert response.status_code == 413 and "Skjemaet er for stort." in response.content.decode()


@pytest.mark.django_db
def test_broken_multipart_is_400_in_norwegian(world, member_client):
    url = reverse("members:propose", args=[world.body.pk])
    response = member_client.generic(
        "POST", url, b"--x\r\nnot a part", content_type="multipart/form-data; boundary=x\x01"
    )
    assert response.status_code == 400
    assert "Skjemaet kunne ikke leses." in response.content.decode()
