"""Meetings, cases (saker), attendance, minutes, follow-ups and attachments.

A Case is one handling of a matter by one body in one meeting (eInnsyn's
møtesak, OParl's Consultation); `previous` links it to the handling before,
so the chain FSU → SSU → Partnerskapsmøtet can be followed both ways.
"""

from .approval import MinutesApprovalAnswer
from .case import (
    Attachment,
    Case,
    CasePerson,
    CaseSection,
    ProgrammeItem,
    Recusal,
    Reservation,
    attachment_upload_to,
)
from .delivery import MailDelivery, MailRecipient
from .meeting import Attendance, Meeting
from .record import Amendment, FollowUp, Minutes, MinutesSection
from .search import CaseSearchDocument, MinutesSearchDocument, SearchWord

__all__ = [
    "Amendment",
    "Attachment",
    "Attendance",
    "Case",
    "CasePerson",
    "CaseSearchDocument",
    "CaseSection",
    "FollowUp",
    "MailDelivery",
    "MailRecipient",
    "Meeting",
    "Minutes",
    "MinutesApprovalAnswer",
    "MinutesSearchDocument",
    "MinutesSection",
    "ProgrammeItem",
    "Recusal",
    "Reservation",
    "SearchWord",
    "attachment_upload_to",
]
