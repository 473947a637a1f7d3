"""Recording the meeting: attendance, decisions with reservations and recusals, follow-ups."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from governance import permissions
from governance.history import delete_with_history, save_with_history
from governance.models import Person

from .. import parties
from ..models import Attendance, Case, FollowUp, Meeting, Recusal, Reservation
from .common import (
    _check_same_partnership,
    _refuse_agenda_change,
    _refuse_if_case_locked,
    _refuse_stale,
    _validated,
)

CLOSED_FOLLOW_UP_STATUSES = (FollowUp.Status.DONE, FollowUp.Status.CANCELLED)
GUEST_NAME_MAX_LENGTH = Person._meta.get_field("name").max_length


def partnership_people(partnership):
    """The people of a partnership: who is or was a member of its bodies, or attended its meetings."""
    return Person.objects.filter(
        Q(memberships__body__partnership=partnership) | Q(attendances__meeting__body__partnership=partnership)
    ).distinct()


def guest_for(partnership, *, name: str, by, reason: str) -> Person:
    """The person a guest's name stands for: one of the partnership's people by that name, or new.

    Never matched across partnerships: the same name in another partnership is another person.
    """
    if "\x00" in name:
        raise ValidationError({"guest_name": _("The guest's name contains a character that is not allowed.")})
    if len(name) > GUEST_NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "guest_name": _("The guest's name can be at most %(limit)d characters.")
                % {"limit": GUEST_NAME_MAX_LENGTH}
            }
        )
    person = partnership_people(partnership).filter(name=name).order_by("pk").first()
    if person is None:
        person = _validated(Person(name=name))
        save_with_history(person, reason=reason, by=by)
    return person


def _added_person(partnership, guest: dict, *, by, reason: str) -> Person | None:
    if guest.get("person_pk"):
        person = partnership_people(partnership).filter(pk=guest["person_pk"]).first()
        if person is None:
            raise ValidationError(_("The person was not found. Reload the page and try again."))
        return person
    if guest.get("name"):
        return guest_for(partnership, name=guest["name"], by=by, reason=reason)
    return None


def attendance_record(
    *, meeting: Meeting, rows: list[dict], by, guest_name: str = "", guest: dict | None = None
) -> list[Attendance]:
    """Replace the meeting's attendance with `rows`, and a present guest when one is given.

    `guest_name` adds a guest by name; `guest` (from the meeting mode) adds one person, either
    `person_pk`, one of the partnership's people, or a new `name`, with `role` and whom they
    stand in for (`substitute_for`, `on_behalf_of`). A name is matched only among the
    partnership's people (`guest_for`), never across partnerships.
    """
    permissions.require_manage(by, meeting.body.partnership)
    guest = dict(guest or {})
    guest.setdefault("name", guest_name)
    guest["name"] = (guest.get("name") or "").strip()
    reason = _("Attendance recorded")
    with transaction.atomic():
        fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _refuse_agenda_change(fresh, _("The minutes of this meeting are approved; the attendance is locked."))
        rows = list(rows)
        person = _added_person(fresh.body.partnership, guest, by=by, reason=reason)
        if person is not None:
            rows.append(
                {
                    "person": person,
                    "status": Attendance.Status.PRESENT,
                    "role": guest.get("role") or Attendance.Role.GUEST,
                    "substitute_for": guest.get("substitute_for"),
                    "on_behalf_of": guest.get("on_behalf_of"),
                }
            )
        people = [row["person"].pk for row in rows]
        if len(people) != len(set(people)):
            raise ValidationError(_("A person can be listed only once in the attendance."))
        for old in list(fresh.attendances.all()):
            delete_with_history(old, reason=reason, by=by)
        created = []
        for order, row in enumerate(rows, start=1):
            attendance = Attendance(
                meeting=fresh,
                person=row["person"],
                status=row.get("status") or Attendance.Status.PRESENT,
                on_behalf_of=row.get("on_behalf_of"),
                substitute_for=row.get("substitute_for"),
                role=row.get("role") or Attendance.Role.MEMBER,
                is_referent=bool(row.get("is_referent")),
                title=row.get("title") or "",
                note=row.get("note") or "",
                order=order,
            )
            _validated(attendance)
            save_with_history(attendance, reason=reason, by=by)
            created.append(attendance)
    return created


def case_record_decision(
    *,
    case: Case,
    outcome,
    decision: str = "",
    by,
    reservations: Iterable[dict] | None = None,
    recusals: Iterable[dict] | None = None,
    expected_version: int | None = None,
    confirm_missing_parties: bool = False,
) -> Case:
    """Record the outcome and decision of a case, and (when given) its reservations and recusals.

    `reservations` and `recusals` replace what is recorded when given; None leaves them as they are.
    `expected_version` is the version the user's form was made from (by default the version of
    `case` as the caller holds it): a save from an older version is refused, naming who changed
    the case, so that two people recording at once never overwrite each other.
    A consensus while a party of the body is missing (meetings/parties.py) is refused unless
    `confirm_missing_parties` says the secretariat has seen the warning.
    """
    permissions.require_manage(by, case.body.partnership)
    if expected_version is None:
        expected_version = case.version
    with transaction.atomic():
        fresh = Case.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=case.pk)
        _refuse_if_case_locked(fresh)
        if fresh.meeting is None or not fresh.meeting.notice_is_issued:
            raise ValidationError(_("A decision can be recorded once the notice of the meeting is issued."))
        if outcome not in Case.Outcome.values:
            raise ValidationError({"outcome": _("Choose an outcome.")})
        _refuse_stale(fresh, expected_version)
        if outcome == Case.Outcome.CONSENSUS and not confirm_missing_parties:
            _refuse_consensus_without_parties(fresh.meeting)
        fresh.outcome = outcome
        fresh.decision = (decision or "").strip()
        fresh.version += 1
        reason = _("Decision recorded")
        _validated(fresh)
        save_with_history(fresh, reason=reason, by=by)
        if reservations is not None:
            _replace_reservations(fresh, reservations, by=by, reason=reason)
        if outcome not in (Case.Outcome.POSTPONED, Case.Outcome.WITHDRAWN):
            for point in fresh.follow_up_sources.exclude(status__in=CLOSED_FOLLOW_UP_STATUSES):
                follow_up_close(follow_up=point, by=by, closed_by_case=fresh)
        if recusals is not None:
            for old in list(fresh.recusals.all()):
                delete_with_history(old, reason=reason, by=by)
            for row in recusals:
                recusal = Recusal(case=fresh, person=row["person"], reason=row.get("reason") or "")
                _validated(recusal)
                save_with_history(recusal, reason=reason, by=by)
    return fresh


class MissingPartiesError(ValidationError):
    """A consensus is about to be recorded while a party of the body is not present."""

    def __init__(self, message, *, missing):
        super().__init__(message, code="parties_missing")
        self.missing = missing


def _refuse_consensus_without_parties(meeting: Meeting) -> None:
    missing = parties.missing_parties(meeting)
    if not missing:
        return
    names = ", ".join(party.name for party in missing)
    raise MissingPartiesError(
        _(
            "Not all parties are present (missing: %(names)s). A consensus without them is weaker; "
            "confirm that the decision is recorded as consensus all the same."
        )
        % {"names": names},
        missing=missing,
    )


def _replace_reservations(case: Case, rows: Iterable[dict], *, by, reason: str) -> None:
    for old in list(case.reservations.all()):
        delete_with_history(old, reason=reason, by=by)
    for row in rows:
        reservation = Reservation(
            case=case,
            party=row.get("party"),
            person=row.get("person"),
            text=(row.get("text") or "").strip(),
        )
        if reservation.party is None and reservation.person is None:
            raise ValidationError(_("A reservation needs the party or person who made it."))
        _validated(reservation)
        save_with_history(reservation, reason=reason, by=by)


def follow_up_add(
    *,
    meeting: Meeting,
    what: str,
    by,
    title: str = "",
    responsible: str = "",
    responsible_person=None,
    due=None,
    case: Case | None = None,
) -> FollowUp:
    permissions.require_manage(by, meeting.body.partnership)
    if case is not None and case.meeting_id != meeting.pk:
        raise ValidationError(_("The case is not on this meeting's agenda."))
    with transaction.atomic():
        order = (meeting.follow_ups.aggregate(top=Max("order"))["top"] or 0) + 1
        follow_up = FollowUp(
            meeting=meeting,
            what=(what or "").strip(),
            title=title,
            responsible=responsible,
            responsible_person=responsible_person,
            due=due,
            case=case,
            order=order,
        )
        _validated(follow_up)
        save_with_history(follow_up, reason=_("Follow-up point added"), by=by)
    return follow_up


def follow_up_close(
    *, follow_up: FollowUp, by, closed_by_case: Case | None = None, status=FollowUp.Status.DONE
) -> FollowUp:
    partnership = follow_up.meeting.body.partnership
    permissions.require_manage(by, partnership)
    if status not in (FollowUp.Status.DONE, FollowUp.Status.CANCELLED):
        raise ValidationError(_("A follow-up point is closed as done or cancelled."))
    if closed_by_case is not None:
        _check_same_partnership(closed_by_case.body.partnership_id, partnership, _("The closing case"))
    with transaction.atomic():
        fresh = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        fresh.status = status
        fresh.closed_by_case = closed_by_case
        _validated(fresh)
        save_with_history(fresh, reason=_("Follow-up point closed"), by=by)
    return fresh
