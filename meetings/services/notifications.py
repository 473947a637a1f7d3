"""E-mails the meeting services send, always after the transaction commits.

Their text is in templates/meetings/email/ (a subject and a body each), and the meeting's
time is written by the portal's one formatter, `meeting_when`, as on the page. Callers use
`transaction.on_commit` so that no e-mail leaves for a change that is rolled back, and no
mail server is waited for while rows are locked.
"""

from __future__ import annotations

from django.core import mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Case, Meeting
from .common import _site_url


def _render(name: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"meetings/email/{name}_subject.txt", context)
    body = render_to_string(f"meetings/email/{name}_body.txt", context)
    return " ".join(subject.split()), body.strip("\n") + "\n"


def _where(meeting: Meeting) -> str:
    where = meeting.place or ""
    if meeting.is_digital:
        where = f"{where} ({_('digital')})" if where else _("Digital meeting")
    return where


def _send_to_members(meeting: Meeting, name: str, context: dict) -> int:
    recipients = selectors.notice_recipients(meeting)
    if not recipients:
        return 0
    context = {
        "meeting": meeting,
        "where": _where(meeting),
        "url": _site_url() + meeting.get_absolute_url(),
        **context,
    }
    subject, body = _render(name, context)
    messages = [mail.EmailMessage(subject, body, to=[address]) for address in recipients]
    return mail.get_connection().send_messages(messages) or 0


def send_notice(meeting: Meeting, cases: list[Case]) -> int:
    """The notice with the agenda to each current member, one e-mail each."""
    return _send_to_members(meeting, "notice", {"cases": cases})


def send_cancellation(meeting: Meeting, reason: str) -> int:
    """Tell the members who got the notice that the meeting is cancelled, and why."""
    return _send_to_members(meeting, "cancellation", {"reason": reason})


def tell_proposer(case: Case) -> None:
    """E-mail the member who proposed a case that it was returned, and why."""
    user = case.proposed_by
    address = getattr(getattr(user, "person", None), "email", "") or getattr(user, "email", "")
    if not address:
        return
    subject, body = _render("proposal_returned", {"case": case, "url": _site_url() + "/min-side/"})
    mail.EmailMessage(subject, body.rstrip("\n"), to=[address]).send()  # as before: no final newline
