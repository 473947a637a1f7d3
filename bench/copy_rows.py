"""Rows written with PostgreSQL's COPY, from each model's own metadata (bench/generate.py).

A `Table` takes rows as dicts by attname, fills in the model's defaults, gives primary keys from
the table's maximum and sets the identity sequence at the end; a `Writer` adds a model's
django-simple-history rows beside each row (and m2m history beside many-to-many links).
"""

import datetime as dt
import io
import re
import uuid

from national_text import REASON_CREATED

# --- COPY from the models' own metadata ---------------------------------------------------------


def _tsv(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    return str(value)


class Table:
    """Rows of one model (or a history or through model), given as dicts by attname, COPYed in chunks."""

    CHUNK = 20000

    def __init__(self, model, connection):
        self.model = model
        self.connection = connection
        self.fields = list(model._meta.concrete_fields)
        self.pk = model._meta.pk
        self.defaults = {}
        for field in self.fields:
            if field.has_default():
                default = field.default
                self.defaults[field.attname] = default if not callable(default) else None
            elif field.null:
                self.defaults[field.attname] = None
            elif (
                field.get_internal_type()
                in (
                    "CharField",
                    "TextField",
                    "SlugField",
                    "URLField",
                    "EmailField",
                )
                or field.get_internal_type() == "FileField"
            ):
                self.defaults[field.attname] = ""
        self.callable_defaults = {
            f.attname: f.default for f in self.fields if f.has_default() and callable(f.default)
        }
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX("{self.pk.column}"), 0) FROM "{model._meta.db_table}"')
            self.next_pk = cursor.fetchone()[0] + 1
        self.buffer: list[str] = []
        self.count = 0

    def add(self, row: dict) -> int:
        """Add a row; returns its primary key (given here unless the row has one)."""
        pk = row.get(self.pk.attname)
        if pk is None:
            pk = row[self.pk.attname] = self.next_pk
            self.next_pk += 1
        values = []
        for field in self.fields:
            name = field.attname
            if name in row:
                value = row[name]
            elif name in self.callable_defaults:
                value = self.callable_defaults[name]()
            elif name in self.defaults:
                value = self.defaults[name]
            else:
                raise KeyError(f"{self.model._meta.label}.{name} has no value and no default")
            values.append(_tsv(value))
        self.buffer.append("\t".join(values))
        self.count += 1
        if len(self.buffer) >= self.CHUNK:
            self.flush()
        return pk

    def flush(self):
        if not self.buffer:
            return
        data = io.StringIO("\n".join(self.buffer) + "\n")
        self.buffer = []
        columns = ", ".join(f'"{field.column}"' for field in self.fields)
        with self.connection.cursor() as cursor:
            cursor.copy_expert(f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN', data)

    def finish(self):
        self.flush()
        table, column = self.model._meta.db_table, self.pk.column
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_get_serial_sequence('\"{table}\"', '{column}')")
            sequence = cursor.fetchone()[0]
            if sequence:
                cursor.execute(
                    f'SELECT setval(%s, (SELECT COALESCE(MAX("{column}"), 1) FROM "{table}"))', [sequence]
                )


class Writer:
    """Tables by model, each model's history table beside it, and the counts."""

    def __init__(self, connection):
        self.connection = connection
        self.tables: dict = {}

    def table(self, model) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model, self.connection)
        return self.tables[model]

    def add(self, model, row: dict, history=(("+", None, REASON_CREATED),)) -> int:
        """Insert `row` into `model`'s table and one history row per (type, when, reason, changes)."""
        pk = self.table(model).add(row)
        manager = getattr(model, "history", None)
        if manager is not None:
            historical = self.table(manager.model)
            for entry in history:
                kind, when, reason = entry[:3]
                changes = entry[3] if len(entry) > 3 else None
                values = dict(row, **(changes or {}))
                values.pop("history_id", None)
                historical.add(
                    values
                    | {
                        "history_date": when or row.get("_when") or dt.datetime.now(dt.UTC),
                        "history_type": kind,
                        "history_change_reason": reason,
                        "history_user_id": None,
                    }
                )
        return pk

    def link(self, through, history_model, rows: list[dict], history_ids=()):
        """Many-to-many rows, and their copies in the m2m history table for each history row id."""
        table = self.table(through)
        pks = [table.add(dict(row)) for row in rows]
        if history_model is not None:
            hist = self.table(history_model)
            for history_id in history_ids:
                for pk, row in zip(pks, rows, strict=True):
                    hist.add(row | {"id": pk, "history_id": history_id})

    def finish(self):
        for table in self.tables.values():
            table.finish()

    def counts(self) -> dict[str, int]:
        return {model._meta.label: table.count for model, table in self.tables.items()}


def m2m_history(model, field_name):
    """django-simple-history's history model of a many-to-many field ("HistoricalCase_patient_groups")."""
    from django.apps import apps

    return apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{field_name}")


def slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    return re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-")
