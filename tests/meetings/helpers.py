"""Shared by the meeting service tests: the personas who are not the secretariat, and helpers."""

import datetime as dt
import io

from meetings import services
from tests.meetings import factories as mf

OTHERS = ["visitor", "member", "leader", "referent", "other_member", "former_member", "other_secretariat"]
START = dt.datetime(2023, 9, 14, 10, 0, tzinfo=mf.TZ)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image_bytes(image_format: str) -> bytes:
    """A small, whole image file (attachments are opened with Pillow before they are accepted)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, image_format)
    return buffer.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")


def _planned(world, staff, *, start=START, **kwargs):
    return services.meeting_create(
        body=world.body, start=start, end=start + dt.timedelta(hours=2), by=staff, **kwargs
    )


def _agenda(meeting):
    return list(meeting.cases.order_by("order"))
