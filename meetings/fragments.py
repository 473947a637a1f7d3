"""The meeting page's largest parts, rendered once per version and reader access.

The agenda and the case papers with their part of the record are most of the meeting page's
template work. They are kept per process (documents/fragments.py), keyed by:

- the version of the partnership's data and of GLOBAL (governance/stamps.py: every row the parts
  show, the people and organisations included, is stamped in its writer's transaction), read
  before the cases, so the cases read later are at least as new as the key says;
- the language (the parts hold translated words and dates) and the code version;
- the meeting, and for each case everything that differs between readers: its access flags
  (content_visible, decision_visible: meetings/permissions.py), which attachments the reader may
  open, and every field of the reader's record entry (record.CaseEntry.shown()).

So two readers share a rendering only when they would see the same bytes, and a visitor never gets
a member's rendering: tests/meetings/test_fragments.py renders the page for every persona in
both orders with the parts kept and compares it with the page rendered without them.
"""

from django.template.loader import render_to_string
from django.utils.translation import get_language

from documents import fragments
from governance import stamps
from governance.permissions import viewer_for

from . import selectors


def data_version(request, partnership_slug: str) -> str:
    """The version of what a page under /<partnership>/ shows; read once per request (the public
    page cache has read it already for a visitor: helsefellesskap/pagecache.py)."""
    version = getattr(request, "partnership_page_version", None)
    if version is None:
        version = stamps.partnership_page_version(partnership_slug)
        request.partnership_page_version = version
    return version


def _access(case) -> tuple:
    entry = getattr(case, "entry", None)
    return (
        case.pk,
        bool(case.content_visible),
        bool(case.decision_visible),
        tuple((attachment.pk, bool(attachment.readable)) for attachment in case.attachments.all()),
        None if entry is None else entry.shown(),
    )


def shared_with_others(user, meeting) -> bool:
    """Whether the meeting's parts are kept for this reader: for visitors and members, who are
    many and read the same; not for the body's leaders and the secretariat, who read the draft
    record while they work on it (their pages are few and change with every edit)."""
    viewer = viewer_for(user)
    return not (viewer.leads(meeting.body_id) or viewer.is_secretariat_of(meeting.body.partnership_id))


def agenda_with_parts(request, meeting, partnership_slug: str, *, reader: tuple = ()):
    """(cases, record, parts) of the meeting page: selectors.agenda for the reader, and
    {"agenda_html", "papers_html"} rendered, or kept from an earlier reader with the same key;
    and "content_key", the key of the rest of the page's content (`{% kept content_key %}` in
    meetings/meeting.html): the parts' key with the record's visibility and `reader`, whatever
    else the view shows of the reader (their access to the meeting's private details); None
    where the parts are not kept."""
    user = request.user
    if not (fragments.enabled() and shared_with_others(user, meeting)):
        cases, record = selectors.agenda(user, meeting)
        return cases, record, {**_render(cases), "content_key": None}
    version = data_version(request, partnership_slug)  # before the cases it versions
    cases, record = selectors.agenda(user, meeting, papers=False)
    access = tuple(_access(case) for case in cases)
    language = get_language()
    keys = {name: fragments.key("meeting", name, version, language, meeting.pk, access) for name in PARTS}
    parts = {name: fragments.get(key) for name, key in keys.items()}
    if None in parts.values():
        selectors.read_papers(cases)
        parts = _render(cases)
        for name, key in keys.items():
            fragments.put(key, parts[name])
    content_key = fragments.key(
        "meeting", "content", version, language, meeting.pk, access, record.visible, reader
    )
    return cases, record, {**parts, "content_key": content_key}


PARTS = {"agenda_html": "meetings/_meeting_agenda.html", "papers_html": "meetings/_meeting_papers.html"}


def _render(cases) -> dict[str, str]:
    return {name: render_to_string(template, {"cases": cases}) for name, template in PARTS.items()}
