"""Public pages for visitors from the shared cache, never stale.

A visitor's request (GET or HEAD, no session cookie, no pending messages) for a page named in
PAGES is answered from Django's cache (Redis in production, local memory in `make run` and the
tests) when an entry exists for its key:

    scheme, host, path, query string (parameters sorted), language, the version of the data the
    page shows, the code version, and for a page that compares with the clock the minute.

The data version is read from the stamps (documents/stamps.py) in one query on their primary
key: every write of a row a page may show redraws the stamp of its partnership (or GLOBAL: people,
organisations, patient groups) in the writer's own transaction, so the first request after a
commit has a new key and renders the page afresh. A page under /<partnership>/ reads its
partnership's stamp (found by the slug in the same query); the front page, the calendar across
partnerships and search read every stamp. The code version (templates, static files, Python code,
translations) makes a deploy fresh. The minute makes pages that compare with the clock (upcoming
or past meetings, today's members) right: meetings start on whole minutes and memberships on
days, so what such a page shows is the same all through a minute.

Only a 200 response that sets no cookie, is not marked private or no-store, varies on nothing
but Cookie (the language) and was made for a visitor who is not logged in is stored. A request
with a session cookie is never answered from, nor stored into, the shared entries: it goes the
normal way (an anonymous or expired session's cookie is deleted by SessionMiddleware on that
answer, and the next request comes here again). Stored are the body and the headers the view and
the middleware inside this one set; the security middleware outside it (CSP, Permissions-Policy,
HSTS, …) adds its headers to every answer, from the cache or not.

Every public answer carries an ETag (a hash of its body and headers: the same content keeps the
same ETag across versions and minutes), answers If-None-Match with 304, and says
`Cache-Control: public, max-age=0, s-maxage=…` (browsers revalidate every time; a CDN may keep it
briefly) and `CDN-Cache-Control` with stale-while-revalidate for a CDN. Nothing ever
needs purging: an entry that is no longer current is never asked for again and expires.
`DJANGO_PUBLIC_CACHE=off` turns it off (README, "The public page cache").

For speed an answer from the cache costs one database round trip and, for the busiest pages, no
trip to Redis (the latest entries are also kept in the process).
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response

from documents.fragments import LeastRecentlyUsed, site_code_version
from governance import stamps

from .middleware import chosen_language

EVERY_PARTNERSHIP = "every partnership"
PARTNERSHIP = "the partnership named in the URL"
NO_PARTNERSHIP = "no partnership's data"


@dataclass(frozen=True)
class Page:
    """A page served from the cache: the data it shows (its version is read per request), and
    whether it compares with the clock (then the minute is part of its key)."""

    shows: str
    clock: bool = False


# Which pages are served from the cache, by URL name. A page not named here is never cached. A
# page that starts to compare with the clock (upcoming, today, a window of dates) says clock=True.
PAGES = {
    "portal:home": Page(EVERY_PARTNERSHIP, clock=True),  # upcoming meetings
    "portal:accessibility": Page(NO_PARTNERSHIP),
    "portal:partnership": Page(PARTNERSHIP, clock=True),  # upcoming meetings
    "portal:body": Page(PARTNERSHIP, clock=True),  # current and past members
    "portal:case": Page(PARTNERSHIP),
    "portal:case_list": Page(PARTNERSHIP),
    "meetings:meeting": Page(PARTNERSHIP),
    "meetings:calendar": Page(EVERY_PARTNERSHIP, clock=True),
    "meetings:partnership_calendar": Page(PARTNERSHIP, clock=True),
    "meetings:partnership_ics": Page(PARTNERSHIP, clock=True),  # a window of dates
    "meetings:body_ics": Page(PARTNERSHIP, clock=True),
    "meetings:minutes_feed": Page(PARTNERSHIP, clock=True),
    "portal:search": Page(EVERY_PARTNERSHIP, clock=True),
    "actionplans:list": Page(PARTNERSHIP),
    "actionplans:detail": Page(PARTNERSHIP),
}

KEY_PREFIX = "publicpage:"
CLOCK_SECONDS = 60  # the clock of a key: meetings start on whole minutes, memberships on days
# The one Vary a stored response may carry: Cookie (the language cookie, part of the key). A page
# that varied on another header (Accept-Language, Accept-Encoding) would differ within one key.
SHAREABLE_VARY = {"cookie"}
# Pending messages (after a logout, say) are shown by the normal way, never from the cache.
MESSAGES_COOKIE = "messages"


@functools.lru_cache(maxsize=4096)
def cached_page(path_info: str) -> tuple[Page, str | None] | None:
    """(the page, its partnership's slug) for a path of PAGES, else None; remembered, as
    resolving costs about a millisecond, more than the rest of an answer from the cache."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    page = PAGES.get(match.view_name)
    return None if page is None else (page, match.kwargs.get("partnership"))


@receiver(setting_changed)
def _urls_changed(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        cached_page.cache_clear()


def read_version(page: Page, partnership: str | None) -> str | None:
    """data_version(), its query doubling as the database connection's health check: with
    CONN_HEALTH_CHECKS Django would first send a `SELECT 1` on a connection kept from an earlier
    request, a round trip as long as the stamp query itself. If the query fails on such a
    connection, the connection is closed and None says: go the normal way, where Django connects
    again (and reports a real error as it would)."""
    db = connections[DEFAULT_DB_ALIAS]
    unchecked = db.health_check_enabled and db.connection is not None and not db.health_check_done
    if unchecked:
        db.health_check_done = True
    try:
        return data_version(page.shows, partnership)
    except Error:  # OperationalError, InterfaceError: a connection the server closed
        if not unchecked or db.in_atomic_block:
            raise
        db.close()
        return None


def data_version(shows: str, partnership: str | None) -> str:
    """The version of the data a page shows (one query)."""
    if shows is PARTNERSHIP:
        return stamps.partnership_page_version(partnership)
    if shows is EVERY_PARTNERSHIP:
        return stamps.every_partnership_version()
    return stamps.global_version()


def code_version() -> str:
    """Templates, static files, code and translations (documents/fragments.py): a deploy is fresh."""
    return site_code_version()


def cache_control() -> dict[str, str]:
    """A browser asks again every time (a 304 from the cache when nothing changed), so a visitor
    who reloads after a change sees it; a shared cache (a CDN) may keep the page for
    PUBLIC_CACHE_MAX_AGE seconds, and serve it stale while it revalidates (RFC 9213's
    CDN-Cache-Control, which browsers ignore, so stale-while-revalidate never reaches them)."""
    max_age, stale = settings.PUBLIC_CACHE_MAX_AGE, settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE
    return {
        "Cache-Control": f"public, max-age=0, s-maxage={max_age}",
        "CDN-Cache-Control": f"public, max-age={max_age}, stale-while-revalidate={stale}",
    }


# The most recent entries also in this process, so the busiest pages cost no trip to Redis. As
# safe as the shared entries: the key holds the version, so an entry is right for as long as
# anyone asks for its key. At most LOCAL_ENTRIES (~25 KB each), the least recently used dropped.
LOCAL_ENTRIES = 200
_local = LeastRecentlyUsed(LOCAL_ENTRIES)


def forget_local() -> None:
    """Empty this process's entries (the tests, with the shared cache: each test's database
    starts again from the same empty stamps)."""
    _local.clear()


class PublicPageCacheMiddleware:
    """Answer visitors' public pages from the shared cache; store them there (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.PUBLIC_PAGE_CACHE

    def __call__(self, request):
        found = self._key(request) if self.enabled else None
        if found is None:
            return self.get_response(request)
        key, page = found
        entry = _local.get(key)
        if entry is None:
            entry = cache.get(key)
            if entry is not None:
                _local.put(key, entry)
        if entry is not None:
            request.user = AnonymousUser()  # no session cookie: what AuthenticationMiddleware would say
            return self._answer(request, entry)
        response = self.get_response(request)
        if request.method != "GET" or not self._storable(request, response):
            return response
        for name, value in cache_control().items():
            response[name] = value
        headers = {name: value for name, value in response.items() if name.lower() != "set-cookie"}
        etag = (
            '"'
            + hashlib.sha256(repr((sorted(headers.items()), response.content)).encode()).hexdigest()[:32]
            + '"'
        )
        response["ETag"] = etag
        entry = {"content": response.content, "headers": {**headers, "ETag": etag}}
        # A page with the clock in its key is asked for during its minute only.
        cache.set(key, entry, 2 * CLOCK_SECONDS if page.clock else settings.PUBLIC_CACHE_ENTRY_SECONDS)
        _local.put(key, entry)
        return get_conditional_response(request, etag=etag, response=response) or response

    @staticmethod
    def _answer(request, entry) -> HttpResponse:
        response = HttpResponse(entry["content"], headers=entry["headers"])
        return get_conditional_response(request, etag=entry["headers"]["ETag"], response=response) or response

    def _key(self, request) -> tuple[str, Page] | None:
        """The cache key of a visitor's request for a cached page, and the page; None for
        anything else."""
        if request.method not in ("GET", "HEAD"):
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
            return None
        found = cached_page(request.path_info)
        if found is None:
            return None
        page, partnership = found
        try:
            host = request.get_host()
        except Exception:  # noqa: BLE001 - a host not allowed: the normal way answers it (400)
            return None
        version = read_version(page, partnership)
        if version is None:
            return None
        if page.shows is PARTNERSHIP:
            request.partnership_page_version = version  # the view's parts are keyed by it too
        query = sorted((name, values) for name, values in request.GET.lists())
        parts = (
            request.scheme,
            host,
            request.path,
            repr(query),
            chosen_language(request),
            version,
            code_version(),
            int(time.time() // CLOCK_SECONDS) if page.clock else None,
        )
        return KEY_PREFIX + hashlib.sha256(repr(parts).encode()).hexdigest(), page

    @staticmethod
    def _storable(request, response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        directives = {
            part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")
        }
        if directives & {"private", "no-store", "no-cache"}:
            return False
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
        if not vary <= SHAREABLE_VARY:
            return False
        user = getattr(request, "user", None)
        return user is None or not user.is_authenticated
