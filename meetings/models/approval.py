"""Approval of the minutes by e-mail round: each member's answer and when it came."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models import Person

from .record import Minutes


class MinutesApprovalAnswer(models.Model):
    """One member's answer in an e-mail round on the draft minutes ("godkjent via e-postrunde")."""

    class Answer(models.TextChoices):
        APPROVED = "approved", _("approves")
        COMMENTS = "comments", _("approves with comments")
        OBJECTS = "objects", _("objects")

    # CASCADE: the answers are part of the minutes' approval record.
    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="approval_answers", verbose_name=_("minutes")
    )
    # PROTECT: who answered must stay on record.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="minutes_answers", verbose_name=_("person")
    )
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices)
    answered_on = models.DateField(_("answered on"))
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer in the e-mail round")
        verbose_name_plural = _("answers in the e-mail round")
        ordering = ["minutes", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "person"], name="minutes_answer_one_per_person"),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_answer_display()} {self.answered_on:%d.%m.%Y}"
