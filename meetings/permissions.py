"""Who may see a meeting, a case, its decision, the minutes and an attachment.

It implements the openness table at the end of DOMAIN.md on top of a user's standing
(governance.permissions). Each rule is written twice side by side, as a Python check on one
object and as a `Q` filter for querysets, and tests/governance/test_visibility.py proves the
two agree for every persona and state. Querysets (`visible_to`, `readable_by`) and views call
these; which statuses are public comes from the lifecycle table (meetings/lifecycle.py).
"""

from __future__ import annotations

import json

from django.db.models import Exists, OuterRef, Q

from governance.permissions import (
    Viewer,
    all_of,
    any_of,
    in_q,
    secretariat_q,
    viewer_for,
)

from .lifecycle import AGENDA_PUBLIC_STATUSES, MINUTES_PUBLIC_STATUSES

# ---------------------------------------------------------------------------
# Meetings: the calendar entry, notice and agenda
# ---------------------------------------------------------------------------


def can_view_meeting(user, meeting) -> bool:
    """The meeting and its agenda: public from the notice; before it, leaders and secretariat."""
    viewer = viewer_for(user)
    return (
        meeting.agenda_is_public
        or viewer.leads(meeting.body_id)
        or viewer.is_secretariat_of(meeting.body.partnership_id)
    )


def meeting_visible_q(user, prefix: str = "") -> Q:
    viewer = viewer_for(user)
    return any_of(
        Q(**{f"{prefix}status__in": AGENDA_PUBLIC_STATUSES}),
        in_q(f"{prefix}body_id", viewer.leading_bodies),
        secretariat_q(viewer, f"{prefix}body__partnership_id"),
    )


def can_view_meeting_private_details(user, meeting) -> bool:
    """The online meeting link and members' contact details."""
    viewer = viewer_for(user)
    return viewer.is_member_of(meeting.body_id) or viewer.is_secretariat_of(meeting.body.partnership_id)


# ---------------------------------------------------------------------------
# Cases: listed (number, public title), and read (content)
# ---------------------------------------------------------------------------


def can_view_case(user, case) -> bool:
    """The case appears in lists under its shown title."""
    if case.meeting_id is None:
        # A proposed case not yet on an agenda: only the secretariat triages it.
        return viewer_for(user).is_secretariat_of(case.body.partnership_id)
    return can_view_meeting(user, case.meeting)


def case_visible_q(user, prefix: str = "") -> Q:
    viewer = viewer_for(user)
    on_agenda = all_of(
        Q(**{f"{prefix}meeting__isnull": False}), meeting_visible_q(user, f"{prefix}meeting__")
    )
    return any_of(on_agenda, secretariat_q(viewer, f"{prefix}body__partnership_id"))


def can_read_case(user, case) -> bool:
    """The case paper itself: public unless exempt; members and secretariat read exempt ones."""
    if not can_view_case(user, case):
        return False
    viewer = viewer_for(user)
    return (
        not case.exempt
        or viewer.is_member_of(case.body_id)
        or viewer.is_secretariat_of(case.body.partnership_id)
    )


def case_readable_q(user, prefix: str = "") -> Q:
    viewer = viewer_for(user)
    return all_of(
        case_visible_q(user, prefix),
        any_of(
            Q(**{f"{prefix}exempt": False}),
            in_q(f"{prefix}body_id", viewer.member_bodies),
            secretariat_q(viewer, f"{prefix}body__partnership_id"),
        ),
    )


# ---------------------------------------------------------------------------
# Minutes and decisions
# ---------------------------------------------------------------------------


def can_view_minutes(user, meeting) -> bool:
    """Published minutes are public; drafts only for the leader, referent and secretariat."""
    viewer = viewer_for(user)
    if viewer.is_secretariat_of(meeting.body.partnership_id):
        return True
    if meeting.minutes_are_public:
        return True
    if not can_view_meeting(user, meeting):
        return False
    return (
        viewer.leads(meeting.body_id)
        or viewer.is_member_of(meeting.body_id)
        and (meeting.body_id in viewer.referent_bodies or _is_referent_at(viewer, meeting))
    )


def minutes_visible_q(user, prefix: str = "") -> Q:
    """Filter on meetings (prefix leads to a Meeting) whose minutes the user may read."""
    from .models import Attendance  # the models' querysets import this module

    viewer = viewer_for(user)
    referent = in_q(f"{prefix}body_id", viewer.referent_bodies)
    if viewer.person_id and viewer.member_bodies:
        # Only a member takes a meeting's minutes: a visitor's filter has no subquery.
        referent_at = Q(
            Exists(
                Attendance.objects.filter(
                    meeting_id=OuterRef(f"{prefix}pk"), person_id=viewer.person_id, is_referent=True
                )
            )
        )
        referent = any_of(referent, referent_at)
    member_referent = all_of(in_q(f"{prefix}body_id", viewer.member_bodies), referent)
    drafts = all_of(
        meeting_visible_q(user, prefix),
        any_of(in_q(f"{prefix}body_id", viewer.leading_bodies), member_referent),
    )
    return any_of(
        Q(**{f"{prefix}status__in": MINUTES_PUBLIC_STATUSES}),
        secretariat_q(viewer, f"{prefix}body__partnership_id"),
        drafts,
    )


def _is_referent_at(viewer: Viewer, meeting) -> bool:
    if viewer.person_id is None:
        return False
    if "referent_rows" in meeting.__dict__:  # read with the meeting (MeetingQuerySet.with_referents)
        rows = meeting.referent_rows
        return viewer.person_id in (json.loads(rows) if isinstance(rows, str) else rows or ())
    return meeting.attendances.filter(person_id=viewer.person_id, is_referent=True).exists()


def can_view_decision(user, case) -> bool:
    """A decision is part of the minutes, and of the case's content."""
    return case.meeting_id is not None and can_read_case(user, case) and can_view_minutes(user, case.meeting)


def mark_case_access(user, cases, *, minutes_visible=None):
    """Set `content_visible` and `decision_visible` on cases already read, by the checks above.

    The same flags as `CaseQuerySet.with_access(user)` (tests/governance/test_visibility.py
    proves it for every persona and state), without the annotations' large SQL expression. Each
    case needs its body and its meeting with the meeting's body loaded. `minutes_visible` maps a
    meeting's pk to `can_view_minutes` when the caller knows it already; each other meeting's is
    asked once."""
    minutes_visible = dict(minutes_visible or {})
    for case in cases:
        content = can_read_case(user, case)
        decision = False
        if content and case.meeting_id is not None:
            if case.meeting_id not in minutes_visible:
                minutes_visible[case.meeting_id] = can_view_minutes(user, case.meeting)
            decision = minutes_visible[case.meeting_id]
        case.content_visible, case.decision_visible = content, decision
    return cases


# ---------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------


def can_read_attachment(user, attachment) -> bool:
    """The file: public when neither it nor its case is exempt."""
    case = attachment.case
    if not can_view_case(user, case):
        return False
    viewer = viewer_for(user)
    return (
        not (attachment.exempt or case.exempt)
        or viewer.is_member_of(case.body_id)
        or viewer.is_secretariat_of(case.body.partnership_id)
    )


def attachment_readable_q(user) -> Q:
    viewer = viewer_for(user)
    return all_of(
        case_visible_q(user, "case__"),
        any_of(
            Q(exempt=False, case__exempt=False),
            in_q("case__body_id", viewer.member_bodies),
            secretariat_q(viewer, "case__body__partnership_id"),
        ),
    )
