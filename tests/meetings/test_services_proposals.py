"""Meeting services: case proposals, uploads and the history they leave."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings import selectors, services
from meetings.models import Attachment, Case
from tests.meetings.helpers import JPEG, PDF, PNG, _agenda, _planned

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Case proposals (innmelding)
# ---------------------------------------------------------------------------


def test_member_proposes_and_secretariat_takes_it_in(world, staff):
    member = world.users["member"]
    proposed = services.proposal_submit(
        body=world.body,
        title="Felles rutine for overganger",
        origin="Narvik kommune",
        background="Overgangen fra barn til voksen er sårbar.",
        proposal="FSU BU lager en felles rutine.",
        attachments=[SimpleUploadedFile("notat.pdf", PDF)],
        by=member,
    )
    assert proposed.meeting is None and proposed.intake_status == Case.IntakeStatus.PROPOSED
    assert proposed.proposed_by == member
    assert [(s.heading, s.text) for s in proposed.sections.all()] == [
        ("Bakgrunn", "Overgangen fra barn til voksen er sårbar.")
    ]
    assert proposed.attachments.count() == 1
    assert list(selectors.proposals_waiting(partnership=world.partnership)) == [proposed]
    assert proposed.history.latest().history_user == member

    meeting = _planned(world, staff)
    taken = services.case_take_in_proposal(case=proposed, meeting=meeting, by=staff)
    assert taken.meeting == meeting and taken.intake_status == Case.IntakeStatus.ACCEPTED
    assert [c.title for c in _agenda(meeting)][2] == "Felles rutine for overganger"
    assert list(selectors.proposals_waiting(partnership=world.partnership)) == []


@pytest.mark.parametrize("persona", ["visitor", "other_member", "former_member", "other_secretariat"])
def test_proposal_refused_for_non_members(world, persona):
    with pytest.raises(PermissionDenied):
        services.proposal_submit(
            body=world.body, title="X", origin="", background="", proposal="", by=world.users[persona]
        )
    assert not Case.objects.exists()


def test_proposal_returned_with_a_reason(world, staff):
    proposed = services.proposal_submit(
        body=world.body, title="Sak", origin="", background="", proposal="", by=world.users["leader"]
    )
    with pytest.raises(ValidationError, match="begrunnelse"):
        services.proposal_return(case=proposed, reason=" ", by=staff)
    returned = services.proposal_return(case=proposed, reason="Hører hjemme i SSU", by=staff)
    assert returned.intake_status == Case.IntakeStatus.RETURNED
    assert returned.return_reason == "Hører hjemme i SSU"
    assert returned.history.latest().history_change_reason == "Forslag returnert: Hører hjemme i SSU"
    with pytest.raises(ValidationError):
        services.case_take_in_proposal(case=returned, meeting=_planned(world, staff), by=staff)


# ---------------------------------------------------------------------------
# Uploads
# ---------------------------------------------------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def draft_case(world, staff):
    return services.case_create(meeting=_planned(world, staff), title="Sak med vedlegg", by=staff)


@pytest.mark.parametrize(
    ("name", "content"),
    [("notat.pdf", PDF), ("bilde.PNG", PNG), ("plan.docx", _docx()), ("foto.jpg", JPEG)],
)
def test_real_files_are_accepted(draft_case, staff, name, content):
    attachment = services.attachment_add(
        case=draft_case, upload=SimpleUploadedFile(name, content), title=name, by=staff
    )
    assert attachment.file.name.startswith("attachments/")
    assert name.split(".")[0] not in attachment.file.name
    assert attachment.history.latest().history_user == staff


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("stor.pdf", PDF + b"x" * 2048, "Filen er for stor (maks"),
        ("program.exe", b"MZ\x90\x00", "Filtypen er ikke tillatt"),
        ("skjult.docx", PDF, "Innholdet i filen stemmer ikke med filendelsen"),
        ("falsk.pdf", b"<html>not a pdf</html>", "Innholdet i filen stemmer ikke med filendelsen"),
        ("regneark.xlsx", _docx(), "Innholdet i filen stemmer ikke med filendelsen"),
        ("tom.pdf", b"", "tom"),
    ],
)
def test_bad_files_are_refused(draft_case, staff, settings, name, content, message):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        services.attachment_add(
            case=draft_case, upload=SimpleUploadedFile(name, content), title=name, by=staff
        )
    assert not Attachment.objects.exists()


def test_default_limit_message_says_25_mb(draft_case, staff, settings):
    settings.ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024
    upload = SimpleUploadedFile("stor.pdf", PDF)
    upload.size = 26 * 1024 * 1024
    with pytest.raises(ValidationError, match=r"Filen er for stor \(maks 25 MB\)\."):
        services.attachment_add(case=draft_case, upload=upload, title="Stor", by=staff)


def test_exempt_attachment_needs_basis(draft_case, staff):
    with pytest.raises(ValidationError):
        services.attachment_add(
            case=draft_case, upload=SimpleUploadedFile("a.pdf", PDF), title="A", exempt=True, by=staff
        )
    attachment = services.attachment_add(
        case=draft_case,
        upload=SimpleUploadedFile("a.pdf", PDF),
        title="A",
        exempt=True,
        exemption_basis=services.EXEMPTION_BASES[0],
        by=staff,
    )
    assert attachment.exempt and attachment.exemption_basis == "offl. § 13 jf. fvl. § 13"


def test_history_rows_say_who_and_why(world, staff):
    meeting = _planned(world, staff)
    services.meeting_issue_notice(meeting=meeting, by=staff)
    reasons = list(
        meeting.history.order_by("history_date").values_list("history_change_reason", "history_user")
    )
    assert reasons == [("Møte planlagt", staff.pk), ("Innkalling sendt", staff.pk)]
    assert timezone.now() - meeting.history.latest().history_date < dt.timedelta(minutes=1)
