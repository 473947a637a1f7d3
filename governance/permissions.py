"""A user's standing: who is a member, leader, referent or secretariat, and may manage.

The bottom layer of the openness rules of DOMAIN.md. What a user may see of meetings, cases,
minutes and attachments is decided in meetings/permissions.py from the standing read here.

A user's standing (their current memberships and secretariat seats) is read once per user
object and cached on it, so a page asks the database for it once, whatever it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext

from governance.querysets import PreparedRows, current_q

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
    """The viewer for a user, computed once per user object (a Viewer is its own viewer)."""
    if isinstance(user, Viewer):
        return user
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and on is None:
        return cached

    # The person (a user has at most one) and their seats in force on the day, in one query: one
    # row per seat, or one row of None for a person with none.
    viewer = _viewer_from_rows(user, _STANDING_ROWS.rows(user.pk, on or timezone.localdate()))
    if on is None:
        setattr(user, _CACHE_ATTR, viewer)
    return viewer


def _viewer_from_rows(user, rows) -> Viewer:
    """The viewer of `user` from standing rows: (person id, body id, role, body kind, partnership
    id) per seat in force, or one row whose seat is None (a person without seats, or none)."""
    from governance.models import Body, Membership

    person_id = None
    member_bodies, leading_bodies, referent_bodies, secretariat = set(), set(), set(), set()
    for pk, body_id, role, body_kind, partnership_id in rows:
        person_id = pk
        if body_id is not None:
            member_bodies.add(body_id)
            if role in Membership.LEADING_ROLES:
                leading_bodies.add(body_id)
            if role == Membership.Role.REFERENT:
                referent_bodies.add(body_id)
            if body_kind == Body.Kind.SECRETARIAT:
                secretariat.add(partnership_id)
    return Viewer(
        is_authenticated=True,
        is_superuser=user.is_superuser,
        person_id=person_id,
        member_bodies=frozenset(member_bodies),
        leading_bodies=frozenset(leading_bodies),
        referent_bodies=frozenset(referent_bodies),
        secretariat_partnerships=frozenset(secretariat),
    )


def _standing_query(user_id, on: date):
    from governance.models import Person

    return (
        Person.objects.filter(user_id=user_id)
        .annotate(seat=FilteredRelation("memberships", condition=current_q("memberships__", on=on)))
        .order_by()
        .values_list("pk", *_STANDING)
    )


_STANDING_ROWS = PreparedRows(_standing_query)

_STANDING = ("seat__body_id", "seat__role", "seat__body__kind", "seat__body__partnership_id")


def _user_fields():
    from django.contrib.auth import get_user_model

    model = get_user_model()
    return model, [field.attname for field in model._meta.concrete_fields]


def _user_standing_query(user_id, on: date):
    model, fields = _user_fields()
    return (
        model._default_manager.filter(pk=user_id)
        .annotate(
            seat=FilteredRelation("person__memberships", condition=current_q("person__memberships__", on=on))
        )
        .order_by()
        .values_list(*fields, "person__pk", *_STANDING)
    )


_USER_STANDING_ROWS = PreparedRows(_user_standing_query)


def _converted(model, values) -> list:
    """The user's column values as the ORM would give them (PreparedRows reads the cursor's raw
    rows: SQLite's datetimes come as text, naive)."""
    from django.db import connections

    connection = connections["default"]
    values = list(values)
    for index, model_field in enumerate(model._meta.concrete_fields):
        column = model_field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            values[index] = converter(values[index], column, connection)
    return values


def user_with_standing(user_id):
    """The user `user_id` with their standing read in the same query (None if there is none): a
    login's user is read on every request, and its standing on nearly every page (issue #12: one
    round trip fewer for every logged-in request). helsefellesskap.accounts.StandingBackend."""
    model, fields = _user_fields()
    try:
        user_id = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    rows = _USER_STANDING_ROWS.rows(user_id, timezone.localdate())
    if not rows:
        return None
    count = len(fields)
    user = model.from_db("default", fields, _converted(model, rows[0][:count]))
    setattr(user, _CACHE_ATTR, _viewer_from_rows(user, [row[count:] for row in rows]))
    return user


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
    return in_q(partnership_path, viewer.secretariat_partnerships)


# The filters of meetings/permissions.py are built from these, so that a branch that can match
# nothing (a visitor's memberships, a member's secretariat seats) is left out of the expression
# instead of written as `IN ()`: the same rows, but the ORM neither joins for it nor compiles it
# (an empty IN makes Django raise and catch EmptyResultSet on every query).
_NO_ROWS = Q(pk__in=[])


def no_rows() -> Q:
    return _NO_ROWS


def matches_nothing(q: Q) -> bool:
    return q is _NO_ROWS


def in_q(path: str, ids) -> Q:
    """Rows whose `path` is one of `ids`; no rows (and no branch) when `ids` is empty."""
    return Q(**{f"{path}__in": ids}) if ids else _NO_ROWS


def any_of(*parts: Q) -> Q:
    """The rows any of the parts matches; the parts that match nothing are dropped."""
    kept = [part for part in parts if not matches_nothing(part)]
    if not kept:
        return _NO_ROWS
    result = kept[0]
    for part in kept[1:]:
        result = result | part
    return result


def all_of(*parts: Q) -> Q:
    """The rows every part matches; no rows at all when one part matches nothing."""
    if any(matches_nothing(part) for part in parts):
        return _NO_ROWS
    result = parts[0]
    for part in parts[1:]:
        result = result & part
    return result


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
