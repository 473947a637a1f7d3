"""The test's OpenID Connect provider: tests/sso/provider/server.js (npm's oidc-provider) on Node.js."""

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "helsefellesskap-test"
CLIENT_SECRET = "test-only-client-secret"
PROVIDER_ID = "test-idp"
PROVIDER_NAME = "Test-IdP"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_and_npm() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        pytest.skip(
            "Node.js and npm are not installed (the SSO test runs npm's oidc-provider): "
            "apt-get install -y nodejs npm"
        )
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(PROVIDER_DIR)], check=True, timeout=600
        )
    return node, npm


class Provider:
    """A running provider: its issuer URL and the events it printed, one JSON object a line."""

    def __init__(self, *, redirect_uri: str, log_path: Path):
        node, _npm = node_and_npm()
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {
            "PATH": str(Path(node).parent),
            "PORT": str(self.port),
            "REDIRECT_URI": redirect_uri,
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
        }
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                [node, "server.js"], cwd=PROVIDER_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_until_ready()

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the OpenID Connect provider exited:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.discovery_url, timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the OpenID Connect provider did not start:\n{self.log_path.read_text()}")

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def events(self, name: str) -> list[dict]:
        found = []
        for line in self.log_path.read_text().splitlines():
            if line.startswith("{"):
                event = json.loads(line)
                if event.get("event") == name:
                    found.append(event)
        return found

    def portal_config(self) -> str:
        """DJANGO_OIDC_PROVIDERS for a portal that uses this provider."""
        return json.dumps(
            [
                {
                    "provider_id": PROVIDER_ID,
                    "name": PROVIDER_NAME,
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "server_url": self.issuer,
                }
            ]
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
