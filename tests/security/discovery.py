"""Finding every form and GET parameter a persona can reach, by crawling the pages it sees.

A crawl from the persona's start pages follows links under the given prefixes, keeps at most
PAGES_PER_VIEW pages per view (one meeting page stands for the others) and reads each page's
<form>s (action, method, field names with their values) and the query parameters of its links.
New forms and parameters are found without a list to keep up to date.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.urls import Resolver404, resolve

PAGES_PER_VIEW = 4
MAX_PAGES = 250
SKIP_SUFFIXES = (".pdf", ".ics", ".atom", ".css", ".js", ".png", ".svg", ".ico", ".woff2")
# Forms that end the session or belong to the login machinery (another part of issue #11).
SKIP_ACTIONS = ("/konto/", "/admin/")


# Parameters a page reads that the demo data shows no link for (pagination needs more cases).
PARAMS_NOT_LINKED = {"portal:case_list": {"side"}, "portal:search": {"side"}}


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → values seen (options)


@dataclass(frozen=True)
class Target:
    """One thing to fuzz: a form (POST or GET) or a page's query parameters."""

    method: str
    path: str
    view: str
    names: tuple[str, ...]
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __str__(self):
        return f"{self.method} {self.path} [{', '.join(self.names)}]"


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None

    def _add(self, name, value):
        if self._form is not None and name and name != "csrfmiddlewaretoken":
            self._form.fields.setdefault(name, [])
            if value is not None:
                self._form.fields[name].append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = Form(method=(attrs.get("method") or "get").lower(), action=attrs.get("action") or "")
            self.forms.append(self._form)
        elif tag in ("input", "button"):
            self._add(attrs.get("name"), attrs.get("value", ""))
        elif tag == "textarea":
            self._add(attrs.get("name"), None)
        elif tag == "select":
            self._select = attrs.get("name")
            self._add(self._select, None)
        elif tag == "option" and self._select:
            self._add(self._select, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _view_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.func.__name__


def discover(client, starts: list[str], prefixes: tuple[str, ...]) -> list[Target]:
    """Crawl from `starts` through links under `prefixes`; return the forms and parameters."""
    seen_urls, per_view, queue = set(starts), {}, deque(starts)
    targets: dict[tuple, Target] = {}
    params: dict[tuple[str, str], set[str]] = {}
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        view = _view_name(path)
        if view is None or per_view.get(view, 0) >= PAGES_PER_VIEW:
            continue
        response = client.get(url)
        location = urlsplit(response.get("Location", ""))
        if response.status_code in (301, 302) and location.path.startswith(prefixes):
            target = location.path + (f"?{location.query}" if location.query else "")
            if target not in seen_urls:
                seen_urls.add(target)
                queue.append(target)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        per_view[view] = per_view.get(view, 0) + 1
        pages += 1
        parser = _PageParser()
        parser.feed(response.content.decode())
        params.setdefault((path, view), set()).update(PARAMS_NOT_LINKED.get(view, ()))
        for href in parser.links:
            absolute = urljoin(url, href)
            parts = urlsplit(absolute)
            if parts.netloc not in ("", "testserver") or not parts.path.startswith(prefixes):
                continue
            if parts.path.endswith(SKIP_SUFFIXES):
                continue
            if parts.query and parts.path == path:
                params[(path, view)].update(
                    name for name, _ in parse_qsl(parts.query, keep_blank_values=True)
                )
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen_urls:
                seen_urls.add(link)
                queue.append(link)
        for form in parser.forms:
            action = urlsplit(urljoin(url, form.action)).path or path
            if action.startswith(SKIP_ACTIONS) or not form.fields:
                continue
            action_view = _view_name(action) or view
            names = tuple(sorted(form.fields))
            key = (form.method, action_view, names)
            if key not in targets:
                options = tuple((name, tuple(values)) for name, values in sorted(form.fields.items()))
                targets[key] = Target(form.method.upper(), action, action_view, names, options)
    for (path, view), names in params.items():
        if names:
            key = ("get-params", view, tuple(sorted(names)))
            targets.setdefault(key, Target("GET", path, view, tuple(sorted(names))))
    return list(targets.values())
