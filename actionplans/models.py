"""Action plans: focus areas, goals ("Hva vil vi?"), measures ("Hvordan få det til?")."""

import re

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models import Body, Organisation, Partnership, PatientGroup
from meetings.models import Attachment, Case, Meeting

from .querysets import ActionPlanQuerySet


class ActionPlan(models.Model):
    # PROTECT: a partnership's plans are part of its record.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="action_plans", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    slug = models.SlugField(_("slug"), max_length=80)
    # The period as the source gives it (period_text) and, for "is it the current plan?", as
    # dates. Empty dates are unknown; period_dates_inferred marks dates that the source does not
    # give (read from its words, e.g. "ett år" in a plan called "2023"); an end can be a meeting
    # ("til og med partnerskapsmøtet 2022"), whose date the portal holds.
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    # SET_NULL: the end is then unknown again rather than the plan lost.
    period_end_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        related_name="ending_action_plans",
        null=True,
        blank=True,
        verbose_name=_("period ends with meeting"),
        help_text=_("For a period “til og med partnerskapsmøtet 2022”: that meeting."),
    )
    period_open_ended = models.BooleanField(
        _("open-ended"), default=False, help_text=_("The source says the plan runs until further notice.")
    )
    period_dates_inferred = models.BooleanField(
        _("dates inferred"),
        default=False,
        help_text=_("The dates are read from the period as written; the source does not give them."),
    )
    period_text = models.CharField(
        _("period as written"),
        max_length=300,
        blank=True,
        help_text=_("For example “23. september 2021 til og med partnerskapsmøtet 2022”."),
    )
    # SET_NULL: the plan stays if the adopting case is removed; the link is history.
    adopted_by = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        related_name="adopted_action_plans",
        null=True,
        blank=True,
        verbose_name=_("adopted by case"),
    )
    purpose = models.TextField(_("purpose"), blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    focus_areas_introduction = models.TextField(
        _("introduction to the focus areas"),
        blank=True,
        help_text=_("What the plan says under its heading of the focus areas, before the first of them."),
    )
    next_steps = models.TextField(_("the way ahead"), blank=True)
    chapters_numbered = models.BooleanField(
        _("chapters numbered"),
        default=False,
        help_text=_(
            "The plan numbers its chapters (“1 Innledning”, “2 Innsatsområder” …): the page does too."
        ),
    )
    patient_groups = models.ManyToManyField(
        PatientGroup, related_name="action_plans", blank=True, verbose_name=_("patient groups")
    )
    # SET_NULL: the record stays when its source document is removed; it then just has no source.
    source = models.ForeignKey(
        "governance.SourceDocument",
        on_delete=models.SET_NULL,
        related_name="action_plans",
        null=True,
        blank=True,
        verbose_name=_("source document"),
        help_text=_("The document this record was loaded from; empty for what was entered in the portal."),
    )

    # The case attachments that are this plan ("Vedlegg 1: Handlingsplan HTO 2023"). The link lives
    # here, in the higher layer: meetings knows nothing of plans.
    attachments = models.ManyToManyField(
        Attachment, related_name="action_plans", blank=True, verbose_name=_("attached to cases as")
    )

    objects = ActionPlanQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[patient_groups, attachments])

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["partnership", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="action_plan_unique_slug"),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="action_plan_end_not_before_start",
                violation_error_message=_("An action plan's period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actionplans:detail", args=[self.partnership.slug, self.slug])

    @property
    def chapter_numbers(self) -> dict[str, int]:
        """The number of each chapter the page shows ("purpose", "introduction", "focus_areas",
        "next_steps"), counted as the plan counts them; empty where the plan numbers none."""
        if not self.chapters_numbered:
            return {}
        shown = {
            "purpose": self.purpose,
            "introduction": self.introduction,
            "focus_areas": True,
            "next_steps": self.next_steps,
        }
        return {name: number for number, name in enumerate((n for n, s in shown.items() if s), start=1)}

    @property
    def end_date(self):
        """The last day of the period where known: its date, or the date of the meeting it ends with."""
        if self.period_end is not None:
            return self.period_end
        if self.period_end_meeting_id is not None:
            return timezone.localdate(self.period_end_meeting.start)
        return None

    @property
    def adoption_decided(self) -> bool:
        """Whether the adopting case's record holds a decision; else it holds only a proposal."""
        case = self.adopted_by
        return case is not None and bool(case.decision.strip() or case.outcome)

    def is_current(self, day) -> bool:
        """Whether the plan applies on `day`: only within a known period (see querysets.current)."""
        if self.period_start is None or self.period_start > day:
            return False
        end = self.end_date
        return end >= day if end is not None else self.period_open_ended

    def abbreviation_list(self) -> list[tuple[str, str, str, bool]]:
        """(abbreviation, explanation, the body's page or "", in the plan's own list): the plan's
        own list, then the responsible bodies and organisations its measures name that the list
        lacks, from their records (short name and name) and marked as not the plan's.

        Reads the prefetched `abbreviation_entries` and `focus_areas__measures__responsible_*`.
        """

        def url(record):
            return record.get_absolute_url() if isinstance(record, Body) else ""

        rows = [
            (entry.shown_abbreviation, entry.shown_explanation, url(entry.record), True)
            for entry in self.abbreviation_entries.all()
        ]
        seen = {row[0].casefold() for row in rows}
        extra = {}
        for area in self.focus_areas.all():
            for measure in area.measures.all():
                for record in [*measure.responsible_bodies.all(), *measure.responsible_organisations.all()]:
                    key = (record.short_name or "").casefold()
                    if key and key not in seen and key not in extra:
                        extra[key] = (record.short_name, record.name, url(record), False)
        return rows + sorted(extra.values(), key=lambda row: row[0].casefold())


class Abbreviation(models.Model):
    """One line of a plan's list of abbreviations ("SEKR = helsefellesskapets sekretariat").

    The abbreviation is the body's (or organisation's) own short name where the line names one;
    the explanation is kept as the plan writes it. Free text only where no record matches.
    """

    # CASCADE: the list is part of its plan.
    action_plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.CASCADE,
        related_name="abbreviation_entries",
        verbose_name=_("action plan"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # PROTECT: a body named in a plan's list is part of the plan's record.
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("body")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=40,
        blank=True,
        help_text=_("Only where no body or organisation matches."),
    )
    explanation = models.CharField(_("explanation, as written"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("abbreviation")
        verbose_name_plural = _("abbreviations")
        ordering = ["action_plan", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(body__isnull=True) | Q(organisation__isnull=True),
                name="abbreviation_one_record",
                violation_error_message=_("An abbreviation names a body or an organisation, not both."),
            ),
            models.CheckConstraint(
                condition=Q(body__isnull=False) | Q(organisation__isnull=False) | ~Q(abbreviation=""),
                name="abbreviation_not_empty",
                violation_error_message=_(
                    "Give the abbreviation, or the body or organisation it stands for."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.shown_abbreviation} = {self.shown_explanation}"

    @property
    def record(self):
        return self.body or self.organisation

    @property
    def shown_abbreviation(self) -> str:
        record = self.record
        return (record.short_name if record is not None else "") or self.abbreviation

    @property
    def shown_explanation(self) -> str:
        record = self.record
        return self.explanation or (record.name if record is not None else "")


class FocusArea(models.Model):
    """Innsatsområde, such as “2.1 Helsetjenester til personer med sammensatte behov”."""

    # CASCADE: focus areas are part of their plan.
    action_plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="focus_areas", verbose_name=_("action plan")
    )
    number = models.CharField(_("number"), max_length=10, blank=True, help_text=_("For example “2.1”."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["action_plan", "order", "pk"]

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class Goal(models.Model):
    """“Hva vil vi?”: a goal within a focus area."""

    # CASCADE: goals are part of their focus area.
    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.CASCADE, related_name="goals", verbose_name=_("focus area")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("goal"), max_length=500)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["focus_area", "order", "pk"]

    def __str__(self):
        return self.text


# Where a responsible cell names several, e.g. "SSU, FSU DIG" or "FSU og SSU": the separators.
RESPONSIBLE_SEPARATORS = re.compile(r"(\s*(?:,|;|/|&|\+|\bog\b)\s*)", re.IGNORECASE)


class Measure(models.Model):
    """Tiltak (“Hvordan få det til?”), lettered a, b, c… within its goal (or its focus area).

    Its status is not stored: it is the status of its latest progress report, or "not reported".
    """

    class Status(models.TextChoices):
        NOT_REPORTED = "not_reported", _("not reported")
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        POSTPONED = "postponed", _("postponed")
        CANCELLED = "cancelled", _("cancelled")

    # CASCADE: measures are part of their focus area.
    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.CASCADE, related_name="measures", verbose_name=_("focus area")
    )
    # SET_NULL: a measure can stand without a goal, as in plans that have none.
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        related_name="measures",
        null=True,
        blank=True,
        verbose_name=_("goal"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    letter = models.CharField(_("letter"), max_length=4, blank=True)
    text = models.TextField(_("measure"))
    responsible_text = models.CharField(
        _("responsible, as written"),
        max_length=300,
        blank=True,
        help_text=_("For example “SEKR, UNN, kommunene”."),
    )
    responsible_bodies = models.ManyToManyField(
        Body, related_name="measures", blank=True, verbose_name=_("responsible bodies")
    )
    responsible_organisations = models.ManyToManyField(
        Organisation, related_name="measures", blank=True, verbose_name=_("responsible organisations")
    )
    due = models.DateField(_("due"), null=True, blank=True)
    cases = models.ManyToManyField(Case, related_name="measures", blank=True, verbose_name=_("linked cases"))
    patient_groups = models.ManyToManyField(
        PatientGroup, related_name="measures", blank=True, verbose_name=_("patient groups")
    )

    history = HistoricalRecords(
        m2m_fields=[responsible_bodies, responsible_organisations, cases, patient_groups]
    )

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["focus_area", "order", "pk"]
        constraints = [
            # Letters are per goal, as plans print them (2.3 starts again at a) for its last goal).
            models.UniqueConstraint(
                fields=["goal", "letter"],
                condition=~Q(letter="") & Q(goal__isnull=False),
                name="measure_unique_letter_per_goal",
                violation_error_message=_("This goal already has a measure with this letter."),
            ),
            models.UniqueConstraint(
                fields=["focus_area", "letter"],
                condition=~Q(letter="") & Q(goal__isnull=True),
                name="measure_unique_letter_without_goal",
                violation_error_message=_("This focus area already has a measure with this letter."),
            ),
        ]

    def __str__(self):
        return f"{self.letter}) {self.text}" if self.letter else self.text

    @property
    def latest_report(self):
        """The newest progress report (reads prefetched progress_reports, newest first)."""
        reports = self.progress_reports.all()
        return reports[0] if reports else None

    @property
    def status(self) -> str:
        """The one rule for a measure's status: its latest report's, else "not reported"."""
        report = self.latest_report
        return report.status if report is not None else self.Status.NOT_REPORTED

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    def responsible_parts(self) -> list[tuple[str, object, str]]:
        """The responsible wording as written, in pieces: (text, linked record or None, its page).

        A piece is linked where it is the short name of a linked body or organisation; the rest
        (separators, "kommunene", "Felles") stays text. Linked records the wording does not name
        follow at the end. Bodies have a page, organisations none (""). Reads the prefetched
        responsible_bodies and responsible_organisations.
        """
        records = [*self.responsible_bodies.all(), *self.responsible_organisations.all()]
        by_name = {r.short_name.casefold(): r for r in records if r.short_name}
        parts, named = [], set()

        def part(text, record):
            url = record.get_absolute_url() if isinstance(record, Body) else ""
            parts.append((text, record, url))

        for piece in RESPONSIBLE_SEPARATORS.split(self.responsible_text) if self.responsible_text else ():
            record = by_name.get(piece.strip().casefold()) if piece.strip() else None
            if record is not None:
                named.add(id(record))
            part(piece, record)
        for record in records:
            if id(record) not in named:
                if parts:
                    part(", ", None)
                part(record.short_name or record.name, record)
        return parts


# What a report can say; "not reported" is the absence of a report.
REPORTED_STATUSES = [choice for choice in Measure.Status.choices if choice[0] != Measure.Status.NOT_REPORTED]


class ProgressReport(models.Model):
    """Statusrapport on a measure, often given in a body's case."""

    # CASCADE: a report is about its measure.
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("measure")
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=REPORTED_STATUSES)
    text = models.TextField(_("report"), blank=True)
    # SET_NULL: the report survives if the case link is removed.
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        related_name="progress_reports",
        null=True,
        blank=True,
        verbose_name=_("case"),
    )
    # SET_NULL: as for the case.
    reported_by = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        related_name="progress_reports",
        null=True,
        blank=True,
        verbose_name=_("reported by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["measure", "-date", "-pk"]

    def __str__(self):
        return f"{self.measure} – {self.date:%d.%m.%Y}"
