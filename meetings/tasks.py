"""Background work of the meetings app, run by `make worker` (eagerly, in-process, without REDIS_URL).

Tasks take ids, never model instances, and are enqueued with `transaction.on_commit`, so a
rolled-back change sends nothing and the worker reads what was committed. They are safe to run
twice (the settings use acks_late: a task whose worker died is delivered again).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import translation

from documents import pdf as documents_pdf

from . import pdf, permissions
from .models import Case, Meeting
from .services import notifications

logger = logging.getLogger(__name__)

MAIL_MAX_RETRIES = 5
MAIL_RETRY_BASE_SECONDS = 60  # then 2, 4, 8 and 16 minutes: about half an hour in all


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES, acks_late=True, ignore_result=True)
def send_meeting_mail(self, delivery_id: int) -> int:
    """Send a round (notice or cancellation) to each member not yet sent; retry only the failed.

    Returns how many addresses failed for good (0 when all are sent).
    """
    failed = notifications.deliver(delivery_id)
    if not failed:
        return 0
    if self.request.retries >= self.max_retries:
        notifications.give_up(delivery_id)
        logger.warning("E-mail round %s gave up on %d addresses", delivery_id, len(failed))
        return len(failed)
    raise self.retry(countdown=MAIL_RETRY_BASE_SECONDS * 2**self.request.retries)


@shared_task(
    max_retries=MAIL_MAX_RETRIES,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),  # smtplib's errors and refused connections
    retry_backoff=MAIL_RETRY_BASE_SECONDS,
)
def send_proposal_returned(case_id: int) -> int:
    """Tell the proposer that their case was returned; a mail server error is retried with backoff."""
    case = Case.objects.select_related("proposed_by__person").filter(pk=case_id).first()
    return notifications.tell_proposer(case) if case is not None else 0


def _public_documents(meeting: Meeting, visitor) -> list:
    """The meeting's documents as a visitor gets them: the notice, the published protocol, the case papers."""
    documents = []
    if permissions.can_view_meeting(visitor, meeting):
        documents.append(pdf.notice_document(meeting, visitor))
    if meeting.minutes_are_public and permissions.can_view_minutes(visitor, meeting):
        documents.append(pdf.protocol_document(meeting, visitor))
    cases = meeting.cases.filter(number__isnull=False).select_related(
        "body__partnership", "meeting__body__partnership"
    )
    documents += [
        pdf.case_document(case, visitor) for case in cases if permissions.can_view_case(visitor, case)
    ]
    return documents


@shared_task(acks_late=True, ignore_result=True)
def render_published_pdfs(meeting_id: int) -> int:
    """Store the public PDFs of a meeting now, so no visitor waits for the first rendering.

    As an anonymous visitor in the site's language (the version a visitor's request asks for);
    a document that is not public is skipped, and one whose data changed while it was read is
    left for the next request. Returns how many documents are stored.
    """
    meeting = Meeting.objects.select_related("body__partnership").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    stored = 0
    with translation.override(settings.LANGUAGE_CODE):
        for document in _public_documents(meeting, AnonymousUser()):
            if not document.storable:
                continue
            try:
                documents_pdf.stored_pdf(document)
            except documents_pdf.StaleDocumentError:
                logger.info(
                    "PDF %s %s changed while rendered; left for the next request", document.kind, document.pk
                )
                continue
            stored += 1
    return stored


def prerender_after_commit(meeting: Meeting) -> None:
    """Enqueue `render_published_pdfs` when the transaction commits (PDF_PRERENDER, off in the tests)."""
    if settings.PDF_PRERENDER:
        meeting_id = meeting.pk
        transaction.on_commit(lambda: render_published_pdfs.delay(meeting_id))
