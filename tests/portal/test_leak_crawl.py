"""Crawl everything a visitor can reach from the home page and look for protected content.

The demo data holds a draft meeting, a notice not yet held, a held meeting with published
minutes and an exempt case (with an exempt attachment, a discussion note, a decision, a
reservation, a recusal and two follow-up points), a held meeting with draft minutes and a
decision not yet published. None of their protected content may appear anywhere a visitor
can go: pages, lists, search, feeds, PDFs or error pages.

About the demo data because the crawl is the safety net over everything real: every page,
list, feed, PDF and search a visitor can reach in the demo's content. A smaller factory world
would leave pages and documents uncrawled.
"""

import re
import subprocess
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import demo_client
from tests.portal.conftest import DRAFT_DECISION_MARKER, DRAFT_MINUTES_MARKER, EXEMPT_MARKER

HREF = re.compile(r"""(?:href|src)="([^"#]+)""")
SKIP_PREFIXES = ("/admin/", "/static/", "/i18n/", "/konto/", "/media/")
MAX_PAGES = 400


def protected_strings(demo):
    draft = demo["draft_meeting"]
    exempt = demo["exempt_case"]
    strings = {
        EXEMPT_MARKER,
        DRAFT_MINUTES_MARKER,
        exempt.title,
        "teams.example.invalid",  # online meeting links
        DRAFT_DECISION_MARKER,
        draft.get_absolute_url(),
    }
    # Draft agenda titles, except standing items that also stand on published agendas.
    from meetings.models import Case

    published_titles = set(Case.objects.published().values_list("title", flat=True))
    strings.update(c.title for c in draft.cases.all() if c.title not in published_titles)
    strings.update(s.text.strip()[:60] for s in exempt.sections.all() if s.text.strip())
    strings.update(exempt_record_strings(exempt))
    return {s for s in strings if s}


def exempt_record_strings(exempt) -> set[str]:
    """The exempt case's record: discussion, decision, reservations, recusals, follow-ups."""
    strings = {exempt.discussion[:60]}
    strings.update(line.strip()[:60] for line in exempt.decision.splitlines() if line.strip())
    strings.update(r.text[:60] for r in exempt.reservations.all())
    strings.update(r.reason[:60] for r in exempt.recusals.all())
    strings.update(f.what[:60] for f in exempt.follow_ups.all())
    return {s for s in strings if s}


# Forms the crawler cannot submit: searches for the protected words themselves.
EXTRA_STARTS = [
    "/sok/?q=KONFIDENSIELT",
    "/sok/?q=Demo+Pasient",
    "/sok/?q=forbehold+kapasiteten",
    "/sok/?q=tilknytning+pasienten",
    "/sok/?q=UTKAST-TIL-REFERAT",
    "/sok/?q=innmelding",
    "/troms-ofoten/saker/?q=KONFIDENSIELT",
    "/troms-ofoten/saker/?outcome=for_information",
]


def crawl(client, start="/"):
    seen, queue, responses = {start, *EXTRA_STARTS}, deque([start, *EXTRA_STARTS]), {}
    while queue and len(seen) <= MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        responses[url] = response
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "html" not in content_type:
            continue
        for link in HREF.findall(response.content.decode()):
            target = urljoin(url, link.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                seen.add(path)
                queue.append(path)
    return responses


def response_text(response) -> str:
    """What a reader sees in a response: the decoded page, or a PDF's extracted text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
        return result.stdout.decode()
    return content.decode(errors="replace")


@pytest.mark.django_db
def test_visitor_crawl_finds_nothing_protected(demo_data):
    client = demo_client("visitor")
    responses = crawl(client)
    assert len(responses) > 30, sorted(responses)
    kinds = {r.get("Content-Type", "").split(";")[0] for r in responses.values()}
    assert {"text/html", "application/pdf", "text/calendar", "application/atom+xml"} <= kinds, kinds
    protected = protected_strings(demo_data)
    leaks, errors = [], []
    for url, response in responses.items():
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
        body = response_text(response)
        leaks += [f"{url}: {text[:50]!r}" for text in protected if text in body]
    assert not errors, errors
    assert not leaks, "\n".join(leaks)


@pytest.mark.django_db
def test_protected_urls_answer_404_without_leaking(demo_data):
    client = demo_client("visitor")
    protected = protected_strings(demo_data)
    draft_cases = list(demo_data["draft_meeting"].cases.all())
    urls = [demo_data["draft_meeting"].get_absolute_url()]
    urls += [f"/vedlegg/{a.pk}/" for a in demo_data["exempt_case"].attachments.all()]
    urls += [c.get_absolute_url() for c in draft_cases if c.number]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert not [text for text in protected - {url} if text in body], url
