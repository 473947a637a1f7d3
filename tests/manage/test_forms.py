"""The workspace's forms: bad input gets a Norwegian message and a 4xx/200, nothing saved is lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.models import Person
from meetings import services
from meetings.models import Case, Meeting
from tests.conftest import PERSONAS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def draft_case(mw):
    return mw.draft.cases.filter(number__isnull=True).order_by("order").first()


def case_url(case, suffix=""):
    return reverse(f"manage:case{suffix}", args=[case.body.partnership.slug, case.pk])


def post_case(client, case, version, **fields):
    data = {
        "version": version,
        "title": case.title,
        "kind": case.kind,
        "sections-TOTAL_FORMS": 1,
        "sections-INITIAL_FORMS": 0,
        "sections-0-heading": "Bakgrunn",
        "sections-0-text": fields.pop("text", "Tekst"),
    }
    data.update(fields)
    return client.post(case_url(case), data)


@pytest.mark.django_db
def test_second_save_with_a_stale_version_is_refused_and_the_text_kept(meetings_world, client_as):
    case = draft_case(meetings_world)
    first, second = client_as("secretariat"), client_as("secretariat")
    version = case.version
    assert post_case(first, case, version, text="Første versjon av teksten").status_code == 302
    response = post_case(second, case, version, text="Min egen tekst som ikke må forsvinne")
    html = response.content.decode()
    assert response.status_code == 200
    assert "etter at du åpnet den" in html
    assert "Min egen tekst som ikke må forsvinne" in html  # kept on screen to merge
    assert "Første versjon av teksten" in html  # the saved version shown beside it
    case.refresh_from_db()
    assert case.sections.get().text == "Første versjon av teksten"


@pytest.mark.django_db
def test_exempt_without_public_title_is_a_form_error(meetings_world, secretariat_client):
    case = draft_case(meetings_world)
    response = post_case(secretariat_client, case, case.version, exemption_basis="offl. § 14")
    assert response.status_code == 400
    assert "offentlig tittel" in response.content.decode().lower()
    case.refresh_from_db()
    assert not case.exempt


@pytest.mark.django_db
def test_meeting_form_rejects_end_before_start_in_norwegian(meetings_world, secretariat_client):
    body = meetings_world.world.body
    count = Meeting.objects.count()
    response = secretariat_client.post(
        reverse("manage:meeting_create", args=[body.partnership.slug]),
        {"body": body.pk, "start": "2027-03-01T12:00", "end": "2027-03-01T10:00"},
    )
    assert response.status_code == 400
    assert "Et møte kan ikke slutte før det begynner." in response.content.decode()
    assert Meeting.objects.count() == count


@pytest.mark.django_db
def test_upload_is_checked_and_served_only_to_those_who_may_read_it(meetings_world, client_as):
    case = draft_case(meetings_world)
    client = client_as("secretariat")
    url = case_url(case, "_attachment")
    bad = SimpleUploadedFile("vedtak.docx", PDF, content_type="application/pdf")
    response = client.post(url, {"attachment-file": bad, "attachment-title": "Feil"}, follow=True)
    assert response.status_code == 200
    assert "stemmer ikke" in response.content.decode()
    assert not case.attachments.filter(title="Feil").exists()

    good = SimpleUploadedFile("notat.pdf", PDF, content_type="application/pdf")
    client.post(url, {"attachment-file": good, "attachment-title": "Notat"})
    attachment = case.attachments.get(title="Notat")
    assert attachment.file.name.startswith("attachments/") and "notat" not in attachment.file.name
    assert client.get(reverse("meetings:attachment", args=[attachment.pk])).status_code == 200
    # The draft agenda is not public: only its body's leader may fetch the file besides.
    for persona in PERSONAS:
        expected = 200 if persona in ("leader", "secretariat") else 404
        status = client_as(persona).get(reverse("meetings:attachment", args=[attachment.pk])).status_code
        assert status == expected, persona


@pytest.mark.django_db
def test_proposal_returned_with_a_reason(world, secretariat_client, member_client):
    body = world.body
    member = world.users["member"]
    case = services.proposal_submit(
        body=body, title="Innmeldt sak", origin="Demo Medlem", background="Bakgrunn", proposal="", by=member
    )
    client = secretariat_client
    assert (
        "Innmeldt sak"
        in client.get(reverse("manage:overview", args=[world.partnership.slug])).content.decode()
    )
    response = client.post(case_url(case) + "returner/", {"return-reason": ""})
    case.refresh_from_db()
    assert case.intake_status == Case.IntakeStatus.PROPOSED
    client.post(case_url(case) + "returner/", {"return-reason": "Hører hjemme i SSU"})
    case.refresh_from_db()
    assert case.intake_status == Case.IntakeStatus.RETURNED and case.return_reason == "Hører hjemme i SSU"
    html = member_client.get(reverse("members:home")).content.decode()
    assert "Hører hjemme i SSU" in html
    assert response.status_code == 302


@pytest.mark.django_db
def test_member_proposes_on_the_form_and_bad_input_keeps_the_text(world, client_as):
    body = world.body
    url = reverse("members:propose", args=[body.pk])
    client = client_as("member")
    response = client.post(url, {"title": "", "origin": "Meg", "background": "Lang bakgrunnstekst"})
    assert response.status_code == 200
    assert "Lang bakgrunnstekst" in response.content.decode()
    response = client.post(url, {"title": "Ny sak", "origin": "Meg", "background": "Bakgrunn"})
    assert response.status_code == 302
    assert Case.objects.filter(title="Ny sak", intake_status="proposed", meeting__isnull=True).exists()
    for persona in ("visitor", "other_secretariat"):
        assert client_as(persona).get(url).status_code in (302, 404)


@pytest.mark.django_db(transaction=True)
def test_returned_proposal_is_e_mailed_to_the_proposer(world):
    from django.core import mail

    member = world.users["member"]
    Person.objects.filter(user=member).update(email="demo.medlem@example.org")
    body = world.body
    case = services.proposal_submit(
        body=body, title="Innmeldt sak", origin="Demo Medlem", background="Bakgrunn", proposal="", by=member
    )
    mail.outbox.clear()
    secretariat = world.users["secretariat"]
    services.proposal_return(case=case, reason="Hører hjemme i SSU", by=secretariat)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["demo.medlem@example.org"]
    assert "Hører hjemme i SSU" in mail.outbox[0].body
