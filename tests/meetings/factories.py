"""Factories for meetings, cases and what hangs on them."""

import datetime as dt

from django.utils import timezone

from meetings.models import Attachment, Case, Meeting, Minutes, MinutesSection

TZ = timezone.get_fixed_timezone(60)


def meeting(body, *, status=Meeting.Status.NOTICE_ISSUED, start=None, **kwargs) -> Meeting:
    start = start or dt.datetime(2023, 5, 12, 12, 0, tzinfo=TZ)
    kwargs.setdefault("end", start + dt.timedelta(hours=2))
    return Meeting.objects.create(body=body, status=status, start=start, **kwargs)


def case(meeting, *, order=None, number=None, **kwargs) -> Case:
    if order is None:
        order = meeting.cases.count() + 1
    kwargs.setdefault("title", f"Sak på plass {order}")
    kwargs.setdefault("year", meeting.start.year)
    if kwargs.get("exempt"):
        kwargs.setdefault("exemption_basis", "offl. § 13 jf. fvl. § 13")
        kwargs.setdefault("public_title", "Unntatt sak")
    return Case.objects.create(body=meeting.body, meeting=meeting, order=order, number=number, **kwargs)


def minutes(meeting, *, approved=False, published=False, text="", **kwargs) -> Minutes:
    """Minutes; `text` becomes their one free section, as the migration moved the old text."""
    now = timezone.now()
    if approved or published:
        kwargs.setdefault("approved_at", now)
        kwargs.setdefault("approval_method", Minutes.ApprovalMethod.EMAIL_ROUND)
    if published:
        kwargs.setdefault("published_at", now)
    record = Minutes.objects.create(meeting=meeting, **kwargs)
    if text:
        MinutesSection.objects.create(minutes=record, order=1, text=text)
    return record


def attachment(case, **kwargs) -> Attachment:
    kwargs.setdefault("title", "Vedlegg")
    if kwargs.get("exempt"):
        kwargs.setdefault("exemption_basis", "offl. § 14")
    return Attachment.objects.create(case=case, **kwargs)
