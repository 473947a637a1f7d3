"""E-mail backends for the tests: the in-memory outbox, with a mail server that refuses some addresses."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusingEmailBackend(EmailBackend):
    """Like locmem, but refuses the addresses in `refuse` (forever) and in `refuse_once` (the first time).

    Class attributes, because Django makes a new backend for every connection; tests reset them.
    """

    refuse: set[str] = set()
    refuse_once: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address in self.refuse_once:
                    type(self).refuse_once = self.refuse_once - {address}
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"Mailbox unavailable")})
                if address in self.refuse:
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"Mailbox unavailable")})
        return super().send_messages(messages)
