"""The action plan status PDF: content, archival form, access for every persona, caching."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from actionplans import pdf as plan_pdf_module
from documents import pdf
from tests import pdftools
from tests.pdftools import demo_data  # noqa: F401 - a module-scoped fixture

pytestmark = pytest.mark.django_db

PLAN = {"partnership": "troms-ofoten", "plan": "handlingsplan-2023"}
USERS = [None, "medlem", "leder", "sekretariat", "sekretariat-nord"]


def client_for(username) -> Client:
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture(scope="module")
def plan_pdf(demo_data, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        response = client_for(None).get(reverse("pdf:action_plan", kwargs=PLAN))
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
    ):
        assert expected in text, expected
    assert 3 <= pdftools.pages(data) <= 30


def test_archival(plan_pdf):
    pdftools.assert_archival(plan_pdf[1], title_part="Status for Handlingsplan 2023")


@pytest.mark.parametrize("username", USERS)
def test_public_for_everyone_and_cached(plan_pdf, username, django_assert_max_num_queries):
    client = client_for(username)
    no_render = mock.patch.object(pdf, "render_pdf", side_effect=AssertionError("rendered again"))
    no_html = mock.patch.object(plan_pdf_module, "action_plan_html", side_effect=AssertionError("built"))
    with no_render, no_html, django_assert_max_num_queries(8):
        response = client.get(reverse("pdf:action_plan", kwargs=PLAN))
    assert response.status_code == 200
    assert response["ETag"] == plan_pdf[0]["ETag"]
    assert response["Cache-Control"].startswith("public")


def test_unknown_plan_is_404(plan_pdf):
    kwargs = {"partnership": "lofoten-vesteralen-salten", "plan": "handlingsplan-2023"}
    assert client_for(None).get(reverse("pdf:action_plan", kwargs=kwargs)).status_code == 404
