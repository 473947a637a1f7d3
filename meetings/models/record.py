"""What the meeting recorded beyond its cases: minutes, follow-up points, corrections."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models import Person

from .. import lifecycle
from ..querysets import MinutesQuerySet
from .case import Case
from .meeting import Meeting


class Minutes(models.Model):
    """Referat / protokoll: draft → approved (how, when, in which case) → published."""

    class ApprovalMethod(models.TextChoices):
        NEXT_MEETING = "next_meeting", _("at the next meeting")
        EMAIL_ROUND = "email_round", _("by e-mail round")
        SIGNED = "signed", _("signed")

    # CASCADE: minutes are the meeting's own record.
    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting")
    )
    # SET_NULL: the record keeps its date and text if the planned meeting is removed.
    next_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        related_name="announced_in_minutes",
        null=True,
        blank=True,
        verbose_name=_("next meeting"),
        help_text=_("A planned meeting of the same body."),
    )
    next_meeting_date = models.DateField(
        _("date of the next meeting"), null=True, blank=True, help_text=_("When it is not planned yet.")
    )
    next_meeting_text = models.CharField(
        _("about the next meeting"),
        max_length=500,
        blank=True,
        help_text=_("For example “Definere formål og ta et overordnet strategisk blikk sammen”."),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approval_method = models.CharField(
        _("approved how"), max_length=20, choices=ApprovalMethod.choices, blank=True
    )
    # SET_NULL: the approval stays recorded even if the approving case is removed.
    approved_in_case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        related_name="approved_minutes",
        null=True,
        blank=True,
        verbose_name=_("approved in case"),
    )
    approval_date_known = models.BooleanField(
        _("approval date known"),
        default=True,
        help_text=_("Off when the source says the minutes were approved but not when."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    publication_date_known = models.BooleanField(
        _("publication date known"),
        default=True,
        help_text=_("Off when the minutes are public (the source shows it) but the date is not recorded."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Grows on every edit; a save from an older version is refused.")
    )
    # SET_NULL: the record stays when its source document is removed; it then just has no source.
    source = models.ForeignKey(
        "governance.SourceDocument",
        on_delete=models.SET_NULL,
        related_name="minutes",
        null=True,
        blank=True,
        verbose_name=_("source document"),
        help_text=_("The document this record was loaded from; empty for what was entered in the portal."),
    )

    objects = MinutesQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True, publication_date_known=True)
                | Q(approved_at__isnull=False)
                | Q(approval_date_known=False),
                name="minutes_published_only_when_approved",
                violation_error_message=_("Minutes must be approved before they are published."),
            ),
            models.CheckConstraint(
                condition=Q(approval_date_known=True) | Q(approved_at__isnull=True),
                name="minutes_unknown_approval_date_is_empty",
                violation_error_message=_("An approval date not stated in the source is left empty."),
            ),
            models.CheckConstraint(
                condition=Q(publication_date_known=True) | Q(published_at__isnull=True),
                name="minutes_unknown_publication_date_is_empty",
                violation_error_message=_("A publication date not recorded in the source is left empty."),
            ),
        ]

    def __str__(self):
        return str(_("Minutes of %(meeting)s") % {"meeting": self.meeting})

    # Approved / published, and when if the source says (meetings/lifecycle.py).
    @property
    def approval(self):
        return lifecycle.minutes_approval(self)

    @property
    def publication(self):
        return lifecycle.minutes_publication(self)

    def clean(self):
        if not (self.next_meeting_id and self.meeting_id):
            return
        if self.next_meeting.body_id != self.meeting.body_id or self.next_meeting_id == self.meeting_id:
            raise ValidationError(
                {"next_meeting": _("The next meeting is another meeting of the same body.")}
            )


class MinutesSection(models.Model):
    """A free section of a referat with its heading: Formål, Utfordringer, Mulighetsrom …"""

    # CASCADE: sections are part of their minutes.
    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="sections", verbose_name=_("minutes")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(
        _("text"), blank=True, help_text=_("Paragraphs, lists with “-” or “1.”, **bold**.")
    )
    before_cases = models.BooleanField(
        _("before the cases"),
        default=False,
        help_text=_("Shown before the cases or programme, as a referat's purpose usually is."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes section")
        verbose_name_plural = _("minutes sections")
        ordering = ["minutes", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "order"], name="minutes_section_unique_order"),
        ]

    def __str__(self):
        return self.heading or str(_("Section %(order)s") % {"order": self.order})


class FollowUp(models.Model):
    """Oppfølgingspunkt: what is to be done, by whom, by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    # CASCADE: follow-ups are recorded at their meeting.
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("meeting")
    )
    # SET_NULL: a follow-up outlives the case it came from.
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        null=True,
        blank=True,
        verbose_name=_("case"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300, blank=True)
    what = models.TextField(_("what"))
    responsible = models.CharField(_("responsible"), max_length=300, blank=True)
    # SET_NULL: as for the case.
    responsible_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        null=True,
        blank=True,
        verbose_name=_("responsible person"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    # SET_NULL: the point survives if the case that took it onto an agenda is removed.
    agenda_case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        related_name="follow_up_sources",
        null=True,
        blank=True,
        verbose_name=_("taken onto the agenda as"),
        help_text=_("The case of a later meeting that follows the point up (Oppfølgingssaker)."),
    )
    # SET_NULL: as for the case.
    closed_by_case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        related_name="closed_follow_ups",
        null=True,
        blank=True,
        verbose_name=_("closed by case"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up point")
        verbose_name_plural = _("follow-up points")
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.title or self.what[:80]


class Amendment(models.Model):
    """Rettelse: a recorded correction of a locked case or of approved minutes."""

    # CASCADE: the correction is part of the corrected case's record.
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="amendments",
        null=True,
        blank=True,
        verbose_name=_("case"),
    )
    # CASCADE: as for the case.
    minutes = models.ForeignKey(
        Minutes,
        on_delete=models.CASCADE,
        related_name="amendments",
        null=True,
        blank=True,
        verbose_name=_("minutes"),
    )
    # SET_NULL: the correction stays on record if the corrected section is later removed.
    section = models.ForeignKey(
        MinutesSection,
        on_delete=models.SET_NULL,
        related_name="amendments",
        null=True,
        blank=True,
        verbose_name=_("minutes section"),
    )
    field = models.CharField(_("field"), max_length=100)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"))
    # PROTECT: who corrected a locked record must stay known.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="amendments",
        null=True,
        blank=True,
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, minutes__isnull=True)
                | Q(case__isnull=True, minutes__isnull=False),
                name="amendment_of_case_or_minutes",
                violation_error_message=_("A correction is of a case or of minutes."),
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_needs_reason"),
        ]

    def __str__(self):
        return f"{self.case or self.minutes}: {self.field}"
