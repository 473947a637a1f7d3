"""Public pages for visitors from the shared cache, never stale.

A visitor's request (GET or HEAD, no session cookie, no pending messages) for a page named in
PAGES is answered from Django's cache (Redis in production, local memory in `make run` and the
tests) when an entry exists for its key:

    host, scheme, path, query string (parameters sorted), language, the version of the data the
    page shows, the code version and the current minute.

The data version is read from the stamps (documents/stamps.py) in one query on their primary
key: every write of a row a page may show redraws the stamp of its partnership (or GLOBAL: people,
organisations, patient groups) in the writer's own transaction, so the first request after a
commit has a new key and renders the page afresh. A page under /<partnership>/ reads its
partnership's stamp (found by the slug in the same query); the front page, the calendar across
partnerships and search read every stamp. The code version (templates, static files, Python code,
translations) makes a deploy fresh. The minute makes pages that compare with the clock (upcoming
or past meetings, today's members) right: meetings start on whole minutes and memberships on
days, so a page rendered within the minute shows what any render in that minute would.

Only a 200 response that sets no cookie, is not marked private or no-store, varies on nothing
but Cookie (the language) and was made for a visitor who is not logged in is stored. A request
with a session cookie is never answered from, nor stored into, the shared entries: it goes the
normal way (an anonymous or expired session's cookie is deleted by SessionMiddleware on that
answer, and the next request comes here again). Stored are the body and the headers the view and
the middleware inside this one set; the security middleware outside it (CSP,
Permissions-Policy, HSTS, …) adds its headers to every answer, from the cache or not.

Every public answer carries an ETag (a hash of its body and headers: the same content keeps the
same ETag across versions and minutes), answers If-None-Match with 304, and says
`Cache-Control: public, max-age=…, stale-while-revalidate=…` for browsers and a CDN. Nothing ever
needs purging: an entry that is no longer current is never asked for again and expires.
`DJANGO_PUBLIC_CACHE=off` turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import time
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response

from documents.pdf import files_digest
from governance import stamps

from .middleware import chosen_language

# Which pages are served from the cache, by URL name, and the version of what each shows.
EVERY_PARTNERSHIP = "every partnership"
PARTNERSHIP = "the partnership named in the URL"
NO_PARTNERSHIP = "no partnership's data"
PAGES = {
    "portal:home": EVERY_PARTNERSHIP,
    "portal:accessibility": NO_PARTNERSHIP,
    "portal:partnership": PARTNERSHIP,
    "portal:body": PARTNERSHIP,
    "portal:case": PARTNERSHIP,
    "portal:case_list": PARTNERSHIP,
    "meetings:meeting": PARTNERSHIP,
    "meetings:calendar": EVERY_PARTNERSHIP,
    "meetings:partnership_calendar": PARTNERSHIP,
    "meetings:partnership_ics": PARTNERSHIP,
    "meetings:body_ics": PARTNERSHIP,
    "meetings:minutes_feed": PARTNERSHIP,
    "meetings:search": EVERY_PARTNERSHIP,
    "actionplans:list": PARTNERSHIP,
    "actionplans:detail": PARTNERSHIP,
}

KEY_PREFIX = "publicpage:"
CLOCK_SECONDS = 60  # the key's clock: one minute
ENTRY_SECONDS = 2 * CLOCK_SECONDS  # an entry is asked for during its minute only
# Vary values a stored response may carry: the language comes from the cookie.
SHAREABLE_VARY = {"cookie", "accept-language", "accept-encoding"}
# Cookies that make a request more than a visitor's: a login (maybe) and pending messages.
MESSAGES_COOKIE = "messages"


def data_version(match) -> str | None:
    """The version of the data the resolved page shows, or None if the page is not cached."""
    shows = PAGES.get(match.view_name)
    if shows is PARTNERSHIP:
        return stamps.partnership_page_version(match.kwargs["partnership"])
    if shows is EVERY_PARTNERSHIP:
        return stamps.every_partnership_version()
    if shows is NO_PARTNERSHIP:
        return stamps.global_version()
    return None


@functools.cache
def code_version() -> str:
    """A hash of everything that makes a page besides its data, once per process: a deploy with
    another template, style, translation or line of code gives every page a new key."""
    base = Path(settings.BASE_DIR)
    apps = ("helsefellesskap", "portal", "actionplans", "meetings", "governance", "documents")
    files = [
        *(base / "templates").rglob("*"),
        *(base / "static").rglob("*"),
        *(path for app in apps for path in (base / app).rglob("*.py") if "migrations" not in path.parts),
    ]
    return files_digest(hashlib.sha256(f"django {django.__version__}".encode()), base, files)


def cache_control() -> str:
    return (
        f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}, "
        f"stale-while-revalidate={settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE}"
    )


class PublicPageCacheMiddleware:
    """Answer visitors' public pages from the shared cache; store them there (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.PUBLIC_PAGE_CACHE

    def __call__(self, request):
        key = self._key(request) if self.enabled else None
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None:
            request.user = AnonymousUser()  # no session cookie: what AuthenticationMiddleware would say
            return self._answer(request, entry)
        response = self.get_response(request)
        if request.method != "GET" or not self._storable(request, response):
            return response
        response["Cache-Control"] = cache_control()
        headers = {name: value for name, value in response.items() if name.lower() != "set-cookie"}
        etag = (
            '"'
            + hashlib.sha256(repr((sorted(headers.items()), response.content)).encode()).hexdigest()[:32]
            + '"'
        )
        response["ETag"] = etag
        entry = {"content": response.content, "headers": {**headers, "ETag": etag}}
        cache.set(key, entry, ENTRY_SECONDS)
        return get_conditional_response(request, etag=etag, response=response) or response

    @staticmethod
    def _answer(request, entry) -> HttpResponse:
        response = HttpResponse(entry["content"], headers=entry["headers"])
        return get_conditional_response(request, etag=entry["headers"]["ETag"], response=response) or response

    def _key(self, request) -> str | None:
        """The cache key of a visitor's request for a cached page; None for anything else."""
        if request.method not in ("GET", "HEAD"):
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name not in PAGES:
            return None
        try:
            host = request.get_host()
        except Exception:  # noqa: BLE001 - a host not allowed: the normal way answers it (400)
            return None
        query = sorted((name, values) for name, values in request.GET.lists())
        parts = (
            request.scheme,
            host,
            request.path,
            repr(query),
            chosen_language(request),
            data_version(match),
            code_version(),
            int(time.time() // CLOCK_SECONDS),
        )
        return KEY_PREFIX + hashlib.sha256(repr(parts).encode()).hexdigest()

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
