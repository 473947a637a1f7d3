#!/usr/bin/env python
"""Check the bokmål catalogue: complete, not fuzzy, and compiled.

Exits non-zero, listing each problem, when
- an entry in locale/nb/LC_MESSAGES/django.po has an empty msgstr or is marked fuzzy;
- the header does not say Language: nb with Plural-Forms nplurals=2; plural=(n != 1);
- django.mo is missing or does not hold exactly the translations of django.po
  (read with the standard library's gettext, so no gettext tools are needed);
- when xgettext is installed: a string the code marks for translation is not in the .po
  (makemessages is run on a temporary copy of the project; the project itself is not touched).
  Without xgettext that last check is skipped with a note; --no-sources skips it always.

Usage: .venv/bin/python scripts/check_translations.py [--no-sources]
"""

import argparse
import ast
import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = "nb"
PO_PATH = ROOT / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
# The same as the documented command: makemessages -l nb --ignore=.venv --ignore=tests --ignore=bench
MAKEMESSAGES_IGNORES = [".venv", "tests", "bench"]
# Left out of the temporary copy: not sources, or large.
COPY_IGNORES = [
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "*.pyc",
    "*.sqlite3",
    "media",
    "staticfiles",
    ".pytest_cache",
    ".ruff_cache",
]


class Entry:
    def __init__(self, line):
        self.line = line
        self.flags = set()
        self.msgctxt = None
        self.msgid = ""
        self.msgid_plural = None
        self.msgstr = {}  # index -> text; index 0 for a singular entry

    @property
    def key(self):
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def _unquote(text, path, line):
    try:
        value = ast.literal_eval(text.strip())
    except (SyntaxError, ValueError) as exc:
        raise SystemExit(f"{path}:{line}: cannot read the string {text.strip()!r}") from exc
    if not isinstance(value, str):
        raise SystemExit(f"{path}:{line}: expected a quoted string")
    return value


def parse_po(path):
    """The active (not obsolete) entries of a .po file, header first."""
    entries = []
    entry = None
    field = None  # (name, index) the continuation lines add to
    pending_flags = set()

    def start(line):
        nonlocal entry, pending_flags
        entry = Entry(line)
        entry.flags = pending_flags
        pending_flags = set()
        entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            field = None
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if entry is None or field is None:
                raise SystemExit(f"{path}:{number}: string outside an entry")
            name, index = field
            value = _unquote(line, path, number)
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt":
            start(number)
            entry.msgctxt = _unquote(rest, path, number)
            field = ("msgctxt", 0)
        elif keyword == "msgid":
            if entry is None or entry.msgctxt is None or entry.msgstr or entry.msgid:
                start(number)
            entry.msgid = _unquote(rest, path, number)
            field = ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.msgid_plural = _unquote(rest, path, number)
            field = ("msgid_plural", 0)
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            index = 0 if keyword == "msgstr" else int(keyword[7:-1])
            entry.msgstr[index] = _unquote(rest, path, number)
            field = ("msgstr", index)
        else:
            raise SystemExit(f"{path}:{number}: cannot read {line!r}")
    return entries


def check_entries(entries):
    problems = []
    if not entries or entries[0].msgid != "":
        return [f"{PO_PATH}: no header entry"]
    header, messages = entries[0], entries[1:]
    if "fuzzy" in header.flags:
        problems.append(f"{PO_PATH}: the header is marked fuzzy")
    fields = {
        name.strip(): value.strip()
        for name, _, value in (line.partition(":") for line in header.msgstr.get(0, "").splitlines())
    }
    if fields.get("Language") != LOCALE:
        problems.append(f"{PO_PATH}: header says Language: {fields.get('Language', '')!r}, not {LOCALE!r}")
    if fields.get("Plural-Forms") != PLURAL_FORMS:
        problems.append(
            f"{PO_PATH}: header Plural-Forms is {fields.get('Plural-Forms')!r}, not {PLURAL_FORMS!r}"
        )
    if not messages:
        problems.append(f"{PO_PATH}: no messages")
    for entry in messages:
        where = f"{PO_PATH}:{entry.line}: {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where} is marked fuzzy")
        wanted = 2 if entry.msgid_plural is not None else 1
        if any(not entry.msgstr.get(index) for index in range(wanted)):
            problems.append(f"{where} has no translation")
    return problems


def check_mo(entries):
    """The .mo must hold exactly the .po's translations."""
    if not MO_PATH.exists():
        return [f"{MO_PATH} is missing: run manage.py compilemessages -l {LOCALE}"]
    with MO_PATH.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    expected = {}
    for entry in entries:
        if "fuzzy" in entry.flags and entry.msgid != "":
            continue  # msgfmt leaves fuzzy entries out; they are reported above
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                expected[entry.key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                if text:
                    expected[(entry.key, index)] = text
    compiled.pop("", None)
    expected.pop("", None)
    stale = sorted(
        (repr(key) for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)),
    )
    if stale:
        shown = ", ".join(stale[:10]) + (" …" if len(stale) > 10 else "")
        return [
            f"{MO_PATH} does not match {PO_PATH.name} ({len(stale)} messages differ: {shown}); "
            f"run manage.py compilemessages -l {LOCALE} --ignore=.venv"
        ]
    return []


def check_sources(entries):
    """Every string the code marks for translation must be in the .po."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        print("note: gettext tools not installed; not checking the code's strings against the .po")
        return []
    known = {entry.key for entry in entries}
    with tempfile.TemporaryDirectory(prefix="check-translations-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*COPY_IGNORES), symlinks=True)
        command = [sys.executable, "manage.py", "makemessages", "-l", LOCALE, "--no-location"]
        command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helsefellesskap.settings.test"}
        result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            return [f"makemessages failed on a copy of the project:\n{result.stderr or result.stdout}"]
        extracted = parse_po(copy / PO_PATH.relative_to(ROOT))
    missing = [entry for entry in extracted[1:] if entry.key not in known]
    problems = [f"{PO_PATH}: the code has {entry.msgid!r}, which the catalogue lacks" for entry in missing]
    if missing:
        ignores = " ".join(f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES)
        problems.append(
            f"update it: manage.py makemessages -l {LOCALE} {ignores}, then translate and compile"
        )
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-sources", action="store_true", help="do not compare with the code's strings")
    args = parser.parse_args()
    if not PO_PATH.exists():
        print(f"{PO_PATH} is missing", file=sys.stderr)
        return 1
    entries = parse_po(PO_PATH)
    problems = check_entries(entries) + check_mo(entries)
    if not args.no_sources:
        problems += check_sources(entries)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} translation problem(s)", file=sys.stderr)
        return 1
    print(f"{PO_PATH.relative_to(ROOT)}: {len(entries) - 1} messages, all translated; the .mo is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
