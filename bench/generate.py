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
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from copy_rows import Writer
from national import Generator

ROOT = Path(__file__).resolve().parents[1]
MARKER = "bench_generated"


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
