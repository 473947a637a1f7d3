"""Once the minutes are approved, the admin shows the record but cannot change it.

A locked decision, section, attendance or the minutes themselves are corrected only through the
workspace's amendment, which keeps the reason and shows "Rettet …" wherever the thing shows.
"""

import pytest
from django.urls import reverse

from meetings.models import Case, Meeting, MinutesSection, Reservation
from tests.governance import factories as gf
from tests.governance.test_admin import FormData, change_form
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    body = gf.body(gf.partnership())
    meeting = mf.meeting(body, status=Meeting.Status.MINUTES_APPROVED)
    case = mf.case(meeting, number=8, decision="Vedtatt slik", outcome=Case.Outcome.CONSENSUS)
    party = gf.organisation(body.partnership, name="UNN HF")
    Reservation.objects.create(case=case, party=party, text="Protokolltilførsel")
    minutes = mf.minutes(meeting, approved=True, text="Referatets tekst")
    return meeting, case, minutes


def _url(obj, view="change"):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def test_locked_rows_are_shown_not_edited(admin_client, record):
    meeting, case, minutes = record
    section = MinutesSection.objects.get(minutes=minutes)
    for obj in (meeting, case, minutes, section, case.reservations.get()):
        response = admin_client.get(_url(obj))
        assert response.status_code == 200, obj
        html = response.content.decode()
        assert 'name="_save"' not in html, obj  # a view-only page: no save button
        assert admin_client.get(_url(obj, "delete")).status_code == 403, obj


def test_a_post_to_a_locked_case_changes_nothing(admin_client, record):
    _meeting, case, _minutes = record
    html = admin_client.get(_url(case)).content.decode()
    data = FormData(html).data | {"decision": ["Et annet vedtak"], "change_reason": ["Rettelse"]}
    assert admin_client.post(_url(case), data).status_code == 403
    case.refresh_from_db()
    assert case.decision == "Vedtatt slik" and case.version == 1


def test_before_approval_the_admin_still_edits_with_a_reason(admin_client):
    body = gf.body(gf.partnership())
    case = mf.case(mf.meeting(body, status=Meeting.Status.HELD), number=3, decision="Utkast")
    url, _response, data = change_form(admin_client, case)
    data |= {"decision": ["Rettet utkast"], "change_reason": ["Skrivefeil"]}
    assert admin_client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.decision == "Rettet utkast"
