"""The workspace page "Sikkerhetslogg": the partnership's users' security events."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from governance.decorators import secretariat_required

from ..security_events import EVENTS_PER_PAGE, event_label, partnership_events


@secretariat_required
@require_safe
def security_log(request, partnership):
    params = request.GET.copy()
    page_number = params.pop("side", [None])[-1]
    form, events = partnership_events(partnership, params)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(page_number)
    rows = [(event, event_label(event.event)) for event in page]
    context = {"partnership": partnership, "form": form, "page": page, "rows": rows}
    context["query"] = params.urlencode()
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "portal/manage/security_log.html", context, status=status)
