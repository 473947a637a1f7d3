"""Factories for action plans, focus areas, goals, measures and progress reports.

`reason` is the history row's change reason (as the services and the demo loader give one).
"""

import datetime as dt

from django.utils.text import slugify

from actionplans.models import ActionPlan, FocusArea, Goal, Measure, ProgressReport


def _save(obj, reason):
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj


def action_plan(partnership, *, reason="", **kwargs) -> ActionPlan:
    kwargs.setdefault("title", "Handlingsplan 2023")
    kwargs.setdefault("slug", slugify(kwargs["title"]))
    kwargs.setdefault("period_start", dt.date(2023, 1, 1))
    return _save(ActionPlan(partnership=partnership, **kwargs), reason)


def focus_area(action_plan, *, number="2.1", reason="", **kwargs) -> FocusArea:
    kwargs.setdefault("title", f"Innsatsområde {number}")
    kwargs.setdefault("order", action_plan.focus_areas.count() + 1)
    return _save(FocusArea(action_plan=action_plan, number=number, **kwargs), reason)


def goal(focus_area, *, reason="", **kwargs) -> Goal:
    kwargs.setdefault("order", focus_area.goals.count() + 1)
    kwargs.setdefault("text", f"Mål {kwargs['order']}")
    return _save(Goal(focus_area=focus_area, **kwargs), reason)


def measure(focus_area, *, letter=None, goal=None, bodies=(), cases=(), reason="", **kwargs) -> Measure:
    """A measure with the next letter of its focus area, responsible `bodies`, linked `cases`."""
    order = kwargs.pop("order", focus_area.measures.count() + 1)
    letter = letter if letter is not None else "abcdefghijklmnopqrstuvwxyz"[order - 1]
    kwargs.setdefault("text", f"Tiltak {letter})")
    obj = _save(Measure(focus_area=focus_area, goal=goal, order=order, letter=letter, **kwargs), reason)
    obj.responsible_bodies.add(*bodies)
    obj.cases.add(*cases)
    return obj


def progress_report(measure, *, reason="", **kwargs) -> ProgressReport:
    kwargs.setdefault("date", dt.date(2023, 5, 12))
    kwargs.setdefault("status", Measure.Status.IN_PROGRESS)
    if kwargs.get("case") is not None:
        kwargs.setdefault("reported_by", kwargs["case"].body)
    return _save(ProgressReport(measure=measure, **kwargs), reason)
