#!/usr/bin/env python3
"""CI: run the production command as an operator would, and crawl it as a visitor.

On a fresh PostgreSQL database: the demo data (local settings), then `make serve` with the
production variables; wait for /helse/; crawl every same-site link reachable from / (at most
MAX_PAGES); fail on any 5xx and on any other answer than 200, except a redirect to the login page
for pages that need one. Checks that a hashed /static/ file is cached for a year (immutable)
and compressed when asked, that /favicon.ico (which browsers ask for themselves) leads to a
hashed icon, and that every PDF linked for a visitor is 200 application/pdf.
The server's process group is stopped whatever happens; the database is dropped.

    .venv/bin/python tests/deploy/serve_crawl.py
Environment: SERVE_CRAWL_PORT (8231), SERVE_CRAWL_DB (helsefellesskap_serve_crawl),
SERVE_CRAWL_REDIS_URL (redis://127.0.0.1:6379/6), PGHOST/PGPORT (127.0.0.1:5432).
Not named test_*.py: pytest does not collect it; .ci/run runs it.
"""

import html.parser
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
PORT = int(os.environ.get("SERVE_CRAWL_PORT", "8231"))
DB = os.environ.get("SERVE_CRAWL_DB", "helsefellesskap_serve_crawl")
PG = f"postgres://postgres@{os.environ.get('PGHOST', '127.0.0.1')}:{os.environ.get('PGPORT', '5432')}"
HOST = "hf.example.no"
BASE = f"http://127.0.0.1:{PORT}"
MAX_PAGES = 400
START_TIMEOUT = 180
YEAR = 365 * 24 * 3600
LOGIN_PATHS = ("/konto/login/", "/admin/login/")
HASHED_STATIC = re.compile(r"^/static/.+\.[0-9a-f]{12}\.(css|js|woff2?|svg|png|ico)$")


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(path, headers=None, timeout=60):
    """GET path as a visitor behind the TLS proxy: (status, headers, body)."""
    request = urllib.request.Request(
        BASE + path, headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
    )
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def same_site_path(link, page):
    url = urllib.parse.urljoin(f"https://{HOST}{page}", link)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != HOST:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl():
    """Every page a visitor reaches from /: returns (failures, pdf paths, static paths)."""
    seen, queue, failures, pdfs, statics = {"/"}, ["/"], [], [], set()
    fetched = 0
    while queue and fetched < MAX_PAGES:
        path = queue.pop(0)
        if path.startswith("/static/"):
            statics.add(path)
            continue
        status, headers, body = fetch(path)
        fetched += 1
        kind = headers.get("Content-Type", "")
        if status in (301, 302) and urllib.parse.urlsplit(headers.get("Location", "")).path in LOGIN_PATHS:
            continue  # a page that needs a login
        if status != 200:
            failures.append(f"{status} {path}")
            continue
        if kind.startswith("application/pdf"):
            pdfs.append(path)
            continue
        if path.endswith(".pdf"):
            failures.append(f"{path}: a PDF link answered {kind}")
            continue
        if not kind.startswith("text/html"):
            continue
        parser = Links()
        parser.feed(body.decode("utf-8", "replace"))
        for link in parser.found:
            target = same_site_path(link.split("#")[0], path)
            if target and target not in seen and not target.startswith(("/i18n/", "/konto/logout")):
                seen.add(target)
                queue.append(target)
    if queue:
        failures.append(f"more than {MAX_PAGES} pages: raise MAX_PAGES or check for endless links")
    print(f"crawled {fetched} pages ({len(pdfs)} of them PDFs), {len(statics)} static files linked")
    return failures, pdfs, statics


def check_static(statics):
    hashed = sorted(path for path in statics if HASHED_STATIC.match(path))
    if not hashed:
        return [f"no hashed /static/ file linked from the pages ({sorted(statics)[:5]})"]
    failures = []
    for path in hashed:
        status, headers, body = fetch(path, {"Accept-Encoding": "gzip, br"})
        cache = headers.get("Cache-Control", "")
        max_age = re.search(r"max-age=(\d+)", cache)
        if status != 200:
            failures.append(f"{status} {path}")
        elif not max_age or int(max_age.group(1)) < YEAR or "immutable" not in cache:
            failures.append(f"{path}: Cache-Control {cache!r}, expected max-age ≥ 1 year and immutable")
        elif path.endswith((".css", ".js", ".svg")) and headers.get("Content-Encoding") not in ("gzip", "br"):
            failures.append(f"{path}: not compressed (Content-Encoding {headers.get('Content-Encoding')!r})")
        else:
            print(f"static ok: {path} {cache} {headers.get('Content-Encoding') or 'identity'} {len(body)} B")
    return failures


def check_favicon():
    status, headers, _ = fetch("/favicon.ico")
    target = urllib.parse.urlsplit(headers.get("Location", "")).path
    if status not in (301, 302) or not HASHED_STATIC.match(target):
        return [f"/favicon.ico answered {status} {headers.get('Location')!r}, not a hashed icon's address"]
    status, headers, body = fetch(target)
    if status != 200 or not body:
        return [f"/favicon.ico leads to {target}, which answered {status}"]
    print(f"favicon ok: /favicon.ico -> {target} {headers.get('Content-Type')} {len(body)} B")
    return []


def run(command, env, **kwargs):
    subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def psql(sql):
    subprocess.run(
        ["psql", "--no-psqlrc", "--quiet", f"--dbname={PG}/postgres", "-c", sql],
        check=True,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    )


def wait_until_healthy(server, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"make serve stopped with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if fetch("/helse/", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"/helse/ was not 200 within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def environments(work):
    """The local variables (for the demo loader) and the production ones (for make serve)."""
    local = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    local |= {"DATABASE_URL": f"{PG}/{DB}", "DJANGO_MEDIA_ROOT": str(work / "media")}
    production = local | {
        "DJANGO_SECRET_KEY": "serve-crawl-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SITE_URL": f"https://{HOST}",
        "REDIS_URL": os.environ.get("SERVE_CRAWL_REDIS_URL", "redis://127.0.0.1:6379/6"),
        # Nothing listens there: no page a visitor opens sends e-mail.
        "DJANGO_EMAIL_URL": f"smtp://127.0.0.1:{PORT + 1}",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "PORT": str(PORT),
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
    }
    return {"local": local, "production": production}


def fresh_database():
    psql(f'DROP DATABASE IF EXISTS "{DB}"')
    psql(f'CREATE DATABASE "{DB}"')


def drop_database():
    psql(f'DROP DATABASE IF EXISTS "{DB}"')


def start_server(env, log):
    """The demo data (local settings), then `make serve` (production settings) until /helse/ is 200."""
    run([PY, "manage.py", "migrate", "--noinput", "--verbosity", "0"], env["local"])
    run([PY, "manage.py", "load_demo"], env["local"], stdout=subprocess.DEVNULL)
    with log.open("w") as out:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=env["production"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make, gunicorn and its workers stop together
        )
    try:
        wait_until_healthy(server, log)
    except BaseException:
        stop(server)
        raise
    return server


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    work = Path(tempfile.mkdtemp(prefix="hf-serve-crawl-"))
    log = work / "serve.log"
    fresh_database()
    server = None
    try:
        server = start_server(environments(work), log)
        print("make serve is up: /helse/ 200")
        failures, pdfs, statics = crawl()
        failures += check_static(statics)
        failures += check_favicon()
        if not pdfs:
            failures.append("no PDF linked for a visitor")
        if failures:
            print(f"server log (end):\n{log.read_text()[-3000:]}")
            sys.exit("FAIL:\n  " + "\n  ".join(failures))
        print("Production command and crawl: OK")
    finally:
        if server is not None:
            stop(server)
        drop_database()


if __name__ == "__main__":
    main()
