"""The agenda: cases added, followed up, taken in from proposals, edited, moved, removed.

Before the notice a case has no number; after it, a new case is numbered at once and every
change is recorded as made after the notice (`changed_after_notice`). The lifecycle table
decides whether the agenda may change at all (`lifecycle.can_edit_agenda`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance import permissions
from governance.history import delete_with_history, save_with_history

from ..models import Case, CasePerson, CaseSection, FollowUp, Meeting, ProgrammeItem
from .common import (
    CASE_EDITABLE_FIELDS,
    _check_same_partnership,
    _local_year,
    _lock_body,
    _next_free_number,
    _place_on_agenda,
    _refuse_agenda_change,
    _refuse_if_case_locked,
    _refuse_stale,
    _set_agenda_order,
    _validated,
    changed_after_notice,
    replace_sections,
)

OPEN_FOLLOW_UP_STATUSES = (FollowUp.Status.OPEN, FollowUp.Status.IN_PROGRESS)


def _no_new_cases() -> str:
    return _("The minutes of this meeting are approved; no cases can be added.")


def _agenda_locked() -> str:
    return _("The minutes of this meeting are approved; the agenda is locked.")


def case_create(
    *, meeting: Meeting, title: str, by, kind=Case.Kind.DECISION, previous: Case | None = None, **fields
) -> Case:
    """A new case on the agenda, before eventuelt and neste møte.

    After the notice it gets the next free number at once and is marked as changed after notice.
    """
    partnership = meeting.body.partnership
    permissions.require_manage(by, partnership)
    patient_groups = fields.pop("patient_groups", None)
    unknown = set(fields) - CASE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"case_create() cannot set {', '.join(sorted(unknown))}")
    if previous is not None:
        _check_same_partnership(previous.body.partnership_id, partnership, _("The previous case"))
    with transaction.atomic():
        fresh_meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _refuse_agenda_change(fresh_meeting, _no_new_cases())
        case = Case(
            body_id=fresh_meeting.body_id,
            meeting=fresh_meeting,
            year=_local_year(fresh_meeting),
            kind=kind,
            title=title,
            previous=previous,
            **fields,
        )
        _put_on_agenda(case, fresh_meeting, by=by, reason=_("Case added to the agenda"))
        if patient_groups is not None:
            case.patient_groups.set(patient_groups)
    return case


def _put_on_agenda(case: Case, meeting: Meeting, *, by, reason: str) -> None:
    """Save `case` on `meeting`'s agenda, numbered at once when the notice is out."""
    if meeting.notice_is_issued:
        _lock_body(meeting.body_id)
        case.number = _next_free_number(meeting.body_id, case.year)
    reason = changed_after_notice(reason, meeting=meeting, case=case)
    case.order = None
    _validated(case)
    save_with_history(case, reason=reason, by=by)
    _place_on_agenda(meeting, case, by=by, reason=reason)


def case_follow_up(*, meeting: Meeting, previous: Case, by, title: str | None = None) -> Case:
    """A new case that follows up `previous` (linked as its previous handling)."""
    if title is None:
        title = f"Oppfølging av sak {previous.case_number} {previous.title}".replace("  ", " ")
    kind = (
        previous.kind
        if previous.kind in (Case.Kind.DECISION, Case.Kind.DISCUSSION)
        else Case.Kind.INFORMATION
    )
    return case_create(
        meeting=meeting,
        title=title[:500],
        kind=kind,
        previous=previous,
        by=by,
        patient_groups=list(previous.patient_groups.all()),
    )


def case_from_follow_up(*, meeting: Meeting, follow_up: FollowUp, by) -> Case:
    """Take an open follow-up point of an earlier meeting onto the agenda as a case (Oppfølgingssak).

    The new case follows up the point's case when it has one, and the point records the case
    it became (`agenda_case`); recording that case's decision closes the point.
    """
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        point = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("meeting", "case")
            .get(pk=follow_up.pk)
        )
        if point.meeting.body_id != meeting.body_id or point.meeting.start >= meeting.start:
            raise ValidationError(
                _("Only a follow-up point of an earlier meeting of this body can be taken in.")
            )
        if point.status not in OPEN_FOLLOW_UP_STATUSES or point.agenda_case_id is not None:
            raise ValidationError(_("The follow-up point is already on an agenda or closed."))
        label = point.title or (point.what.strip().splitlines() or [""])[0]
        case = case_create(
            meeting=meeting,
            title=f"Oppfølging: {label}"[:500],
            kind=Case.Kind.INFORMATION,
            previous=point.case,
            proposal=point.what,
            by=by,
        )
        point.agenda_case = case
        point.status = FollowUp.Status.IN_PROGRESS
        _validated(point)
        save_with_history(point, reason=_("Follow-up point taken onto the agenda"), by=by)
    return case


def case_take_in_proposal(*, case: Case, meeting: Meeting, by) -> Case:
    """Put a proposed case (innmelding) on a meeting's agenda."""
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh = Case.objects.select_for_update().get(pk=case.pk)
        fresh_meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if fresh.intake_status != Case.IntakeStatus.PROPOSED or fresh.meeting_id is not None:
            raise ValidationError(_("Only a proposed case that is not on an agenda can be taken in."))
        if fresh.body_id != fresh_meeting.body_id:
            raise ValidationError(_("The case was proposed to another body."))
        _refuse_agenda_change(fresh_meeting, _no_new_cases())
        fresh.meeting = fresh_meeting
        fresh.year = _local_year(fresh_meeting)
        fresh.intake_status = Case.IntakeStatus.ACCEPTED
        fresh.version += 1
        _put_on_agenda(fresh, fresh_meeting, by=by, reason=_("Proposed case taken onto the agenda"))
    return fresh


def case_update(
    *,
    case: Case,
    by,
    expected_version: int,
    reason: str = "",
    sections: list[dict] | None = None,
    patient_groups: Iterable | None = None,
    programme: list[dict] | None = None,
    people: list[dict] | None = None,
    **fields,
) -> Case:
    """Save the case paper, refusing a save made from an older version than the current one.

    `programme`: the programme items in order ({title, starts_at, ends_at}); `people`: the named
    people in order ({role, person, wording, programme_item}: a Person or None, the words as
    written, the index of a programme item or None). None leaves a part as it is."""
    partnership = case.body.partnership
    permissions.require_manage(by, partnership)
    unknown = set(fields) - CASE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"case_update() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        fresh = (
            Case.objects.select_for_update(of=("self",))
            .select_related("meeting", "body__partnership")
            .get(pk=case.pk)
        )
        _refuse_if_case_locked(fresh)
        _refuse_stale(fresh, expected_version)
        previous = fields.get("previous")
        if previous is not None:
            if previous.pk == fresh.pk:
                raise ValidationError(_("A case cannot be its own previous handling."))
            _check_same_partnership(previous.body.partnership_id, partnership, _("The previous case"))
        for name, value in fields.items():
            setattr(fresh, name, value)
        if not fresh.exempt:
            fresh.exemption_basis = "" if "exempt" in fields else fresh.exemption_basis
        fresh.version += 1
        text = changed_after_notice(reason or _("Case paper edited"), meeting=fresh.meeting, case=fresh)
        _validated(fresh)
        save_with_history(fresh, reason=text, by=by)
        if sections is not None:
            _replace_sections(fresh, sections, by=by, reason=text)
        if programme is not None:
            _replace_programme(fresh, programme, by=by, reason=text)
        if people is not None:
            _replace_people(fresh, people, by=by, reason=text)
        if patient_groups is not None:
            fresh.patient_groups.set(patient_groups)
    return fresh


def _replace_sections(case: Case, sections: list[dict], *, by, reason: str) -> None:
    """Make the case's sections exactly `sections`, in order (see `replace_sections`)."""
    replace_sections(
        list(case.sections.order_by("order", "pk")),
        sections,
        model=CaseSection,
        new=lambda: CaseSection(case=case),
        exclude=["case"],
        by=by,
        reason=reason,
    )


def _replace_programme(case: Case, items: list[dict], *, by, reason: str) -> None:
    """Make the case's programme items exactly `items`, in order (their speakers go with them)."""
    replace_sections(
        list(case.programme_items.order_by("order", "pk")),
        items,
        model=ProgrammeItem,
        new=lambda: ProgrammeItem(case=case),
        exclude=["case"],
        by=by,
        reason=reason,
        fields=("title", "starts_at", "ends_at"),
    )


def _replace_people(case: Case, people: list[dict], *, by, reason: str) -> None:
    """Make the case's named people exactly `people`, in order."""
    items = list(case.programme_items.order_by("order", "pk"))
    rows = []
    for row in people:
        index = row.get("programme_item")
        if index is not None and not 0 <= index < len(items):
            raise ValidationError(_("There is no programme item number %(number)s.") % {"number": index + 1})
        rows.append({**row, "programme_item": items[index] if index is not None else None})
    replace_sections(
        list(case.people.order_by("order", "pk")),
        rows,
        model=CasePerson,
        new=lambda: CasePerson(case=case),
        exclude=["case"],
        by=by,
        reason=reason,
        fields=("role", "person", "wording", "programme_item"),
    )


def agenda_reorder(*, meeting: Meeting, case_ids: list[int], by) -> None:
    """Put the agenda in the given order; numbers given at the notice stay as they are."""
    permissions.require_manage(by, meeting.body.partnership)
    with transaction.atomic():
        fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _refuse_agenda_change(fresh, _agenda_locked())
        cases = {case.pk: case for case in fresh.cases.all()}
        ids = [int(pk) for pk in case_ids]
        if len(ids) != len(set(ids)) or set(ids) != set(cases):
            raise ValidationError(_("The new order must list every case on the agenda exactly once."))
        reason = changed_after_notice(_("Agenda reordered"), meeting=fresh)
        _set_agenda_order(fresh, [cases[pk] for pk in ids], by=by, reason=reason)


def agenda_move(*, meeting: Meeting, case: Case, direction: str, by) -> None:
    """Swap a case with its neighbour above ("up") or below ("down"); at either end nothing moves."""
    if direction not in ("up", "down"):
        raise ValueError(f"agenda_move() moves up or down, not {direction!r}")
    ids = list(meeting.cases.order_by("order", "pk").values_list("pk", flat=True))
    if case.pk not in ids:
        raise ValidationError(_("The case is not on this meeting's agenda."))
    i = ids.index(case.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        agenda_reorder(meeting=meeting, case_ids=ids, by=by)


def case_remove(*, case: Case, by, reason: str = "") -> Case | None:
    """Before the notice, delete the unnumbered case; after it, mark it withdrawn (number kept)."""
    permissions.require_manage(by, case.body.partnership)
    with transaction.atomic():
        fresh = Case.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=case.pk)
        _refuse_if_case_locked(fresh)
        if fresh.number is None:
            meeting = fresh.meeting
            delete_with_history(fresh, reason=reason or _("Removed from the draft agenda"), by=by)
            if meeting is not None:
                remaining = list(meeting.cases.order_by("order", "pk"))
                _set_agenda_order(meeting, remaining, by=by, reason=_("Agenda reordered"))
            return None
        fresh.outcome = Case.Outcome.WITHDRAWN
        fresh.version += 1
        text = f"{_('Withdrawn')}: {reason}" if reason else _("Withdrawn")
        # A numbered case was numbered by the notice: its withdrawal is always after the notice.
        text = changed_after_notice(text, meeting=fresh.meeting, case=fresh, issued=True)
        save_with_history(fresh, reason=text, by=by)
    return fresh
