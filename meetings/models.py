"""Meetings, cases (saker), attendance, minutes, follow-ups and attachments.

A Case is one handling of a matter by one body in one meeting (eInnsyn's
møtesak, OParl's Consultation); `previous` links it to the handling before,
so the chain FSU → SSU → Partnerskapsmøtet can be followed both ways.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from governance.models import Body, Organisation, PatientGroup, Person

from . import lifecycle
from .querysets import AttachmentQuerySet, CaseQuerySet, MeetingQuerySet, MinutesQuerySet


class Meeting(models.Model):
    # The statuses and what each allows live in meetings/lifecycle.py, the one table.
    Status = lifecycle.Status

    # PROTECT: a body with meetings on record cannot be deleted.
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body"))
    title = models.CharField(
        _("title"), max_length=300, blank=True, help_text=_("For example “Dialogmøtet 2024”; optional.")
    )
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    start_time_known = models.BooleanField(
        _("time of day known"),
        default=True,
        help_text=_("Off when only the date is known, as for meetings taken from older papers."),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    is_digital = models.BooleanField(_("digital meeting"), default=False)
    online_link = models.URLField(
        _("meeting link"), max_length=500, blank=True, help_text=_("Only members and the secretariat see it.")
    )
    is_open = models.BooleanField(
        _("open meeting"), default=False, help_text=_("Whether the public may attend.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    purpose = models.TextField(_("purpose"), blank=True)
    notice_issued_at = models.DateTimeField(_("notice issued"), null=True, blank=True)
    cancelled_at = models.DateTimeField(pgettext_lazy("meeting", "cancelled"), null=True, blank=True)

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
        ]

    def __str__(self):
        label = self.title or self.body.name
        return f"{label} {self.start:%d.%m.%Y}"

    def get_absolute_url(self):
        day = timezone.localtime(self.start).date().isoformat()
        return reverse("meetings:meeting", args=[self.body.partnership.slug, self.body.slug, day])

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


class Case(models.Model):
    """A sak: one handling of a matter by one body, numbered per body and year."""

    class Kind(models.TextChoices):
        NOTICE_APPROVAL = "notice_approval", _("approval of notice and agenda")
        MINUTES_APPROVAL = "minutes_approval", _("approval of minutes")
        INFORMATION = "information", _("information")
        DECISION = "decision", _("decision")
        DISCUSSION = "discussion", _("discussion")
        ANY_OTHER_BUSINESS = "any_other_business", _("any other business")
        NEXT_MEETING = "next_meeting", _("next meeting")
        PROGRAMME_ITEM = "programme_item", _("programme item")

    class ProposalKind(models.TextChoices):
        PROPOSED_DECISION = "proposed_decision", _("Forslag til vedtak")
        CONSENSUS_RECOMMENDATION = "consensus_recommendation", _("Innstilling til konsensus")
        RECOMMENDATION = "recommendation", _("Anbefaling")
        FORMED_IN_MEETING = "formed_in_meeting", _("Vedtaket utformes i møtet")

    class Outcome(models.TextChoices):
        CONSENSUS = "consensus", _("consensus decision")
        FOR_INFORMATION = "for_information", _("taken for information")
        POSTPONED = "postponed", _("postponed")
        NO_CONSENSUS = "no_consensus", _("no consensus")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class IntakeStatus(models.TextChoices):
        NONE = "", _("not a proposal")
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    # PROTECT: cases are records; the body that handled them stays.
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="cases", verbose_name=_("body"))
    # PROTECT: a meeting with cases cannot silently drop them.
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("meeting"),
        help_text=_("Empty while the case is proposed but not yet on an agenda."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(
        _("case number"),
        null=True,
        blank=True,
        help_text=_("Fixed in agenda order when the notice is issued; never reused."),
    )
    order = models.PositiveSmallIntegerField(_("agenda position"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.DECISION)
    title = models.CharField(_("title"), max_length=500)
    agenda_title = models.CharField(
        _("title on the agenda"),
        max_length=500,
        blank=True,
        help_text=_("A shorter title used in the agenda, when it differs from the case paper's."),
    )
    public_title = models.CharField(
        _("public title"),
        max_length=500,
        blank=True,
        help_text=_("Shown to the public when the case is exempt."),
    )
    origin = models.CharField(_("from"), max_length=500, blank=True)
    case_officers = models.CharField(_("case officers"), max_length=500, blank=True)
    presenters = models.CharField(
        _("presenters"), max_length=500, blank=True, help_text=_("Speakers of a programme item.")
    )
    starts_at = models.TimeField(_("starts at"), null=True, blank=True, help_text=_("For programme items."))
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    archive_reference = models.CharField(
        _("archive reference"), max_length=100, blank=True, help_text=_("For example “2022/2936”.")
    )
    proposal = models.TextField(_("proposal"), blank=True)
    proposal_kind = models.CharField(
        _("kind of proposal"), max_length=30, choices=ProposalKind.choices, blank=True
    )
    decision = models.TextField(_("decision"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    exempt = models.BooleanField(_("exempt from public access"), default=False)
    exemption_basis = models.CharField(
        _("legal basis for exemption"),
        max_length=200,
        blank=True,
        help_text=_("For example “offl. § 13 jf. fvl. § 13”."),
    )
    # SET_NULL: the later handling survives if an earlier one is removed.
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="later_handlings",
        null=True,
        blank=True,
        verbose_name=_("previous handling"),
    )
    patient_groups = models.ManyToManyField(
        PatientGroup, related_name="cases", blank=True, verbose_name=_("patient groups")
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Grows on every edit; a save from an older version is refused.")
    )
    changed_after_notice_at = models.DateTimeField(_("changed after the notice"), null=True, blank=True)
    intake_status = models.CharField(
        _("proposal status"), max_length=10, choices=IntakeStatus.choices, blank=True, default=""
    )
    # SET_NULL: the proposal stays if the proposer's login is removed.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="proposed_cases",
        null=True,
        blank=True,
        verbose_name=_("proposed by"),
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[patient_groups])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["meeting__start", "order", "year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "number"],
                condition=Q(number__isnull=False),
                name="case_unique_number_per_body_and_year",
                violation_error_message=_("This body already has a case with this number this year."),
            ),
            models.UniqueConstraint(
                fields=["meeting", "order"],
                condition=Q(meeting__isnull=False, order__isnull=False),
                name="case_unique_agenda_position_per_meeting",
                violation_error_message=_("Two cases cannot have the same place on one agenda."),
            ),
            models.CheckConstraint(
                condition=Q(exempt=False) | ~Q(exemption_basis=""),
                name="case_exempt_needs_basis",
                violation_error_message=_("An exempt case needs its legal basis."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gte=F("starts_at")),
                name="case_programme_end_not_before_start",
                violation_error_message=_("A programme item cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.label} {self.title}".strip()

    def get_absolute_url(self):
        """The case's own page; unnumbered items (drafts, programme) live on their meeting's page."""
        if self.number is None:
            return self.meeting.get_absolute_url() if self.meeting_id else ""
        return reverse(
            "meetings:case", args=[self.body.partnership.slug, self.body.slug, self.year, self.number]
        )

    @property
    def case_number(self) -> str:
        """The number as the partnership writes it (“06/23” or “04-2022”), or ''."""
        if self.number is None:
            return ""
        return self.body.partnership.format_case_number(self.number, self.year)

    @property
    def label(self) -> str:
        return _("Case %(number)s") % {"number": self.case_number} if self.number else ""

    @property
    def shown_title(self) -> str:
        """The title a person without access to exempt content may see."""
        if self.exempt:
            return self.public_title or str(_("Exempt from public access"))
        return self.title


class CaseSection(models.Model):
    """A headed section of a case paper: background, one assessment per party, …"""

    # CASCADE: sections are part of their case paper.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sections", verbose_name=_("case"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(
        _("text"), blank=True, help_text=_("Paragraphs, lists with “-” or “1.”, **bold**.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case section")
        verbose_name_plural = _("case sections")
        ordering = ["case", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order"], name="case_section_unique_order"),
        ]

    def __str__(self):
        return self.heading or str(_("Section %(order)s") % {"order": self.order})


class Reservation(models.Model):
    """A protokolltilførsel: a party's reservation entered in the minutes."""

    # CASCADE: a reservation belongs to its case.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="reservations", verbose_name=_("case")
    )
    # PROTECT: which party reserved itself is the point of the record.
    party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="reservations",
        null=True,
        blank=True,
        verbose_name=_("party"),
    )
    # SET_NULL: keep the reservation if the person record goes.
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        related_name="reservations",
        null=True,
        blank=True,
        verbose_name=_("person"),
    )
    text = models.TextField(_("text"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["case", "pk"]

    def __str__(self):
        return f"{self.party or self.person}: {self.text[:60]}"


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


class Recusal(models.Model):
    """Inhabilitet: a person who stepped out of the handling of a case."""

    # CASCADE: part of the case's record.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recusals", verbose_name=_("case"))
    # PROTECT: who stepped out must stay on record.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="recusals", verbose_name=_("person")
    )
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="recusal_unique_person_per_case"),
        ]

    def __str__(self):
        return f"{self.person} – {self.case}"


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
    text = models.TextField(_("text"), blank=True)
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
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Grows on every edit; a save from an older version is refused.")
    )

    objects = MinutesQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(approved_at__isnull=False),
                name="minutes_published_only_when_approved",
                violation_error_message=_("Minutes must be approved before they are published."),
            ),
        ]

    def __str__(self):
        return str(_("Minutes of %(meeting)s") % {"meeting": self.meeting})


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


def attachment_upload_to(instance, filename):
    """A random name under the year, so stored files cannot be guessed."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """Vedlegg: a file attached to a case, each with its own openness."""

    # CASCADE: attachments are part of their case.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=500)
    file = models.FileField(
        _("file"), upload_to=attachment_upload_to, blank=True, help_text=_("Empty when only listed by title.")
    )
    exempt = models.BooleanField(_("exempt from public access"), default=False)
    exemption_basis = models.CharField(_("legal basis for exemption"), max_length=200, blank=True)

    objects = AttachmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exempt=False) | ~Q(exemption_basis=""),
                name="attachment_exempt_needs_basis",
                violation_error_message=_("An exempt attachment needs its legal basis."),
            ),
        ]

    def __str__(self):
        return self.title


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
