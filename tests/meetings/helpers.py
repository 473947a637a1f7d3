"""Shared by the meeting service tests: the personas who are not the secretariat, and helpers."""

import datetime as dt

from meetings import services
from tests.meetings import factories as mf

OTHERS = ["visitor", "member", "leader", "referent", "other_member", "former_member", "other_secretariat"]
START = dt.datetime(2023, 9, 14, 10, 0, tzinfo=mf.TZ)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d"
    "49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def _planned(world, staff, *, start=START, **kwargs):
    return services.meeting_create(
        body=world.body, start=start, end=start + dt.timedelta(hours=2), by=staff, **kwargs
    )


def _agenda(meeting):
    return list(meeting.cases.order_by("order"))
