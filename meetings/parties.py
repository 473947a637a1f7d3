"""“Er alle parter til stede?”: which parties a body's members represent, and who came.

A helsefellesskap decides by consensus between parties; a consensus recorded while a party
was absent is weaker, and the protocol says so. This module answers, for one meeting:

- which **parties** the body's current members (leader, deputy leader, member) represent on the
  meeting's day, read from `Membership.on_behalf_of`:
  * a hospital department counts for its health trust (the nearest `parent` of kind
    health trust), since the trust is the party;
  * municipalities are grouped by their `region` when the data gives one ("Kommunene i
    Lofoten"), because the municipalities of a region are usually represented jointly; a
    municipality without a region is a party of its own;
  * every other organisation (user council, GP council, KS, …) is a party of its own;
  * a member who represents no organisation adds no party.
- which of them have someone **present** in the recorded attendance: a present person whose
  attendance, or seat in the body, is on behalf of an organisation of the party, or who stood
  in for ("møtt for") a member of that party.

Which bodies decide by consensus is derived from the body's kind (`CONSENSUS_KINDS`):
the partnership meeting, the strategic and the professional committees, which treat cases
formally; dialogue meetings, networks and working groups do not decide. Derived rather than
stored, so no body can be left with a wrong flag; a field can replace it if a partnership
ever needs an exception.

While no attendance is recorded the portal cannot tell who came, and says so ("unknown is a
value"): `missing_parties` is then empty and the check reports `recorded=False`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Body, Membership, Organisation

from .models import Attendance, Meeting

CONSENSUS_KINDS = frozenset(
    {
        Body.Kind.PARTNERSHIP_MEETING,
        Body.Kind.STRATEGIC_COMMITTEE,
        Body.Kind.PROFESSIONAL_COMMITTEE,
    }
)
# The seats that make an organisation a party of the body.
PARTY_ROLES = (Membership.Role.LEADER, Membership.Role.DEPUTY_LEADER, Membership.Role.MEMBER)
# The seats whose holder, when present, speaks for their organisation.
SPEAKING_ROLES = (*PARTY_ROLES, Membership.Role.SUBSTITUTE)


@dataclass
class Party:
    key: str
    name: str
    kind: str
    present: bool = False
    present_people: list[str] = field(default_factory=list)


@dataclass
class PartiesCheck:
    applies: bool  # the body decides by consensus
    recorded: bool  # attendance is recorded, so presence is known
    parties: list[Party]

    @property
    def missing(self) -> list[Party]:
        if not (self.applies and self.recorded):
            return []
        return [party for party in self.parties if not party.present]

    @property
    def missing_names(self) -> str:
        return ", ".join(party.name for party in self.missing)


def decides_by_consensus(body: Body) -> bool:
    return body.kind in CONSENSUS_KINDS


def _party_of(organisation: Organisation) -> tuple[str, str, str]:
    """The party an organisation belongs to: (key, name, kind)."""
    org, seen = organisation, set()
    if org.kind == Organisation.Kind.HOSPITAL_DEPARTMENT:
        while org.parent_id and org.pk not in seen and org.kind != Organisation.Kind.HEALTH_TRUST:
            seen.add(org.pk)
            org = org.parent
        if org.kind != Organisation.Kind.HEALTH_TRUST:
            org = organisation
    if org.kind == Organisation.Kind.MUNICIPALITY and org.region:
        name = _("Municipalities in %(region)s") % {"region": org.region}
        return f"region:{org.region}", name, org.kind
    return f"org:{org.pk}", org.name, org.kind


def _meeting_day(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.start).date()


def parties_check(meeting: Meeting, attendances=None) -> PartiesCheck:
    """The body's parties on the meeting's day and whether each is present (two queries; one
    when the caller passes the meeting's `attendances`, read with their people and
    `on_behalf_of__parent__parent`)."""
    memberships = list(
        Membership.objects.current(on=_meeting_day(meeting))
        .filter(body_id=meeting.body_id, role__in=SPEAKING_ROLES, on_behalf_of__isnull=False)
        .select_related("on_behalf_of__parent__parent")
        .order_by("on_behalf_of__kind", "on_behalf_of__name")
    )
    parties: dict[str, Party] = {}
    seats: dict[int, set[str]] = {}  # person → keys of the parties they speak for
    for membership in memberships:
        key, name, kind = _party_of(membership.on_behalf_of)
        seats.setdefault(membership.person_id, set()).add(key)
        if membership.role in PARTY_ROLES and key not in parties:
            parties[key] = Party(key=key, name=name, kind=kind)
    if attendances is None:
        attendances = list(
            Attendance.objects.filter(meeting=meeting).select_related(
                "person", "on_behalf_of__parent__parent"
            )
        )
    for attendance in attendances:
        if attendance.status != Attendance.Status.PRESENT:
            continue
        keys = set(seats.get(attendance.person_id, ()))
        if attendance.on_behalf_of_id:
            keys.add(_party_of(attendance.on_behalf_of)[0])
        if attendance.substitute_for_id:
            keys |= seats.get(attendance.substitute_for_id, set())
        for key in keys & parties.keys():
            parties[key].present = True
            parties[key].present_people.append(attendance.person.name)
    return PartiesCheck(
        applies=decides_by_consensus(meeting.body), recorded=bool(attendances), parties=list(parties.values())
    )


def missing_parties(meeting: Meeting) -> list[Party]:
    """The parties absent from a consensus body's meeting; empty when unknown or not applicable.

    For the protocol: "Vedtatt i konsensus; <party> var ikke til stede".
    """
    return parties_check(meeting).missing


def consensus_note(meeting: Meeting, missing: list[Party] | None = None) -> str:
    """The sentence a consensus decision carries when parties were missing, or ''."""
    missing = missing_parties(meeting) if missing is None else missing
    if not missing:
        return ""
    names = ", ".join(party.name for party in missing)
    return _("Adopted by consensus; %(parties)s was not present.") % {"parties": names}
