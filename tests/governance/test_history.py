"""History records who changed what, and why, on every domain model."""

import pytest
from django.apps import apps
from django.urls import reverse

from governance.history import save_with_history
from governance.models import Body
from meetings.models import Case
from tests.conftest import login_with_second_factor
from tests.meetings import factories as mf

DOMAIN_APPS = ("governance", "meetings", "actionplans")
# Operational records, not domain data: the worker writes them as e-mails leave, and a history
# row would make a new data version of every stored PDF (documents/pdf.py reads history tables).
# SecurityEvent is written on every login and refusal: an append-only log with no edits to trace.
OPERATIONAL_MODELS = {"MailDelivery", "MailRecipient", "SecurityEvent"}
# Derived rows, redrawn from rows that have history: the stored search documents
# (meetings/search_index.py). Nobody edits them; their history would only repeat the case's.
# The search suggestions' vocabulary (SearchWord) likewise: words drawn from those documents.
DERIVED_MODELS = {"CaseSearchDocument", "MinutesSearchDocument", "SearchWord"}


def test_every_domain_model_has_history_and_is_in_the_admin():
    from django.contrib import admin

    models = [
        m
        for app in DOMAIN_APPS
        for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical")
        and not m._meta.auto_created
        and m.__name__ not in OPERATIONAL_MODELS | DERIVED_MODELS
    ]
    assert len(models) >= 20
    for model in models:
        assert hasattr(model, "history"), f"{model.__name__} has no history"
        assert admin.site.is_registered(model), f"{model.__name__} is not in the admin"


@pytest.mark.django_db
def test_admin_edit_records_the_acting_user(world, client, django_user_model):
    staff = django_user_model.objects.create_superuser("redaktor", password="pw")
    login_with_second_factor(client, staff)
    body = world.body
    url = reverse("admin:governance_body_change", args=[body.pk])
    data = {
        "partnership": body.partnership_id,
        "name": "FSU barn og unge (nytt navn)",
        "short_name": body.short_name,
        "slug": body.slug,
        "kind": body.kind,
        "level": 3,
        "mandate": "Mandat fra SSU",
        "description": "",
        "order": 0,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "names-TOTAL_FORMS": 0,
        "names-INITIAL_FORMS": 0,
        "change_reason": "Nytt navn vedtatt av SSU",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = body.history.latest()
    assert latest.history_user == staff
    assert latest.name == "FSU barn og unge (nytt navn)"
    assert latest.history_type == "~"
    # The earlier version is still there to compare with.
    assert body.history.earliest().name == "FSU barn og unge"

    history_page = client.get(reverse("admin:governance_body_history", args=[body.pk]))
    assert history_page.status_code == 200
    assert "redaktor" in history_page.content.decode()


@pytest.mark.django_db
def test_service_saves_record_reason_and_user(world):
    meeting = mf.meeting(world.body)
    case = mf.case(meeting, number=8, title="Samhandlingsavvik")
    case.decision = "FSU BU tar saken til orientering."
    editor = world.users["secretariat"]
    save_with_history(case, reason="Vedtak ført i møtet", by=editor)

    record = case.history.latest()
    assert record.history_change_reason == "Vedtak ført i møtet"
    assert record.history_user == editor
    assert record.decision == "FSU BU tar saken til orientering."
    delta = record.diff_against(record.prev_record)
    assert [change.field for change in delta.changes] == ["decision"]
    assert Case.history.filter(id=case.pk).count() == 2


@pytest.mark.django_db
def test_history_without_user_outside_requests(world):
    body = Body.objects.get(pk=world.body.pk)
    save_with_history(body, reason="Import", by=None)
    assert body.history.latest().history_user is None
    assert body.history.latest().history_change_reason == "Import"
