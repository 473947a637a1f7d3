"""The case (sak), its paper's sections and attachments, reservations and recusals."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models import Body, Organisation, PatientGroup, Person

from ..querysets import AttachmentQuerySet, CaseQuerySet
from .meeting import Meeting


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

    class ProposalPosition(models.TextChoices):
        BEFORE_TEXT = "before_text", _("before the sections (after the facts and attachments)")
        AFTER_TEXT = "after_text", _("after the sections (before the attachments)")

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
    starts_at = models.TimeField(_("starts at"), null=True, blank=True, help_text=_("For programme items."))
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    archive_reference = models.CharField(
        _("archive reference"), max_length=100, blank=True, help_text=_("For example “2022/2936”.")
    )
    proposal = models.TextField(_("proposal"), blank=True)
    proposal_position = models.CharField(
        _("place of the proposal"),
        max_length=20,
        choices=ProposalPosition.choices,
        default=ProposalPosition.AFTER_TEXT,
        help_text=_("Where the case paper puts its proposal: before or after its sections."),
    )
    proposal_kind = models.CharField(
        _("kind of proposal"), max_length=30, choices=ProposalKind.choices, blank=True
    )
    discussion = models.TextField(
        _("discussion note"),
        blank=True,
        help_text=_("What was said in the meeting (Drøfting / Saksopplysninger i møtet)."),
    )
    decision = models.TextField(_("decision"), blank=True)
    public_decision = models.TextField(
        _("public version of the decision"),
        blank=True,
        help_text=_(
            "For an exempt case: an anonymised decision the public may read. Leave empty to withhold it."
        ),
    )
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
    # SET_NULL: the paper keeps its text if the announced meeting is removed. The record of the
    # case's meeting names this meeting as the next one when its minutes name none
    # (meetings/record.py: next_meeting_of).
    next_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        related_name="announced_in_cases",
        null=True,
        blank=True,
        verbose_name=_("next meeting announced"),
        help_text=_("For a “next meeting” case: the meeting of the same body its paper announces."),
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
    # SET_NULL: the record stays when its source document is removed; it then just has no source.
    source = models.ForeignKey(
        "governance.SourceDocument",
        on_delete=models.SET_NULL,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("source document"),
        help_text=_("The document this record was loaded from; empty for what was entered in the portal."),
    )

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
            "portal:case", args=[self.body.partnership.slug, self.body.slug, self.year, self.number]
        )

    def clean(self):
        announced = self.next_meeting
        if announced is not None and (announced.body_id != self.body_id or announced.pk == self.meeting_id):
            raise ValidationError(
                {"next_meeting": _("The next meeting is another meeting of the same body.")}
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

    def _named(self, role) -> list:
        """The people named in `role` for the case itself (not one of its programme items), in
        order; reads `people` as CaseQuerySet.with_names read it with the case (no query)."""
        return [p for p in self.people.all() if p.role == role and p.programme_item_id is None]

    @property
    def origin_people(self) -> list:
        return self._named(CasePerson.Role.ORIGIN)

    @property
    def case_officer_people(self) -> list:
        return self._named(CasePerson.Role.CASE_OFFICER)

    @property
    def presenter_people(self) -> list:
        return self._named(CasePerson.Role.PRESENTER)

    @property
    def origin_text(self) -> str:
        """ "Fra" as words, for the secretariat's lists."""
        return ", ".join(p.shown_name for p in self.origin_people)

    @property
    def named_text(self) -> str:
        """Every name the paper gives, as words (the search text; meetings/search.py)."""
        return " ".join(p.shown_name for p in self.people.all())

    @property
    def proposal_first(self) -> bool:
        return self.proposal_position == self.ProposalPosition.BEFORE_TEXT

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
    # A decision the sources only tell of ("vedtok FSU BU at …" in a later paper) is no decision
    # on record: its words are kept here, shown with the case's record (meetings/record.py).
    tells_of_decision = models.BooleanField(
        _("tells of the decision"),
        default=False,
        help_text=_(
            "On when the source gives no decision, only tells of it in these words: shown where the "
            "decision would be, on the pages and in the minutes."
        ),
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


class ProgrammeItem(models.Model):
    """A talk or session inside a programme item's time block (Dialogmøtet's programme).

    Its times are times of day on the meeting's day, as the programme prints them; the meeting's
    own date (exact, date only or unknown) is the meeting's business."""

    # CASCADE: the talks are part of their time block.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="programme_items", verbose_name=_("time block")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=500)
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        ordering = ["case", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order"], name="programme_item_unique_order"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gte=F("starts_at")),
                name="programme_item_end_not_before_start",
                violation_error_message=_("A programme item cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def speaker_people(self) -> list:
        """The item's speakers in order, from the case's prefetched `people`."""
        return [p for p in self.case.people.all() if p.programme_item_id == self.pk]


class CasePerson(models.Model):
    """A person the case paper names: as case officer, as "Fra" (origin) or as presenter.

    `person` links one who exists as a Person; `wording` keeps the source's words where they
    differ from the person's name ("Kommuneoverlege X"), or is all there is when the name matches
    no Person ("Sekretariatet"). A presenter may belong to one of the case's programme items."""

    class Role(models.TextChoices):
        ORIGIN = "origin", _("from")
        CASE_OFFICER = "case_officer", _("case officer")
        PRESENTER = "presenter", _("presenter")

    # CASCADE: the names are part of their case paper.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people", verbose_name=_("case"))
    # CASCADE: a speaker belongs to the programme item they speak in.
    programme_item = models.ForeignKey(
        ProgrammeItem,
        on_delete=models.CASCADE,
        related_name="speakers",
        null=True,
        blank=True,
        verbose_name=_("programme item"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # PROTECT: who wrote or presented a case stays on record.
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="case_roles",
        null=True,
        blank=True,
        verbose_name=_("person"),
    )
    wording = models.CharField(
        _("as written"),
        max_length=500,
        blank=True,
        help_text=_("The source's words, when they differ from the person's name or name no person."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person named in a case")
        verbose_name_plural = _("people named in cases")
        ordering = ["case", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order"], name="case_person_unique_order"),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(wording=""),
                name="case_person_named",
                violation_error_message=_("Choose a person or write a name."),
            ),
        ]

    def __str__(self):
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The words the paper shows: the source's wording, else the person's name."""
        return self.wording or (self.person.name if self.person_id else "")


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
