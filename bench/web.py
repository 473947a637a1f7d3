#!/usr/bin/env python3
"""The web benchmark of issue #12: the portal at national scale against Django's own floor.

    make bench                                   # = .venv/bin/python bench/web.py
    .venv/bin/python bench/web.py --markdown     # the tables as markdown, for bench/README.md
    .venv/bin/python bench/web.py --scale 0.02 --database postgres://postgres@127.0.0.1:5432/bench_small \
        --duration 3 --memory-requests 500 --search-queries 10     # a quick try

In one run:
1. ensures the national database (bench/generate.py; generated when missing, reused otherwise);
2. starts the portal with `make serve` (production settings, DEBUG off, Redis db BENCH_REDIS_DB,
   gunicorn.conf.py's sync workers, WEB_CONCURRENCY=2 unless set) and, beside it, the baseline
   project bench/baseline/ (no database: "hello" and a 10-item meeting page from a template) under
   the same gunicorn.conf.py;
3. waits for a quiet machine (1-minute load average below --load-threshold, at most
   --quiet-timeout seconds; it prints what it saw);
4. runs wrk (/usr/bin/wrk, --connections 16, 2 threads, --latency) in interleaved rounds
   (A B C … A B C …) against every target below, and prints req/s, p50, p99, errors, the size of
   one response, and the ratios to the baselines;
5. queries per page (in-process, Django's test client with the production settings on the same
   database, CaptureQueriesContext), search p50/p95 over Norwegian queries (sequential over HTTP,
   within --search-budget seconds), the stored PDF's time (median of --pdf-requests sequential
   requests), and the RSS of the gunicorn workers before and after --memory-requests requests.

The anonymous meeting page is measured twice: with `?_=<unique>` on every request (a Lua
script), so no page cache keyed by the URL can answer it ("uncached"), and on its plain URL, which
a public page cache may answer ("plain"). The member's page sends the session cookie of
`medlem` (logged in once, with requests). Every server is stopped at exit, whatever happens.
Results are also written as JSON to /tmp/hf-bench/web-<time>.json.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import requests
from web_report import _ms, _probe_text, database_facts, machine, report
from web_servers import (
    BENCH,
    BUST_LUA,
    CASE,
    CASE_LIST,
    GUNICORN,
    HOST,
    ICS,
    MEETING,
    MEMBER,
    PDF,
    PY,
    ROOT,
    SEARCH,
    WORK,
    WRK,
    WRK_LIMIT_SECONDS,
    Portal,
    environment,
    gunicorn_workers,
    load_average,
    rss_kb,
    start,
    stop_all,
    wait_for,
    wait_for_quiet,
    wrk,
)

# --- in-process: queries per page ------------------------------------------------------------------


def queries_per_page(env: dict, targets: dict[str, tuple[str, bool]]) -> dict:
    """Each page once, in a child process with the production settings: (queries, status)."""
    spec = json.dumps({name: [path, member] for name, (path, member) in targets.items()})
    result = subprocess.run(
        [PY, __file__, "--queries-child", spec],
        # The page's own work, never an answer from the public page cache (measured under wrk).
        env=env
        | {"DJANGO_SETTINGS_MODULE": "helsefellesskap.settings.production", "DJANGO_PUBLIC_CACHE": "off"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode:
        print(f"  queries per page failed:\n{result.stderr[-3000:]}")
        return {}
    return json.loads(result.stdout.strip().splitlines()[-1])


def _queries_child(spec: str):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous = Client(HTTP_HOST=HOST)
    member = Client(HTTP_HOST=HOST)
    member.force_login(get_user_model().objects.get(username=MEMBER[0]))
    out = {}
    for name, (path, as_member) in json.loads(spec).items():
        client = member if as_member else anonymous
        if not path.startswith("/sok/"):  # (search is slow at national scale: measured once)
            client.get(path, secure=True)  # once before: the first request of a process loads templates
        if "_=" in path:
            path = path.replace("_=", "_=q")
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, secure=True)
            seconds = time.perf_counter() - started
        out[name] = {"queries": len(captured), "status": response.status_code, "ms": seconds * 1000}
    print(json.dumps(out))


# --- the run ------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_national"),
    )
    parser.add_argument("--scale", type=float, default=1.0, help="for generating when it is missing")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8100")))
    parser.add_argument(
        "--baseline-port", type=int, default=int(os.environ.get("BENCH_BASELINE_PORT", "8101"))
    )
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("BENCH_REDIS_DB", "10")))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per target and round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=30, help="wrk's per-request timeout (s)")
    parser.add_argument("--load-threshold", type=float, default=1.0)
    parser.add_argument("--quiet-timeout", type=float, default=120)
    parser.add_argument("--search-queries", type=int, default=50)
    parser.add_argument("--search-budget", type=float, default=300, help="seconds for the search series")
    parser.add_argument("--pdf-requests", type=int, default=20)
    parser.add_argument("--memory-requests", type=int, default=10000)
    parser.add_argument("--memory-budget", type=float, default=900, help="at most this many seconds")
    parser.add_argument("--keep-max-requests", action="store_true", help="keep gunicorn's worker recycling")
    parser.add_argument(
        "--only", action="append", default=[], help="only the portal targets whose name contains this"
    )
    parser.add_argument("--wrk-only", action="store_true", help="skip queries, search, PDF and memory")
    parser.add_argument(
        "--check", action="store_true", help="exit non-zero when any request failed (CI's small run)"
    )
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    parser.add_argument("--report", metavar="JSON", help="print the tables of a saved run and stop")
    parser.add_argument("--queries-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queries_child:
        return _queries_child(args.queries_child)
    if args.report:
        return print(report(json.loads(Path(args.report).read_text()), markdown=args.markdown))
    for tool in (WRK, GUNICORN):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"{tool} is missing (wrk: apt-get install wrk; gunicorn: make setup)")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    atexit.register(stop_all)
    WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="web-", dir=WORK))
    results: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        "args": vars(args),
    }

    print(f"1. The database: {args.database}", flush=True)
    subprocess.run(
        [PY, str(BENCH / "generate.py"), "--database", args.database, "--scale", str(args.scale)], check=True
    )
    results["database"] = database_facts(args.database)
    print(f"   {results['database']}")

    print("2. Servers", flush=True)
    env = environment(args, work)
    subprocess.run(["redis-cli", "-n", str(args.redis_db), "FLUSHDB"], check=False, capture_output=True)
    portal_log, baseline_log = work / "portal.log", work / "baseline.log"
    make = ["make", "--no-print-directory"]
    if (ROOT / ".venv" / ".installed").exists():
        # Set up already: do not let make reinstall because pyproject.toml is newer (a fresh
        # worktree or checkout); `make bench` runs `make setup` itself first.
        make += ["--assume-old", ".venv/.installed"]
    portal_process = start([*make, "serve"], env=env, log=portal_log)
    baseline_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))} | {
        "DJANGO_SETTINGS_MODULE": "baseline.settings",
        "PORT": str(args.baseline_port),
        "WEB_CONCURRENCY": env["WEB_CONCURRENCY"],
        "PYTHONPATH": str(BENCH / "baseline"),
    }
    if "GUNICORN_CMD_ARGS" in env:
        baseline_env["GUNICORN_CMD_ARGS"] = env["GUNICORN_CMD_ARGS"]
    baseline_process = start(
        [GUNICORN, "--config", str(ROOT / "gunicorn.conf.py"), "baseline.wsgi"],
        env=baseline_env,
        log=baseline_log,
        cwd=BENCH / "baseline",
    )
    portal = Portal(f"http://127.0.0.1:{args.port}")
    baseline = f"http://127.0.0.1:{args.baseline_port}"
    wait_for(baseline, "/hello/", baseline_process, baseline_log, 60)
    wait_for(portal.base, "/helse/", portal_process, portal_log, 600, headers=portal.headers)
    workers = gunicorn_workers(portal_process)
    print(
        f"   portal: make serve on {portal.base} (production settings, DEBUG off, Redis db {args.redis_db}), "
        f"WEB_CONCURRENCY={env['WEB_CONCURRENCY']} sync workers (pids {workers}), "
        f"{'worker recycling as gunicorn.conf.py' if args.keep_max_requests else 'max_requests off'}; "
        f"baseline: gunicorn on {baseline}, same config; logs in {work}",
        flush=True,
    )
    portal.login(*MEMBER)
    last_page = portal.last_case_list_page()
    results["servers"] = {"workers": env["WEB_CONCURRENCY"], "log_dir": str(work)}

    # name → (base, path, member, bust the cache)
    targets = {
        "baseline: hello": (baseline, "/hello/", False, False),
        "baseline: meeting page from a template": (baseline, "/meeting/", False, False),
        "meeting page, visitor, uncached (?_=unique)": (portal.base, MEETING, False, True),
        "meeting page, visitor, plain URL": (portal.base, MEETING, False, False),
        "meeting page, member": (portal.base, MEETING, True, False),
        # The other pages uncached (a unique ?_= each time): their own work, as a member would
        # cost it; the page cache's answer is the same for every page (the plain URL above).
        "case 08/23, uncached": (portal.base, CASE, False, True),
        "case list, first page, uncached": (portal.base, CASE_LIST, False, True),
        f"case list, last page ({last_page.split('?')[1]}), uncached": (portal.base, last_page, False, True),
        'search "palliativ", uncached': (portal.base, SEARCH, False, True),
        "calendar .ics (Troms og Ofoten), uncached": (portal.base, ICS, False, True),
        "stored notice PDF": (portal.base, PDF, False, False),
    }

    if args.only:
        targets = {
            name: target
            for name, target in targets.items()
            if target[0] == baseline or any(part in name for part in args.only)
        }

    print("3. One request each (warms the workers, stores the PDF, measures the size)", flush=True)
    probes = {}
    for name, (base, path, member, _bust) in targets.items():
        headers = dict(portal.headers) if base == portal.base else {}
        if member:
            headers["Cookie"] = portal.cookie
        times = []
        for _ in range(3 if base == portal.base else 1):
            started = time.monotonic()
            failure = None
            try:
                response = requests.get(base + path, headers=headers, timeout=600, allow_redirects=False)
                if response.status_code != 200:
                    failure = f"answered {response.status_code}"
            except requests.RequestException as error:
                # gunicorn kills a worker after its timeout (60 s): the connection is closed.
                failure = f"failed after {time.monotonic() - started:.0f} s ({type(error).__name__})"
            times.append(time.monotonic() - started)
            if failure or times[-1] > WRK_LIMIT_SECONDS:
                break
        if failure:
            print(f"   {name}: {base}{path} {failure}; not run under wrk")
            probes[name] = {"bytes": 0, "seconds": times[-1], "first_seconds": times[0], "error": failure}
            settle(portal)
            continue
        probes[name] = {
            "bytes": len(response.content),
            "seconds": min(times),
            "first_seconds": times[0],
            "type": response.headers.get("Content-Type", ""),
        }
        print(
            f"   {name}: {len(response.content):,} B, {min(times) * 1000:.0f} ms "
            f"(first {times[0] * 1000:.0f} ms)"
        )
    results["probes"] = probes

    print("4. wrk, interleaved rounds", flush=True)
    bust_script = work / "bust.lua"
    bust_script.write_text(BUST_LUA)
    runs: dict[str, list] = {name: [] for name in targets}
    results["quiet"] = []
    for round_number in range(1, args.rounds + 1):
        print(f"  round {round_number}", flush=True)
        results["quiet"].append(
            wait_for_quiet(args.load_threshold, args.quiet_timeout if round_number == 1 else 30)
        )
        for name, (base, path, member, bust) in targets.items():
            if probes[name]["seconds"] > WRK_LIMIT_SECONDS or "error" in probes[name]:
                runs[name].append(None)
                print(f"    {name}: not run under wrk, one request: {_probe_text(probes[name])}")
                continue
            headers = [f"Host: {HOST}", "X-Forwarded-Proto: https"] if base == portal.base else []
            if member:
                headers.append(f"Cookie: {portal.cookie}")
            load = load_average()
            result = wrk(
                base + path,
                connections=args.connections,
                duration=args.duration,
                threads=args.threads,
                timeout=args.timeout,
                headers=headers,
                script=bust_script if bust else None,
            )
            result["load"] = load
            runs[name].append(result)
            print(
                f"    {name}: {result['rps']:.1f} req/s, p50 {_ms(result['p50'])}, p99 {_ms(result['p99'])}, "
                f"errors {result['socket_errors'] + result['non_2xx']} (load {load:.2f})",
                flush=True,
            )
            if base == portal.base:
                settle(portal)
    results["wrk"] = {
        name: [r and {k: v for k, v in r.items() if k != "raw"} for r in rs] for name, rs in runs.items()
    }

    if not args.wrk_only:
        print("5. Queries per page (in-process, production settings, same database)", flush=True)
        query_targets = {
            "meeting page, visitor": (MEETING + "?_=queries", False),
            "meeting page, member": (MEETING, True),
            "case 08/23": (CASE, False),
            "case 08/23, member": (CASE, True),
            "case list, first page": (CASE_LIST, False),
            "case list, last page": (last_page, False),
            "partnership page": ("/troms-ofoten/", False),
            "body page": ("/troms-ofoten/fsu-bu/", False),
            "calendar .ics": (ICS, False),
            "minutes feed (Atom)": ("/troms-ofoten/referater.atom", False),
            "stored notice PDF": (PDF, False),
        }
        query_targets['search "palliativ"'] = (SEARCH, False)
        results["queries"] = queries_per_page(env, query_targets)
        for name, found in results["queries"].items():
            print(
                f"   {name}: {found['queries']} queries, {found['ms']:.0f} ms in-process "
                f"(status {found['status']})"
            )

        print("6. Search, sequential over HTTP", flush=True)
        results["search"] = search_series(portal, args)

        print("7. The stored PDF, sequential", flush=True)
        times = []
        for _ in range(args.pdf_requests):
            started = time.monotonic()
            response = portal.get(PDF)
            times.append(time.monotonic() - started)
            if response.status_code != 200:
                raise SystemExit(f"stored PDF: {response.status_code}")
        results["pdf"] = {
            "median_ms": statistics.median(times) * 1000,
            "max_ms": max(times) * 1000,
            "n": len(times),
        }
        print(
            f"   median {results['pdf']['median_ms']:.1f} ms, max {results['pdf']['max_ms']:.1f} ms "
            f"({len(times)} requests)"
        )

        print(f"8. Worker memory across {args.memory_requests:,} requests", flush=True)
        results["memory"] = memory(portal, portal_process, args, work, probes)

    stop_all()
    out = WORK / f"web-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    print(f"\nResults: {out}\n")
    print(report(results, markdown=args.markdown))
    if args.check:
        failures = failed(results)
        if failures:
            raise SystemExit("bench/web.py --check: " + "; ".join(failures))
        print("bench/web.py --check: every target answered 200, with no socket error")


def failed(results: dict) -> list[str]:
    """What went wrong in a run (for --check, the small run in CI): errors under wrk, a page
    that did not answer 200 in-process, search or memory requests that failed."""
    failures = []
    for name, rounds in results.get("wrk", {}).items():
        for run in rounds:
            if not run:
                failures.append(f"{name}: wrk gave no result")
            elif run["socket_errors"] or run["non_2xx"]:
                failures.append(f"{name}: {run['socket_errors']} socket errors, {run['non_2xx']} not 2xx")
    for name, found in results.get("queries", {}).items():
        if found.get("status") != 200:
            failures.append(f"{name}: status {found.get('status')} in-process")
    search = results.get("search") or {}
    if search and search.get("statuses") != ["200"]:
        failures.append(f"search: statuses {search.get('statuses')}")
    memory_run = results.get("memory") or {}
    if memory_run.get("errors"):
        failures.append(f"memory series: {memory_run['errors']} errors")
    return failures


def settle(portal: Portal, timeout=120):
    """After a wrk run, wait until the portal answers its health check again (queued requests done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if portal.get("/helse/", timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    print(f"    (the portal did not answer /helse/ within {timeout} s after the run)")


def search_series(portal: Portal, args) -> dict:
    import random

    import national_text

    queries = national_text.Words(random.Random(12)).queries(args.search_queries)
    times, hits, skipped = [], [], []
    started = time.monotonic()
    for query in queries:
        if time.monotonic() - started > args.search_budget:
            skipped.append(query)
            continue
        t = time.monotonic()
        try:
            response = portal.get("/sok/?" + urllib.parse.urlencode({"q": query}), timeout=args.search_budget)
        except requests.RequestException as error:
            # The worker was killed by gunicorn's timeout: counted with the time it took to fail.
            times.append(time.monotonic() - t)
            hits.append(type(error).__name__)
            print(f"   {query!r}: failed after {times[-1]:.0f} s ({type(error).__name__})")
            continue
        times.append(time.monotonic() - t)
        hits.append(response.status_code)
    out = {
        "queries": len(queries),
        "done": len(times),
        "not_run_budget": len(skipped),
        "statuses": sorted(set(map(str, hits))),
    }
    if times:
        ordered = sorted(times)
        out |= {
            "p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000,
            "max_ms": ordered[-1] * 1000,
        }
        print(
            f"   {len(times)} of {len(queries)} queries (budget {args.search_budget:.0f} s): "
            f"p50 {out['p50_ms']:.0f} ms, p95 {out['p95_ms']:.0f} ms, max {out['max_ms']:.0f} ms; "
            f"statuses {out['statuses']}"
        )
    return out


def many_requests(portal: Portal, paths: list[str], total: int, *, concurrency: int, budget: float) -> dict:
    """Exactly `total` requests through `paths` in turn (the first with a unique `_=`), in parallel."""
    import concurrent.futures
    import threading

    counter = iter(range(total))
    lock = threading.Lock()
    errors = []
    deadline = time.monotonic() + budget

    def client():
        done = 0
        while True:
            with lock:
                n = next(counter, None)
            if n is None or time.monotonic() > deadline:
                return done
            path = paths[n % len(paths)]
            if n % len(paths) == 0:
                path += ("&" if "?" in path else "?") + f"_=m{n}"
            try:
                status = portal.get(path, timeout=120).status_code
                if status != 200:
                    errors.append(f"{status} {path}")
            except requests.RequestException as error:
                errors.append(f"{error} {path}")
            done += 1

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        done = sum(pool.map(lambda _: client(), range(concurrency)))
    if errors:
        print(f"   errors: {errors[:5]}")
    return {"requests": done, "errors": len(errors)}


def memory(portal: Portal, process, args, work: Path, probes: dict) -> dict:
    paths = [MEETING, CASE, CASE_LIST, ICS, "/troms-ofoten/", "/troms-ofoten/fsu-bu/"]
    workers = gunicorn_workers(process)
    before = {pid: rss_kb(pid) for pid in workers}
    started = time.monotonic()
    result = many_requests(
        portal, paths, args.memory_requests, concurrency=args.threads * 2, budget=args.memory_budget
    )
    seconds = time.monotonic() - started
    settle(portal)
    after_workers = gunicorn_workers(process)
    after = {pid: rss_kb(pid) for pid in after_workers}
    same = sorted(set(before) & set(after))
    out = {
        "requests": result["requests"],
        "seconds": seconds,
        "errors": result["errors"],
        "paths": paths,
        "before_kb": before,
        "after_kb": after,
        "same_workers": same,
    }
    for pid in same:
        print(f"   worker {pid}: {before[pid] / 1024:.0f} MB → {after[pid] / 1024:.0f} MB")
    if set(before) != set(after):
        print(f"   workers changed: {sorted(before)} → {sorted(after)} (recycled)")
    print(f"   {result['requests']:,} requests in {seconds:.0f} s, errors {out['errors']}")
    return out


if __name__ == "__main__":
    main()
