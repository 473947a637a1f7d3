"""E-mails about meetings: recorded in the service's transaction, sent by the worker after commit.

A round to the members (the notice, a cancellation) is a MailDelivery with one MailRecipient row
per address, written in the same transaction as the change it tells of, so a rolled-back change
leaves neither a row nor an e-mail. After the commit, meetings/tasks.py sends one message per
address, marks each row as it goes and retries only the failed ones; a row already marked sent is
never sent again, so a task delivered twice (acks_late) sends nobody two e-mails.

Their text is in templates/meetings/email/ (a subject and a body each), and the meeting's time is
written by the portal's one formatter, `meeting_when`, as on the page, in the site's language.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance import permissions

from .. import selectors
from ..models import Case, MailDelivery, MailRecipient, Meeting

ERROR_MAX_LENGTH = 500


def _render(name: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"meetings/email/{name}_subject.txt", context)
    body = render_to_string(f"meetings/email/{name}_body.txt", context)
    return " ".join(subject.split()), body.strip("\n") + "\n"


def _where(meeting: Meeting) -> str:
    where = meeting.place or ""
    if meeting.is_digital:
        where = f"{where} ({_('digital')})" if where else _("Digital meeting")
    return where


def _send_after_commit(delivery_id: int) -> None:
    from .. import tasks  # the tasks call this module

    transaction.on_commit(lambda: tasks.send_meeting_mail.delay(delivery_id))


def members_round(meeting: Meeting, kind: str, *, reason: str = "") -> MailDelivery:
    """Record a round to the meeting's members, each address once, in the caller's transaction;
    the worker sends it after the commit."""
    delivery = MailDelivery.objects.create(meeting=meeting, kind=kind, reason=reason)
    MailRecipient.objects.bulk_create(
        MailRecipient(delivery=delivery, address=address) for address in selectors.notice_recipients(meeting)
    )
    _send_after_commit(delivery.pk)
    return delivery


def round_message(delivery: MailDelivery) -> tuple[str, str]:
    """The round's subject and body, the same for every member, in the site's language."""
    meeting = delivery.meeting
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "meeting": meeting,
            "where": _where(meeting),
            "url": settings.SITE_URL + meeting.get_absolute_url(),
        }
        if delivery.kind == MailDelivery.Kind.NOTICE:
            return _render("notice", {**context, "cases": list(meeting.cases.order_by("order", "pk"))})
        return _render("cancellation", {**context, "reason": delivery.reason})


def _send_one(connection, recipient_pk: int, subject: str, body: str) -> str | None:
    """Send to one recipient unless already sent, the row locked meanwhile; the address if it failed."""
    with transaction.atomic():
        recipient = MailRecipient.objects.select_for_update().get(pk=recipient_pk)
        if recipient.state == MailRecipient.State.SENT:
            return None  # sent by an earlier run of this task: never twice
        recipient.attempts += 1
        try:
            connection.send_messages([mail.EmailMessage(subject, body, to=[recipient.address])])
        except Exception as error:  # any mail server or backend failure is this recipient's failure
            recipient.state = MailRecipient.State.FAILED
            recipient.error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
            with contextlib.suppress(Exception):
                connection.close()  # the next message opens a fresh connection
        else:
            recipient.state, recipient.sent_at, recipient.error = MailRecipient.State.SENT, timezone.now(), ""
        recipient.save()
    return recipient.address if recipient.state == MailRecipient.State.FAILED else None


def deliver(delivery_id: int) -> list[str]:
    """Send the round to every recipient not yet sent, one message each; the addresses that failed."""
    delivery = (
        MailDelivery.objects.select_related("meeting__body__partnership").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return []  # the meeting (and its rounds) was deleted before the worker came to it
    waiting = list(delivery.recipients.exclude(state=MailRecipient.State.SENT).values_list("pk", flat=True))
    if not waiting:
        return []
    subject, body = round_message(delivery)
    connection = mail.get_connection()
    failed = []
    with contextlib.suppress(Exception):
        connection.open()  # one session for the round; if the server is down, each send records why
    try:
        for pk in waiting:
            if address := _send_one(connection, pk, subject, body):
                failed.append(address)
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return failed


def give_up(delivery_id: int) -> None:
    """The retries ran out: the page says so and offers to send to the failed addresses again."""
    MailDelivery.objects.filter(pk=delivery_id, gave_up_at=None).update(gave_up_at=timezone.now())


def mail_round_resend(*, delivery: MailDelivery, by) -> MailDelivery:
    """Try the failed addresses of a round again (the secretariat's "Send again"); enqueue on commit."""
    permissions.require_manage(by, delivery.meeting.body.partnership)
    with transaction.atomic():
        fresh = MailDelivery.objects.select_for_update().get(pk=delivery.pk)
        if not fresh.recipients.filter(state=MailRecipient.State.FAILED).exists():
            raise ValidationError(_("No e-mail of this round has failed; there is nothing to send again."))
        fresh.gave_up_at = None
        fresh.save(update_fields=["gave_up_at"])
        _send_after_commit(fresh.pk)
    return fresh


def tell_proposer(case: Case) -> int:
    """E-mail the member who proposed a case that it was returned, and why; 0 if no address."""
    user = case.proposed_by
    address = getattr(getattr(user, "person", None), "email", "") or getattr(user, "email", "")
    if not address:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _render("proposal_returned", {"case": case, "url": settings.SITE_URL + "/min-side/"})
    return mail.EmailMessage(subject, body.rstrip("\n"), to=[address]).send()  # as before: no final newline
