"""The meetings the workspace's tests work on, built with factories on the personas' `world`.

- held: body A's meeting of 12 May 2023, held, with cases 06/23–09/23 (sections, an attachment,
  a decision), attendance and draft minutes;
- notice: a meeting in two weeks whose notice is issued, with an exempt case;
- draft: a planned meeting in a month whose agenda is not yet numbered (not public);
- other: a meeting of the other partnership's body.

The browser journeys (test_journey*.py) are about the demo data and use `demo_live` instead.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from meetings.models import Attendance, CaseSection, Meeting
from tests.meetings import factories as mf


@pytest.fixture
def meetings_world(world):
    body = world.body
    held = mf.meeting(body, status=Meeting.Status.HELD, place="Digitalt via Teams", is_digital=True)
    cases = {}
    for number, title in (
        (6, "Godkjenning av innkalling og dagsorden"),
        (7, "Palliativt team for barn og unge"),
        (8, "Samhandlingsavvik BUK/kommunene"),
        (9, "Partnerskapsmøtet 2023"),
    ):
        case = mf.case(held, number=number, title=title, decision="Vedtak i saken.")
        CaseSection.objects.create(case=case, order=1, heading="Bakgrunn", text=f"Bakgrunn for {title}.")
        mf.attachment(case, title=f"Vedlegg til {title}")
        cases[number] = case
    for persona in ("member", "leader", "referent"):
        Attendance.objects.create(
            meeting=held, person=world.people[persona], is_referent=persona == "referent"
        )
    mf.minutes(held, text="Utkast til referat")

    soon = timezone.now() + dt.timedelta(days=14)
    notice = mf.meeting(body, start=soon)
    mf.case(notice, number=1, year=soon.year, title="Åpen sak")
    exempt = mf.case(notice, number=2, year=soon.year, title="Sak om en enkeltpasient", exempt=True)

    draft = mf.meeting(body, status=Meeting.Status.PLANNED, start=timezone.now() + dt.timedelta(days=30))
    for title in ("Godkjenning av innkalling og dagsorden", "Overganger barn til voksen", "Eventuelt"):
        mf.case(draft, title=title)

    other = mf.meeting(world.other_body)
    mf.case(other, number=1, title="Sak i et annet helsefellesskap")
    return SimpleNamespace(
        world=world, held=held, cases=cases, notice=notice, exempt_case=exempt, draft=draft, other=other
    )
