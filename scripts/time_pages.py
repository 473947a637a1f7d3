#!/usr/bin/env python3
"""Time (or profile) the public pages in-process, under production settings, uncached.

A developer's tool for issue #12 ("pages that do less"), not a test and not the web benchmark
of bench/: it renders each page N times through django.test.Client on the demo data (load it
first) and prints ms per request, req/s of one process and the number of queries, for a visitor
and for the demo member. With --profile PAGE it prints a pyinstrument profile of that page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python scripts/time_pages.py
    ... scripts/time_pages.py --profile meeting --as medlem
Environment: TIME_PAGES_REDIS_URL (redis://127.0.0.1:6379/11), the Redis of the cache.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "meeting": "/troms-ofoten/fsu-bu/moter/2023-05-12/",
    "case": "/troms-ofoten/fsu-bu/saker/2023/8/",
    "body": "/troms-ofoten/fsu-bu/",
    "partnership": "/troms-ofoten/",
    "home": "/",
    "actionplan": "/troms-ofoten/handlingsplaner/handlingsplan-2023/",
}


def setup():
    sys.path.insert(0, str(ROOT))
    static = tempfile.mkdtemp(prefix="time-pages-static-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="helsefellesskap.settings.production",
        DJANGO_SECRET_KEY="time-pages-" + "x" * 60,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SITE_URL="https://hf.example.no",
        REDIS_URL=os.environ.get("TIME_PAGES_REDIS_URL", "redis://127.0.0.1:6379/11"),
        DJANGO_EMAIL_URL="smtp://127.0.0.1:8249",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=static,
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def client_for(login):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    if login:
        client.force_login(get_user_model().objects.get(username=login))
    return client


def run(client, path, n):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client.get(path)  # warm: templates compiled, connection open
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    count = len(queries)  # read now: the next request empties the connection's query log
    times, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu), count, len(response.content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--profile", choices=sorted(PAGES))
    parser.add_argument("--as", dest="login", default="")
    args = parser.parse_args()
    setup()
    if args.profile:
        from pyinstrument import Profiler

        client = client_for(args.login)
        path = PAGES[args.profile]
        client.get(path)
        profiler = Profiler(interval=0.001)
        with profiler:
            for _ in range(args.n):
                client.get(path)
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    # ms: wall clock (includes the database and whatever else the machine runs); cpu: this
    # process's CPU time only, steadier on a busy machine.
    print(f"{'page':<12} {'viewer':<8} {'ms p50':>7} {'req/s':>6} {'cpu ms':>7} {'queries':>8} {'bytes':>7}")
    for login in ("", "medlem"):
        client = client_for(login)
        for name, path in PAGES.items():
            ms, cpu, queries, size = run(client, path, args.n)
            who = login or "visitor"
            print(f"{name:<12} {who:<8} {ms:7.1f} {1000 / ms:6.0f} {cpu:7.1f} {queries:8d} {size:7d}")


if __name__ == "__main__":
    main()
