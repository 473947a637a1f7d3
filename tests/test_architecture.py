"""The code's shape, as issue 8 fixed it: layers by import, one home per rule, small modules.

These fail with a message that names the offending file, so a wrong-way import, a status spelled
outside the lifecycle table or a module that grew too big is caught by `make test`, not review.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from meetings import lifecycle

ROOT = Path(__file__).resolve().parent.parent
APPS = ("helsefellesskap", "documents", "governance", "meetings", "actionplans", "portal")
MAX_MODULE_LINES = 600


def _sources(*suffixes):
    for top in (*APPS, "templates", "tests", "bench", "scripts"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts and "__pycache__" not in path.parts:
                yield path


def test_apps_import_only_downwards():
    """import-linter's layers contract (pyproject.toml): documents ← governance ← meetings ← …"""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_is_over_600_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in _sources(".py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"split these modules (over {MAX_MODULE_LINES} lines): {too_long}"


STATUS_WORDS = "|".join(re.escape(status) for status in lifecycle.Status.values)
# A status spelled as a string ("held", 'minutes_published') or as Status.HELD outside the table.
STATUS_LITERAL = re.compile(rf"""["']({STATUS_WORDS})["']|Status\.({"|".join(lifecycle.Status.names)})\b""")


@pytest.mark.parametrize("suffixes", [(".py",), (".html", ".txt")], ids=["code", "templates"])
def test_meeting_statuses_are_spelled_only_in_the_lifecycle_table(suffixes):
    allowed = {ROOT / "meetings" / "lifecycle.py"}
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources(*suffixes)
        # Tests set up meetings in given statuses; they are not rules.
        if path not in allowed and ROOT / "tests" not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STATUS_LITERAL.search(line) and "FollowUp.Status" not in line and "Attendance.Status" not in line
    ]
    assert not found, "ask meetings/lifecycle.py (or the meeting's properties) instead:\n" + "\n".join(found)
