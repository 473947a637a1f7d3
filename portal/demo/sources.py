"""The loader's provenance part: source documents, names as sources write them, corrections.

A fixture file made from one source document says so in its header (`source =
"sources/<file>.txt"`, the copy in fixtures/sources/); every meeting, case, minutes and plan it
loads points at that document. `[[sources]]` describes the documents, `[[names]]` the names of
organisations, bodies and partnerships in other languages as a source writes them, and
`[[corrections]]` each place where the demo data shows a record otherwise than its source says.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.contrib.contenttypes.models import ContentType

from governance.models import Name, SourceCorrection, SourceDocument

from .base import DemoDataError, Registry, _check_fields, _fields, _save

SOURCES_FOLDER = "sources"


def source_file_name(value: str) -> str:
    """The file name in fixtures/sources/ of a header's or a row's `source` ("sources/<file>.txt")."""
    path = PurePosixPath(value)
    if path.parent.as_posix() != SOURCES_FOLDER or path.suffix != ".txt":
        raise DemoDataError(f"«{value}»: en kilde skrives «sources/<fil>.txt» (en fil i fixtures/sources/)")
    return path.name


def source_of(value: str, registry: Registry) -> SourceDocument:
    return registry.get("sources", source_file_name(value))


def begin_file(data: dict[str, Any], registry: Registry) -> None:
    """Set the source of the records this file loads (none when the header names none)."""
    registry.source = source_of(data["source"], registry) if "source" in data else None


SOURCE_FIELDS = {"title", "kind", "date", "url"}


def load_sources(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, SOURCE_FIELDS | {"file", "partnership", "letterhead"}, "kilde")
        source = SourceDocument(
            **_fields(row, SOURCE_FIELDS),
            file_name=source_file_name(row["file"]),
            partnership=registry.get("partnerships", row["partnership"]),
        )
        if "letterhead" in row:
            source.letterhead = registry.get("organisations", row["letterhead"])
        registry.add("sources", source.file_name, _save(source))


# A name's owner: the fixture field, the registry it is looked up in.
NAME_OWNERS = {"organisation": "organisations", "body": "bodies", "partnership": "partnerships"}


def load_names(rows: list[dict[str, Any]], registry: Registry) -> None:
    for order, row in enumerate(rows, start=1):
        _check_fields(row, {"lang", "name", "source", *NAME_OWNERS}, "navn")
        owners = {key: registry.get(kind, row[key]) for key, kind in NAME_OWNERS.items() if key in row}
        name = Name(lang=row["lang"], name=row["name"], order=order, **owners)
        if "source" in row:
            name.source = source_of(row["source"], registry)
        _save(name)


# What a correction may concern: "<kind>:<fixture key>".
CORRECTABLE = ("meetings", "cases", "action_plans")


def load_corrections(rows: list[dict[str, Any]], registry: Registry) -> None:
    """Corrections of the file's source, each attached to the record it concerns."""
    for order, row in enumerate(rows, start=1):
        _check_fields(row, {"record", "source_says", "portal_shows", "reason"}, "rettelse")
        if registry.source is None:
            raise DemoDataError("En rettelse står i en fil uten `source` i hodet")
        kind, _, key = row["record"].partition(":")
        if kind not in CORRECTABLE:
            raise DemoDataError(f"«{row['record']}»: en rettelse gjelder {', '.join(CORRECTABLE)}")
        record = registry.get(kind, key)
        _save(
            SourceCorrection(
                source=registry.source,
                content_type=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                order=order,
                **_fields(row, {"source_says", "portal_shows", "reason"}),
            )
        )
