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

from .models import ActionPlan, FocusArea, Goal, Measure, ProgressReport

ACTION_PLAN_FIELDS = frozenset(
    {
        "subtitle",
        "slug",
        "period_end",
        "period_text",
        "purpose",
        "introduction",
        "next_steps",
        "abbreviations",
    }
)
_LETTER = re.compile(r"^\s*([a-zæøå])\s*\)\s*(.*)$", re.IGNORECASE | re.DOTALL)
_LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"
# Where a responsible cell lists several, e.g. "SSU, FSU DIG" or "FSU og SSU".
_RESPONSIBLE_SPLIT = re.compile(r"\s*(?:,|;|/|\bog\b|&|\+)\s*", re.IGNORECASE)


def _next_order(queryset) -> int:
    return (queryset.aggregate(top=Max("order"))["top"] or 0) + 1


def _unique_slug(partnership, title: str) -> str:
    base = slugify(title)[:70] or "handlingsplan"
    slug, n = base, 2
    while ActionPlan.objects.filter(partnership=partnership, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def action_plan_create(*, partnership, title: str, period_start, by, **fields) -> ActionPlan:
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


def _next_letter(used: set[str]) -> str:
    for letter in _LETTERS:
        if letter not in used:
            return letter
    raise ValidationError(_("The focus area has no free measure letters left."))


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
    status=Measure.Status.NOT_STARTED,
    reason: str = "",
) -> Measure:
    partnership = focus_area.action_plan.partnership
    permissions.require_manage(by, partnership)
    if goal is not None and goal.focus_area_id != focus_area.pk:
        raise ValidationError(_("The goal belongs to another focus area."))
    bodies = list(responsible_bodies)
    if any(body.partnership_id != partnership.pk for body in bodies):
        raise ValidationError(_("A responsible body belongs to another partnership."))
    organisations = list(responsible_organisations)
    with transaction.atomic():
        measure = Measure(
            focus_area=focus_area,
            goal=goal,
            text=(text or "").strip(),
            letter=(letter or "").strip().lower(),
            responsible_text=(responsible_text or "").strip(),
            due=due,
            status=status,
            order=_next_order(focus_area.measures),
        )
        measure.full_clean()
        save_with_history(measure, reason=reason or _("Measure added"), by=by)
        if bodies:
            measure.responsible_bodies.set(bodies)
        if organisations:
            measure.responsible_organisations.set(organisations)
    return measure


def _is_header(cells: list[str]) -> bool:
    first = cells[0].strip().casefold()
    second = cells[1].strip().casefold() if len(cells) > 1 else ""
    return first.startswith("hva vil vi") or second.startswith("hvordan få det til")


def _responsible(text: str, bodies: dict[str, Body], organisations: dict[str, Organisation]):
    found_bodies, found_organisations = [], []
    for token in _RESPONSIBLE_SPLIT.split(text):
        key = token.strip().casefold()
        if not key:
            continue
        if key in bodies and bodies[key] not in found_bodies:
            found_bodies.append(bodies[key])
        elif key in organisations and organisations[key] not in found_organisations:
            found_organisations.append(organisations[key])
    return found_bodies, found_organisations


def measures_import_rows(*, focus_area: FocusArea, text: str, by) -> list[Measure]:
    """Measures from rows pasted from a Word or Excel table.

    Each row: "Hva vil vi?<TAB>Hvordan få det til?<TAB>Ansvarlig". An empty first
    cell continues the goal above; "a) …" gives the letter, otherwise the next
    free one; responsible bodies and organisations are linked by short name.
    """
    partnership = focus_area.action_plan.partnership
    permissions.require_manage(by, partnership)
    bodies = {
        b.short_name.casefold(): b for b in Body.objects.filter(partnership=partnership) if b.short_name
    }
    organisations = {
        o.short_name.casefold(): o
        for o in Organisation.objects.filter(partnership=partnership)
        if o.short_name
    }
    used = set(focus_area.measures.exclude(letter="").values_list("letter", flat=True))

    parsed = []  # (goal text or None, letter, measure text, responsible text)
    goal_text = None
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
        if match:
            letter, measure_cell = match[1].lower(), match[2].strip()
            if letter in used:
                raise ValidationError(
                    _("Row %(row)s: the focus area already has a measure %(letter)s).")
                    % {"row": number, "letter": letter}
                )
        if not measure_cell:
            raise ValidationError(
                _("Row %(row)s: the measure (Hvordan få det til?) is empty.") % {"row": number}
            )
        if not letter:
            letter = _next_letter(used)
        used.add(letter)
        parsed.append((goal_text, letter, measure_cell, responsible))
    if not parsed:
        raise ValidationError(_("No rows to import."))

    created = []
    reason = _("Measures imported from a table")
    with transaction.atomic():
        goals = {g.text.casefold(): g for g in focus_area.goals.all()}
        for goal_text, letter, measure_text, responsible in parsed:
            goal = None
            if goal_text:
                goal = goals.get(goal_text.casefold())
                if goal is None:
                    goal = Goal(focus_area=focus_area, text=goal_text, order=_next_order(focus_area.goals))
                    goal.full_clean()
                    save_with_history(goal, reason=reason, by=by)
                    goals[goal_text.casefold()] = goal
            found_bodies, found_organisations = _responsible(responsible, bodies, organisations)
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
    """A status report on a measure (often given in a body's case); the measure takes its status."""
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
        reason = _("Progress reported")
        save_with_history(report, reason=reason, by=by)
        fresh = Measure.objects.select_for_update().get(pk=measure.pk)
        fresh.status = status
        fresh.full_clean()
        save_with_history(fresh, reason=reason, by=by)
        if case is not None:
            fresh.cases.add(case)
        measure.status = status
    return report
