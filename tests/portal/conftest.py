"""The demo data as the public pages' tests see it, with two protected texts added.

The personas and their demo logins are in tests/conftest.py (DEMO_PERSONAS, demo_client).
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from meetings.models import Case, Meeting, Minutes

EXEMPT_MARKER = "KONFIDENSIELT-DEMO"
DRAFT_MINUTES_MARKER = "UTKAST-TIL-REFERAT-MARKØR"
# A decision entered in the draft record of 12 May 2023 (the demo data has none: its source is the
# notice): never public until the minutes are.
DRAFT_DECISION_MARKER = "UTKAST-TIL-VEDTAK-MARKØR"


@pytest.fixture
def demo_data(db):
    call_command("load_demo", stdout=io.StringIO())
    # Draft minutes for the FSU BU meeting of 12 May 2023 (its notice is all the source gives): never public.
    may = Meeting.objects.get(body__slug="fsu-bu", start__date=dt.date(2023, 5, 12))
    minutes = Minutes.objects.create(meeting=may)
    minutes.sections.create(order=1, heading="Merknader", text=f"{DRAFT_MINUTES_MARKER} – ikke godkjent")
    may.cases.filter(number=11).update(
        decision=f"{DRAFT_DECISION_MARKER}: FSU BU tar informasjonen til orientering."
    )
    today = timezone.localdate()
    notice = Meeting.objects.get(
        body__slug="fsu-bu", status=Meeting.Status.NOTICE_ISSUED, start__date__gt=today
    )
    draft = Meeting.objects.get(body__slug="fsu-bu", status=Meeting.Status.PLANNED, start__date__gt=today)
    exempt = Case.objects.get(exempt=True)
    return {
        "notice_meeting": notice,
        "draft_meeting": draft,
        "exempt_case": exempt,
        "may_meeting": may,
    }
