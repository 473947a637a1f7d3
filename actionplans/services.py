"""Every write to action plans: plans, focus areas, goals, measures, progress reports.

Secretariat only (governance.permissions.can_manage), validated, in one
transaction, saved with a history reason and the acting user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from governance import permissions
from governance.history import save_with_history
from governance.models import Body, Organisation

from .models import RESPONSIBLE_SEPARATORS, ActionPlan, FocusArea, Goal, Measure, ProgressReport

ACTION_PLAN_FIELDS = frozenset(
    {
        "subtitle",
        "slug",
        "period_end",
        "period_end_meeting",
        "period_open_ended",
        "period_dates_inferred",
        "period_text",
        "purpose",
        "introduction",
        "focus_areas_introduction",
        "next_steps",
        "chapters_numbered",
    }
)
_LETTER = re.compile(r"^\s*([a-zæøå])\s*\)\s*(.*)$", re.IGNORECASE | re.DOTALL)
_LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"


def _next_order(queryset) -> int:
    return (queryset.aggregate(top=Max("order"))["top"] or 0) + 1


def _unique_slug(partnership, title: str) -> str:
    base = slugify(title)[:70] or "handlingsplan"
    slug, n = base, 2
    while ActionPlan.objects.filter(partnership=partnership, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def action_plan_create(*, partnership, title: str, by, period_start=None, **fields) -> ActionPlan:
    permissions.require_manage(by, partnership)
    unknown = set(fields) - ACTION_PLAN_FIELDS
    if unknown:
        raise TypeError(f"action_plan_create() cannot set {', '.join(sorted(unknown))}")
    with transaction.atomic():
        plan = ActionPlan(
            partnership=partnership, title=(title or "").strip(), period_start=period_start, **fields
        )
        if not plan.slug:
            plan.slug = _unique_slug(partnership, plan.title)
        if (
            plan.period_end_meeting is not None
            and plan.period_end_meeting.body.partnership_id != partnership.pk
        ):
            raise ValidationError(_("The meeting belongs to another partnership."))
        plan.full_clean()
        save_with_history(plan, reason=_("Action plan created"), by=by)
    return plan


def focus_area_add(
    *, action_plan: ActionPlan, title: str, by, number: str = "", description: str = ""
) -> FocusArea:
    permissions.require_manage(by, action_plan.partnership)
    with transaction.atomic():
        area = FocusArea(
            action_plan=action_plan,
            title=(title or "").strip(),
            number=(number or "").strip(),
            description=description,
            order=_next_order(action_plan.focus_areas),
        )
        area.full_clean()
        save_with_history(area, reason=_("Focus area added"), by=by)
    return area


def goal_add(*, focus_area: FocusArea, text: str, by) -> Goal:
    permissions.require_manage(by, focus_area.action_plan.partnership)
    with transaction.atomic():
        goal = Goal(focus_area=focus_area, text=(text or "").strip(), order=_next_order(focus_area.goals))
        goal.full_clean()
        save_with_history(goal, reason=_("Goal added"), by=by)
    return goal


def _next_letter(used: set[str], after: str = "") -> str:
    """The first free letter after `after` (letters run on across a focus area's goals), else any."""
    start = _LETTERS.index(after) + 1 if after in _LETTERS else 0
    for letter in _LETTERS[start:] + _LETTERS[:start]:
        if letter not in used:
            return letter
    raise ValidationError(_("The goal has no free measure letters left."))


def _letters_used(focus_area: FocusArea, goal: Goal | None) -> set[str]:
    """The letters taken where a new measure's letter must be unique: its goal, or its focus area."""
    measures = focus_area.measures.exclude(letter="")
    measures = measures.filter(goal=goal) if goal is not None else measures.filter(goal__isnull=True)
    return set(measures.values_list("letter", flat=True))


def _checked_links(focus_area, goal, bodies, organisations, by):
    """A measure's goal and responsible records, checked to be of its focus area and partnership."""
    partnership = focus_area.action_plan.partnership
    permissions.require_manage(by, partnership)
    if goal is not None and goal.focus_area_id != focus_area.pk:
        raise ValidationError(_("The goal belongs to another focus area."))
    bodies, organisations = list(bodies), list(organisations)
    if any(body.partnership_id != partnership.pk for body in bodies):
        raise ValidationError(_("A responsible body belongs to another partnership."))
    if any(o.partnership_id not in (None, partnership.pk) for o in organisations):
        raise ValidationError(_("A responsible organisation belongs to another partnership."))
    return bodies, organisations


def measure_add(
    *,
    focus_area: FocusArea,
    text: str,
    by,
    letter: str = "",
    goal: Goal | None = None,
    responsible_text: str = "",
    responsible_bodies: Iterable[Body] = (),
    responsible_organisations: Iterable[Organisation] = (),
    due=None,
    reason: str = "",
) -> Measure:
    bodies, organisations = _checked_links(
        focus_area, goal, responsible_bodies, responsible_organisations, by
    )
    with transaction.atomic():
        measure = Measure(
            focus_area=focus_area,
            goal=goal,
            text=(text or "").strip(),
            letter=(letter or "").strip().lower(),
            responsible_text=(responsible_text or "").strip(),
            due=due,
            order=_next_order(focus_area.measures),
        )
        measure.full_clean()
        save_with_history(measure, reason=reason or _("Measure added"), by=by)
        if bodies:
            measure.responsible_bodies.set(bodies)
        if organisations:
            measure.responsible_organisations.set(organisations)
    return measure


def measure_update(
    *,
    measure: Measure,
    by,
    text: str,
    letter: str = "",
    goal: Goal | None = None,
    responsible_text: str = "",
    responsible_bodies: Iterable[Body] = (),
    responsible_organisations: Iterable[Organisation] = (),
    due=None,
) -> Measure:
    """Correct a measure: its letter (unique within its goal), goal, wording and who is responsible.

    Several bodies and organisations can be responsible; the wording stays as the plan writes it.
    """
    bodies, organisations = _checked_links(
        measure.focus_area, goal, responsible_bodies, responsible_organisations, by
    )
    with transaction.atomic():
        fresh = Measure.objects.select_for_update().get(pk=measure.pk)
        fresh.text = (text or "").strip()
        fresh.letter = (letter or "").strip().lower()
        fresh.goal = goal
        fresh.responsible_text = (responsible_text or "").strip()
        fresh.due = due
        fresh.full_clean()
        save_with_history(fresh, reason=_("Measure corrected"), by=by)
        fresh.responsible_bodies.set(bodies)
        fresh.responsible_organisations.set(organisations)
    return fresh


def _is_header(cells: list[str]) -> bool:
    first = cells[0].strip().casefold()
    second = cells[1].strip().casefold() if len(cells) > 1 else ""
    return first.startswith("hva vil vi") or second.startswith("hvordan få det til")


class ResponsibleNames:
    """The partnership's bodies and organisations by short name, to link a responsible wording.

    Every name in the wording ("SEKR, UNN, kommunene") that is the short name of a body or an
    organisation of the partnership is linked; the rest ("kommunene", "Felles", "FSU" for the
    committees in general) names no single record and stays text. One rule for the table import,
    the measure form and the demo data.
    """

    def __init__(self, partnership):
        self.bodies = {
            b.short_name.casefold(): b for b in Body.objects.filter(partnership=partnership) if b.short_name
        }
        self.organisations = {
            o.short_name.casefold(): o
            for o in Organisation.objects.filter(partnership=partnership)
            if o.short_name
        }

    def links(self, text: str) -> tuple[list[Body], list[Organisation]]:
        found_bodies, found_organisations = [], []
        for token in RESPONSIBLE_SEPARATORS.split(text or ""):
            key = token.strip().casefold()
            if not key:
                continue
            if key in self.bodies and self.bodies[key] not in found_bodies:
                found_bodies.append(self.bodies[key])
            elif key in self.organisations and self.organisations[key] not in found_organisations:
                found_organisations.append(self.organisations[key])
        return found_bodies, found_organisations


def measures_import_rows(*, focus_area: FocusArea, text: str, by) -> list[Measure]:
    """Measures from rows pasted from a Word or Excel table.

    Each row: "Hva vil vi?<TAB>Hvordan få det til?<TAB>Ansvarlig". An empty first
    cell continues the goal above; "a) …" gives the letter, otherwise the next
    free one after the row above; a letter is unique within its goal (a plan may start again at
    a) under a new goal); responsible bodies and organisations are linked by short name.
    """
    partnership = focus_area.action_plan.partnership
    permissions.require_manage(by, partnership)
    names = ResponsibleNames(partnership)
    existing_goals = {g.text.casefold(): g for g in focus_area.goals.all()}
    used_by_goal: dict[str, set[str]] = {}  # goal text (casefolded, "" for none) → letters taken

    def used_in(goal_text):
        key = (goal_text or "").casefold()
        if key not in used_by_goal:
            goal = existing_goals.get(key) if key else None
            used_by_goal[key] = set() if key and goal is None else _letters_used(focus_area, goal)
        return used_by_goal[key]

    parsed = []  # (goal text or None, letter, measure text, responsible text)
    goal_text = None
    previous_letter = ""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = [cell.strip().strip('"').strip() for cell in line.split("\t")]
        while len(cells) > 3 and not cells[-1]:
            cells.pop()
        if not parsed and _is_header(cells):
            continue
        if len(cells) < 2 or len(cells) > 3:
            raise ValidationError(
                _(
                    "Row %(row)s: expected three columns separated by tabs "
                    "(Hva vil vi?, Hvordan få det til?, Ansvarlig); found %(count)s."
                )
                % {"row": number, "count": len(cells)}
            )
        goal_cell, measure_cell = cells[0], cells[1]
        responsible = cells[2] if len(cells) == 3 else ""
        if goal_cell:
            goal_text = goal_cell
        if not measure_cell:
            raise ValidationError(
                _("Row %(row)s: the measure (Hvordan få det til?) is empty.") % {"row": number}
            )
        match = _LETTER.match(measure_cell)
        letter = ""
        used = used_in(goal_text)
        if match:
            letter, measure_cell = match[1].lower(), match[2].strip()
            if letter in used:
                raise ValidationError(
                    _("Row %(row)s: the goal already has a measure %(letter)s).")
                    % {"row": number, "letter": letter}
                )
        if not measure_cell:
            raise ValidationError(
                _("Row %(row)s: the measure (Hvordan få det til?) is empty.") % {"row": number}
            )
        if not letter:
            letter = _next_letter(used, after=previous_letter)
        used.add(letter)
        previous_letter = letter
        parsed.append((goal_text, letter, measure_cell, responsible))
    if not parsed:
        raise ValidationError(_("No rows to import."))

    created = []
    reason = _("Measures imported from a table")
    with transaction.atomic():
        goals = dict(existing_goals)
        for goal_text, letter, measure_text, responsible in parsed:
            goal = None
            if goal_text:
                goal = goals.get(goal_text.casefold())
                if goal is None:
                    goal = Goal(focus_area=focus_area, text=goal_text, order=_next_order(focus_area.goals))
                    goal.full_clean()
                    save_with_history(goal, reason=reason, by=by)
                    goals[goal_text.casefold()] = goal
            found_bodies, found_organisations = names.links(responsible)
            created.append(
                measure_add(
                    focus_area=focus_area,
                    text=measure_text,
                    letter=letter,
                    goal=goal,
                    responsible_text=responsible,
                    responsible_bodies=found_bodies,
                    responsible_organisations=found_organisations,
                    reason=reason,
                    by=by,
                )
            )
    return created


def action_plan_link_adoption(*, action_plan: ActionPlan, case, by) -> ActionPlan:
    """Record the case that adopted the plan."""
    permissions.require_manage(by, action_plan.partnership)
    if case is not None and case.body.partnership_id != action_plan.partnership_id:
        raise ValidationError(_("The case belongs to another partnership."))
    with transaction.atomic():
        fresh = ActionPlan.objects.select_for_update().get(pk=action_plan.pk)
        fresh.adopted_by = case
        fresh.full_clean()
        save_with_history(fresh, reason=_("Adopting case linked"), by=by)
    return fresh


def progress_report_add(
    *, measure: Measure, status, by, text: str = "", case=None, reported_by: Body | None = None, date=None
) -> ProgressReport:
    """A status report on a measure (often given in a body's case).

    The measure's status is its latest report's (Measure.status): nothing is copied onto it, and
    the reports are its history. The case is linked to the measure too (Measure.cases).
    """
    partnership = measure.focus_area.action_plan.partnership
    permissions.require_manage(by, partnership)
    if case is not None and case.body.partnership_id != partnership.pk:
        raise ValidationError(_("The case belongs to another partnership."))
    if reported_by is not None and reported_by.partnership_id != partnership.pk:
        raise ValidationError(_("The reporting body belongs to another partnership."))
    with transaction.atomic():
        report = ProgressReport(
            measure=measure,
            status=status,
            text=(text or "").strip(),
            case=case,
            reported_by=reported_by or (case.body if case is not None else None),
            date=date or timezone.localdate(),
        )
        report.full_clean()
        save_with_history(report, reason=_("Progress reported"), by=by)
        if case is not None:
            measure.cases.add(case)
    return report
