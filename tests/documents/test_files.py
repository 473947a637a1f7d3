"""Files through the storage API: whole files only, orphans and superseded PDFs cleaned up daily,
MEDIA_URL never served, attachments only through the view that checks visibility."""

import datetime as dt
import io
import os
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from documents import pdf as documents
from documents.storage import AtomicFileSystemStorage
from meetings import pdf
from meetings.services import attachments as attachment_services
from meetings.services.attachments import attachment_add
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = 24 * 60 * 60


def age(media: Path, name: str, seconds: float) -> None:
    """Make a stored file look `seconds` old."""
    then = time.time() - seconds
    os.utime(media / name, (then, then))


def every_file(media: Path) -> set[str]:
    return {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}


def test_the_default_storage_writes_whole_files_and_never_overwrites(fresh_media):
    assert isinstance(default_storage._wrapped, AtomicFileSystemStorage)
    first = default_storage.save("pdf/x/1/a.pdf", ContentFile(b"first"))
    second = default_storage.save("pdf/x/1/a.pdf", ContentFile(b"second"))
    assert first == "pdf/x/1/a.pdf" and second != first
    assert default_storage.open(first).read() == b"first"
    assert default_storage.open(second).read() == b"second"
    assert every_file(fresh_media) == {first, second}  # no temporary file left behind


def test_a_pdf_is_never_visible_half_written(fresh_media, monkeypatch):
    """While the bytes are being written, the final name does not exist yet."""
    seen = []
    chunks = ContentFile(b"x" * 10)
    original = ContentFile.chunks

    def watching(self, chunk_size=None):
        for chunk in original(self, chunk_size):
            seen.append(default_storage.exists("pdf/x/2/a.pdf"))
            yield chunk

    monkeypatch.setattr(ContentFile, "chunks", watching)
    default_storage.save("pdf/x/2/a.pdf", chunks)
    assert seen == [False] and default_storage.exists("pdf/x/2/a.pdf")


@pytest.fixture
def case_with_file(world):
    meeting = mf.meeting(world.body)
    case = mf.case(meeting, number=1)
    attachment = mf.attachment(case, title="Notat", file=ContentFile(PDF_BYTES, name="notat.pdf"))
    return case, attachment


def test_cleanup_deletes_orphans_past_the_grace_period_and_superseded_pdfs(fresh_media, case_with_file):
    case, attachment = case_with_file
    kept = attachment.file.name
    old_orphan = default_storage.save("attachments/gammel.pdf", ContentFile(PDF_BYTES))
    new_orphan = default_storage.save("attachments/pagar.pdf", ContentFile(PDF_BYTES))
    deleted_row = mf.attachment(case, title="Slettes", file=ContentFile(PDF_BYTES, name="slett.pdf"))
    deleted_file = deleted_row.file.name
    deleted_row.delete()
    leftover = default_storage.save("pdf/notice/9/.tmp-x.part", ContentFile(b"half"))
    older = default_storage.save(f"pdf/notice/9/public-{'a' * 12}{'1' * 20}.pdf", ContentFile(b"1"))
    newer = default_storage.save(f"pdf/notice/9/public-{'a' * 12}{'2' * 20}.pdf", ContentFile(b"2"))
    other_variant = default_storage.save(f"pdf/notice/9/public-{'b' * 12}{'1' * 20}.pdf", ContentFile(b"3"))
    for name in (kept, old_orphan, deleted_file, leftover, older):
        age(fresh_media, name, 2 * DAY)
    age(fresh_media, newer, DAY)

    call_command("cleanup_files", "--dry-run", stdout=io.StringIO())
    assert {old_orphan, deleted_file, leftover, older} <= every_file(fresh_media)

    out = io.StringIO()
    call_command("cleanup_files", stdout=out)
    assert every_file(fresh_media) == {kept, new_orphan, newer, other_variant}
    assert "Slettet 2 vedleggsfil(er)" in out.getvalue()
    assert Client().get(reverse("meetings:attachment", args=[attachment.pk])).status_code == 200


def test_an_upload_whose_row_is_not_saved_leaves_no_file(fresh_media, world):
    case = mf.case(mf.meeting(world.body, status="planned"), number=None)
    upload = SimpleUploadedFile("notat.pdf", PDF_BYTES, content_type="application/pdf")
    secretary = world.users["secretariat"]
    with (
        mock.patch("meetings.services.attachments.save_with_history", side_effect=_store_then_fail),
        pytest.raises(RuntimeError),
    ):
        attachment_add(case=case, upload=upload, title="Notat", by=secretary)
    assert not every_file(fresh_media)


def _store_then_fail(obj, **kwargs):
    obj.file.save(obj.file.name, obj.file.file, save=False)  # as Model.save() does, first
    raise RuntimeError("the database went away")


def test_a_row_whose_file_is_gone_is_a_404_not_a_500(fresh_media, case_with_file):
    _case, attachment = case_with_file
    default_storage.delete(attachment.file.name)
    assert Client().get(reverse("meetings:attachment", args=[attachment.pk])).status_code == 404


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("persona", ["visitor", "member", "secretariat"])
def test_media_url_is_never_served(settings, client_as, case_with_file, persona, debug):
    settings.DEBUG = debug
    _case, attachment = case_with_file
    client = client_as(persona)
    assert client.get(reverse("meetings:attachment", args=[attachment.pk])).status_code == 200
    for url in (f"/media/{attachment.file.name}", f"{settings.MEDIA_URL}{attachment.file.name}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not response.streaming and PDF_BYTES not in response.content


def test_a_stored_pdf_removed_meanwhile_is_served_once(fresh_media, world, client):
    """A newer version may delete the file between the check and the read: served, not a 500."""
    meeting = mf.meeting(world.body)
    mf.case(meeting, number=1)
    name = documents.stored_pdf(pdf.notice_document(meeting, None)).name
    with mock.patch.object(documents, "open_stored", side_effect=FileNotFoundError(name)):
        kwargs = {"partnership": "to", "body": "fsu-bu", "date": meeting.start.date()}
        response = client.get(reverse("pdf:notice", kwargs=kwargs))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")


def test_orphan_cleanup_keeps_files_younger_than_the_cutoff(fresh_media, case_with_file):
    orphan = default_storage.save("attachments/ny.pdf", ContentFile(PDF_BYTES))
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    assert attachment_services.delete_orphaned_files(older_than=an_hour_ago) == []
    assert default_storage.exists(orphan)
