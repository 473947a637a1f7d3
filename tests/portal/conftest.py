"""Demo data and persona clients for the public pages' tests."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from meetings.models import Case, Meeting, Minutes
from portal import demo

# Persona → demo login (None: a visitor who is not logged in).
PERSONA_LOGINS = {
    "visitor": None,
    "member": "medlem",
    "leader": "leder",
    "secretariat": "sekretariat",
    "other_secretariat": "sekretariat-nord",
}
PERSONAS = list(PERSONA_LOGINS)

EXEMPT_MARKER = "KONFIDENSIELT-DEMO"
DRAFT_MINUTES_MARKER = "UTKAST-TIL-REFERAT-MARKØR"


@pytest.fixture
def demo_data(db):
    call_command("load_demo", stdout=io.StringIO())
    # Draft minutes for the held FSU BU meeting of 12 May 2023: never public.
    may = Meeting.objects.get(body__slug="fsu-bu", start__date=dt.date(2023, 5, 12))
    Minutes.objects.create(meeting=may, text=f"{DRAFT_MINUTES_MARKER} – ikke godkjent")
    today = timezone.localdate()
    notice = Meeting.objects.get(body__slug="fsu-bu", status=Meeting.Status.NOTICE_ISSUED)
    draft = Meeting.objects.get(body__slug="fsu-bu", status=Meeting.Status.PLANNED, start__date__gt=today)
    exempt = Case.objects.get(exempt=True)
    return {
        "notice_meeting": notice,
        "draft_meeting": draft,
        "exempt_case": exempt,
        "may_meeting": may,
    }


def client_for(persona) -> Client:
    client = Client()
    username = PERSONA_LOGINS[persona]
    if username:
        assert client.login(username=username, password=demo.DEMO_PASSWORD)
    return client


@pytest.fixture(params=PERSONAS)
def persona(request):
    return request.param
