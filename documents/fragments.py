"""Rendered parts of pages, kept in each process, keyed by the version of what they show.

A page that renders the same large part for many requests (a meeting's agenda and case papers)
asks here first. The key is made by the caller from everything the part shows and everything that
differs between readers of it:

    the data version (the stamps of the scopes the part is built from, read before the data, so
    that data read later is at least as new as the key says), the code version (templates, code,
    translations: a deploy renders afresh), the language, and the reader's access to each object
    the part shows (which flags, which parts of the record they may read).

Two readers with the same key see the same bytes; a reader whose access differs has another key.
As with the public page cache (helsefellesskap/pagecache.py), nothing is ever stale: a change
gives new keys, and an entry of an older version is never asked for again and falls out of the
least-recently-used store. Per process, not shared: the parts are cheap to render once per worker,
and asking Redis would cost a round trip per page. `DJANGO_FRAGMENT_CACHE=off` turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

import django
from django.conf import settings

from .pdf import files_digest


class LeastRecentlyUsed:
    """At most `size` entries in this process, the least recently used dropped; thread-safe (a
    gunicorn worker may run threads). Shared by the kept parts here and the public page cache's
    entries kept in the process (helsefellesskap/pagecache.py)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


# At most this many parts per process (a meeting's case papers are 10–40 KB: ≤ 20 MB).
ENTRIES = 500
kept = LeastRecentlyUsed(ENTRIES)

# The apps whose code makes the pages (names, not imports: this is the lowest layer).
SITE_APPS = ("helsefellesskap", "portal", "actionplans", "meetings", "governance", "documents")


@functools.cache
def site_code_version() -> str:
    """A hash of everything that makes a page besides its data, once per process: a deploy with
    another template, style, translation or line of code gives every page and part a new key."""
    base = Path(settings.BASE_DIR)
    files = [
        *(base / "templates").rglob("*"),
        *(base / "static").rglob("*"),
        *(path for app in SITE_APPS for path in (base / app).rglob("*.py") if "migrations" not in path.parts),
    ]
    return files_digest(hashlib.sha256(f"django {django.__version__}".encode()), base, files)


def key(*parts) -> str:
    """A key of `parts` (reprs of plain values) and the code version."""
    return hashlib.sha256(repr((site_code_version(), *parts)).encode()).hexdigest()


def enabled() -> bool:
    return settings.FRAGMENT_CACHE


def get(fragment_key: str) -> str | None:
    return kept.get(fragment_key)


def put(fragment_key: str, html: str) -> None:
    kept.put(fragment_key, html)


def forget() -> None:
    """Empty this process's parts (the tests: each test's database starts again from the same
    stamps and primary keys)."""
    kept.clear()
