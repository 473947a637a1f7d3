"""A user's standing: who is a member, leader, referent or secretariat, and may manage.

The bottom layer of the openness rules of DOMAIN.md. What a user may see of meetings, cases,
minutes and attachments is decided in meetings/permissions.py from the standing read here.

A user's standing (their current memberships and secretariat seats) is read once per user
object and cached on it, so a page asks the database for it once, whatever it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext

_CACHE_ATTR = "_helsefellesskap_viewer"


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


def secretariat_q(viewer: Viewer, partnership_path: str) -> Q:
    """Rows whose partnership (at `partnership_path`) the viewer is secretariat of."""
    if viewer.is_superuser:
        return Q(pk__isnull=False)
    return Q(**{f"{partnership_path}__in": viewer.secretariat_partnerships})


def no_rows() -> Q:
    return Q(pk__in=[])


def can_manage(user, partnership) -> bool:
    """Edit anything of the partnership, read its history."""
    return is_secretariat(user, partnership)


def require_manage(user, partnership) -> None:
    """For services: raise PermissionDenied unless the user may manage the partnership."""
    if not can_manage(user, partnership):
        raise PermissionDenied(gettext("Only the secretariat of this partnership may do this."))


def can_view_history(user, partnership) -> bool:
    return is_secretariat(user, partnership)


def can_propose_case(user, body) -> bool:
    """Innmelding: members of the body propose cases to it."""
    return is_member(user, body)
