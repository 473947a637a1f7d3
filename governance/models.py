"""Partnerships, organisations, bodies, people and memberships.

Names follow Popolo / Open Civic Data: an Organisation is a party (a
municipality, a health trust, a department), a Body is an organ of the
partnership that meets, and a Membership says who sits in a body on behalf of
which organisation, from when to when.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .querysets import BodyQuerySet, MembershipQuerySet, SecurityEventQuerySet

# First path segments of the site's own pages; a partnership's slug is a first segment too.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "i18n",
        "konto",
        "forvaltning",
        "kalender",
        "vedlegg",
        "tilgjengelighet",
        "sok",
        "min-side",
        "static",
        "media",
        "helse",
    }
)


def validate_partnership_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site itself; choose another."), params={"slug": value}
        )


class Partnership(models.Model):
    """A helsefellesskap: one health trust and the municipalities of its area."""

    class CaseNumberStyle(models.TextChoices):
        SLASH_SHORT_YEAR = "slash", _("06/23")
        DASH_FULL_YEAR = "dash", _("04-2022")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, help_text=_("For example “Troms og Ofoten”.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True, validators=[validate_partnership_slug])
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    case_number_style = models.CharField(
        _("case number style"),
        max_length=10,
        choices=CaseNumberStyle.choices,
        default=CaseNumberStyle.SLASH_SHORT_YEAR,
        help_text=_("How case numbers are written in this partnership's papers."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:partnership", args=[self.slug])

    def format_case_number(self, number: int, year: int) -> str:
        if self.case_number_style == self.CaseNumberStyle.DASH_FULL_YEAR:
            return f"{number:02d}-{year}"
        return f"{number:02d}/{year % 100:02d}"


class Organisation(models.Model):
    """A party or unit: municipality, health trust, department, council, centre."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        HEALTH_TRUST = "health_trust", _("health trust")
        HOSPITAL_DEPARTMENT = "hospital_department", _("hospital department")
        USER_COUNCIL = "user_council", _("user council")
        GP_COUNCIL = "gp_council", _("GP council")
        REGIONAL_HEALTH_AUTHORITY = "regional_health_authority", _("regional health authority")
        COMPETENCE_CENTRE = "competence_centre", _("competence centre")
        OTHER = "other", _("other")

    # PROTECT: an organisation that people represent must not vanish with its partnership.
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("partnership"),
        help_text=_("Empty for organisations outside any one partnership, such as a ministry."),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices, default=Kind.OTHER)
    # PROTECT: a department cannot outlive the link to its trust by accident.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        verbose_name=_("parent organisation"),
    )
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("For example Lofoten, Vesterålen or Salten.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="organisation_unique_name_per_partnership"
            ),
        ]

    def __str__(self):
        return self.name


class Body(models.Model):
    """An organ of the partnership that meets: PM, dialogue meeting, SSU, FSU, network…"""

    class Kind(models.TextChoices):
        PARTNERSHIP_MEETING = "partnership_meeting", _("partnership meeting")
        DIALOGUE_MEETING = "dialogue_meeting", _("dialogue meeting")
        STRATEGIC_COMMITTEE = "strategic_committee", _("strategic cooperation committee")
        PROFESSIONAL_COMMITTEE = "professional_committee", _("professional cooperation committee")
        NETWORK = "network", _("local arena or network")
        WORKING_GROUP = "working_group", _("working group")
        SECRETARIAT = "secretariat", _("secretariat")

    # PROTECT: bodies hold meetings and cases that must be kept.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="bodies", verbose_name=_("partnership")
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=40, help_text=_("For example “FSU BU” or “SSU”.")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(
        _("level"),
        null=True,
        blank=True,
        help_text=_("1 partnership meeting, 2 SSU, 3 professional committees; empty if none."),
    )
    # PROTECT: sub-bodies keep their mandate-giver.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        verbose_name=_("parent body"),
    )
    mandate = models.TextField(_("mandate"), blank=True)
    description = models.TextField(_("description"), blank=True)
    meetings_open = models.BooleanField(
        _("meetings are open"), default=False, help_text=_("Whether the public may attend.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = BodyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["partnership", "level", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="body_unique_slug_per_partnership"),
            models.UniqueConstraint(
                fields=["partnership", "short_name"], name="body_unique_short_name_per_partnership"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.partnership.short_name or self.partnership.name})"

    def get_absolute_url(self):
        return reverse("portal:body", args=[self.partnership.slug, self.slug])


class Person(models.Model):
    """A person who sits in a body, writes a case or speaks at a meeting."""

    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    # SET_NULL: a person stays on record if their employer is removed.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        related_name="people",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Not public."))
    phone = models.CharField(_("phone"), max_length=40, blank=True, help_text=_("Not public."))
    # SET_NULL: deleting a login keeps the person and their history.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="person",
        null=True,
        blank=True,
        verbose_name=_("login"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's seat in a body, on behalf of an organisation, for a period."""

    class Role(models.TextChoices):
        LEADER = "leader", _("leader")
        DEPUTY_LEADER = "deputy_leader", _("deputy leader")
        MEMBER = "member", _("member")
        SUBSTITUTE = "substitute", _("substitute")
        OBSERVER = "observer", _("observer")
        SECRETARY = "secretary", _("secretary")
        REFERENT = "referent", _("minute-taker")
        FACILITATOR = "facilitator", _("facilitator")

    LEADING_ROLES = (Role.LEADER, Role.DEPUTY_LEADER)

    # CASCADE: a membership means nothing without its person or its body.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("body")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    # PROTECT: whom a member represented is part of the record.
    on_behalf_of = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="representatives",
        null=True,
        blank=True,
        verbose_name=_("on behalf of"),
    )
    title = models.CharField(
        _("title in the body"),
        max_length=300,
        blank=True,
        help_text=_("For example “brukerrepresentant”; empty to use the person's title."),
    )
    start_date = models.DateField(
        _("start date"), null=True, blank=True, help_text=_("Empty when not published.")
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # SET_NULL: a substitute's seat survives the end of the seat it stood in for.
    substitute_for = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="substitutes",
        null=True,
        blank=True,
        verbose_name=_("substitute for"),
    )

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body", "role", "person__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="membership_end_not_before_start",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_role_display()}, {self.body.short_name}"

    def in_force_on(self, day) -> bool:
        """Whether the seat is held on `day`: querysets.current_q for a membership already read."""
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or self.end_date >= day
        )


class PatientGroup(models.Model):
    """One of the priority patient groups, used as a tag on cases and measures."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patient group")
        verbose_name_plural = _("patient groups")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class SecurityEvent(models.Model):
    """One security event (a login, a failure, a lockout, a refusal…), as the log line says it.

    Written by helsefellesskap/security_log.py, the same call that logs it, and read by the
    secretariat (its own partnership's users) and superusers (all, in the admin). Never holds a
    password, token or key. An operational record: no history, shown by no document.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    event = models.CharField(_("event"), max_length=40)
    # SET_NULL: a deleted login's events stay, with the username they were made under.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="security_events",
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.CharField(_("client address"), max_length=64, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    detail = models.CharField(_("details"), max_length=500, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="securityevent_user_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.username or self.user_id or '-'}"


class SourceDocument(models.Model):
    """A document records were loaded from (a referat, a notice with case papers, a programme…).

    Records loaded from it point at it (`source`) and say so on their pages ("Kilde: …"); records
    entered in the portal have no source and say nothing. The file is the copy kept in
    fixtures/sources/, never edited.
    """

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        CASE_PAPERS = "case_papers", _("notice and case papers")
        CASE_PAPER = "case_paper", _("case paper")
        PROGRAMME = "programme", _("programme")
        PRESENTATION = "presentation", _("presentation")
        ACTION_PLAN = "action_plan", _("action plan")

    # PROTECT: a source stays as long as its partnership.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="sources", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=300, help_text=_("As the document itself is headed."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("As the document gives it; empty when it gives none.")
    )
    file_name = models.CharField(
        _("file name"),
        max_length=200,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$",
                _("A file name in fixtures/sources/, such as “referat_2023-06-14.txt”."),
            )
        ],
        help_text=_("The copy of the document in fixtures/sources/."),
    )
    url = models.URLField(
        _("public address"), blank=True, help_text=_("Where the public can read the original.")
    )
    # SET_NULL: the document is kept if the organisation goes; it then just has no letterhead.
    letterhead = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        related_name="letterhead_sources",
        null=True,
        blank=True,
        verbose_name=_("letterhead"),
        help_text=_(
            "The organisation whose letterhead the document carries; its names written there are in Names."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["partnership", "date", "title"]

    def __str__(self):
        return self.title

    def letterhead_names(self):
        """The names of the letterhead organisation as this document writes them, in order."""
        if self.letterhead is None:
            return []
        return [name for name in self.letterhead.names.all() if name.source_id == self.pk]


# The records a correction of a source may concern: those loaded from a source (by app and model
# name, so this layer imports none of them).
CORRECTABLE_RECORDS = Q(app_label="meetings", model__in=["meeting", "case", "minutes"]) | Q(
    app_label="actionplans", model="actionplan"
)


class SourceCorrection(models.Model):
    """Where the portal shows a record otherwise than its source says, and why.

    Attached to the record it concerns (a meeting, a case, a plan…), shown on that record's page
    to whoever may read the record's content.
    """

    # CASCADE: a correction of a source means nothing without the source.
    source = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("source")
    )
    # CASCADE: the note goes with the content type (only if the model itself is removed).
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        limit_choices_to=CORRECTABLE_RECORDS,
        verbose_name=_("kind of record"),
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    record = GenericForeignKey("content_type", "object_id")
    source_says = models.TextField(_("the source says"))
    portal_shows = models.TextField(_("the portal shows"))
    reason = models.TextField(_("why"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("correction of a source")
        verbose_name_plural = _("corrections of sources")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="sourcecorrection_record")]

    def __str__(self):
        return f"{self.source}: {self.portal_shows[:60]}"

    def clean(self):
        super().clean()
        if self.content_type_id is None or self.object_id is None:
            return
        model = self.content_type.model_class()
        if model is None or not model._default_manager.filter(pk=self.object_id).exists():
            raise ValidationError({"object_id": _("There is no such record.")})


class Name(models.Model):
    """A name of an organisation, body or partnership in one language, as a source writes it.

    The record's own `name` is its name in bokmål; these are the others (a Sami name, the form on
    a letterhead). Only names a source gives: none is translated or made up.
    """

    class Language(models.TextChoices):
        # Codes are ISO 639 (BCP 47), used as the lang attribute in pages and PDFs.
        NB = "nb", _("Norwegian bokmål")
        SE = "se", _("Northern Sami")
        SMJ = "smj", _("Lule Sami")
        SMA = "sma", _("Southern Sami")

    # CASCADE: a name is part of the record it names.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="names",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="names", null=True, blank=True, verbose_name=_("body")
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="names",
        null=True,
        blank=True,
        verbose_name=_("partnership"),
    )
    lang = models.CharField(_("language"), max_length=3, choices=Language.choices)
    name = models.CharField(_("name"), max_length=200)
    # SET_NULL: a name stays when the document it was read from is removed.
    source = models.ForeignKey(
        SourceDocument,
        on_delete=models.SET_NULL,
        related_name="names",
        null=True,
        blank=True,
        verbose_name=_("source"),
        help_text=_("The document that writes the name so."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("name in a language")
        verbose_name_plural = _("names in other languages")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, body__isnull=True, partnership__isnull=True)
                    | Q(organisation__isnull=True, body__isnull=False, partnership__isnull=True)
                    | Q(organisation__isnull=True, body__isnull=True, partnership__isnull=False)
                ),
                name="name_has_one_owner",
                violation_error_message=_("A name belongs to exactly one organisation, body or partnership."),
            ),
            *(
                models.UniqueConstraint(
                    fields=[owner, "lang", "name"],
                    condition=Q(**{f"{owner}__isnull": False}),
                    name=f"name_unique_per_{owner}_and_language",
                    violation_error_message=_("This name is already recorded in this language."),
                )
                for owner in ("organisation", "body", "partnership")
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.lang})"
