"""E-mail rounds to a meeting's members (the notice, a cancellation) and how each message fared.

An operational record, not domain data: the worker writes it as messages leave, the secretariat
reads it on the workspace meeting page. It keeps no history on purpose — documents/pdf.py's data
version reads the history tables only, so a sent e-mail never makes a new version of a PDF.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .meeting import Meeting


class MailDelivery(models.Model):
    """One round of e-mail to the members about a meeting; one MailRecipient row per address."""

    class Kind(models.TextChoices):
        NOTICE = "notice", pgettext_lazy("e-mail round", "Notice")
        CANCELLATION = "cancellation", pgettext_lazy("e-mail round", "Cancellation")

    # CASCADE: the round is about this meeting only.
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="mail_deliveries", verbose_name=_("meeting")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("A cancellation's reason, as the e-mail gives it.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    gave_up_at = models.DateTimeField(
        _("gave up"), null=True, blank=True, help_text=_("When the retries of the failed addresses ran out.")
    )

    class Meta:
        verbose_name = _("e-mail round")
        verbose_name_plural = _("e-mail rounds")
        ordering = ["meeting", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.meeting}"


class MailRecipient(models.Model):
    """One address of a round: waiting, sent (never again) or failed (retried)."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # CASCADE: a recipient row is part of its round.
    delivery = models.ForeignKey(
        MailDelivery, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("e-mail round")
    )
    address = models.EmailField(_("e-mail"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["delivery", "address"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "address"], name="mail_recipient_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_state_display()})"
