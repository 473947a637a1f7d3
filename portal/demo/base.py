"""What every part of the demo loader shares: constants, errors, the key registry, saving."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from actionplans.models import ActionPlan
from governance.models import Body, Organisation, Partnership, PatientGroup, Person, SourceDocument
from meetings.models import (
    Case,
    Meeting,
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
    # Source documents by file name; `source` is the one the file being loaded was made from
    # (its header's `source`), set on every meeting, case, minutes and plan it loads.
    sources: dict[str, SourceDocument] = field(default_factory=dict)
    source: SourceDocument | None = None

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
