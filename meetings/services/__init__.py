"""Every write of the secretariat's workspace: meetings, agendas, cases, minutes.

Each service takes keyword arguments and the acting user (`by`), checks
permission through governance.permissions, validates with full_clean(), runs
in one transaction and saves through governance.history so the history row
says who and why. Views and forms stay thin and call these. Reads are in
meetings.selectors.

The rules that matter live here, by sub-domain, and the lifecycle table:
- a meeting changes status only through meetings/lifecycle.py (`lifecycle.check`),
  in `lifecycle` (notice, held, cancel) and `minutes` (approve, publish);
- case numbers are fixed in agenda order when the notice is issued, as the
  next free number for the body and year, and are never reused (`lifecycle`, `agenda`);
- after the notice, changes are allowed but recorded as such (`common.changed_after_notice`);
- once the minutes are approved, cases and minutes are locked and only a
  recorded amendment (`minutes.amend`) with a reason can change them;
- two people editing one case or one set of minutes: the second save, made
  from an older version, is refused (optimistic concurrency, `common._refuse_stale`);
- e-mails are recorded in the transaction and sent by the worker after it commits
  (`notifications`, meetings/tasks.py).
"""

from .agenda import (
    agenda_move,
    agenda_reorder,
    case_create,
    case_follow_up,
    case_from_follow_up,
    case_remove,
    case_take_in_proposal,
    case_update,
)
from .approval import approval_round_people, minutes_record_answer
from .attachments import attachment_add
from .common import (
    CASE_AMENDABLE_FIELDS,
    CASE_EDITABLE_FIELDS,
    CLOSING_KINDS,
    EXEMPTION_BASES,
    MEETING_EDITABLE_FIELDS,
    MINUTES_AMENDABLE_FIELDS,
    SECTION_AMENDABLE_FIELDS,
    STANDING_CLOSING,
    STANDING_OPENING,
    ConcurrentEditError,
    LockedError,
    changed_after_notice,
)
from .lifecycle import meeting_cancel, meeting_create, meeting_issue_notice, meeting_mark_held, meeting_update
from .minutes import (
    amend,
    case_record_notes,
    minutes_approve,
    minutes_publish,
    minutes_update,
)
from .notifications import mail_round_resend
from .proposals import proposal_return, proposal_submit
from .recording import (
    MissingPartiesError,
    attendance_record,
    case_record_decision,
    follow_up_add,
    follow_up_close,
    guest_for,
    partnership_people,
)

__all__ = [
    "CASE_AMENDABLE_FIELDS",
    "CASE_EDITABLE_FIELDS",
    "CLOSING_KINDS",
    "EXEMPTION_BASES",
    "MEETING_EDITABLE_FIELDS",
    "MINUTES_AMENDABLE_FIELDS",
    "SECTION_AMENDABLE_FIELDS",
    "STANDING_CLOSING",
    "STANDING_OPENING",
    "ConcurrentEditError",
    "LockedError",
    "MissingPartiesError",
    "agenda_move",
    "agenda_reorder",
    "amend",
    "approval_round_people",
    "attachment_add",
    "attendance_record",
    "case_create",
    "case_follow_up",
    "case_from_follow_up",
    "case_record_decision",
    "case_record_notes",
    "case_remove",
    "case_take_in_proposal",
    "case_update",
    "changed_after_notice",
    "follow_up_add",
    "follow_up_close",
    "guest_for",
    "meeting_cancel",
    "meeting_create",
    "meeting_issue_notice",
    "meeting_mark_held",
    "meeting_update",
    "minutes_approve",
    "minutes_publish",
    "minutes_record_answer",
    "minutes_update",
    "partnership_people",
    "mail_round_resend",
    "proposal_return",
    "proposal_submit",
]
