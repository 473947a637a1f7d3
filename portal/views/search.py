"""The search page: cases, decisions, minutes and attachments (meetings) with the action plans and
their measures (actionplans), within what the reader may read; one page of hits at a time."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from actionplans.search import SOURCES
from governance.models import Partnership
from meetings import search as meetings_search


@require_safe
def search(request):
    """Search (`q`), in one partnership or all (`helsefellesskap`), a page at a time (`side`; a bad
    or too high number shows the first or last); an empty query explains what can be searched."""
    query = request.GET.get("q", "").strip()
    partnerships = list(Partnership.objects.order_by("name"))
    slug = request.GET.get("helsefellesskap")
    partnership = next((p for p in partnerships if p.slug == slug), None)
    page = _search_page(request, query, partnership)
    suggestion = None
    if page.suggestion:
        suggestion = {"query": page.suggestion, "url": "?" + _params(request, q=page.suggestion)}
    context = {
        "query": query,
        "page": page,
        "hits": page.hits,
        "ranked": meetings_search.uses_postgres(),
        "partnerships": partnerships,
        "chosen_partnership": partnership,
        "suggestion": suggestion,
        "page_query": _params(request),
    }
    return render(request, "meetings/search.html", context)


def _search_page(request, query, partnership):
    search_page = meetings_search.search_page  # looked up per request (the fuzz test replaces it)
    page = search_page(
        request.user, query, partnership=partnership, page=_page_number(request.GET), extra=SOURCES
    )
    if not page.hits and page.number > page.num_pages:
        page = search_page(request.user, query, partnership=partnership, page=page.num_pages, extra=SOURCES)
    return page


def _params(request, **changes) -> str:
    """The request's parameters without the page number, with `changes`, for a link."""
    params = request.GET.copy()
    params.pop("side", None)
    for name, value in changes.items():
        params[name] = value
    return params.urlencode()


def _page_number(params) -> int:
    value = params.get("side", "1")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 4 else 1
