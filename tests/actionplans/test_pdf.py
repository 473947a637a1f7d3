"""The action plan status PDF: content, archival form, access for every persona, caching.

About the demo data because the status PDF is checked on the real Handlingsplan 2023 of
Troms og Ofoten (its tables, 3–30 pages, fonts and tagging), loaded once for the module.
"""

from unittest import mock

import pytest
from django.urls import reverse

from actionplans import pdf as plan_pdf_module
from documents import pdf
from tests import pdftools
from tests.conftest import DEMO_PERSONAS, demo_client

pytestmark = pytest.mark.django_db

PLAN = {"partnership": "troms-ofoten", "plan": "handlingsplan-2023"}


@pytest.fixture(scope="module")
def plan_pdf(module_demo_data, django_db_blocker):
    with django_db_blocker.unblock():
        response = demo_client("visitor").get(reverse("pdf:action_plan", kwargs=PLAN))
        assert response.status_code == 200
        return response, b"".join(response.streaming_content)


def test_content(plan_pdf):
    _, data = plan_pdf
    text = pdftools.text(data)
    for expected in (
        "status for handlingsplanen",
        "handlingsplan 2023",
        "hva vil vi?",
        "tiltak",
        "ansvarlig",
        "fsu bu",
        # #13: goal → measures, "not reported", the abbreviation list, the inferred dates marked.
        "hva vil vi? personsentrert, helhetlig og proaktiv helsetjeneste",
        "ikke rapportert",
        "forkortelser",
        "kilden oppgir ikke disse datoene",
    ):
        assert expected in text, expected
    assert 3 <= pdftools.pages(data) <= 30


def test_archival(plan_pdf):
    pdftools.assert_archival(plan_pdf[1], title_part="Status for Handlingsplan 2023")


@pytest.mark.parametrize("persona", DEMO_PERSONAS)
def test_public_for_everyone_and_cached(plan_pdf, persona, django_assert_max_num_queries):
    client = demo_client(persona)
    no_render = mock.patch.object(pdf, "render_pdf", side_effect=AssertionError("rendered again"))
    no_html = mock.patch.object(plan_pdf_module, "action_plan_html", side_effect=AssertionError("built"))
    with no_render, no_html, django_assert_max_num_queries(8):
        response = client.get(reverse("pdf:action_plan", kwargs=PLAN))
    assert response.status_code == 200
    assert response["ETag"] == plan_pdf[0]["ETag"]
    assert response["Cache-Control"].startswith("public")


def test_unknown_plan_is_404(plan_pdf):
    kwargs = {"partnership": "lofoten-vesteralen-salten", "plan": "handlingsplan-2023"}
    assert demo_client("visitor").get(reverse("pdf:action_plan", kwargs=kwargs)).status_code == 404
