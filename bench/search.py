"""Search latency at national scale: p50/p95 over 50 Norwegian queries, visitor and member.

    .venv/bin/python bench/search.py [--database scale_national] [--redis-db 13] [--queries 50]

In-process, with Django's test client, under the production settings (DEBUG off, Redis cache)
against an already generated database (bench/generate.py; `medlem` from load_demo). The queries
are the generator's own vocabulary (bench/national_text.py: the issue's words, frequent long
words and a few pairs), so most match a large share of the 50,000 cases. The Redis database is
emptied first, so a visitor's search is never answered from the cache; each query is timed
once per reader, after two warm-up searches that are not counted. Also prints the queries of one
search page per reader.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def setup(database: str, redis_db: int) -> None:
    host = "bench.example.no"
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "DJANGO_SETTINGS_MODULE": "helsefellesskap.settings.production",
            "DJANGO_SECRET_KEY": "bench-search-" + "x" * 60,
            "DJANGO_ALLOWED_HOSTS": host,
            "DJANGO_SITE_URL": f"https://{host}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
            "DJANGO_EMAIL_URL": "smtp://127.0.0.1:8449",  # nothing listens: search sends no e-mail
            "DJANGO_STATIC_ROOT": os.environ.get("DJANGO_STATIC_ROOT", "/tmp/bench-search-static"),
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    if not (Path(os.environ["DJANGO_STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)  # the manifest the pages name


def series(client, queries: list[str], statements: dict | None = None) -> list[float]:
    """The time of each search page in ms; with `statements`, each query's SQL statements and
    their times go there too ({query: [(ms, sql), ...]})."""
    from django.db import connection

    times = []
    for query in queries:
        url = "/sok/?" + urllib.parse.urlencode({"q": query})
        timed: list[tuple[float, str]] = []

        def timer(execute, sql, *rest, timed=timed):
            started = time.perf_counter()
            try:
                return execute(sql, *rest)
            finally:
                timed.append(((time.perf_counter() - started) * 1000, sql))

        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get(url, secure=True, headers={"host": os.environ["DJANGO_ALLOWED_HOSTS"]})
        times.append((time.perf_counter() - started) * 1000)
        if statements is not None:
            statements[query] = timed
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(round(share * (len(ordered) - 1)), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="scale_national")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument(
        "--passes", type=int, default=1, help="run the series this many times (cold, then warm)"
    )
    parser.add_argument("--sql", action="store_true", help="show the SQL times of the three slowest searches")
    args = parser.parse_args()
    setup(args.database, args.redis_db)

    import national_text
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from helsefellesskap import pagecache

    cache.clear()  # only our own Redis database
    queries = national_text.Words(random.Random(12)).queries(args.queries)
    member = Client()
    member.force_login(get_user_model().objects.get(username="medlem"))
    readers = {"visitor": Client(), "member": member}
    for name, client in readers.items():
        series(client, ["helse", "kommune"])  # warm-up: connections, templates, translations
        captured = []
        with connection.execute_wrapper(
            lambda execute, sql, *rest, captured=captured: captured.append(sql) or execute(sql, *rest)
        ):
            series(client, ["samarbeid"])  # (request_started empties queries_log: count them here)
        for number in range(1, args.passes + 1):
            cache.clear()  # a visitor's search of the pass before is in the page cache: Redis
            pagecache.forget_local()  # and the worker's own copies
            statements: dict = {}
            times = series(client, queries, statements)
            print(
                f"{name:8} pass {number}, {len(times)} queries: p50 {statistics.median(times):6.1f} ms  "
                f"p95 {percentile(times, 0.95):6.1f} ms  max {max(times):6.1f} ms  "
                f"({len(captured)} SQL queries per search page)"
            )
            slowest = sorted(zip(times, queries, strict=True), reverse=True)[:5]
            print("         slowest: " + ", ".join(f"{q!r} {t:.0f} ms" for t, q in slowest))
            if args.sql:
                for total, query in slowest[:3]:
                    sql_ms = sum(ms for ms, _sql in statements[query])
                    print(f"         {query!r}: {total:.0f} ms, of it SQL {sql_ms:.0f} ms:")
                    for ms, sql in sorted(statements[query], reverse=True)[:4]:
                        print(f"           {ms:6.1f} ms  {' '.join(sql.split())[:150]}")


if __name__ == "__main__":
    main()
