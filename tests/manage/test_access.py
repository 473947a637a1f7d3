"""The workspace: only the partnership's secretariat, each page within bounded queries."""

import pytest
from django.urls import reverse

from tests.actionplans import factories as af
from tests.conftest import PERSONAS


def manage_urls(mw):
    slug, held, case = mw.world.partnership.slug, mw.held, mw.cases[8]
    return {
        "overview": reverse("manage:overview", args=[slug]),
        "plan meeting": reverse("manage:meeting_create", args=[slug]),
        "meeting": reverse("manage:meeting", args=[slug, held.pk]),
        "draft meeting": reverse("manage:meeting", args=[slug, mw.draft.pk]),
        "attendance": reverse("manage:attendance", args=[slug, held.pk]),
        "minutes": reverse("manage:minutes", args=[slug, held.pk]),
        "meeting mode": reverse("manage:meeting_mode", args=[slug, held.pk]),
        "minutes approval": reverse("manage:minutes_approval", args=[slug, held.pk]),
        "case": reverse("manage:case", args=[slug, case.pk]),
        "history": reverse("manage:history", args=[slug, "sak", case.pk]),
    }


@pytest.mark.django_db
def test_only_the_partnerships_secretariat_reaches_its_workspace(meetings_world, client_as):
    failures = []
    for persona in PERSONAS:
        client = client_as(persona)
        for name, url in manage_urls(meetings_world).items():
            status = client.get(url).status_code
            expected = {"visitor": 302, "secretariat": 200}.get(persona, 404)
            if status != expected:
                failures.append(f"{persona} {name} {url}: {status} (expected {expected})")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_other_partnerships_objects_are_404_even_for_a_secretariat(meetings_world, client_as):
    own, other = meetings_world.world.partnership.slug, meetings_world.world.other_partnership.slug
    other_meeting = meetings_world.other
    client = client_as("secretariat")
    # The secretariat, with the other partnership's meeting's id in its own partnership's URL.
    assert client.get(reverse("manage:meeting", args=[own, other_meeting.pk])).status_code == 404
    assert client.get(reverse("manage:overview", args=[other])).status_code == 404
    assert (
        client_as("other_secretariat")
        .get(reverse("manage:meeting", args=[other, other_meeting.pk]))
        .status_code
        == 200
    )


@pytest.mark.django_db
def test_workspace_home_sends_staff_to_their_partnership(world, secretariat_client, member_client):
    response = secretariat_client.get(reverse("manage:home"))
    assert response.status_code == 302 and response["Location"].endswith(
        f"/forvaltning/{world.partnership.slug}/"
    )
    assert member_client.get(reverse("manage:home")).status_code == 404


@pytest.mark.django_db
def test_workspace_pages_have_bounded_queries(
    meetings_world, secretariat_client, django_assert_max_num_queries
):
    client = secretariat_client
    for name, url in manage_urls(meetings_world).items():
        with django_assert_max_num_queries(40, info=name):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_workspace_query_counts_do_not_grow_with_cases(meetings_world, secretariat_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.portal.test_pages import _grow_meeting

    client = secretariat_client
    urls = manage_urls(meetings_world)

    def counts():
        result = {}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result[name] = len(ctx)
        return result

    client.get("/")
    before = counts()
    _grow_meeting(meetings_world.held, 30)
    assert counts() == before


REASON = "Vedtatt i partnerskapsmøtet"


@pytest.mark.django_db
def test_history_of_plans_and_measures_only_in_own_partnership(world, client_as):
    plan = af.action_plan(world.partnership, reason=REASON)
    measure = af.measure(af.focus_area(plan, reason=REASON), bodies=[world.body], reason=REASON)
    slug = world.partnership.slug
    client = client_as("secretariat")
    for kind, obj in (("handlingsplan", plan), ("tiltak", measure)):
        response = client.get(reverse("manage:history", args=[slug, kind, obj.pk]))
        assert response.status_code == 200
        assert REASON in response.content.decode()
        assert (
            client_as("other_secretariat")
            .get(reverse("manage:history", args=[slug, kind, obj.pk]))
            .status_code
            == 404
        )
    assert client.get(reverse("manage:history", args=[slug, "ukjent", 1])).status_code == 404
