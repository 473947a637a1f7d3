"""Public and members' pages of meetings and cases; what may not be seen is a 404."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from governance.models import Body, Partnership

from .. import fragments, permissions, selectors
from ..models import Attachment, Meeting


def meeting_or_404(user, partnership, body, day) -> Meeting:
    """The body's meeting its URL segment names, if the user may see it (selectors.meeting_on:
    compiled once per reader's standing), else a 404; for the meeting page and its PDFs."""
    try:
        return selectors.meeting_on(user, partnership=partnership, body=body, day=day)
    except Meeting.DoesNotExist:
        raise Http404 from None


@require_safe
def meeting_detail(request, partnership, body, day):
    user = request.user
    meeting = meeting_or_404(user, partnership, body, day)
    private_details = permissions.can_view_meeting_private_details(user, meeting)
    cases, record, parts = fragments.agenda_with_parts(
        request, meeting, partnership, reader=(private_details,)
    )
    context = {
        **parts,
        "partnership": meeting.body.partnership,
        "body": meeting.body,
        "meeting": meeting,
        "cases": cases,
        "record": record,
        "minutes_visible": record.visible,
        "private_details": private_details,
        "is_programme": meeting.body.kind == Body.Kind.DIALOGUE_MEETING,
    }
    return render(request, "meetings/meeting.html", context)


@require_safe
def calendar(request, partnership=None):
    user = request.user
    meetings = Meeting.objects.visible_to(user).select_related("body__partnership")
    bodies = Body.objects.select_related("partnership")
    if partnership is not None:
        partnership = get_object_or_404(Partnership, slug=partnership)
        meetings = meetings.filter(body__partnership=partnership)
        bodies = bodies.filter(partnership=partnership)
    bodies = list(bodies)
    chosen = request.GET.get("organ")
    chosen_body = next((b for b in bodies if f"{b.partnership.slug}/{b.slug}" == chosen), None)
    if chosen_body is not None:
        meetings = meetings.filter(body=chosen_body)
    now = timezone.now()
    return render(
        request,
        "meetings/calendar.html",
        {
            "partnership": partnership,
            "bodies": bodies,
            "chosen_body": chosen_body,
            "upcoming": list(meetings.filter(start__gte=now).order_by("start")[:50]),
            "past": list(meetings.filter(start__lt=now).order_by("-start")[:50]),
        },
    )


@require_safe
def attachment_download(request, pk):
    """Serve an attachment's file only to those who may read it; anything else is a 404.

    The only way to an attachment's bytes: MEDIA_URL is never served. The file is read through
    the default storage (local folder or S3), so any app server can serve it."""
    attachment = get_object_or_404(
        Attachment.objects.readable_by(request.user).exclude(file="").select_related("case"), pk=pk
    )
    try:
        file = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None  # a row whose file is gone (restored from history): nothing to serve
    response = FileResponse(file, as_attachment=False, filename=attachment.file.name.rsplit("/", 1)[-1])
    exempt = attachment.exempt or attachment.case.exempt
    response["Cache-Control"] = "private, no-store" if exempt else "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
