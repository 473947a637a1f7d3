"""The case list at scale: a small, constant number of queries for every reader, and pages.

Speed is measured in bench/, not here: these tests hold what keeps it flat (no query per row or
per body, no DISTINCT over the whole list, a total order so that pages never overlap).
"""

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import Case, Meeting
from portal.pagination import NarrowPaginator
from portal.views.public import CASES_PER_PAGE
from tests.governance import factories as gf
from tests.meetings import factories as mf


def fill(world, count):
    """`count` numbered, public cases over two bodies and two years, a third of them exempt."""
    meetings = [
        mf.meeting(body, status=Meeting.Status.MINUTES_PUBLISHED)
        for body in (world.body, world.other_body_same_partnership)
    ]
    for number in range(1, count + 1):
        mf.case(
            meetings[number % 2],
            number=number,
            year=2022 + number % 2,
            title=f"Listesak {number}",
            exempt=number % 3 == 0,
        )


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["visitor", "member", "secretariat"])
def test_query_count_is_small_and_constant(world, client_as, persona):
    for index in range(8):  # bodies whose names the body filter lists
        gf.body(world.partnership, name=f"Organ {index}", short_name=f"O{index}", slug=f"organ-{index}")
    client = client_as(persona)
    client.get("/")
    url = f"/{world.partnership.slug}/saker/"
    fill(world, 10)
    small = [queries(client, url + query)[0] for query in ("", "?side=1", "?q=Listesak&year=2023")]
    Case.objects.all().delete()
    fill(world, 3 * CASES_PER_PAGE)
    large = [queries(client, url + query)[0] for query in ("", "?side=3", "?q=Listesak&year=2023")]
    assert small == large
    assert max(large) <= 15


@pytest.mark.django_db
def test_pages_cover_every_case_once_in_order(world, client_as):
    fill(world, 2 * CASES_PER_PAGE + 3)
    client = client_as("visitor")
    url = f"/{world.partnership.slug}/saker/"
    keys = []
    for page in (1, 2, 3):
        _count, html = queries(client, f"{url}?side={page}")
        assert f"Side {page} av 3" in html
        keys += [(int(year), int(number)) for year, number in re.findall(r"/saker/(\d{4})/(\d+)/", html)]
    assert len(keys) == len(set(keys)) == 2 * CASES_PER_PAGE + 3
    assert keys == sorted(keys, reverse=True)  # newest year first, then the highest number


@pytest.mark.django_db
def test_bad_page_and_filter_values_are_answered_not_500(world, client_as):
    fill(world, CASES_PER_PAGE + 1)
    client = client_as("visitor")
    url = f"/{world.partnership.slug}/saker/"
    for query in ("side=abc", "side=-1", "side=0", "side=99999999999999999999", "side=٣", "year=abc"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        assert "Side " in response.content.decode() or "Velg et gyldig" in response.content.decode(), query
    assert "Side 2 av 2" in client.get(f"{url}?side=999").content.decode()  # the last page


@pytest.mark.django_db
@given(
    count=st.integers(min_value=0, max_value=23),
    per_page=st.integers(min_value=1, max_value=7),
    orphans=st.integers(min_value=0, max_value=3),
    number=st.integers(min_value=1, max_value=30),
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_narrow_pages_hold_what_offset_pages_hold(world, count, per_page, orphans, number):
    """NarrowPaginator (keys first, then the rows) gives each page the same rows in the same
    order as Django's Paginator, the last page and the orphans included."""
    Case.objects.all().delete()
    fill(world, count)
    listed = (
        Case.objects.filter(number__isnull=False).select_related("body").order_by("-year", "-number", "-pk")
    )
    offset = Paginator(listed, per_page, orphans=orphans).get_page(number)
    narrow = NarrowPaginator(listed, per_page, orphans=orphans).get_page(number)
    assert (narrow.number, narrow.paginator.num_pages) == (offset.number, offset.paginator.num_pages)
    assert [case.pk for case in narrow] == [case.pk for case in offset]
