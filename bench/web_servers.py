"""bench/web.py's tools: the servers' processes, wrk and its output, the portal as a client.

Also the constants every part of the benchmark shares (the pages, the host, the paths).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WRK = "/usr/bin/wrk"
HOST = "hf.example.no"
WORK = Path("/tmp/hf-bench")

MEETING = "/troms-ofoten/fsu-bu/moter/2023-05-12/"
CASE = "/troms-ofoten/fsu-bu/saker/2023/8/"
CASE_LIST = "/troms-ofoten/saker/"
SEARCH = "/sok/?q=palliativ"
ICS = "/troms-ofoten/kalender.ics"
PDF = "/troms-ofoten/fsu-bu/moter/2023-05-12/innkalling.pdf"
MEMBER = ("medlem", "helsefellesskap-demo")

# A single request slower than this is not run under wrk (it would only queue); its time is shown.
WRK_LIMIT_SECONDS = 5.0

BUST_LUA = """
local counter = 0
local tid = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
  thread:set("run", tostring(os.time()))
end
function request()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "_=" .. run .. "-" .. tid .. "-" .. counter)
end
"""


# --- processes ----------------------------------------------------------------------------------

_servers: list[subprocess.Popen] = []


def stop(process: subprocess.Popen):
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def stop_all():
    while _servers:
        stop(_servers.pop())


def start(command, *, env, log: Path, cwd=ROOT) -> subprocess.Popen:
    out = log.open("w")
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    _servers.append(process)
    return process


def wait_for(base: str, path: str, process: subprocess.Popen, log: Path, timeout: float, headers=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped with {process.returncode}; its log ({log}):\n{_tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if (
                requests.get(base + path, headers=headers, timeout=5, allow_redirects=False).status_code
                == 200
            ):
                return
        time.sleep(1)
    raise SystemExit(f"{base}{path} did not answer 200 within {timeout:.0f} s; log ({log}):\n{_tail(log)}")


def _tail(log: Path, chars=3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    found.append(int(entry.name))
    return found


def gunicorn_workers(process: subprocess.Popen) -> list[int]:
    """The worker pids under `make serve` (make → gunicorn master → workers)."""
    pids = [process.pid]
    for _ in range(4):
        next_level = [child for pid in pids for child in children(pid)]
        if not next_level:
            return pids if pids != [process.pid] else []
        pids = next_level
    return pids


def rss_kb(pid: int) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def wait_for_quiet(threshold: float, timeout: float) -> dict:
    """Wait until the 1-minute load average is below `threshold`, at most `timeout` seconds."""
    started = time.monotonic()
    seen = [load_average()]
    while seen[-1] >= threshold and time.monotonic() - started < timeout:
        time.sleep(5)
        seen.append(load_average())
    waited = time.monotonic() - started
    quiet = seen[-1] < threshold
    print(
        f"  machine {'quiet' if quiet else 'NOT quiet'}: load average {seen[0]:.2f} → {seen[-1]:.2f} "
        f"after {waited:.0f} s (threshold {threshold}, {os.cpu_count()} CPUs)",
        flush=True,
    )
    return {"quiet": quiet, "load_start": seen[0], "load_end": seen[-1], "waited": waited}


# --- wrk --------------------------------------------------------------------------------------------


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[unit]


def parse_wrk(output: str) -> dict:
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.M))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests_done = re.search(r"(\d+) requests in", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return {
        "requests": int(requests_done.group(1)) if requests_done else 0,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": _seconds(latency["50"])
        if "50" in latency and requests_done and int(requests_done.group(1))
        else None,
        "p99": _seconds(latency["99"])
        if "99" in latency and requests_done and int(requests_done.group(1))
        else None,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def wrk(url: str, *, connections, duration, threads, timeout, headers=(), script=None) -> dict:
    command = [
        WRK,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration}s",
        f"--timeout={timeout}s",
        "--latency",
    ]
    for header in headers:
        command.append(f"--header={header}")
    if script:
        command.append(f"--script={script}")
    command.append(url)
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout + 60)
    if result.returncode:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip()}")
    return parse_wrk(result.stdout) | {"raw": result.stdout}


# --- the portal -------------------------------------------------------------------------------------


class Portal:
    def __init__(self, base: str):
        self.base = base
        self.headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        self.cookie = ""

    def get(self, path, *, member=False, timeout=120):
        headers = dict(self.headers)
        if member:
            headers["Cookie"] = self.cookie
        return requests.get(self.base + path, headers=headers, timeout=timeout, allow_redirects=False)

    def login(self, username: str, password: str):
        """Log in once; the cookies are Secure (production), so they are kept and sent by hand."""
        session = requests.Session()
        page = session.get(self.base + "/konto/login/", headers=self.headers, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        csrf = page.cookies.get("csrftoken")
        if page.status_code != 200 or not token or not csrf:
            raise SystemExit(f"login page: {page.status_code}, no CSRF token found")
        answer = session.post(
            self.base + "/konto/login/",
            data={"login": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
            headers=self.headers
            | {
                "Cookie": f"csrftoken={csrf}",
                "Referer": f"https://{HOST}/konto/login/",
                "Origin": f"https://{HOST}",
            },
            timeout=60,
            allow_redirects=False,
        )
        sessionid = answer.cookies.get("sessionid")
        if answer.status_code != 302 or not sessionid:
            raise SystemExit(f"logging in as {username} failed: {answer.status_code} {answer.text[:300]}")
        self.cookie = f"sessionid={sessionid}"
        check = self.get("/min-side/", member=True)
        if check.status_code != 200:
            raise SystemExit(f"logged in as {username}, but /min-side/ answers {check.status_code}")

    def last_case_list_page(self) -> str:
        first = self.get(CASE_LIST)
        # "Side 1 av 862" / "Page 1 of 862" (templates/_pagination.html); else the largest link.
        total = re.search(r"(?:Side|Page) \d+ (?:av|of) ([\d\s\u00a0]+)", first.text)
        pages = [int(n) for n in re.findall(r"[?&;]side=(\d+)", first.text)]
        digits = re.sub(r"\D", "", total.group(1)) if total else ""
        if digits:
            return f"{CASE_LIST}?side={digits}"
        return f"{CASE_LIST}?side={max(pages)}" if pages else f"{CASE_LIST}?side=999999"


def environment(args, work: Path) -> dict:
    local = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    media = Path(os.environ.get("BENCH_MEDIA_ROOT", f"/tmp/hf-bench/{_dbname(args.database)}/media"))
    media.mkdir(parents=True, exist_ok=True)
    env = local | {
        "DATABASE_URL": args.database,
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_SECRET_KEY": "bench-web-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SITE_URL": f"https://{HOST}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "DJANGO_EMAIL_URL": f"smtp://127.0.0.1:{args.port + 2}",  # nothing listens: no page sends mail
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "PORT": str(args.port),
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        "DJANGO_PDF_PRERENDER": "0",
    }
    if not args.keep_max_requests:
        # gunicorn.conf.py replaces a worker after ~2,000 requests; the memory measure needs the
        # same worker throughout. GUNICORN_CMD_ARGS overrides the config file.
        env["GUNICORN_CMD_ARGS"] = "--max-requests 0"
    return env


def _dbname(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")
