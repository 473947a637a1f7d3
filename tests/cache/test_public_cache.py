"""Visitors' public pages from the shared cache (helsefellesskap/pagecache.py), never stale.

Each test primes the cache with a visitor's request, shows that the next request is answered
from it (one query: the stamps), changes what the page shows through the models or services as
the portal does, and shows that the next visitor sees the change at once.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Partnership
from helsefellesskap import pagecache
from meetings import services
from meetings.models import CaseSection, Meeting
from tests.actionplans import factories as af
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db

PAST = dt.datetime(2023, 5, 12, 12, 0, tzinfo=mf.TZ)
SECRET = "Hemmelig sak om Ola Testpasient"
PUBLIC_TITLE = "Sak om en enkeltpasient"


@pytest.fixture
def held(world):
    """A held meeting of body A with two numbered cases, the first with a text."""
    meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=PAST)
    first = mf.case(meeting, number=1, title="Overgangsplan for ungdom", decision="Vedtatt som foreslått.")
    CaseSection.objects.create(case=first, order=1, heading="Bakgrunn", text="Første utkast av saksteksten.")
    mf.case(meeting, number=2, title="Samarbeid om legevakt")
    mf.minutes(meeting, published=True, text="Referatets første tekst.")
    return meeting


def meeting_url(meeting):
    return meeting.get_absolute_url()


def case_url(case):
    return reverse("portal:case", args=[case.body.partnership.slug, case.body.slug, case.year, case.number])


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response


def text(response) -> str:
    return response.content.decode()


def rendered(client, url) -> bool:
    """Whether the request was rendered (more than the one stamp query of a cached answer)."""
    with CaptureQueriesContext(connection) as queries:
        page(client, url)
    return len(queries) > 1


def assert_from_cache(client, url, django_assert_num_queries):
    """Prime (if need be) and show that the next request is answered from the cache: one query."""
    page(client, url)
    with django_assert_num_queries(1):
        return page(client, url)


def test_a_visitors_page_is_served_from_the_cache(held, django_assert_num_queries):
    url = meeting_url(held)
    first = page(Client(), url)
    second = assert_from_cache(Client(), url, django_assert_num_queries)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_case_text_changed_shows_at_once(held, django_assert_num_queries):
    case = held.cases.get(number=1)
    url = case_url(case)
    assert "Første utkast" in text(assert_from_cache(Client(), url, django_assert_num_queries))
    section = case.sections.get()
    section.text = "Andre utkast av saksteksten."
    section.save()
    assert "Andre utkast" in text(page(Client(), url))


def test_decision_changed_shows_at_once(held, django_assert_num_queries):
    case = held.cases.get(number=1)
    url = meeting_url(held)
    assert "Vedtatt som foreslått." in text(assert_from_cache(Client(), url, django_assert_num_queries))
    case.decision = "Vedtatt med endringer fra FSU."
    case.save()
    assert "Vedtatt med endringer fra FSU." in text(page(Client(), url))


def test_minutes_published_show_at_once(world, django_assert_num_queries):
    secretariat = world.users["secretariat"]
    meeting = mf.meeting(world.body, status=Meeting.Status.MINUTES_APPROVED, start=PAST)
    mf.case(meeting, number=1, title="Overgangsplan for ungdom")
    minutes = mf.minutes(meeting, approved=True, text="Referat fra møtet om overgangsplanen.")
    url = meeting_url(meeting)
    assert "Referat fra møtet om overgangsplanen." not in text(
        assert_from_cache(Client(), url, django_assert_num_queries)
    )
    services.minutes_publish(minutes=minutes, by=secretariat)
    assert "Referat fra møtet om overgangsplanen." in text(page(Client(), url))


def test_exemption_set_after_caching_hides_the_case_at_once(held, django_assert_num_queries):
    case = held.cases.get(number=2)
    for url in (meeting_url(held), case_url(case)):
        assert "Samarbeid om legevakt" in text(assert_from_cache(Client(), url, django_assert_num_queries))
    case.exempt = True
    case.exemption_basis = "offl. § 13 jf. fvl. § 13"
    case.public_title = PUBLIC_TITLE
    case.save()
    for url in (meeting_url(held), case_url(case)):
        shown = text(page(Client(), url))
        assert "Samarbeid om legevakt" not in shown
        assert PUBLIC_TITLE in shown


def test_body_renamed_shows_at_once(held, django_assert_num_queries):
    url = meeting_url(held)
    assert "FSU barn og unge" in text(assert_from_cache(Client(), url, django_assert_num_queries))
    body = held.body
    body.name = "Fagrådet for barn og unge"
    body.save()
    assert "Fagrådet for barn og unge" in text(page(Client(), url))


def test_person_renamed_shows_at_once(world, django_assert_num_queries):
    url = world.body.get_absolute_url()
    assert "Member" in text(assert_from_cache(Client(), url, django_assert_num_queries))
    person = world.people["member"]
    person.name = "Kari Nordmann"
    person.save()
    assert "Kari Nordmann" in text(page(Client(), url))


def test_new_case_on_the_agenda_shows_at_once(world, django_assert_num_queries):
    secretariat = world.users["secretariat"]
    meeting = mf.meeting(
        world.body, status=Meeting.Status.NOTICE_ISSUED, start=timezone.now() + dt.timedelta(days=7)
    )
    mf.case(meeting, number=1, title="Overgangsplan for ungdom")
    url = meeting_url(meeting)
    assert "Ny sak om legevakt" not in text(assert_from_cache(Client(), url, django_assert_num_queries))
    services.case_create(meeting=meeting, title="Ny sak om legevakt", by=secretariat)
    assert "Ny sak om legevakt" in text(page(Client(), url))


def test_a_new_meeting_shows_on_the_front_page_and_calendar_at_once(world, django_assert_num_queries):
    start = timezone.now() + dt.timedelta(days=3)
    for url in (reverse("portal:home"), reverse("meetings:calendar")):
        assert_from_cache(Client(), url, django_assert_num_queries)
    mf.meeting(world.other_body, status=Meeting.Status.NOTICE_ISSUED, start=start)
    for url in (reverse("portal:home"), reverse("meetings:calendar")):
        assert "SSU" in text(page(Client(), url))


def test_a_change_in_another_partnership_leaves_the_entry(held, world, django_assert_num_queries):
    url = meeting_url(held)
    assert_from_cache(Client(), url, django_assert_num_queries)
    world.other_body.name = "SSU Nord omdøpt"
    world.other_body.save()
    with django_assert_num_queries(1):
        page(Client(), url)


def test_a_measure_renamed_shows_on_its_cases_page_at_once(held, world, django_assert_num_queries):
    """A measure of another partnership's plan linked to the case (possible in the admin): the
    case's partnership is stamped too."""
    case = held.cases.get(number=1)
    area = af.focus_area(af.action_plan(world.other_partnership, title="Plan for Nord"))
    measure = af.measure(area, text="Felles tiltak for ungdom", cases=[case])
    url = case_url(case)
    assert "Felles tiltak for ungdom" in text(assert_from_cache(Client(), url, django_assert_num_queries))
    measure.text = "Felles tiltak for unge voksne"
    measure.save()
    assert "Felles tiltak for unge voksne" in text(page(Client(), url))
    area.action_plan.title = "Ny plan for Nord"
    area.action_plan.save()
    assert "Ny plan for Nord" in text(page(Client(), url))


def test_a_visitors_page_holds_no_csrf_token_and_sets_no_cookie(held):
    response = page(Client(), meeting_url(held))
    assert "csrfmiddlewaretoken" not in text(response)
    assert not response.cookies
    # The language switcher works without one.
    visitor = Client(enforce_csrf_checks=True)
    switched = visitor.post(reverse("set_language"), {"language": "en", "next": meeting_url(held)})
    assert switched.status_code == 302
    assert visitor.cookies["django_language"].value == "en"


def test_language_switch_shows_the_page_in_english(held, django_assert_num_queries):
    url = meeting_url(held)
    assert '<html lang="nb">' in text(assert_from_cache(Client(), url, django_assert_num_queries))
    visitor = Client()
    switched = visitor.post(reverse("set_language"), {"language": "en", "next": url})
    assert switched.status_code == 302
    english = page(visitor, url)
    assert '<html lang="en">' in text(english)
    assert english["Content-Language"] == "en"
    # And the English page is cached for English visitors, the Norwegian one stays for others.
    with django_assert_num_queries(1):
        assert '<html lang="en">' in text(page(visitor, url))
    with django_assert_num_queries(1):
        assert '<html lang="nb">' in text(page(Client(), url))


def test_a_members_page_is_never_served_to_a_visitor(held, client_as, django_assert_num_queries):
    exempt = mf.case(held, number=3, title=SECRET, exempt=True, public_title=PUBLIC_TITLE)
    url = meeting_url(held)
    member = client_as("member")
    assert SECRET in text(page(member, url))
    assert SECRET in text(page(member, url))
    shown = text(page(Client(), url))
    assert SECRET not in shown and PUBLIC_TITLE in shown
    # And the other way round: the visitor's entry is never a member's page.
    assert_from_cache(Client(), url, django_assert_num_queries)
    assert SECRET in text(page(member, url))
    assert exempt.public_title in text(page(Client(), url))


def test_a_logged_in_users_page_is_neither_stored_nor_served(held, client_as):
    url = meeting_url(held)
    response = page(client_as("member"), url)
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response
    assert not _cache_keys()


def test_conditional_request_gets_304(held):
    url = meeting_url(held)
    etag = page(Client(), url)["ETag"]
    assert page(Client(), url)["ETag"] == etag
    not_modified = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert Client().get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_cache_control_public_for_visitors_private_for_members(held, client_as):
    url = meeting_url(held)
    for _ in range(2):  # stored, then from the cache
        visitor = page(Client(), url)
        # The browser revalidates every time (a reload after a change shows it); a CDN keeps it a minute.
        assert visitor["Cache-Control"] == "public, max-age=0, s-maxage=60"
        assert visitor["CDN-Cache-Control"] == "public, max-age=60, stale-while-revalidate=60"
        assert "Cookie" in visitor["Vary"]
        assert not visitor.cookies
        # The security headers are on the cached answer too.
        assert "default-src" in visitor["Content-Security-Policy"]
        assert visitor["Permissions-Policy"]
        assert visitor["X-Frame-Options"] == "DENY"
        assert visitor["X-Content-Type-Options"] == "nosniff"
    assert page(client_as("member"), url)["Cache-Control"] == "private, no-store"


def test_a_deploy_makes_every_page_fresh(held, monkeypatch, django_assert_num_queries):
    url = meeting_url(held)
    assert_from_cache(Client(), url, django_assert_num_queries)
    monkeypatch.setattr(pagecache, "code_version", lambda: "the next release")
    assert rendered(Client(), url)
    assert not rendered(Client(), url)


def test_the_clock_is_in_the_key(held, monkeypatch, django_assert_num_queries):
    url = reverse("portal:home")
    assert_from_cache(Client(), url, django_assert_num_queries)
    later = pagecache.time.time() + pagecache.CLOCK_SECONDS
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    # A new minute: rendered again (upcoming meetings may have become past ones).
    assert rendered(Client(), url)


def test_a_page_that_does_not_compare_with_the_clock_stays_into_the_next_minute(
    held, monkeypatch, django_assert_num_queries
):
    url = meeting_url(held)
    assert_from_cache(Client(), url, django_assert_num_queries)
    later = pagecache.time.time() + pagecache.CLOCK_SECONDS
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    assert not rendered(Client(), url)


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_session_or_pending_messages_go_the_normal_way(held, cookie, django_assert_num_queries):
    """A session cookie (here one of no session: expired, or never a login) or pending messages:
    never the shared entry, never stored; the stale session cookie is deleted on the answer."""
    url = meeting_url(held)
    assert_from_cache(Client(), url, django_assert_num_queries)
    client = Client()
    client.cookies[cookie] = "stale"
    assert rendered(client, url)
    response = page(client, url)
    assert "ETag" not in response
    if cookie == "sessionid":
        assert response.cookies["sessionid"].value == ""


def test_404_and_posts_are_not_cached(world):
    missing = "/to/fsu-bu/moter/1999-01-01/"
    assert Client().get(missing).status_code == 404
    assert Client().post(reverse("portal:home")).status_code == 405
    assert not _cache_keys()


def _answer(status=200, cookie=False, **headers):
    from django.http import HttpResponse

    response = HttpResponse("<p>Side</p>", status=status, headers=headers)
    if cookie:
        response.set_cookie("csrftoken", "one visitor's")
    return response


@pytest.mark.parametrize(
    ("response", "stored"),
    [
        (_answer(), True),
        (_answer(Vary="Cookie"), True),
        (_answer(status=404), False),
        (_answer(status=302), False),
        (_answer(cookie=True), False),
        (_answer(**{"Cache-Control": "private"}), False),
        (_answer(**{"Cache-Control": "no-store"}), False),
        (_answer(**{"Cache-Control": "no-cache"}), False),
        (_answer(Vary="Cookie, Accept-Language"), False),
        (_answer(Vary="Accept-Encoding"), False),
    ],
)
def test_only_a_plain_200_for_a_visitor_is_stored(rf, response, stored):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    assert pagecache.PublicPageCacheMiddleware._storable(request, response) is stored


def test_a_logged_in_users_answer_is_never_stored(rf, world):
    request = rf.get("/")
    request.user = world.users["member"]
    assert pagecache.PublicPageCacheMiddleware._storable(request, _answer()) is False


def test_an_unknown_partnership_is_a_404_not_a_cached_page(world):
    assert Client().get("/finnes-ikke/").status_code == 404
    Partnership.objects.filter(slug="to").update(slug="to-ny")  # bypasses the signals
    assert Client().get("/to/").status_code == 404


def test_off_switch(held, settings):
    settings.PUBLIC_PAGE_CACHE = False
    url = meeting_url(held)
    page(Client(), url)
    assert rendered(Client(), url)


def _cache_keys():
    """The page cache's keys in the shared cache: local memory, or Redis (REDIS_URL)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return cache._cache.get_client().keys(f"*{pagecache.KEY_PREFIX}*")
    return [key for key in cache._cache if pagecache.KEY_PREFIX in key]
