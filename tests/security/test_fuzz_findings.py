"""What the fuzzing of tests/security/test_fuzz_forms.py found, pinned as plain tests."""

import pytest
from django.urls import reverse

from meetings.models import Case, Meeting, Minutes
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


def test_refused_approval_leaves_no_empty_minutes_behind(world, secretariat_client):
    """Approving minutes that do not exist yet made empty minutes, then refused them: the empty
    minutes stayed. Now both happen in one transaction."""
    meeting = mf.meeting(world.body, status=Meeting.Status.HELD)
    url = reverse("manage:minutes", args=[world.partnership.slug, meeting.pk])
    response = secretariat_client.post(url, {"action": "approve", "method": "email_round"})
    assert response.status_code == 200
    assert "Referatet er tomt." in response.content.decode()
    assert not Minutes.objects.filter(meeting=meeting).exists()


@pytest.mark.parametrize("field", ["version", "patient_groups"])
def test_huge_numbers_are_form_errors_not_overflows(world, secretariat_client, field):
    case = mf.case(mf.meeting(world.body, status=Meeting.Status.PLANNED), title="Sak")
    url = reverse("manage:case", args=[world.partnership.slug, case.pk])
    sections = {"sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0"}
    data = {"title": "Ny tittel", "kind": case.kind, "version": "0", **sections, field: str(2**70)}
    response = secretariat_client.post(url, data)
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).title == "Sak"
