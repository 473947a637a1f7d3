"""`manage.py check_restore`: passes on a whole installation, names what a restore lost."""

import io
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from meetings.models import Attachment, Meeting


def check_restore() -> str:
    out = io.StringIO()
    call_command("check_restore", stdout=out)
    return out.getvalue()


@pytest.fixture
def installation(db):
    call_command("load_demo", stdout=io.StringIO())
    attachment = Attachment.objects.first()
    attachment.file.save("saksdokument.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return attachment


def test_a_whole_installation_passes_and_its_counts_are_printed(installation):
    output = check_restore()
    assert "Migreringer: alle er kjørt." in output
    assert f"{Meeting.objects.count():6d} møter" in output
    assert "Vedleggsfiler: 1 av 1 finnes i lagringen." in output
    assert "Gjenopprettingen er komplett." in output


def test_a_missing_attachment_file_fails_and_is_named(installation):
    installation.file.storage.delete(installation.file.name)
    with pytest.raises(CommandError) as error:
        check_restore()
    assert "1 av 1 vedleggsfiler mangler" in str(error.value)
    assert installation.file.name in str(error.value)
    assert "DJANGO_MEDIA_ROOT" in str(error.value)


def test_missing_history_fails(installation):
    Meeting.history.all().delete()
    with pytest.raises(CommandError, match="Møter har ingen historikk"):
        check_restore()


@pytest.mark.django_db
def test_an_empty_database_fails():
    with pytest.raises(CommandError) as error:
        check_restore()
    assert "Ingen helsefellesskap" in str(error.value)
    assert "Ingen møter" in str(error.value)


def test_an_unapplied_migration_fails_first(installation):
    pending = [(SimpleNamespace(app_label="meetings", name="0099_future"), False)]
    with (
        mock.patch(
            "portal.management.commands.check_restore.MigrationExecutor.migration_plan", return_value=pending
        ),
        pytest.raises(CommandError, match="1 migreringer er ikke kjørt \\(meetings.0099_future\\)"),
    ):
        check_restore()
