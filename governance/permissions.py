"""The one place that answers “may this user …?”.

It implements the table at the end of DOMAIN.md. Each rule is written twice
side by side, as a Python check on one object and as a `Q` filter for
querysets, and tests/governance/test_visibility.py proves the two agree for
every persona and state. Querysets (`visible_to`, `readable_by`) and views
call these; nothing else restates a rule.

A user's standing (their current memberships and secretariat seats) is read
once per user object and cached on it, so a page asks the database for it
once, whatever it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

_CACHE_ATTR = "_helsefellesskap_viewer"

# The statuses in which a meeting's notice and agenda are public; the same
# tuple as Meeting.AGENDA_PUBLIC_STATUSES, kept here as plain strings so this
# module has no import cycle with the meetings app.
AGENDA_PUBLIC_STATUSES = ("notice_issued", "held", "minutes_approved", "minutes_published")
MINUTES_PUBLIC_STATUS = "minutes_published"


@dataclass(frozen=True)
class Viewer:
    """What the portal knows about the person looking, for permission checks."""

    is_authenticated: bool = False
    is_superuser: bool = False
    person_id: int | None = None
    member_bodies: frozenset[int] = field(default_factory=frozenset)
    leading_bodies: frozenset[int] = field(default_factory=frozenset)
    referent_bodies: frozenset[int] = field(default_factory=frozenset)
    secretariat_partnerships: frozenset[int] = field(default_factory=frozenset)

    def is_secretariat_of(self, partnership_id: int) -> bool:
        return self.is_superuser or partnership_id in self.secretariat_partnerships

    def is_member_of(self, body_id: int) -> bool:
        return body_id in self.member_bodies

    def leads(self, body_id: int) -> bool:
        return body_id in self.leading_bodies


ANONYMOUS = Viewer()


def viewer_for(user, *, on: date | None = None) -> Viewer:
    """The viewer for a user, computed once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and on is None:
        return cached

    from governance.models import Body, Membership, Person

    person = Person.objects.filter(user=user).only("pk").first()
    member_bodies, leading_bodies, referent_bodies, secretariat = set(), set(), set(), set()
    if person is not None:
        rows = (
            Membership.objects.current(on=on)
            .filter(person=person)
            .values_list("body_id", "role", "body__kind", "body__partnership_id")
        )
        for body_id, role, body_kind, partnership_id in rows:
            member_bodies.add(body_id)
            if role in Membership.LEADING_ROLES:
                leading_bodies.add(body_id)
            if role == Membership.Role.REFERENT:
                referent_bodies.add(body_id)
            if body_kind == Body.Kind.SECRETARIAT:
                secretariat.add(partnership_id)
    viewer = Viewer(
        is_authenticated=True,
        is_superuser=user.is_superuser,
        person_id=person.pk if person else None,
        member_bodies=frozenset(member_bodies),
        leading_bodies=frozenset(leading_bodies),
        referent_bodies=frozenset(referent_bodies),
        secretariat_partnerships=frozenset(secretariat),
    )
    if on is None:
        setattr(user, _CACHE_ATTR, viewer)
    return viewer


def forget(user) -> None:
    """Drop the cached standing, after memberships change within one request."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# ---------------------------------------------------------------------------
# Questions about standing
# ---------------------------------------------------------------------------


def is_secretariat(user, partnership) -> bool:
    """Staff of the partnership's secretariat (or a superuser)."""
    return viewer_for(user).is_secretariat_of(_pk(partnership))


def is_member(user, body) -> bool:
    """A current member of the body, in any role."""
    return viewer_for(user).is_member_of(_pk(body))


def is_body_leader(user, body) -> bool:
    """The body's current leader or deputy leader."""
    return viewer_for(user).leads(_pk(body))


def managed_partnership_ids(user) -> frozenset[int] | None:
    """Partnerships whose workspace the user may use; None means all (superuser)."""
    viewer = viewer_for(user)
    if viewer.is_superuser:
        return None
    return viewer.secretariat_partnerships


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _secretariat_q(viewer: Viewer, partnership_path: str) -> Q:
    if viewer.is_superuser:
        return Q(pk__isnull=False)
    return Q(**{f"{partnership_path}__in": viewer.secretariat_partnerships})


def _none() -> Q:
    return Q(pk__in=[])


# ---------------------------------------------------------------------------
# Meetings: the calendar entry, notice and agenda
# ---------------------------------------------------------------------------


def can_view_meeting(user, meeting) -> bool:
    """The meeting and its agenda: public from the notice; before it, leaders and secretariat."""
    viewer = viewer_for(user)
    return (
        meeting.status in AGENDA_PUBLIC_STATUSES
        or viewer.leads(meeting.body_id)
        or viewer.is_secretariat_of(meeting.body.partnership_id)
    )


def meeting_visible_q(user, prefix: str = "") -> Q:
    viewer = viewer_for(user)
    return (
        Q(**{f"{prefix}status__in": AGENDA_PUBLIC_STATUSES})
        | Q(**{f"{prefix}body_id__in": viewer.leading_bodies})
        | _secretariat_q(viewer, f"{prefix}body__partnership_id")
    )


def can_view_meeting_private_details(user, meeting) -> bool:
    """The online meeting link and members' contact details."""
    viewer = viewer_for(user)
    return viewer.is_member_of(meeting.body_id) or viewer.is_secretariat_of(meeting.body.partnership_id)


def can_manage(user, partnership) -> bool:
    """Edit anything of the partnership, read its history."""
    return is_secretariat(user, partnership)


def require_manage(user, partnership) -> None:
    """For services: raise PermissionDenied unless the user may manage the partnership."""
    if not can_manage(user, partnership):
        from django.core.exceptions import PermissionDenied
        from django.utils.translation import gettext

        raise PermissionDenied(gettext("Only the secretariat of this partnership may do this."))


def can_view_history(user, partnership) -> bool:
    return is_secretariat(user, partnership)


def can_propose_case(user, body) -> bool:
    """Innmelding: members of the body propose cases to it."""
    return is_member(user, body)


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
    on_agenda = Q(**{f"{prefix}meeting__isnull": False}) & meeting_visible_q(user, f"{prefix}meeting__")
    return on_agenda | _secretariat_q(viewer, f"{prefix}body__partnership_id")


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
    return case_visible_q(user, prefix) & (
        Q(**{f"{prefix}exempt": False})
        | Q(**{f"{prefix}body_id__in": viewer.member_bodies})
        | _secretariat_q(viewer, f"{prefix}body__partnership_id")
    )


# ---------------------------------------------------------------------------
# Minutes and decisions
# ---------------------------------------------------------------------------


def can_view_minutes(user, meeting) -> bool:
    """Published minutes are public; drafts only for the leader, referent and secretariat."""
    viewer = viewer_for(user)
    if viewer.is_secretariat_of(meeting.body.partnership_id):
        return True
    if meeting.status == MINUTES_PUBLIC_STATUS:
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
    from django.db.models import Exists, OuterRef

    from meetings.models import Attendance

    viewer = viewer_for(user)
    referent_at = Q(
        Exists(
            Attendance.objects.filter(
                meeting_id=OuterRef(f"{prefix}pk"), person_id=viewer.person_id, is_referent=True
            )
        )
    )
    member_referent = Q(**{f"{prefix}body_id__in": viewer.member_bodies}) & (
        Q(**{f"{prefix}body_id__in": viewer.referent_bodies}) | (referent_at if viewer.person_id else _none())
    )
    drafts = meeting_visible_q(user, prefix) & (
        Q(**{f"{prefix}body_id__in": viewer.leading_bodies}) | member_referent
    )
    return (
        Q(**{f"{prefix}status": MINUTES_PUBLIC_STATUS})
        | _secretariat_q(viewer, f"{prefix}body__partnership_id")
        | drafts
    )


def _is_referent_at(viewer: Viewer, meeting) -> bool:
    if viewer.person_id is None:
        return False
    return meeting.attendances.filter(person_id=viewer.person_id, is_referent=True).exists()


def can_view_decision(user, case) -> bool:
    """A decision is part of the minutes, and of the case's content."""
    return case.meeting_id is not None and can_read_case(user, case) and can_view_minutes(user, case.meeting)


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
    return case_visible_q(user, "case__") & (
        Q(exempt=False, case__exempt=False)
        | Q(case__body_id__in=viewer.member_bodies)
        | _secretariat_q(viewer, "case__body__partnership_id")
    )
