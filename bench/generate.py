#!/usr/bin/env python3
"""A national-scale database for the web benchmark (bench/web.py), made with the project's models.

    .venv/bin/python bench/generate.py --database postgres://postgres@127.0.0.1:5432/bench_national
    .venv/bin/python bench/generate.py --database postgres://…/bench_small --scale 0.02
    .venv/bin/python bench/generate.py --database … --force     # drop and generate again

Creates the database (PostgreSQL only), migrates it, loads the real demo data (`load_demo`: the
FSU barn og unge meeting of 12 May 2023, case 08/23, the demo logins) and then adds, at scale 1:
17 more partnerships (19 in all, as Norway has), ~300 bodies, ~6,000 meetings (mostly past with
published minutes, some future, statuses from meetings/lifecycle.py, a few cancelled), ~50,000
cases with 2–4 sections of 1–3 KB Norwegian-looking text (words drawn with their frequency from
the seed documents in ../shared/seeds/), exempt cases, attachment rows (listed by title, no file),
attendance, minutes with sections, follow-up points, reservations, recusals, action plans with
focus areas, goals and measures linked to cases and bodies, people and memberships, and
django-simple-history rows for all of it (a "created" row for every row and "changed" rows for
the edits a case and its sections go through: about 1,000,000 history rows in all).

Fast: rows are written with PostgreSQL's COPY, built from each model's own `_meta` (the same
columns, defaults and history models django-simple-history defines), in chunks; primary keys
are given from the table's maximum and the identity sequences set afterwards. COPY bypasses the
model signals, so the generator ends as documents/stamps.py asks: `stamps.bump()` of every
partnership's scope and GLOBAL. It then runs any management command that rebuilds a maintained
column (a name starting with "rebuild" or containing "search_vector"/"reindex", if one exists).

Re-runnable: a database already generated at the same scale (table `bench_generated`) is kept
and reused unless --force; it prints how long each part took and the counts.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("BENCH_SEEDS", ROOT.parent / "shared" / "seeds"))
OSLO = ZoneInfo("Europe/Oslo")
MARKER = "bench_generated"

# At scale 1 (the "national scale").
GENERATED_PARTNERSHIPS = 17
BODIES = 300
MEETINGS = 6000
CASES_PER_MEETING = (4, 13)  # inclusive: mean 8.5 → ~50,000 cases
FIRST_DAY = dt.date(2019, 1, 7)
LAST_DAY = dt.date(2027, 6, 25)

PARTNERSHIP_NAMES = [
    "Finnmark",
    "Helgeland",
    "Nordland",
    "Nord-Trøndelag",
    "Trondheimsregionen",
    "Møre og Romsdal",
    "Sogn og Fjordane",
    "Bergensområdet",
    "Fonna",
    "Stavangerområdet",
    "Agder",
    "Vestfold",
    "Telemark",
    "Vestre Viken",
    "Innlandet",
    "Østfold",
    "Akershus",
    "Oslo",
    "Romerike",
    "Hallingdal",
]
# (name, short name, kind, level); the first three are the levels 1–2, the rest are level 3 or none.
BODY_TEMPLATES = [
    ("Partnerskapsmøtet", "PM", "partnership_meeting", 1),
    ("Strategisk samarbeidsutvalg", "SSU", "strategic_committee", 2),
    ("Dialogmøtet", "Dialogmøtet", "dialogue_meeting", None),
    ("Faglig samarbeidsutvalg barn og unge", "FSU BU", "professional_committee", 3),
    ("Faglig samarbeidsutvalg psykisk helse og rus", "FSU PHR", "professional_committee", 3),
    ("Faglig samarbeidsutvalg skrøpelige eldre", "FSU ELDRE", "professional_committee", 3),
    ("Faglig samarbeidsutvalg kroniske lidelser", "FSU KRON", "professional_committee", 3),
    ("Faglig samarbeidsutvalg akuttmedisin", "FSU AKM", "professional_committee", 3),
    ("Faglig samarbeidsutvalg habilitering og rehabilitering", "FSU REHAB", "professional_committee", 3),
    ("Faglig samarbeidsutvalg digitalisering", "FSU DIGI", "professional_committee", 3),
    ("Faglig samarbeidsutvalg palliasjon", "FSU PALL", "professional_committee", 3),
    ("Faglig samarbeidsutvalg legemidler", "FSU LM", "professional_committee", 3),
    ("Samhandlingsarena nord", "Arena nord", "network", None),
    ("Samhandlingsarena sør", "Arena sør", "network", None),
    ("Brukerrådsnettverket", "Brukernett", "network", None),
    ("Arbeidsgruppe for samhandlingsavvik", "AG avvik", "working_group", None),
    ("Arbeidsgruppe for utskrivningsklare pasienter", "AG utskr", "working_group", None),
    ("Arbeidsgruppe for kompetanse", "AG komp", "working_group", None),
]
PLACE_PARTS = (
    ["Nord", "Sør", "Øst", "Vest", "Stor", "Lille", "Ny", "Gamle", "Ytre", "Indre", "Berg", "Fjell"],
    ["vik", "dal", "fjord", "øy", "sund", "nes", "haug", "lia", "vang", "bø", "strand", "mark"],
)
FIRST_NAMES = str.split(
    "Anne Kari Inger Marit Ingrid Liv Hilde Ragnhild Nina Lene Tone Siri Hanne Silje Kristin "
    "Jan Per Bjørn Ole Lars Knut Arne Tor Geir Terje Stian Espen Morten Øyvind Håkon Eirik"
)
LAST_NAMES = str.split(
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen "
    "Pettersen Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen "
    "Halvorsen Henriksen Lund Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen "
    "Eide Knutsen"
)
TITLE_PATTERNS = [
    "Orientering om {a} og {b}",
    "Handlingsplan for {a}",
    "Status for arbeidet med {a}",
    "Felles rutine for {a} i {b}",
    "Høring: {a} og {b}",
    "Evaluering av {a}",
    "Revidert samarbeidsavtale om {a}",
    "Rapport fra arbeidsgruppen for {a}",
    "Forslag til tiltak for {a}",
    "Oppfølging av {a} i kommunene",
]
EXEMPTION_BASIS = "offl. § 13 jf. fvl. § 13"
REASON_CREATED = "Generert for ytelsestest (bench/generate.py)"


# --- text ----------------------------------------------------------------------------------------


class Words:
    """Norwegian-looking text: the seed documents' words, drawn with their frequencies."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        counts = collections.Counter()
        for path in sorted(SEEDS.glob("*.txt")):
            for word in re.findall(r"[a-zæøåA-ZÆØÅ][a-zæøå\-]+", path.read_text(encoding="utf-8")):
                counts[word.lower()] += 1
        if len(counts) < 200:
            raise SystemExit(f"too few words in the seed documents under {SEEDS} (BENCH_SEEDS)")
        self.words, weights = zip(*counts.most_common(), strict=True)
        self.cumulative = list(_accumulate(weights))
        self.long = [w for w in self.words if len(w) >= 7 and "-" not in w.strip("-")]
        self.paragraphs = [self._paragraph() for _ in range(3000)]

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=k)

    def sentence(self, low=7, high=18) -> str:
        words = self.draw(self.rng.randint(low, high))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def _paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def text(self, low: int, high: int) -> str:
        """Paragraphs of the pool (shuffled), low–high characters."""
        target = self.rng.randint(low, high)
        parts, size = [], 0
        while size < target:
            paragraph = self.rng.choice(self.paragraphs)
            parts.append(paragraph)
            size += len(paragraph) + 2
        return "\n\n".join(parts)[: max(target, 80)].rsplit(" ", 1)[0] + "."

    def title(self) -> str:
        a, b = self.rng.sample(self.long, 2)
        return self.rng.choice(TITLE_PATTERNS).format(a=a, b=b)[:300]

    def queries(self, n: int) -> list[str]:
        """n search queries: the issue's words, then frequent long words and a few pairs."""
        fixed = ["palliativ", "barn", "samhandling", "psykisk helse", "kommunene", "rus", "eldre"]
        common = list(self.long[:400])
        self.rng.shuffle(common)
        out = fixed + common[: n - len(fixed) - 8]
        out += [f"{a} {b}" for a, b in zip(common[60:68], common[80:88], strict=True)]
        return out[:n]


def _accumulate(values):
    total = 0
    for value in values:
        total += value
        yield total


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


# --- the database ---------------------------------------------------------------------------------


def _split(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
        raise SystemExit(f"--database must be a PostgreSQL URL with a database name, not {url!r}")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


def _psql(admin_url: str, sql: str, *, quiet=True) -> str:
    result = subprocess.run(
        ["psql", "--no-psqlrc", "--quiet", "--tuples-only", "--no-align", f"--dbname={admin_url}", "-c", sql],
        capture_output=True,
        text=True,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    )
    if result.returncode:
        raise SystemExit(f"psql failed ({sql[:80]}): {result.stderr.strip()}")
    return result.stdout.strip()


def generated_marker(url: str) -> dict | None:
    """What `bench_generated` says about the database, or None when it is missing or not generated."""
    admin, name = _split(url)
    if _psql(admin, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        return None
    db_url = admin.rsplit("/", 1)[0] + "/" + name
    found = _psql(db_url, f"SELECT to_regclass('public.{MARKER}') IS NOT NULL")
    if found != "t":
        return None
    row = _psql(db_url, f"SELECT row_to_json(m) FROM {MARKER} m ORDER BY created DESC LIMIT 1")
    return json.loads(row) if row else None


def database_size(url: str) -> str:
    admin, name = _split(url)
    return _psql(admin, f"SELECT pg_size_pretty(pg_database_size('{name}'))")


class Timer:
    def __init__(self):
        self.parts: list[tuple[str, float]] = []
        self.started = time.monotonic()

    def part(self, label: str):
        timer = self

        class _Part:
            def __enter__(self):
                self.t = time.monotonic()
                print(f"  {label} …", flush=True)

            def __exit__(self, *exc):
                seconds = time.monotonic() - self.t
                timer.parts.append((label, seconds))
                print(f"  {label}: {seconds:.1f} s", flush=True)

        return _Part()


def media_root(url: str) -> Path:
    """The media folder (attachments, stored PDFs) that belongs with the generated database."""
    return Path(os.environ.get("BENCH_MEDIA_ROOT", f"/tmp/hf-bench/{_split(url)[1]}/media"))


def setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_MEDIA_ROOT"] = str(media_root(url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "helsefellesskap.settings.local"
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the data -------------------------------------------------------------------------------------


class Generator:
    def __init__(self, scale: float, seed: int, writer: Writer):
        self.scale = scale
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        self.w = writer
        self.now = dt.datetime.now(dt.UTC)
        self.today = self.now.astimezone(OSLO).date()

    def at(self, day: dt.date, hour=10, minute=0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)

    def person_name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def run(self, timer: Timer):
        from governance.models import Body, Partnership, PatientGroup

        self.patient_groups = list(PatientGroup.objects.values_list("pk", flat=True))
        demo = list(Partnership.objects.all())
        n_new = max(1, round(GENERATED_PARTNERSHIPS * self.scale))
        n_partnerships = n_new + len(demo)
        bodies_each = max(3, round(BODIES * self.scale / n_partnerships))
        with timer.part("partnerships, organisations, people, bodies, memberships"):
            partnerships = [(p.pk, p.slug) for p in demo]
            taken = {p.slug for p in demo}
            names = [n for n in PARTNERSHIP_NAMES if f"hf-{_slug(n)}" not in taken]
            for name in names[:n_new]:
                partnerships.append((self.partnership(name), f"hf-{_slug(name)}"))
            self.bodies = []  # (body pk, partnership pk, people pks)
            for partnership_pk, _ in partnerships:
                existing = Body.objects.filter(partnership_id=partnership_pk)
                used = {b.slug for b in existing} | {b.short_name for b in existing}
                used |= {b.name for b in existing}
                self.governance(partnership_pk, bodies_each, used)
        self.partnership_pks = [pk for pk, _ in partnerships]
        with timer.part("meetings, cases, sections, attachments, attendance, minutes, follow-ups"):
            self.meetings(round(MEETINGS * self.scale))
        with timer.part("action plans, focus areas, goals, measures"):
            for partnership_pk in self.partnership_pks[len(demo) :]:
                self.action_plans(partnership_pk)

    # governance
    def partnership(self, name: str) -> int:
        from governance.models import Partnership

        when = self.at(FIRST_DAY) - dt.timedelta(days=60)
        return self.w.add(
            Partnership,
            {
                "name": f"Helsefellesskapet {name}",
                "short_name": name,
                "slug": f"hf-{_slug(name)}",
                "description": self.words.text(200, 500),
                "case_number_style": "slash",
                "_when": when,
            },
        )

    def governance(self, partnership_pk: int, n_bodies: int, used: set[str]):
        from governance.models import Body, Membership, Organisation, Person

        when = self.at(FIRST_DAY) - dt.timedelta(days=30)
        orgs = []
        trust = self.w.add(
            Organisation,
            {
                "partnership_id": partnership_pk,
                "name": f"Helseforetaket {partnership_pk} HF",
                "short_name": f"HF{partnership_pk}",
                "kind": "health_trust",
                "_when": when,
            },
        )
        orgs.append(trust)
        names = set()
        while len(names) < 20:
            names.add("".join(self.rng.choice(part) for part in PLACE_PARTS) + " kommune")
        for name in sorted(names):
            orgs.append(
                self.w.add(
                    Organisation,
                    {"partnership_id": partnership_pk, "name": name, "kind": "municipality", "_when": when},
                )
            )
        people = [
            self.w.add(
                Person,
                {
                    "name": self.person_name(),
                    "title": self.rng.choice(
                        ["Kommunalsjef helse", "Avdelingsleder", "Rådgiver", "Fastlege"]
                    ),
                    "organisation_id": self.rng.choice(orgs),
                    "_when": when,
                },
            )
            for _ in range(10 * n_bodies)
        ]
        parents: dict[int, int] = {}
        templates = [t for t in BODY_TEMPLATES if not ({_slug(t[1]), t[1], t[0]} & used)]
        extra = 0
        while len(templates) < n_bodies:
            extra += 1
            name = f"Samhandlingsnettverk {extra}"
            if _slug(name) not in used:
                templates.append((name, f"Nettverk {extra}", "network", None))
        for order, (name, short, kind, level) in enumerate(templates[:n_bodies]):
            parent = parents.get(level - 1) if level else None
            body = self.w.add(
                Body,
                {
                    "partnership_id": partnership_pk,
                    "name": name,
                    "short_name": short,
                    "slug": _slug(short),
                    "kind": kind,
                    "level": level,
                    "parent_id": parent,
                    "mandate": self.words.text(300, 900),
                    "meetings_open": kind in ("partnership_meeting", "dialogue_meeting"),
                    "order": order,
                    "_when": when,
                },
            )
            if level and level not in parents:
                parents[level] = body
            members = self.rng.sample(people, self.rng.randint(8, 14))
            for i, person in enumerate(members):
                role = "leader" if i == 0 else "deputy_leader" if i == 1 else "member"
                self.w.add(
                    Membership,
                    {
                        "person_id": person,
                        "body_id": body,
                        "role": role,
                        "on_behalf_of_id": self.rng.choice(orgs),
                        "start_date": FIRST_DAY - dt.timedelta(days=self.rng.randint(0, 400)),
                        "_when": when,
                    },
                )
            self.bodies.append((body, partnership_pk, members, orgs))

    # meetings and cases
    def meetings(self, total: int):
        per_body = max(1, round(total / max(1, len(self.bodies))))
        span = (LAST_DAY - FIRST_DAY).days
        self.case_pks: list[tuple[int, int]] = []  # (case pk, partnership pk) of numbered cases
        for body, partnership_pk, members, orgs in self.bodies:
            days = sorted(
                {FIRST_DAY + dt.timedelta(days=d) for d in self.rng.sample(range(0, span, 1), per_body * 2)}
            )
            days = [d for d in days if d.weekday() < 5][:per_body] or [days[0]]
            numbers: collections.Counter = collections.Counter()
            previous_meeting = None
            for day in sorted(days):
                previous_meeting = self.meeting(
                    body, partnership_pk, members, orgs, day, numbers, previous_meeting
                )

    def status_for(self, day: dt.date) -> tuple[str, bool]:
        age = (self.today - day).days
        r = self.rng.random()
        if age < 0:
            if -age < 45 and r < 0.6:
                return "notice_issued", r < 0.03
            return "planned", r < 0.02
        if age < 90:
            return ("held" if r < 0.4 else "minutes_approved" if r < 0.6 else "minutes_published"), False
        if r < 0.015:
            return "notice_issued", True  # cancelled after the notice
        return ("held" if r < 0.04 else "minutes_approved" if r < 0.07 else "minutes_published"), False

    def meeting(self, body, partnership_pk, members, orgs, day, numbers, previous_meeting):
        from meetings.models import Meeting

        status, cancelled = self.status_for(day)
        start = self.at(day, self.rng.choice([9, 10, 12, 13]))
        created = start - dt.timedelta(days=self.rng.randint(30, 60))
        notice_at = start - dt.timedelta(days=14) if status != "planned" else None
        row = {
            "body_id": body,
            "title": "",
            "theme": self.words.title() if self.rng.random() < 0.2 else "",
            "start": start,
            "end": start + dt.timedelta(hours=self.rng.choice([2, 3, 4])),
            "start_time_known": True,
            "place": self.rng.choice(
                ["Teams", "Rådhuset", "Universitetssykehuset, møterom 3", "Kulturhuset"]
            ),
            "is_digital": self.rng.random() < 0.3,
            "online_link": "https://teams.example.no/m/" + uuid.UUID(int=self.rng.getrandbits(128)).hex[:12],
            "is_open": False,
            "status": status,
            "purpose": self.words.text(150, 400) if self.rng.random() < 0.3 else "",
            "notice_issued_at": notice_at,
            "cancelled_at": (notice_at or created) + dt.timedelta(days=2) if cancelled else None,
        }
        history = [
            (
                "+",
                created,
                REASON_CREATED,
                {"status": "planned", "notice_issued_at": None, "cancelled_at": None},
            )
        ]
        steps = ["planned", "notice_issued", "held", "minutes_approved", "minutes_published"]
        reached = steps.index(status)
        for i, step in enumerate(steps[1 : reached + 1], start=1):
            history.append(
                ("~", start + dt.timedelta(days=(i - 2) * 14), f"Status: {step}", {"status": step})
            )
        if cancelled:
            history.append(("~", row["cancelled_at"], "Møtet er avlyst"))
        meeting = self.w.add(Meeting, row, history)
        held = reached >= 2
        self.cases(
            meeting, body, partnership_pk, members, orgs, start, status, held, numbers, created, notice_at
        )
        if held:
            self.attendance(meeting, members, orgs, start)
            if status in ("minutes_approved", "minutes_published"):
                self.minutes(meeting, start, status, previous_meeting)
            if self.rng.random() < 0.3:
                self.follow_ups(meeting, members, start)
        return meeting

    def cases(
        self, meeting, body, partnership_pk, members, orgs, start, status, held, numbers, created, notice_at
    ):
        from meetings.models import Attachment, Case, CaseSection, Recusal, Reservation

        n = self.rng.randint(*CASES_PER_MEETING)
        numbered = status != "planned"
        case_history_model = Case.history.model
        hist_table = self.w.table(case_history_model)
        for order in range(1, n + 1):
            if order == 1:
                kind, title = "notice_approval", "Godkjenning av innkalling og saksliste"
            elif order == 2:
                kind, title = "minutes_approval", "Godkjenning av referat fra forrige møte"
            elif order == n:
                kind, title = "any_other_business", "Eventuelt"
            else:
                kind = self.rng.choice(["decision", "decision", "discussion", "information"])
                title = self.words.title()
            year = start.year
            number = None
            if numbered:
                numbers[year] += 1
                number = numbers[year]
            exempt = kind in ("decision", "discussion") and self.rng.random() < 0.03
            outcome = ""
            decision = ""
            if held:
                outcome = "for_information" if kind in ("information", "notice_approval") else "consensus"
                decision = self.words.sentence(10, 30) + " " + self.words.sentence(8, 20)
            edits = self.rng.randint(1, 3)
            row = {
                "body_id": body,
                "meeting_id": meeting,
                "year": year,
                "number": number,
                "order": order,
                "kind": kind,
                "title": title,
                "public_title": "Personalsak" if exempt else "",
                "origin": self.rng.choice(["Sekretariatet", "SSU", "Kommunene", "Helseforetaket", ""]),
                "case_officers": self.person_name(),
                "document_date": (start - dt.timedelta(days=20)).date(),
                "archive_reference": f"{year}/{self.rng.randint(100, 9999)}",
                "proposal": self.words.sentence(12, 30),
                "proposal_kind": "proposed_decision",
                "discussion": self.words.sentence(10, 25) if held and self.rng.random() < 0.3 else "",
                "decision": decision,
                "public_decision": self.words.sentence(8, 16) if exempt and held else "",
                "outcome": outcome,
                "exempt": exempt,
                "exemption_basis": EXEMPTION_BASIS if exempt else "",
                "version": 1 + edits + (1 if held else 0),
                "previous_id": (
                    self.rng.choice(self.case_pks)[0]
                    if self.case_pks and kind == "decision" and self.rng.random() < 0.05
                    else None
                ),
            }
            history = [
                ("+", created, REASON_CREATED, {"number": None, "decision": "", "outcome": "", "version": 1})
            ]
            for e in range(edits):
                history.append(
                    (
                        "~",
                        created + dt.timedelta(days=e + 1),
                        "Saksframlegg endret",
                        {"number": None, "decision": "", "outcome": ""},
                    )
                )
            if numbered:
                history.append(
                    ("~", notice_at, "Innkalling sendt: saksnummer gitt", {"decision": "", "outcome": ""})
                )
            if held:
                history.append(("~", start + dt.timedelta(hours=2), "Vedtak registrert"))
            first_history = hist_table.next_pk
            case = self.w.add(Case, row, history)
            if number is not None:
                self.case_pks.append((case, partnership_pk))
            if self.patient_groups and self.rng.random() < 0.3:
                groups = self.rng.sample(
                    self.patient_groups, self.rng.randint(1, min(2, len(self.patient_groups)))
                )
                self.w.link(
                    Case.patient_groups.through,
                    _m2m_history(Case, "patient_groups"),
                    [{"case_id": case, "patientgroup_id": g} for g in groups],
                    history_ids=range(first_history, first_history + len(history)),
                )
            for s in range(self.rng.randint(2, 4)):
                text = self.words.text(1000, 3000)
                section_history = [("+", created, REASON_CREATED)]
                section_history += [
                    ("~", created + dt.timedelta(days=e + 1), "Saksframlegg endret")
                    for e in range(self.rng.randint(1, 3))
                ]
                self.w.add(
                    CaseSection,
                    {
                        "case_id": case,
                        "order": s,
                        "heading": self.rng.choice(
                            [
                                "Bakgrunn",
                                "Vurdering",
                                "Kommunenes vurdering",
                                "Helseforetakets vurdering",
                                "Økonomi",
                                "Videre arbeid",
                            ]
                        ),
                        "text": text,
                    },
                    section_history,
                )
            for a in range(self.rng.choice([0, 0, 1, 1, 1, 2, 3])):
                a_exempt = self.rng.random() < 0.02
                self.w.add(
                    Attachment,
                    {
                        "case_id": case,
                        "order": a,
                        "title": f"Vedlegg {a + 1}: {self.words.title()}",
                        "file": "",
                        "exempt": a_exempt,
                        "exemption_basis": EXEMPTION_BASIS if a_exempt else "",
                    },
                    [("+", created, REASON_CREATED)],
                )
            if held and self.rng.random() < 0.01:
                self.w.add(
                    Reservation,
                    {"case_id": case, "party_id": self.rng.choice(orgs), "text": self.words.sentence()},
                    [("+", start, REASON_CREATED)],
                )
            if held and self.rng.random() < 0.01:
                self.w.add(
                    Recusal,
                    {
                        "case_id": case,
                        "person_id": self.rng.choice(members),
                        "reason": "Inhabil etter fvl. § 6",
                    },
                    [("+", start, REASON_CREATED)],
                )

    def attendance(self, meeting, members, orgs, start):
        from meetings.models import Attendance

        for order, person in enumerate(members[: self.rng.randint(6, len(members))]):
            r = self.rng.random()
            self.w.add(
                Attendance,
                {
                    "meeting_id": meeting,
                    "person_id": person,
                    "on_behalf_of_id": self.rng.choice(orgs),
                    "status": "present" if r < 0.85 else "absent_with_notice",
                    "role": "leader" if order == 0 else "member",
                    "is_referent": order == 2,
                    "order": order,
                },
                [("+", start, REASON_CREATED)],
            )

    def minutes(self, meeting, start, status, previous_meeting):
        from meetings.models import Minutes, MinutesSection

        approved = start + dt.timedelta(days=10)
        published = approved + dt.timedelta(days=2) if status == "minutes_published" else None
        history = [
            (
                "+",
                start + dt.timedelta(days=1),
                REASON_CREATED,
                {"approved_at": None, "approval_method": "", "published_at": None},
            ),
            ("~", approved, "Referat godkjent", {"published_at": None}),
        ]
        if published:
            history.append(("~", published, "Referat publisert"))
        minutes = self.w.add(
            Minutes,
            {
                "meeting_id": meeting,
                "approved_at": approved,
                "approval_method": self.rng.choice(["next_meeting", "email_round", "signed"]),
                "published_at": published,
                "next_meeting_text": "Neste møte avtales senere" if self.rng.random() < 0.2 else "",
                "version": len(history),
            },
            history,
        )
        for order in range(self.rng.randint(1, 2)):
            self.w.add(
                MinutesSection,
                {
                    "minutes_id": minutes,
                    "order": order,
                    "heading": ["Formål", "Oppsummering"][order],
                    "text": self.words.text(400, 1200),
                    "before_cases": order == 0,
                },
                [("+", start + dt.timedelta(days=1), REASON_CREATED)],
            )

    def follow_ups(self, meeting, members, start):
        from meetings.models import FollowUp

        for order in range(self.rng.randint(1, 3)):
            self.w.add(
                FollowUp,
                {
                    "meeting_id": meeting,
                    "order": order,
                    "title": self.words.title()[:300],
                    "what": self.words.sentence(),
                    "responsible_person_id": self.rng.choice(members),
                    "due": (start + dt.timedelta(days=90)).date(),
                    "status": self.rng.choice(["open", "in_progress", "done", "done"]),
                },
                [("+", start, REASON_CREATED)],
            )

    def action_plans(self, partnership_pk):
        from actionplans.models import ActionPlan, FocusArea, Goal, Measure

        cases = [c for c, p in self.case_pks if p == partnership_pk]
        bodies = [b for b, p, _m, _o in self.bodies if p == partnership_pk]
        for start_year, end_year in ((2021, 2022), (2023, 2026)):
            when = self.at(dt.date(start_year, 1, 10))
            plan = self.w.add(
                ActionPlan,
                {
                    "partnership_id": partnership_pk,
                    "title": f"Handlingsplan {start_year}–{end_year}",
                    "slug": f"handlingsplan-{start_year}-{end_year}",
                    "period_start": dt.date(start_year, 1, 1),
                    "period_end": dt.date(end_year, 12, 31),
                    "purpose": self.words.text(300, 800),
                    "introduction": self.words.text(300, 800),
                    "_when": when,
                },
            )
            for fa in range(1, 5):
                area = self.w.add(
                    FocusArea,
                    {
                        "action_plan_id": plan,
                        "number": f"2.{fa}",
                        "order": fa,
                        "title": self.words.title(),
                        "description": self.words.text(200, 600),
                        "_when": when,
                    },
                )
                letters = iter("abcdefghij")
                for g in range(2):
                    goal = self.w.add(
                        Goal,
                        {
                            "focus_area_id": area,
                            "order": g,
                            "text": self.words.sentence(8, 16)[:500],
                            "_when": when,
                        },
                    )
                    for m in range(3):
                        measure = self.w.add(
                            Measure,
                            {
                                "focus_area_id": area,
                                "goal_id": goal,
                                "order": g * 3 + m,
                                "letter": next(letters),
                                "text": self.words.sentence(10, 25),
                                "responsible_text": "SEKR, HF, kommunene",
                                "status": self.rng.choice(["not_started", "in_progress", "completed"]),
                                "_when": when,
                            },
                        )
                        history_id = self.w.table(Measure.history.model).next_pk - 1
                        if bodies:
                            self.w.link(
                                Measure.responsible_bodies.through,
                                _m2m_history(Measure, "responsible_bodies"),
                                [
                                    {"measure_id": measure, "body_id": b}
                                    for b in self.rng.sample(bodies, min(2, len(bodies)))
                                ],
                                [history_id],
                            )
                        if cases:
                            self.w.link(
                                Measure.cases.through,
                                _m2m_history(Measure, "cases"),
                                [
                                    {"measure_id": measure, "case_id": c}
                                    for c in set(self.rng.sample(cases, min(3, len(cases))))
                                ],
                                [history_id],
                            )


def _m2m_history(model, field_name):
    """django-simple-history's history model of a many-to-many field ("HistoricalCase_patient_groups")."""
    from django.apps import apps

    return apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{field_name}")


def _slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    return re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-")


# --- entry points ---------------------------------------------------------------------------------


def rebuild_commands() -> list[str]:
    """Management commands that rebuild a column other code keeps current on write, if any exist."""
    from django.core.management import get_commands

    pattern = re.compile(r"^rebuild|search_vector|reindex")
    return sorted(name for name in get_commands() if pattern.search(name))


def generate(database: str, *, scale: float = 1.0, seed: int = 12, force: bool = False) -> dict:
    """Generate (or reuse) the database; returns what `bench_generated` records."""
    marker = generated_marker(database)
    if marker and not force and abs(marker["scale"] - scale) < 1e-9:
        print(
            f"{database}: already generated at scale {scale} on {marker['created']} "
            f"({marker['seconds']:.0f} s); reusing it (--force to generate again)"
        )
        return marker
    admin, name = _split(database)
    timer = Timer()
    print(f"Generating {database} at scale {scale} …", flush=True)
    with timer.part("drop and create the database"):
        _psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _psql(admin, f'CREATE DATABASE "{name}"')
    setup_django(database)
    from django.core.management import call_command
    from django.db import connection, transaction

    with timer.part("migrate"):
        call_command("migrate", "--noinput", verbosity=0)
    with timer.part("load_demo (the real demo data)"):
        call_command("load_demo", stdout=io.StringIO())
    writer = Writer(connection)
    with transaction.atomic():
        Generator(scale, seed, writer).run(timer)
        with timer.part("write the last chunks, set the sequences"):
            writer.finish()
        with timer.part("stamps.bump (COPY bypassed the signals)"):
            from documents import stamps
            from governance.models import Partnership
            from governance.stamps import partnership_scope

            stamps.bump(
                {
                    stamps.GLOBAL,
                    *(partnership_scope(pk) for pk in Partnership.objects.values_list("pk", flat=True)),
                }
            )
    for command in rebuild_commands():
        with timer.part(f"manage.py {command}"):
            call_command(command)
    with timer.part("ANALYZE"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts = writer.counts()
    history = sum(v for k, v in counts.items() if ".Historical" in k)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM governance_partnership), (SELECT count(*) FROM governance_body), "
            "(SELECT count(*) FROM meetings_meeting), (SELECT count(*) FROM meetings_case), "
            "(SELECT count(*) FROM meetings_casesection)"
        )
        totals = dict(
            zip(
                ["partnerships", "bodies", "meetings", "cases", "case sections"],
                cursor.fetchone(),
                strict=True,
            )
        )
    seconds = time.monotonic() - timer.started
    totals["history rows (generated)"] = history
    marker = {
        "scale": scale,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": seconds,
        "counts": totals,
        "parts": timer.parts,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {MARKER} "
            "(scale float, created timestamptz, seconds float, counts jsonb, parts jsonb)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s, %s)",
            [scale, marker["created"], seconds, json.dumps(totals), json.dumps(timer.parts)],
        )
    connection.close()
    print("\nRows written by the generator (beside the demo data):")
    for label, count in sorted(counts.items()):
        print(f"  {count:>9,}  {label}")
    print("\nIn the database now:")
    for label, count in totals.items():
        print(f"  {count:>9,}  {label}")
    print(f"\nGenerated in {seconds:.0f} s; database size {database_size(database)}")
    return marker


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_national"),
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1 = national (the issue); 0.02 to try things"
    )
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--force", action="store_true", help="drop and generate even if already generated")
    args = parser.parse_args()
    generate(args.database, scale=args.scale, seed=args.seed, force=args.force)


if __name__ == "__main__":
    main()
