"""Action plans: focus areas, goals ("Hva vil vi?"), measures ("Hvordan få det til?")."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models import Body, Organisation, Partnership, PatientGroup
from meetings.models import Case

from .querysets import ActionPlanQuerySet


class ActionPlan(models.Model):
    # PROTECT: a partnership's plans are part of its record.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="action_plans", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    slug = models.SlugField(_("slug"), max_length=80)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), null=True, blank=True)
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
    next_steps = models.TextField(_("the way ahead"), blank=True)
    abbreviations = models.TextField(_("abbreviations"), blank=True)
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

    objects = ActionPlanQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[patient_groups])

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["partnership", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="action_plan_unique_slug"),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="action_plan_end_not_before_start",
                violation_error_message=_("An action plan's period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actionplans:detail", args=[self.partnership.slug, self.slug])


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


class Measure(models.Model):
    """Tiltak (“Hvordan få det til?”), lettered a, b, c… within its focus area."""

    class Status(models.TextChoices):
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
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
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
            models.UniqueConstraint(
                fields=["focus_area", "letter"],
                condition=~Q(letter=""),
                name="measure_unique_letter_per_focus_area",
                violation_error_message=_("This focus area already has a measure with this letter."),
            ),
        ]

    def __str__(self):
        return f"{self.letter}) {self.text}" if self.letter else self.text


class ProgressReport(models.Model):
    """Statusrapport on a measure, often given in a body's case."""

    # CASCADE: a report is about its measure.
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("measure")
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=Measure.Status.choices)
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
