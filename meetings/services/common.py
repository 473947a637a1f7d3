"""What the meeting services share: errors, constants, numbering, agenda order, refusals.

The lifecycle rules themselves (which status allows what) are in meetings/lifecycle.py;
the helpers here only ask it and phrase the refusal.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.history import delete_with_history, save_with_history
from governance.models import Body

from .. import lifecycle
from ..models import Case, Meeting, Minutes

# The usual legal bases for exemption from public access, for the forms' choices.
EXEMPTION_BASES = [
    "offl. § 13 jf. fvl. § 13",
    "offl. § 13 jf. helsepersonelloven § 21",
    "offl. § 14",
    "offl. § 15 første ledd",
    "offl. § 15 andre ledd",
    "offl. § 23 første ledd",
    "offl. § 24",
    "offl. § 26 femte ledd",
]

# The standing cases that open and close an agenda; their titles are data, in bokmål.
STANDING_OPENING = [
    (Case.Kind.NOTICE_APPROVAL, "Godkjenning av innkalling og dagsorden"),
    (Case.Kind.MINUTES_APPROVAL, "Godkjenning av referat fra forrige møte"),
]
STANDING_CLOSING = [
    (Case.Kind.ANY_OTHER_BUSINESS, "Eventuelt"),
    (Case.Kind.NEXT_MEETING, "Neste møte"),
]
CLOSING_KINDS = (Case.Kind.ANY_OTHER_BUSINESS, Case.Kind.NEXT_MEETING)

# Fields of a case the case-paper form may change through case_update.
CASE_EDITABLE_FIELDS = frozenset(
    {
        "title",
        "agenda_title",
        "public_title",
        "kind",
        "starts_at",
        "ends_at",
        "document_date",
        "archive_reference",
        "proposal",
        "proposal_kind",
        "proposal_position",
        "exempt",
        "exemption_basis",
        "previous",
    }
)
# Fields a correction (amend) may change on a locked case, and on approved minutes.
CASE_AMENDABLE_FIELDS = CASE_EDITABLE_FIELDS | {"decision", "outcome", "discussion", "public_decision"}
MINUTES_AMENDABLE_FIELDS = frozenset({"next_meeting", "next_meeting_date", "next_meeting_text"})
SECTION_AMENDABLE_FIELDS = frozenset({"heading", "text"})
MEETING_EDITABLE_FIELDS = frozenset(
    {
        "title",
        "theme",
        "start",
        "end",
        "start_time_known",
        "place",
        "is_digital",
        "online_link",
        "is_open",
        "purpose",
    }
)


class ConcurrentEditError(ValidationError):
    """Someone else saved the object after this user opened it; `current` is the fresh copy."""

    def __init__(self, message, *, current):
        super().__init__(message, code="concurrent_edit")
        self.current = current


class LockedError(ValidationError):
    """The object is locked because the minutes are approved; only `amend` can change it."""

    def __init__(self, message):
        super().__init__(message, code="locked")


def _validated(obj, *, exclude=None):
    obj.full_clean(exclude=exclude)
    return obj


def _local_year(meeting: Meeting) -> int:
    return timezone.localtime(meeting.start).year


def _format_moment(moment) -> str:
    local = timezone.localtime(moment)
    return _("%(date)s at %(time)s") % {"date": f"{local:%d.%m.%Y}", "time": f"{local:%H.%M}"}


def _site_url() -> str:
    return settings.SITE_URL


def _check_same_partnership(obj_partnership_id: int, partnership, what: str) -> None:
    if obj_partnership_id != partnership.pk:
        raise ValidationError(_("%(what)s belongs to another partnership.") % {"what": what})


# ---------------------------------------------------------------------------
# Refusals through the lifecycle table
# ---------------------------------------------------------------------------


def _cancelled_error() -> ValidationError:
    return ValidationError(_("The meeting is cancelled."), code="cancelled")


def _case_locked_error() -> LockedError:
    return LockedError(
        _("The case is locked because the minutes are approved. Use a correction with a reason.")
    )


def _minutes_locked_error() -> LockedError:
    return LockedError(_("The minutes are approved and locked. Use a correction with a reason."))


def _refuse_agenda_change(meeting: Meeting, locked_message: str) -> None:
    """Refuse a change of the agenda, attendance or decisions the lifecycle does not allow now."""
    if lifecycle.can_edit_agenda(meeting):
        return
    if lifecycle.is_cancelled(meeting):
        raise _cancelled_error()
    raise LockedError(locked_message)


def _refuse_if_case_locked(case: Case) -> None:
    """A case on an agenda changes only while its meeting's agenda may; a proposal always may."""
    if case.meeting is not None:
        _refuse_agenda_change(case.meeting, _case_locked_error().messages[0])


def changed_after_notice(
    reason: str, *, meeting: Meeting | None, case: Case | None = None, issued: bool | None = None
) -> str:
    """The history reason for a change: once the notice is issued, said to be made after it.

    `case`, when given, is marked as changed after the notice (the caller saves it).
    `issued` overrides asking the meeting's lifecycle, for a caller that knows (a numbered
    case was numbered by the notice).
    """
    if issued is None:
        issued = lifecycle.notice_is_issued(meeting)
    if not issued:
        return reason
    if case is not None:
        case.changed_after_notice_at = timezone.now()
    return _("Changed after the notice: %(reason)s") % {"reason": reason}


# ---------------------------------------------------------------------------
# Who changed what (optimistic concurrency)
# ---------------------------------------------------------------------------


def _who(user) -> str:
    if user is None:
        return _("someone")
    person = getattr(user, "person", None) if hasattr(user, "person") else None  # no Person: None
    return (person.name if person else "") or user.get_full_name() or user.get_username()


def _last_change(obj) -> tuple[str, str]:
    """Who made the newest change of `obj`, and when, from its history."""
    record = (
        obj.history.select_related("history_user__person").order_by("-history_date", "-history_id").first()
    )
    if record is None:
        return _("someone"), ""
    return _who(record.history_user), _format_moment(record.history_date)


def _refuse_stale(fresh: Case | Minutes, expected_version: int) -> None:
    """Optimistic concurrency: refuse a save made from an older version, naming who changed it."""
    if expected_version == fresh.version:
        return
    name, when = _last_change(fresh)
    if isinstance(fresh, Minutes):
        message = _(
            "The minutes were changed by %(name)s %(time)s after you opened them. "
            "Your text is not saved; see the changes and save again."
        )
    else:
        message = _(
            "The case was changed by %(name)s %(time)s after you opened it. "
            "Your text is not saved; see the changes and save again."
        )
    raise ConcurrentEditError(message % {"name": name, "time": when}, current=fresh)


# ---------------------------------------------------------------------------
# Numbering and agenda order
# ---------------------------------------------------------------------------


def _next_free_number(body_id: int, year: int) -> int:
    """Next case number for a body and year: after the highest ever given, withdrawn ones included."""
    highest = Case.objects.filter(body_id=body_id, year=year).aggregate(top=Max("number"))["top"]
    return (highest or 0) + 1


def _lock_body(body_id: int) -> None:
    """Serialise numbering for one body (a row lock on PostgreSQL; SQLite locks the whole file)."""
    Body.objects.select_for_update().filter(pk=body_id).first()


def _set_agenda_order(meeting: Meeting, cases: list[Case], *, by, reason: str) -> None:
    """Give `cases` the agenda positions 1..n, without tripping the unique (meeting, order).

    The database checks unique (meeting, order) row by row, so moving cases into each
    other's positions in place would collide half-way. Phase one therefore clears the
    positions in one UPDATE (NULL is outside the constraint); that intermediate state never
    outlives the transaction, so it is no change anyone could see and leaves no history row.
    Phase two gives each case its final position: a case whose position changed is saved
    through `save_with_history` with `reason`; a case that ends where it started gets its
    old position back with an UPDATE, since restoring a value is no change to record.
    """
    old = {case.pk: case.order for case in cases if case.pk}
    Case.objects.filter(meeting=meeting).update(order=None)
    for position, case in enumerate(cases, start=1):
        case.order = position
        if case.pk and old.get(case.pk) == position:
            Case.objects.filter(pk=case.pk).update(order=position)  # restored, unchanged
            continue
        save_with_history(case, reason=reason, by=by)


def _place_on_agenda(meeting: Meeting, case: Case, *, by, reason: str) -> None:
    """Put `case` on the agenda before the closing standing items (eventuelt, neste møte)."""
    agenda = [c for c in meeting.cases.order_by("order", "pk") if c.pk != case.pk]
    position = len(agenda)
    while position > 0 and agenda[position - 1].kind in CLOSING_KINDS:
        position -= 1
    agenda.insert(position, case)
    _set_agenda_order(meeting, agenda, by=by, reason=reason)


def replace_sections(
    existing: list,
    sections: list[dict],
    *,
    model,
    new,
    exclude,
    by,
    reason: str,
    fields: tuple[str, ...] = ("heading", "text"),
) -> None:
    """Make a paper's or minutes' headed sections exactly `sections`, in order, changing rows in place.

    Like the agenda order, the kept rows first move out of the way of the unique (owner, order)
    in an UPDATE that does not outlive the transaction; each section that changes is then saved
    with history; one whose heading and text stay the same only gets its position back, without
    a history row.
    """
    wanted = [_section_values(s, fields, model) for s in sections]
    for section in existing[len(wanted) :]:
        delete_with_history(section, reason=reason, by=by)
    existing = existing[: len(wanted)]
    offset = max([s.order for s in existing] + [len(wanted)]) + 1
    for index, section in enumerate(existing):
        model.objects.filter(pk=section.pk).update(order=offset + index)
    for index, data in enumerate(wanted):
        if index < len(existing):
            section = existing[index]
            if all(getattr(section, name) == data[name] for name in fields):
                model.objects.filter(pk=section.pk).update(order=index + 1)
                continue
        else:
            section = new()
        section.order = index + 1
        for name, value in data.items():
            setattr(section, name, value)
        _validated(section, exclude=exclude)
        save_with_history(section, reason=reason, by=by)


def _section_values(section: dict, fields: tuple[str, ...], model) -> dict:
    """A section's wanted values: text stripped, a missing one the field's default."""
    values = {}
    for name in fields:
        value = section.get(name)
        if value is None:
            value = model._meta.get_field(name).get_default()
        values[name] = value.strip() if isinstance(value, str) else value
    return values
