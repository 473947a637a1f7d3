"""Background jobs of the meetings app (meetings/tasks.py), run eagerly as in the tests' settings:
e-mail rounds sent after commit, one message per member, failures recorded and retried without
sending anyone twice, shown to the secretariat; public PDFs stored when they are published."""

from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from documents import pdf as documents_pdf
from governance.models import Membership
from meetings import pdf, services, tasks
from meetings.models import MailDelivery, MailRecipient, Meeting
from meetings.services import notifications
from tests.governance import factories as gf
from tests.mailbackends import RefusingEmailBackend
from tests.meetings import factories as mf
from tests.meetings.helpers import _planned

pytestmark = pytest.mark.django_db

REFUSING = "tests.mailbackends.RefusingEmailBackend"
BAD = ["ola@example.no", "kari@example.no"]


@pytest.fixture
def members(world):
    """Five members of the body with an e-mail address (the former member's is not used)."""
    for name in ("member", "leader", "referent", "former_member"):
        world.people[name].email = f"{name}@example.no"
        world.people[name].save()
    for address in BAD:
        person = gf.person_with_login(
            address.split("@")[0], name=address.split("@")[0].title(), email=address
        )
        gf.membership(person, world.body, Membership.Role.MEMBER)
    return sorted(["member@example.no", "leader@example.no", "referent@example.no", *BAD])


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = REFUSING
    RefusingEmailBackend.refuse, RefusingEmailBackend.refuse_once = set(), set()
    yield RefusingEmailBackend
    RefusingEmailBackend.refuse, RefusingEmailBackend.refuse_once = set(), set()


def _issue(world, staff, capture, *, execute=True):
    meeting = _planned(world, staff, place="UNN Breivika")
    with capture(execute=execute):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    return meeting


def _sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def _manage_page(client, meeting) -> str:
    url = reverse("manage:meeting", args=[meeting.body.partnership.slug, meeting.pk])
    return " ".join(client.get(url).content.decode().split())


def test_a_rolled_back_notice_sends_nothing_and_records_no_round(
    world, staff, members, django_capture_on_commit_callbacks
):
    meeting = _planned(world, staff)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.meeting_issue_notice(meeting=meeting, by=staff)
        raise RuntimeError("something later in the same transaction fails")
    assert callbacks == [] and mail.outbox == []
    assert not MailDelivery.objects.exists()


def test_the_notice_is_sent_after_commit_one_message_per_member_and_recorded(
    world, staff, members, django_capture_on_commit_callbacks
):
    meeting = _issue(world, staff, django_capture_on_commit_callbacks, execute=False)
    assert mail.outbox == []  # enqueued on commit, not sent in the transaction
    delivery = MailDelivery.objects.get(meeting=meeting)
    assert delivery.kind == MailDelivery.Kind.NOTICE
    assert sorted(delivery.recipients.values_list("address", flat=True)) == members
    assert set(delivery.recipients.values_list("state", flat=True)) == {MailRecipient.State.PENDING}

    tasks.send_meeting_mail.delay(delivery.pk)
    assert _sent_to() == members and all(len(message.to) == 1 for message in mail.outbox)
    assert mail.outbox[0].subject == "Innkalling: FSU barn og unge 14. september 2023"
    rows = delivery.recipients.all()
    assert {(row.state, row.attempts) for row in rows} == {(MailRecipient.State.SENT, 1)}
    assert all(row.sent_at for row in rows)


def test_two_refused_addresses_are_retried_then_given_up_and_shown_to_the_secretariat(
    world, staff, members, refusing, secretariat_client, client_as, django_capture_on_commit_callbacks
):
    refusing.refuse = set(BAD)
    meeting = _issue(world, staff, django_capture_on_commit_callbacks)
    assert _sent_to() == sorted(set(members) - set(BAD))  # the others got theirs, once each
    delivery = MailDelivery.objects.get(meeting=meeting)
    failed = delivery.recipients.filter(state=MailRecipient.State.FAILED)
    assert sorted(failed.values_list("address", flat=True)) == sorted(BAD)
    assert {row.attempts for row in failed} == {1 + tasks.MAIL_MAX_RETRIES}
    assert all("SMTPRecipientsRefused" in row.error for row in failed)
    assert delivery.recipients.filter(state=MailRecipient.State.SENT, attempts=1).count() == 3
    assert MailDelivery.objects.get(pk=delivery.pk).gave_up_at is not None

    page = _manage_page(secretariat_client, meeting)
    assert "Innkalling sendt på e-post til 3 av 5 medlemmer" in page
    assert "e-post til 2 av 5 medlemmer feilet: kari@example.no, ola@example.no (ga opp;" in page
    assert 'value="resend_mail"' in page and "Send på nytt" in page
    for persona in ("visitor", "member", "leader"):
        client = client_as(persona)
        public = client.get(meeting.get_absolute_url()).content.decode()
        assert "av 5 medlemmer" not in public and "kari@example.no" not in public, persona
        manage = reverse("manage:meeting", args=[meeting.body.partnership.slug, meeting.pk])
        assert client.get(manage).status_code in (302, 404), persona


def test_a_failure_awaiting_its_retry_says_so(
    world, staff, members, refusing, secretariat_client, django_capture_on_commit_callbacks
):
    refusing.refuse = set(BAD)
    meeting = _issue(world, staff, django_capture_on_commit_callbacks, execute=False)
    delivery = MailDelivery.objects.get(meeting=meeting)
    page = _manage_page(secretariat_client, meeting)
    assert "Innkalling sendes på e-post til 5 medlemmer" in page
    delivery.recipients.filter(address="member@example.no").update(state=MailRecipient.State.SENT)
    page = _manage_page(secretariat_client, meeting)
    assert "Innkalling sendt på e-post til 1 av 5 medlemmer; 4 av 5 medlemmer venter ennå" in page

    # One attempt, as the worker's first: the row marked sent above is not sent again.
    assert sorted(notifications.deliver(delivery.pk)) == sorted(BAD)
    assert _sent_to() == ["leader@example.no", "referent@example.no"]
    page = _manage_page(secretariat_client, meeting)
    assert "Innkalling sendt på e-post til 3 av 5 medlemmer; e-post til 2 av 5 medlemmer feilet" in page
    assert "(prøves på nytt)" in page


def test_the_retry_sends_only_to_the_failed_and_a_redelivered_task_sends_nobody_twice(
    world, staff, members, refusing, secretariat_client, django_capture_on_commit_callbacks
):
    refusing.refuse_once = set(BAD)  # the mail server refuses them the first time only
    meeting = _issue(world, staff, django_capture_on_commit_callbacks)
    assert _sent_to() == members  # everyone exactly once: the retry sent only to the two
    delivery = MailDelivery.objects.get(meeting=meeting)
    attempts = dict(delivery.recipients.values_list("address", "attempts"))
    assert attempts == {address: 2 if address in BAD else 1 for address in members}

    tasks.send_meeting_mail.delay(delivery.pk)  # the broker delivers the task again (acks_late)
    tasks.send_meeting_mail.apply(args=[delivery.pk])
    assert _sent_to() == members
    page = _manage_page(secretariat_client, meeting)
    assert "Innkalling sendt på e-post til 5 medlemmer " in page and " kl. " in page
    assert "feilet" not in page and 'value="resend_mail"' not in page


def test_the_secretariat_sends_again_to_the_failed_addresses_only(
    world, staff, members, refusing, secretariat_client, django_capture_on_commit_callbacks
):
    refusing.refuse = set(BAD)
    meeting = _issue(world, staff, django_capture_on_commit_callbacks)
    delivery = MailDelivery.objects.get(meeting=meeting)
    mail.outbox.clear()
    refusing.refuse = set()  # the addresses are mended
    url = reverse("manage:meeting", args=[meeting.body.partnership.slug, meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(url, {"action": "resend_mail", "delivery": delivery.pk})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "E-posten sendes på nytt til adressene som feilet."
    ]
    assert _sent_to() == sorted(BAD)
    assert "Innkalling sendt på e-post til 5 medlemmer" in _manage_page(secretariat_client, meeting)

    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(url, {"action": "resend_mail", "delivery": delivery.pk})
    assert "det er ingenting å sende på nytt" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert _sent_to() == sorted(BAD)


@pytest.mark.parametrize("bad", ["", "abc", "-1", "99999999", "9" * 40])
def test_send_again_with_bad_input_is_refused_in_norwegian(
    world, staff, members, secretariat_client, django_capture_on_commit_callbacks, bad
):
    meeting = _issue(world, staff, django_capture_on_commit_callbacks)
    other = _issue(world, staff, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    url = reverse("manage:meeting", args=[meeting.body.partnership.slug, meeting.pk])
    for value in (bad, MailDelivery.objects.get(meeting=other).pk):
        response = secretariat_client.post(url, {"action": "resend_mail", "delivery": value})
        assert response.status_code == 302
        assert {str(m) for m in get_messages(response.wsgi_request)} == {
            "Fant ikke e-postrunden. Last inn siden på nytt og prøv igjen."
        }
    assert mail.outbox == []


def test_a_cancellation_is_a_round_of_its_own_with_the_reason(
    world, staff, members, secretariat_client, django_capture_on_commit_callbacks
):
    meeting = _issue(world, staff, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, by=staff, reason="For få påmeldte")
    assert _sent_to() == members
    assert all("Begrunnelse: For få påmeldte" in message.body for message in mail.outbox)
    kinds = set(MailDelivery.objects.filter(meeting=meeting).values_list("kind", flat=True))
    assert kinds == {MailDelivery.Kind.NOTICE, MailDelivery.Kind.CANCELLATION}
    page = _manage_page(secretariat_client, meeting)
    assert "Innkalling sendt på e-post til 5 medlemmer" in page
    assert "Avlysning sendt på e-post til 5 medlemmer" in page


def test_the_meeting_page_reads_the_rounds_in_one_query(
    world, staff, members, secretariat_client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    meeting = _issue(world, staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, by=staff, reason="Sykdom")
    from meetings import selectors

    with django_assert_num_queries(1):
        rounds = selectors.mail_rounds(meeting)
    assert [(r.kind, r.total, r.sent, r.failed) for r in rounds] == [
        (MailDelivery.Kind.NOTICE, 5, 5, []),
        (MailDelivery.Kind.CANCELLATION, 5, 5, []),
    ]


# ---------------------------------------------------------------------------
# Public PDFs stored when they are published
# ---------------------------------------------------------------------------


def _no_rendering():
    return mock.patch.object(documents_pdf, "render_pdf", side_effect=AssertionError("rendered on request"))


def _stored_without_rendering(document) -> bool:
    with _no_rendering():
        documents_pdf.stored_pdf(document)  # fails if it has to render
    return True


@pytest.fixture
def prerender(settings, tmp_path):
    settings.PDF_PRERENDER = True
    settings.MEDIA_ROOT = tmp_path  # nothing stored by another test counts


def test_issuing_the_notice_stores_the_public_pdfs_before_any_request(
    world, staff, prerender, anon_client, django_capture_on_commit_callbacks
):
    meeting = _planned(world, staff, place="UNN Breivika")
    services.case_create(meeting=meeting, title="Åpen sak", by=staff)
    services.case_create(
        meeting=meeting,
        title="Unntatt sak",
        exempt=True,
        exemption_basis="offl. § 13 jf. fvl. § 13",
        public_title="Unntatt",
        by=staff,
    )
    with (
        mock.patch.object(documents_pdf, "render_pdf", wraps=documents_pdf.render_pdf) as render,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.meeting_issue_notice(meeting=meeting, by=staff)
    meeting.refresh_from_db()
    cases = list(meeting.cases.select_related("body__partnership", "meeting__body__partnership"))
    assert render.call_count == 1 + len(cases)  # the notice and each case paper, once
    visitor = AnonymousUser()
    with translation.override("nb"):
        assert _stored_without_rendering(pdf.notice_document(meeting, visitor))
        for case in cases:
            assert _stored_without_rendering(pdf.case_document(case, visitor))
    with _no_rendering():
        response = anon_client.get(
            reverse(
                "pdf:notice",
                args=[meeting.body.partnership.slug, meeting.body.slug, meeting.start.date()],
            )
        )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_nothing_is_rendered_for_a_draft_or_without_the_setting(
    world, staff, prerender, settings, django_capture_on_commit_callbacks
):
    meeting = _planned(world, staff)
    with mock.patch.object(documents_pdf, "render_pdf") as render:
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_update(meeting=meeting, place="Harstad", by=staff)
        assert tasks.render_published_pdfs.delay(meeting.pk) is not None
        assert render.call_count == 0  # a planned meeting's agenda is not public
        settings.PDF_PRERENDER = False
        mf.case(meeting)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_issue_notice(meeting=meeting, by=staff)
        assert render.call_count == 0
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_publishing_the_minutes_stores_the_protocol(
    world, staff, prerender, django_capture_on_commit_callbacks
):
    meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_APPROVED)
    mf.case(meeting, number=1, title="Sak")
    minutes = mf.minutes(meeting, text="Referat", approved=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_publish(minutes=minutes, by=staff)
    meeting.refresh_from_db()
    with translation.override("nb"):
        assert _stored_without_rendering(pdf.protocol_document(meeting, AnonymousUser()))
        assert _stored_without_rendering(pdf.notice_document(meeting, AnonymousUser()))
