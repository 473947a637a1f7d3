"""Demo data: the seed documents, held as TOML in fixtures/, loaded into an empty database.

`load_demo()` reads every fixture file in FIXTURE_FILES order and creates the objects
they describe, in one transaction, each history row carrying CHANGE_REASON. The
`load_*` functions take already parsed data (dicts and lists from `tomllib`), so the
same code can load any file of the same shape.

Records refer to each other by `key`, a name used only inside the fixture files:
organisations, people, meetings and cases have an explicit key; a body's key is
"<partnership key>-<slug>" (for example "to-fsu-bu"); a patient group's key is its slug.
Unknown fields and unknown keys are errors, so a typo in a fixture fails loudly.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from actionplans.models import ActionPlan, FocusArea, Goal, Measure, ProgressReport
from governance.models import Body, Membership, Organisation, Partnership, PatientGroup, Person
from meetings.models import (
    Attachment,
    Attendance,
    Case,
    CaseSection,
    FollowUp,
    Meeting,
    Minutes,
    Recusal,
    Reservation,
)

CHANGE_REASON = "Demodata fra seed-dokumentene"
DEMO_PASSWORD = "helsefellesskap-demo"
OSLO = ZoneInfo("Europe/Oslo")

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
# Loaded in this order: later files refer to records made by earlier ones.
FIXTURE_FILES = (
    "partnerships.toml",
    "lofoten_samhandlingsarena_2023-06-14.toml",
    "dialogmotet_2024.toml",
    "pm_sak_04-2022.toml",
    "pm_sak_07-2021.toml",
    "fsu_bu_2023-05-12.toml",
    "handlingsplan_hto_2023.toml",
    "demo_extras.toml",
)


@dataclass(frozen=True)
class DemoUser:
    """A demo login; `person` is the fixture key of the Person it is linked to."""

    username: str
    person: str | None
    description: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS: dict[str, DemoUser] = {
    user.username: user
    for user in (
        DemoUser(
            "sekretariat",
            "lene-kristiansen",
            "Sekretariatet i Helsefellesskapet Troms og Ofoten (Lene Kristiansen)",
            is_staff=True,
        ),
        DemoUser("leder", "nina-engelsen", "Nestleder i FSU barn og unge, Troms og Ofoten (Nina Engelsen)"),
        DemoUser("medlem", "demo-medlem", "Medlem av FSU barn og unge, Troms og Ofoten (Demo Medlem)"),
        DemoUser(
            "sekretariat-nord",
            "knut-erik-dahlmo",
            "Samhandlingssekretariatet i Helsefellesskapet Lofoten, Vesterålen, Salten (Knut Erik Dahlmo)",
            is_staff=True,
        ),
        DemoUser("admin", None, "Superbruker", is_staff=True, is_superuser=True),
    )
}

# The domain's tables with Norwegian labels, children before parents, so deleting in this order
# never meets PROTECT.
DOMAIN_MODELS: tuple[tuple[type[models.Model], str], ...] = (
    (ProgressReport, "statusrapporter"),
    (Measure, "tiltak"),
    (Goal, "mål"),
    (FocusArea, "innsatsområder"),
    (ActionPlan, "handlingsplaner"),
    (FollowUp, "oppfølgingspunkter"),
    (Minutes, "referater"),
    (Attachment, "vedlegg"),
    (Recusal, "inhabilitet"),
    (Reservation, "protokolltilførsler"),
    (CaseSection, "saksavsnitt"),
    (Attendance, "oppmøterader"),
    (Case, "saker og programpunkter"),
    (Meeting, "møter"),
    (Membership, "medlemskap"),
    (Person, "personer"),
    (Body, "organer"),
    (Organisation, "organisasjoner"),
    (PatientGroup, "pasientgrupper"),
    (Partnership, "helsefellesskap"),
)
# The order the summary is printed in.
SUMMARY_MODELS = (
    Partnership,
    Organisation,
    Body,
    Person,
    Membership,
    PatientGroup,
    Meeting,
    Case,
    CaseSection,
    Attachment,
    Attendance,
    Minutes,
    FollowUp,
    ActionPlan,
    FocusArea,
    Goal,
    Measure,
)


class DemoDataError(Exception):
    """A fixture file cannot be loaded as written."""


class DatabaseNotEmpty(DemoDataError):
    """The database already holds domain data (or demo logins)."""


@dataclass
class Registry:
    """Objects created so far, by fixture key, so later records can refer to them."""

    today: dt.date
    now: dt.datetime
    partnerships: dict[str, Partnership] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    patient_groups: dict[str, PatientGroup] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    action_plans: dict[str, ActionPlan] = field(default_factory=dict)

    def get(self, kind: str, key: str):
        try:
            return getattr(self, kind)[key]
        except KeyError:
            raise DemoDataError(f"Ukjent nøkkel i {kind}: «{key}»") from None

    def get_many(self, kind: str, keys: list[str]) -> list:
        return [self.get(kind, key) for key in keys]

    def add(self, kind: str, key: str | None, obj):
        if key is None:
            return obj
        registry = getattr(self, kind)
        if key in registry:
            raise DemoDataError(f"Nøkkelen «{key}» er brukt to ganger i {kind}")
        registry[key] = obj
        return obj


# --- Entry point ---------------------------------------------------------------------------


def load_demo(
    *,
    flush: bool = False,
    fixtures_dir: Path | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Registry:
    """Load every fixture file and the demo logins, in one transaction.

    Refuses (DatabaseNotEmpty) if any domain data or demo login exists, unless `flush`,
    which first deletes all domain data and the demo logins.
    """
    directory = Path(fixtures_dir or FIXTURES_DIR)
    documents = [read_fixture(directory / name) for name in FIXTURE_FILES]
    now = now or timezone.now()
    registry = Registry(today=today or timezone.localtime(now, OSLO).date(), now=now)
    with transaction.atomic():
        if flush:
            flush_domain_data()
        else:
            ensure_empty()
        for document in documents:
            load_document(document, registry)
        create_demo_users(registry)
    return registry


def read_fixture(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise DemoDataError(f"Finner ikke fixture-filen {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DemoDataError(f"{path.name}: ugyldig TOML: {exc}") from exc


def existing_data() -> list[str]:
    """Labels of the domain tables (and demo logins) that already hold rows."""
    found = [label for model, label in reversed(DOMAIN_MODELS) if model.objects.exists()]
    if get_user_model().objects.filter(username__in=DEMO_USERS).exists():
        found.append("demobrukere")
    return found


def ensure_empty() -> None:
    found = existing_data()
    if found:
        raise DatabaseNotEmpty(
            "Databasen er ikke tom (den har allerede: "
            + ", ".join(found)
            + "). Demodataene lastes bare inn i en tom database. Kjør med --flush for å slette "
            "alle eksisterende domenedata og demobrukerne først."
        )


def flush_domain_data() -> None:
    """Delete all domain data and the demo logins. History rows are kept."""
    Body.objects.exclude(parent=None).update(parent=None)
    Organisation.objects.exclude(parent=None).update(parent=None)
    Case.objects.exclude(previous=None).update(previous=None)
    Membership.objects.exclude(substitute_for=None).update(substitute_for=None)
    for model, _label in DOMAIN_MODELS:
        model.objects.all().delete()
    get_user_model().objects.filter(username__in=DEMO_USERS).delete()


def load_document(data: dict[str, Any], registry: Registry) -> None:
    """Load one parsed fixture file; its sections are handled in dependency order."""
    _check_fields(
        data,
        {
            "patient_groups",
            "partnerships",
            "organisations",
            "bodies",
            "people",
            "memberships",
            "meetings",
            "action_plans",
        },
        "fil",
    )
    load_patient_groups(data.get("patient_groups", []), registry)
    load_partnerships(data.get("partnerships", []), registry)
    load_organisations(data.get("organisations", []), registry)
    load_bodies(data.get("bodies", []), registry)
    load_people(data.get("people", []), registry)
    load_memberships(data.get("memberships", []), registry)
    load_meetings(data.get("meetings", []), registry)
    load_action_plans(data.get("action_plans", []), registry)


def summary() -> list[tuple[str, int]]:
    """(Norwegian label, row count) for the main domain tables."""
    labels = dict(DOMAIN_MODELS)
    return [(labels[model], model.objects.count()) for model in SUMMARY_MODELS]


# --- Helpers -------------------------------------------------------------------------------


def _save(obj: models.Model) -> models.Model:
    """Validate and save with the demo change reason (also used by its m2m history rows)."""
    obj._change_reason = CHANGE_REASON
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise DemoDataError(f"Ugyldige demodata for {type(obj).__name__}: {exc.messages}") from exc
    obj.save()
    return obj


def _check_fields(data: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise DemoDataError(f"Ukjente felt i {what}: {', '.join(sorted(unknown))}")


def _text(value: Any) -> Any:
    """Strip the newlines TOML's multi-line strings leave at the ends."""
    return value.strip() if isinstance(value, str) else value


def _fields(data: dict[str, Any], names: set[str]) -> dict[str, Any]:
    return {name: _text(data[name]) for name in names if name in data}


def _aware(value: dt.datetime) -> dt.datetime:
    """TOML local date-times are wall-clock times in Oslo."""
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, OSLO)


# --- Loaders -------------------------------------------------------------------------------


def load_patient_groups(rows: list[dict[str, Any]], registry: Registry) -> None:
    for order, row in enumerate(rows, start=len(registry.patient_groups) + 1):
        _check_fields(row, {"name", "slug"}, "pasientgruppe")
        group = _save(PatientGroup(name=row["name"], slug=row["slug"], order=order))
        registry.add("patient_groups", row["slug"], group)


PARTNERSHIP_FIELDS = {"name", "short_name", "slug", "description", "website", "case_number_style"}


def load_partnerships(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, PARTNERSHIP_FIELDS | {"key"}, "helsefellesskap")
        partnership = _save(Partnership(**_fields(row, PARTNERSHIP_FIELDS)))
        registry.add("partnerships", row["key"], partnership)


ORGANISATION_FIELDS = {"name", "short_name", "kind", "region"}


def load_organisations(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, ORGANISATION_FIELDS | {"key", "partnership", "parent"}, "organisasjon")
        organisation = Organisation(**_fields(row, ORGANISATION_FIELDS))
        if "partnership" in row:
            organisation.partnership = registry.get("partnerships", row["partnership"])
        if "parent" in row:
            organisation.parent = registry.get("organisations", row["parent"])
        registry.add("organisations", row["key"], _save(organisation))


BODY_FIELDS = {
    "name",
    "short_name",
    "slug",
    "kind",
    "level",
    "mandate",
    "description",
    "meetings_open",
    "order",
}


def load_bodies(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, BODY_FIELDS | {"partnership", "parent"}, "organ")
        body = Body(**_fields(row, BODY_FIELDS), partnership=registry.get("partnerships", row["partnership"]))
        if "parent" in row:
            body.parent = registry.get("bodies", row["parent"])
        registry.add("bodies", f"{row['partnership']}-{row['slug']}", _save(body))


PERSON_FIELDS = {"name", "title", "email", "phone"}


def load_people(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, PERSON_FIELDS | {"key", "organisation"}, "person")
        person = Person(**_fields(row, PERSON_FIELDS))
        if "organisation" in row:
            person.organisation = registry.get("organisations", row["organisation"])
        registry.add("people", row["key"], _save(person))


MEMBERSHIP_FIELDS = {"role", "title", "start_date", "end_date"}


def load_memberships(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, MEMBERSHIP_FIELDS | {"person", "body", "on_behalf_of"}, "medlemskap")
        membership = Membership(
            **_fields(row, MEMBERSHIP_FIELDS),
            person=registry.get("people", row["person"]),
            body=registry.get("bodies", row["body"]),
        )
        if "on_behalf_of" in row:
            membership.on_behalf_of = registry.get("organisations", row["on_behalf_of"])
        _save(membership)


MEETING_FIELDS = {
    "title",
    "theme",
    "place",
    "is_digital",
    "online_link",
    "is_open",
    "status",
    "purpose",
    "start_time_known",
}
MEETING_SPECIAL = {
    "key",
    "body",
    "start",
    "end",
    "days_from_today",
    "start_time",
    "end_time",
    "notice_issued_at",
    "notice_issued_now",
    "number_cases_from",
    "minutes",
    "attendances",
    "cases",
    "follow_ups",
}


def load_meetings(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        load_meeting(row, registry)


def load_meeting(row: dict[str, Any], registry: Registry) -> Meeting:
    """A meeting with its cases, attendance, follow-ups and minutes.

    The time is either `start`/`end` (local date-times) or `days_from_today` with
    `start_time`/`end_time`, for demo meetings that must lie in the future.
    """
    _check_fields(row, MEETING_FIELDS | MEETING_SPECIAL, "møte")
    if "days_from_today" in row:
        day = registry.today + dt.timedelta(days=row["days_from_today"])
        start = dt.datetime.combine(day, row["start_time"])
        end = dt.datetime.combine(day, row["end_time"]) if "end_time" in row else None
    else:
        start, end = row["start"], row.get("end")
    meeting = Meeting(
        **_fields(row, MEETING_FIELDS),
        body=registry.get("bodies", row["body"]),
        start=_aware(start),
        end=_aware(end) if end else None,
    )
    if "notice_issued_at" in row:
        meeting.notice_issued_at = _aware(row["notice_issued_at"])
    if row.get("notice_issued_now"):
        meeting.notice_issued_at = registry.now
    registry.add("meetings", row.get("key"), _save(meeting))

    next_number = None
    if "number_cases_from" in row:
        used = Case.objects.filter(body=meeting.body, year=meeting_year(meeting)).aggregate(Max("number"))
        next_number = max(row["number_cases_from"], (used["number__max"] or 0) + 1)
    for case_row in row.get("cases", []):
        if next_number is not None and "number" not in case_row:
            case_row = {**case_row, "number": next_number}
            next_number += 1
        load_case(case_row, meeting, registry)
    load_attendances(row.get("attendances", []), meeting, registry)
    load_follow_ups(row.get("follow_ups", []), meeting, registry)
    if "minutes" in row:
        load_minutes(row["minutes"], meeting, registry)
    return meeting


def meeting_year(meeting: Meeting) -> int:
    return timezone.localtime(meeting.start, OSLO).year


CASE_FIELDS = {
    "agenda_title",
    "number",
    "year",
    "order",
    "kind",
    "title",
    "public_title",
    "origin",
    "case_officers",
    "presenters",
    "starts_at",
    "ends_at",
    "document_date",
    "archive_reference",
    "proposal",
    "proposal_kind",
    "decision",
    "outcome",
    "exempt",
    "exemption_basis",
}


def load_case(row: dict[str, Any], meeting: Meeting, registry: Registry) -> Case:
    """A case (or programme item) on a meeting's agenda, with its sections and attachments."""
    _check_fields(row, CASE_FIELDS | {"key", "previous", "patient_groups", "sections", "attachments"}, "sak")
    case = Case(body=meeting.body, meeting=meeting, **_fields(row, CASE_FIELDS))
    if case.year is None:
        case.year = meeting_year(meeting)
    if "previous" in row:
        case.previous = registry.get("cases", row["previous"])
    _save(case)
    registry.add("cases", row.get("key"), case)
    if "patient_groups" in row:
        case.patient_groups.set(registry.get_many("patient_groups", row["patient_groups"]))
    for order, section in enumerate(row.get("sections", []), start=1):
        _check_fields(section, {"heading", "text"}, "saksavsnitt")
        _save(CaseSection(case=case, order=order, **_fields(section, {"heading", "text"})))
    for order, attachment in enumerate(row.get("attachments", []), start=1):
        names = {"title", "exempt", "exemption_basis"}
        _check_fields(attachment, names, "vedlegg")
        _save(Attachment(case=case, order=order, **_fields(attachment, names)))
    return case


ATTENDANCE_FIELDS = {"title", "status", "role", "is_referent", "note"}


def load_attendances(rows: list[dict[str, Any]], meeting: Meeting, registry: Registry) -> None:
    for order, row in enumerate(rows, start=1):
        _check_fields(row, ATTENDANCE_FIELDS | {"person", "on_behalf_of", "substitute_for"}, "oppmøte")
        attendance = Attendance(
            meeting=meeting,
            order=order,
            person=registry.get("people", row["person"]),
            **_fields(row, ATTENDANCE_FIELDS),
        )
        if "on_behalf_of" in row:
            attendance.on_behalf_of = registry.get("organisations", row["on_behalf_of"])
        if "substitute_for" in row:
            attendance.substitute_for = registry.get("people", row["substitute_for"])
        _save(attendance)


FOLLOW_UP_FIELDS = {"title", "what", "responsible", "due", "status"}


def load_follow_ups(rows: list[dict[str, Any]], meeting: Meeting, registry: Registry) -> None:
    for order, row in enumerate(rows, start=1):
        _check_fields(row, FOLLOW_UP_FIELDS | {"case", "responsible_person"}, "oppfølgingspunkt")
        follow_up = FollowUp(meeting=meeting, order=order, **_fields(row, FOLLOW_UP_FIELDS))
        if "case" in row:
            follow_up.case = registry.get("cases", row["case"])
        if "responsible_person" in row:
            follow_up.responsible_person = registry.get("people", row["responsible_person"])
        _save(follow_up)


def load_minutes(row: dict[str, Any], meeting: Meeting, registry: Registry) -> Minutes:
    _check_fields(
        row, {"text", "approved_at", "approval_method", "approved_in_case", "published_at"}, "referat"
    )
    minutes = Minutes(meeting=meeting, **_fields(row, {"text", "approval_method"}))
    for name in ("approved_at", "published_at"):
        if name in row:
            setattr(minutes, name, _aware(row[name]))
    if "approved_in_case" in row:
        minutes.approved_in_case = registry.get("cases", row["approved_in_case"])
    return _save(minutes)


ACTION_PLAN_FIELDS = {
    "title",
    "subtitle",
    "slug",
    "period_start",
    "period_end",
    "period_text",
    "purpose",
    "introduction",
    "next_steps",
    "abbreviations",
}


def load_action_plans(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        load_action_plan(row, registry)


def load_action_plan(row: dict[str, Any], registry: Registry) -> ActionPlan:
    """A plan with its focus areas; measures sit under a goal, or directly under the area."""
    _check_fields(
        row,
        ACTION_PLAN_FIELDS | {"key", "partnership", "adopted_by", "patient_groups", "focus_areas"},
        "handlingsplan",
    )
    plan = ActionPlan(
        **_fields(row, ACTION_PLAN_FIELDS), partnership=registry.get("partnerships", row["partnership"])
    )
    if "adopted_by" in row:
        plan.adopted_by = registry.get("cases", row["adopted_by"])
    _save(plan)
    registry.add("action_plans", row.get("key"), plan)
    if "patient_groups" in row:
        plan.patient_groups.set(registry.get_many("patient_groups", row["patient_groups"]))
    for order, area_row in enumerate(row.get("focus_areas", []), start=1):
        _check_fields(area_row, {"number", "title", "description", "goals", "measures"}, "innsatsområde")
        area = _save(
            FocusArea(action_plan=plan, order=order, **_fields(area_row, {"number", "title", "description"}))
        )
        measure_order = 0
        for measure_row in area_row.get("measures", []):
            measure_order += 1
            load_measure(measure_row, area, None, measure_order, registry)
        for goal_order, goal_row in enumerate(area_row.get("goals", []), start=1):
            _check_fields(goal_row, {"text", "measures"}, "mål")
            goal = _save(Goal(focus_area=area, order=goal_order, text=_text(goal_row["text"])))
            for measure_row in goal_row.get("measures", []):
                measure_order += 1
                load_measure(measure_row, area, goal, measure_order, registry)
    return plan


MEASURE_FIELDS = {"letter", "text", "responsible_text", "status", "due"}


def load_measure(
    row: dict[str, Any], area: FocusArea, goal: Goal | None, order: int, registry: Registry
) -> Measure:
    _check_fields(
        row,
        MEASURE_FIELDS | {"responsible_bodies", "responsible_organisations", "cases", "patient_groups"},
        "tiltak",
    )
    measure = _save(Measure(focus_area=area, goal=goal, order=order, **_fields(row, MEASURE_FIELDS)))
    if "responsible_bodies" in row:
        measure.responsible_bodies.set(registry.get_many("bodies", row["responsible_bodies"]))
    if "responsible_organisations" in row:
        measure.responsible_organisations.set(
            registry.get_many("organisations", row["responsible_organisations"])
        )
    if "cases" in row:
        measure.cases.set(registry.get_many("cases", row["cases"]))
    if "patient_groups" in row:
        measure.patient_groups.set(registry.get_many("patient_groups", row["patient_groups"]))
    return measure


def create_demo_users(registry: Registry) -> None:
    """The DEMO_USERS logins, each linked to its Person, all with DEMO_PASSWORD."""
    User = get_user_model()
    for demo_user in DEMO_USERS.values():
        person = registry.get("people", demo_user.person) if demo_user.person else None
        first_name, _, last_name = person.name.rpartition(" ") if person else ("", "", "")
        user = User(
            username=demo_user.username,
            first_name=first_name,
            last_name=last_name,
            email=person.email if person else "",
            is_staff=demo_user.is_staff,
            is_superuser=demo_user.is_superuser,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if person is not None:
            person.user = user
            _save(person)
