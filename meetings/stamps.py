"""Which partnership each meetings row belongs to, for the document stamps (governance/stamps.py).

Coarse on purpose: a change anywhere in a partnership's meetings gives every document of that
partnership a new version. The reverse lookups catch a row shown by a document of another
meeting (a case closing a follow-up, the meeting named as the next one in minutes or a case).
"""

from documents.stamps import never_shown
from governance.stamps import track_in_partnership


def track_meetings() -> None:
    from .models import (
        Amendment,
        Attachment,
        Attendance,
        Case,
        CasePerson,
        CaseSearchDocument,
        CaseSection,
        FollowUp,
        MailDelivery,
        MailRecipient,
        Meeting,
        Minutes,
        MinutesApprovalAnswer,
        MinutesSearchDocument,
        MinutesSection,
        ProgrammeItem,
        Recusal,
        Reservation,
        SearchWord,
    )

    track_in_partnership(
        Meeting,
        "body__partnership",
        "announced_in_minutes__meeting__body__partnership",
        "announced_in_cases__body__partnership",
    )
    track_in_partnership(Attendance, "meeting__body__partnership")
    track_in_partnership(
        Case,
        "body__partnership",
        "meeting__body__partnership",
        "follow_ups__meeting__body__partnership",
        "follow_up_sources__meeting__body__partnership",
        "closed_follow_ups__meeting__body__partnership",
        "approved_minutes__meeting__body__partnership",
    )
    for part_of_case in (CaseSection, CasePerson, ProgrammeItem, Reservation, Recusal, Attachment):
        track_in_partnership(part_of_case, "case__body__partnership")
    track_in_partnership(
        Minutes,
        "meeting__body__partnership",
        "next_meeting__body__partnership",
        "approved_in_case__body__partnership",
    )
    track_in_partnership(MinutesSection, "minutes__meeting__body__partnership")
    track_in_partnership(MinutesApprovalAnswer, "minutes__meeting__body__partnership")
    track_in_partnership(FollowUp, "meeting__body__partnership", "case__body__partnership")
    track_in_partnership(Amendment, "case__body__partnership", "minutes__meeting__body__partnership")

    # Sending a notice writes these rows; were they tracked, every e-mail sent would throw away
    # the PDFs just rendered for the notice.
    never_shown(MailDelivery, "which e-mails of a notice or cancellation were sent: the workspace only")
    never_shown(MailRecipient, "one member's e-mail of a round: the workspace only")
    # Derived from the case's and the minutes' own rows, which are tracked: search reads them only.
    never_shown(CaseSearchDocument, "the stored search document of a case: derived from tracked rows")
    never_shown(MinutesSearchDocument, "the stored search document of minutes: derived from tracked rows")
    # Written with the search rows above; a suggestion is offered only while public text matches it.
    never_shown(SearchWord, "the vocabulary of search suggestions: derived from tracked rows")
