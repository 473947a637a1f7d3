"""The meeting, and who was summoned to or took part in it."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from governance.models import Body, Organisation, Person

from .. import lifecycle
from ..querysets import MeetingQuerySet

URL_KEY_PREFIX = "mote-"


class Meeting(models.Model):
    # The statuses and what each allows live in meetings/lifecycle.py, the one table.
    Status = lifecycle.Status

    # PROTECT: a body with meetings on record cannot be deleted.
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body"))
    title = models.CharField(
        _("title"), max_length=300, blank=True, help_text=_("For example “Dialogmøtet 2024”; optional.")
    )
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    start = models.DateTimeField(
        _("start"),
        help_text=_(
            "When the date is not stated in the source: the first day of the period the source allows, "
            "used only for sorting."
        ),
    )
    end = models.DateTimeField(_("end"), null=True, blank=True)
    start_time_known = models.BooleanField(
        _("time of day known"),
        default=True,
        help_text=_("Off when only the date is known, as for meetings taken from older papers."),
    )
    date_known = models.BooleanField(
        _("date known"),
        default=True,
        help_text=_("Off when the source does not state the date; then say what it does state below."),
    )
    date_text = models.CharField(
        _("what the source says about the date"),
        max_length=300,
        blank=True,
        help_text=_("For example “2024, Helseinnovasjonsuka”, when the date is not stated."),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    is_digital = models.BooleanField(_("digital meeting"), default=False)
    online_link = models.URLField(
        _("meeting link"), max_length=500, blank=True, help_text=_("Only members and the secretariat see it.")
    )
    is_open = models.BooleanField(
        _("open meeting"), default=False, help_text=_("Whether the public may attend.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=lifecycle.INITIAL)
    purpose = models.TextField(_("purpose"), blank=True)
    notice_issued_at = models.DateTimeField(_("notice issued"), null=True, blank=True)
    cancelled_at = models.DateTimeField(pgettext_lazy("meeting", "cancelled"), null=True, blank=True)
    # SET_NULL: the record stays when its source document is removed; it then just has no source.
    source = models.ForeignKey(
        "governance.SourceDocument",
        on_delete=models.SET_NULL,
        related_name="meetings",
        null=True,
        blank=True,
        verbose_name=_("source document"),
        help_text=_("The document this record was loaded from; empty for what was entered in the portal."),
    )

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start"]
        indexes = [models.Index(fields=["body", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="meeting_end_not_before_start",
                violation_error_message=_("A meeting cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(date_known=True) | Q(start_time_known=False, end__isnull=True),
                name="meeting_unknown_date_has_no_time",
                violation_error_message=_("A meeting whose date is not known has no time of day or end."),
            ),
        ]

    def __str__(self):
        label = self.title or self.body.name
        if not self.date_known:
            return f"{label} ({self.date_text or _('date not stated in the source')})"
        return f"{label} {timezone.localtime(self.start):%d.%m.%Y}"

    def get_absolute_url(self):
        return reverse("meetings:meeting", args=[self.body.partnership.slug, self.body.slug, self.url_key])

    @property
    def url_key(self) -> str:
        """The meeting's segment in its URLs: its day (“2023-05-12”) when the date is known, else
        “mote-<id>”, which stays valid for every meeting (a date found later does not move it)."""
        if self.date_known:
            return timezone.localtime(self.start).date().isoformat()
        return f"{URL_KEY_PREFIX}{self.pk}"

    @property
    def date_precision(self) -> str:
        return lifecycle.date_precision(self)

    # What the lifecycle allows now, for templates and services (meetings/lifecycle.py).
    @property
    def agenda_is_public(self) -> bool:
        return lifecycle.rules(self).agenda_public

    @property
    def minutes_are_public(self) -> bool:
        return lifecycle.rules(self).minutes_public

    @property
    def notice_is_issued(self) -> bool:
        return lifecycle.notice_is_issued(self)

    @property
    def can_edit_agenda(self) -> bool:
        return lifecycle.can_edit_agenda(self)

    @property
    def is_locked(self) -> bool:
        return lifecycle.is_locked(self)

    @property
    def is_cancelled(self) -> bool:
        return lifecycle.is_cancelled(self)

    @property
    def status_tag(self) -> str:
        return lifecycle.rules(self).tag

    def allows(self, transition: str) -> bool:
        return lifecycle.allows(self, transition)


class Attendance(models.Model):
    """Who was summoned to or took part in a meeting, and how."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT_WITH_NOTICE = "absent_with_notice", _("absent with notice")
        ABSENT = "absent", _("absent")

    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        LEADER = "leader", _("leader")
        DEPUTY_LEADER = "deputy_leader", _("deputy leader")
        SUBSTITUTE = "substitute", _("substitute")
        OBSERVER = "observer", _("observer")
        SECRETARY = "secretary", _("secretary")
        FACILITATOR = "facilitator", _("facilitator")
        SPEAKER = "speaker", _("speaker")
        GUEST = "guest", _("guest")

    # CASCADE: attendance is part of its meeting's record.
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    # PROTECT: the record of who attended must keep its people.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("person")
    )
    # PROTECT: as for the person.
    on_behalf_of = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="attendances",
        null=True,
        blank=True,
        verbose_name=_("on behalf of"),
    )
    title = models.CharField(
        _("title or function"), max_length=300, blank=True, help_text=_("As at the meeting.")
    )
    status = models.CharField(_("attendance"), max_length=20, choices=Status.choices, default=Status.PRESENT)
    role = models.CharField(
        _("role at the meeting"), max_length=20, choices=Role.choices, default=Role.MEMBER
    )
    is_referent = models.BooleanField(_("minute-taker"), default=False)
    # SET_NULL: whom a substitute stood in for is kept as far as possible.
    substitute_for = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        related_name="substituted_attendances",
        null=True,
        blank=True,
        verbose_name=_("substitute for"),
    )
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="attendance_unique_person_per_meeting"
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_status_display()}"
