"""The records of many meetings read together are the records of each read alone.

The Atom feed reads its items' records with `protocol_records`; the meeting page, the PDF and
the case page read one. Both come from one code path, and this holds them to each other for
every meeting of the demo data and every persona: nothing of one meeting reaches another's
record, and drafts, exemptions and corrections come out the same.
"""

import datetime as dt
from dataclasses import asdict

import pytest
from django.contrib.auth.models import AnonymousUser

from governance.models import Membership
from governance.querysets import current_q
from meetings.models import Meeting
from meetings.record import protocol_record, protocol_records
from tests.conftest import DEMO_PERSONAS, demo_user


def _shown(record) -> dict:
    """What a record shows, comparable between two reads."""
    return {
        "visible": record.visible,
        "minutes": record.minutes.pk if record.minutes else None,
        "attendance": {key: [row.pk for row in rows] for key, rows in record.attendance.items()},
        "entries": [
            {**asdict(entry), "case": entry.case.pk, "follow_ups": [f.pk for f in entry.follow_ups]}
            for entry in record.entries
        ],
        "follow_ups": [f.pk for f in record.follow_ups],
        "sections": [(s.pk, s.corrections) for s in record.sections],
        "corrections": record.corrections,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", DEMO_PERSONAS)
def test_records_read_together_are_the_records_read_alone(demo_data, persona):
    user = demo_user(persona) if persona != "visitor" else AnonymousUser()
    meetings = list(Meeting.objects.select_related("body__partnership").order_by("start", "pk"))
    together = protocol_records(user, meetings)
    assert [record.meeting for record in together] == meetings
    alone = [protocol_record(user, meeting) for meeting in meetings]
    assert [_shown(record) for record in together] == [_shown(record) for record in alone]
    assert any(record.entries for record in together)


@pytest.mark.django_db
def test_a_membership_in_force_on_a_day_is_the_one_current_q_finds(demo_data):
    days = [dt.date(2019, 1, 1), dt.date(2023, 5, 12), dt.date(2024, 12, 31), dt.date(2030, 6, 1)]
    for day in days:
        found = set(Membership.objects.filter(current_q(on=day)).values_list("pk", flat=True))
        assert {m.pk for m in Membership.objects.all() if m.in_force_on(day)} == found, day
