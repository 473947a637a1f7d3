"""The workspace: only the partnership's secretariat, each page within bounded queries."""

import pytest
from django.urls import reverse

from meetings.models import Case, Meeting
from tests.portal.conftest import PERSONAS, client_for


def manage_urls(demo):
    may = demo["may_meeting"]
    case = Case.objects.get(body__slug="fsu-bu", year=2023, number=8)
    return {
        "overview": reverse("manage:overview", args=["troms-ofoten"]),
        "plan meeting": reverse("manage:meeting_create", args=["troms-ofoten"]),
        "meeting": reverse("manage:meeting", args=["troms-ofoten", may.pk]),
        "draft meeting": reverse("manage:meeting", args=["troms-ofoten", demo["draft_meeting"].pk]),
        "attendance": reverse("manage:attendance", args=["troms-ofoten", may.pk]),
        "minutes": reverse("manage:minutes", args=["troms-ofoten", may.pk]),
        "case": reverse("manage:case", args=["troms-ofoten", case.pk]),
        "history": reverse("manage:history", args=["troms-ofoten", "sak", case.pk]),
    }


@pytest.mark.django_db
def test_only_the_partnerships_secretariat_reaches_its_workspace(demo_data):
    failures = []
    for persona in PERSONAS:
        client = client_for(persona)
        for name, url in manage_urls(demo_data).items():
            status = client.get(url).status_code
            expected = {"visitor": 302, "secretariat": 200}.get(persona, 404)
            if status != expected:
                failures.append(f"{persona} {name} {url}: {status} (expected {expected})")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_other_partnerships_objects_are_404_even_for_a_secretariat(demo_data):
    lofoten_meeting = Meeting.objects.filter(body__partnership__slug="lofoten-vesteralen-salten").first()
    client = client_for("secretariat")
    # Troms og Ofoten's secretariat, with a Lofoten meeting's id in its own partnership's URL.
    assert client.get(reverse("manage:meeting", args=["troms-ofoten", lofoten_meeting.pk])).status_code == 404
    assert client.get(reverse("manage:overview", args=["lofoten-vesteralen-salten"])).status_code == 404
    assert (
        client_for("other_secretariat")
        .get(reverse("manage:meeting", args=["lofoten-vesteralen-salten", lofoten_meeting.pk]))
        .status_code
        == 200
    )


@pytest.mark.django_db
def test_workspace_home_sends_staff_to_their_partnership(demo_data):
    response = client_for("secretariat").get(reverse("manage:home"))
    assert response.status_code == 302 and response["Location"].endswith("/forvaltning/troms-ofoten/")
    assert client_for("member").get(reverse("manage:home")).status_code == 404


@pytest.mark.django_db
def test_workspace_pages_have_bounded_queries(demo_data, django_assert_max_num_queries):
    client = client_for("secretariat")
    for name, url in manage_urls(demo_data).items():
        with django_assert_max_num_queries(40, info=name):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_workspace_query_counts_do_not_grow_with_cases(demo_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.portal.test_pages import _grow_meeting

    client = client_for("secretariat")
    urls = manage_urls(demo_data)

    def counts():
        result = {}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result[name] = len(ctx)
        return result

    client.get("/")
    before = counts()
    _grow_meeting(demo_data["may_meeting"], 30)
    assert counts() == before


@pytest.mark.django_db
def test_history_of_plans_and_measures_only_in_own_partnership(demo_data):
    from actionplans.models import ActionPlan, Measure

    plan = ActionPlan.objects.get(partnership__slug="troms-ofoten")
    measure = Measure.objects.filter(focus_area__action_plan=plan).first()
    client = client_for("secretariat")
    for kind, obj in (("handlingsplan", plan), ("tiltak", measure)):
        response = client.get(reverse("manage:history", args=["troms-ofoten", kind, obj.pk]))
        assert response.status_code == 200
        assert "Demodata fra seed-dokumentene" in response.content.decode()
        assert (
            client_for("other_secretariat")
            .get(reverse("manage:history", args=["troms-ofoten", kind, obj.pk]))
            .status_code
            == 404
        )
    assert client.get(reverse("manage:history", args=["troms-ofoten", "ukjent", 1])).status_code == 404
