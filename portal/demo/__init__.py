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
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from actionplans.models import ActionPlan, FocusArea, Goal, Measure, ProgressReport
from governance.models import (
    Body,
    Membership,
    Name,
    Organisation,
    Partnership,
    PatientGroup,
    Person,
    SourceCorrection,
    SourceDocument,
)
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

from .base import (
    CHANGE_REASON,
    DEMO_PASSWORD,
    DEMO_USERS,
    FIXTURE_FILES,
    FIXTURES_DIR,
    OSLO,
    DatabaseNotEmpty,
    DemoDataError,
    DemoUser,
    Registry,
    _check_fields,
)
from .loaders import (
    create_demo_users,
    load_action_plans,
    load_bodies,
    load_meetings,
    load_memberships,
    load_organisations,
    load_partnerships,
    load_patient_groups,
    load_people,
)
from .sources import begin_file, load_corrections, load_names, load_sources

__all__ = [
    "CHANGE_REASON",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DOMAIN_MODELS",
    "OSLO",
    "DatabaseNotEmpty",
    "DemoDataError",
    "DemoUser",
    "load_demo",
    "summary",
]


# The domain's tables with Norwegian labels, children before parents, so deleting in this order
# never meets PROTECT.
DOMAIN_MODELS: tuple[tuple[type[models.Model], str], ...] = (
    (ProgressReport, "statusrapporter"),
    (Measure, "tiltak"),
    (Goal, "mål"),
    (FocusArea, "innsatsområder"),
    (ActionPlan, "handlingsplaner"),
    (SourceCorrection, "rettelser av kildene"),
    (Name, "navn på andre språk"),
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
    (SourceDocument, "kildedokumenter"),
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
            "source",
            "sources",
            "names",
            "corrections",
        },
        "fil",
    )
    load_patient_groups(data.get("patient_groups", []), registry)
    load_partnerships(data.get("partnerships", []), registry)
    load_organisations(data.get("organisations", []), registry)
    load_bodies(data.get("bodies", []), registry)
    load_sources(data.get("sources", []), registry)
    load_names(data.get("names", []), registry)
    begin_file(data, registry)
    load_people(data.get("people", []), registry)
    load_memberships(data.get("memberships", []), registry)
    load_meetings(data.get("meetings", []), registry)
    load_action_plans(data.get("action_plans", []), registry)
    load_corrections(data.get("corrections", []), registry)


def summary() -> list[tuple[str, int]]:
    """(Norwegian label, row count) for the main domain tables."""
    labels = dict(DOMAIN_MODELS)
    return [(labels[model], model.objects.count()) for model in SUMMARY_MODELS]
