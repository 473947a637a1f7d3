"""Pieces for tests/deploy/two_servers.py: processes, an HTTP client, an SMTP sink, file snapshots.

Only the standard library, psycopg2, redis and aiosmtpd (the dev extra), so the script runs from
the project's virtualenv with nothing else installed.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from aiosmtpd.controller import Controller

# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------


class Proc:
    """A command in its own process group (session), its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict, log_path: Path, cwd: Path):
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.popen = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.pgid = self.popen.pid  # a new session: its leader's pid is the group's id

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def owns(self, pid: int) -> bool:
        """The process pid belongs to this command's process group (e.g. a gunicorn worker)."""
        try:
            return os.getpgid(pid) == self.pgid
        except ProcessLookupError:
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to the whole group, then SIGKILL to whatever is left."""
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and _group_alive(self.pgid):
                self.popen.poll()
                time.sleep(0.1)
            if not _group_alive(self.pgid):
                break
        self.popen.poll()
        self._log.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies of our own direct child still count as the group; reap them.
    return any(_pgid_of(pid) == pgid and not _is_zombie(pid) for pid in _pids())


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _pgid_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except (ProcessLookupError, PermissionError):
        return None


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pid_of_tcp_client(local_port: int, remote_port: int) -> int | None:
    """The pid whose socket is connected from 127.0.0.1:local_port to remote_port (Linux /proc)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            parts = row.split()
            local, remote = parts[1], parts[2]
            if int(local.rsplit(":", 1)[1], 16) == local_port and int(remote.rsplit(":", 1)[1], 16) == (
                remote_port
            ):
                inode = parts[9]
                break
        if inode:
            break
    if not inode:
        return None
    target = f"socket:[{inode}]"
    for pid in _pids():
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


# ---------------------------------------------------------------------------
# HTTP, as the reverse proxy passes it on: Host, X-Forwarded-Proto: https
# ---------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@dataclass
class Client:
    """A browser's cookies against one app server, as if behind an https proxy for `host`."""

    port: int
    host: str
    cookies: dict[str, str] = field(default_factory=dict)

    def on(self, port: int) -> Client:
        """The same browser (the same cookies) against another app server."""
        return Client(port, self.host, dict(self.cookies))

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        sent = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.10",
            "Accept-Language": "nb",
            "User-Agent": "two-servers-check",
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://{self.host}"
            sent["Referer"] = f"https://{self.host}{path}"
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            content = raw.read()
        finally:
            connection.close()
        response = Response(raw.status, raw.headers, content, time.monotonic() - started)
        self._keep_cookies(response)
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def _keep_cookies(self, response: Response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def location_path(response: Response) -> str:
    return urlsplit(response.header("Location")).path


def wait_until_serving(client: Client, proc: Proc, seconds: float) -> float:
    """Poll the front page until it is 200; the time it took. Fails early if the command died."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        try:
            if client.get("/").status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{proc.name} did not serve / with 200 within {seconds:.0f} s:\n{proc.tail()}")


def wait_for_log(proc: Proc, pattern: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if re.search(pattern, proc.log()):
            return time.monotonic() - started
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        time.sleep(0.3)
    raise RuntimeError(f"{proc.name} did not log {pattern!r} within {seconds:.0f} s:\n{proc.tail()}")


# ---------------------------------------------------------------------------
# Forms in HTML
# ---------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden/text/checked inputs
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of submit buttons
    checkboxes: list[tuple[str, str]] = field(default_factory=list)  # unchecked: a person ticks them

    def data(self, button: tuple[str, str] | None = None, tick_all: bool = False) -> dict:
        data: dict[str, str] = dict(self.fields)
        if tick_all:
            data.update(self.checkboxes)
        if button:
            data[button[0]] = button[1]
        return data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = Form(attrs.get("action", ""), attrs.get("method", "get").lower())
            self.forms.append(self._current)
        elif self._current is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            entry = (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            if kind == "submit":
                self._current.buttons.append(entry)
            elif kind in ("checkbox", "radio") and "checked" not in attrs:
                self._current.checkboxes.append(entry)
            elif kind not in ("button", "reset", "file"):
                self._current.fields.append(entry)
        elif tag == "button" and attrs.get("type", "submit").lower() == "submit":
            self._current.buttons.append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_with_button(html: str, name: str, value: str) -> Form | None:
    return next((form for form in forms(html) if (name, value) in form.buttons), None)


def links(html: str, base: str, suffix: str) -> list[str]:
    found = re.findall(r"""href=["']([^"']+)["']""", html)
    return [urljoin(base, href) for href in found if urlsplit(href).path.endswith(suffix)]


# ---------------------------------------------------------------------------
# The mail server: an SMTP sink that keeps every message
# ---------------------------------------------------------------------------


@dataclass
class Received:
    recipients: list[str]
    sender: str
    content: bytes
    at: float  # time.monotonic()
    client_pid: int | None  # the process that connected (Linux /proc), None if unknown
    note: str = ""  # what `inspect` said at arrival (e.g. whether the change was committed)


class SmtpSink:
    """aiosmtpd in a thread of this process; `inspect(message)` runs as each message arrives."""

    def __init__(self, port: int, inspect=None):
        self.port = port
        self.messages: list[Received] = []
        self._lock = threading.Lock()
        self._inspect = inspect
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.messages)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        peer_port = session.peer[1] if session.peer else 0
        message = Received(
            recipients=list(envelope.rcpt_tos),
            sender=envelope.mail_from,
            content=envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode(),
            at=time.monotonic(),
            client_pid=pid_of_tcp_client(peer_port, self.port),
        )
        if self._inspect:
            message.note = self._inspect(message)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root: relative path → (size, mtime in ns)."""
    files = {}
    for path in root.rglob("*"):
        if path.is_file():
            stat = path.stat()
            files[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return files


def changes(before: dict, after: dict) -> list[str]:
    return sorted(
        [f"+ {name}" for name in after.keys() - before.keys()]
        + [f"- {name}" for name in before.keys() - after.keys()]
        + [f"~ {name}" for name in before.keys() & after.keys() if before[name] != after[name]]
    )
