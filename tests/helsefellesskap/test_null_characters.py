"""A NUL character anywhere in a request is refused with 400 and a Norwegian page, never a 500.

PostgreSQL cannot store U+0000, so before the middleware a NUL in a search, a change reason or a
guest's name became a 500 deep inside a view. Hypothesis places NUL in every kind of parameter.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import Meeting
from tests.meetings import factories as mf

with_null = st.tuples(st.text(max_size=20), st.text(max_size=20)).map(lambda parts: "\x00".join(parts))
relaxed = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_refused(response):
    assert response.status_code == 400
    assert "NUL-tegnet" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@relaxed
@given(value=with_null, name=st.sampled_from(["q", "side", "organ", "ar", "status"]))
def test_nul_in_any_query_parameter_is_400(world, anon_client, value, name):
    for url in ("/sok/", f"/{world.partnership.slug}/saker/", "/"):
        assert_refused(anon_client.get(url, {name: value}))


@pytest.mark.django_db
@relaxed
@given(value=with_null)
def test_nul_in_a_posted_form_is_400_and_nothing_is_saved(world, client_as, value):
    client = client_as("secretariat")
    url = f"/forvaltning/{world.partnership.slug}/moter/nytt/"
    before = Meeting.objects.count()
    response = client.post(url, {"body": world.body.pk, "title": value, "start": "2030-01-01 12:00"})
    assert_refused(response)
    assert Meeting.objects.count() == before


@pytest.mark.django_db
def test_nul_in_a_change_reason_or_guest_name_is_400(world, client_as):
    meeting = mf.meeting(world.body, status=Meeting.Status.HELD)
    client = client_as("secretariat")
    base = f"/forvaltning/{world.partnership.slug}/moter/{meeting.pk}/"
    assert_refused(client.post(base, {"action": "cancel", "reason": "a\x00b"}))
    assert_refused(client.post(base + "oppmote/", {"guest_name": "Gjest\x00", "action": "add_guest"}))
    assert_refused(client.post("/konto/login/", {"login": "sekre\x00tariat", "password": "x"}))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


@pytest.mark.django_db
def test_text_without_nul_is_served_as_before(world, anon_client):
    assert anon_client.get("/sok/", {"q": "palliativ"}).status_code == 200
