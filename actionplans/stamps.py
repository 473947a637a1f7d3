"""Which partnership each action plan row belongs to, for the document stamps (governance/stamps.py).

A plan's status PDF also shows rows of other apps: the bodies responsible for a measure, the
published cases that reported on it (whether a case is published follows its meeting) and the
case that adopted the plan; their changes stamp the plan's partnership too. The other way round, a
case's page lists the measures linked to it, so a measure's changes stamp the case's partnership.
"""

from governance.stamps import track_in_partnership

PLAN = "focus_area__action_plan__partnership"
CASES = "cases__body__partnership"


def track_actionplans() -> None:
    from governance.models import Body
    from meetings.models import Attachment, Case, Meeting

    from .models import Abbreviation, ActionPlan, FocusArea, Goal, Measure, ProgressReport

    # A case's page lists the measures it is linked to (text, focus area, plan title), and the
    # case may belong to another partnership than the plan: its partnership changes too.
    track_in_partnership(ActionPlan, "partnership", f"focus_areas__measures__{CASES}")
    track_in_partnership(FocusArea, "action_plan__partnership", f"measures__{CASES}")
    track_in_partnership(Goal, PLAN)
    track_in_partnership(Measure, PLAN, CASES)
    track_in_partnership(ProgressReport, f"measure__{PLAN}")
    track_in_partnership(Abbreviation, "action_plan__partnership")
    # Rows of the layers below, as the plan shows them.
    track_in_partnership(Body, f"measures__{PLAN}", f"progress_reports__measure__{PLAN}")
    track_in_partnership(
        Case, f"measures__{PLAN}", f"progress_reports__measure__{PLAN}", "adopted_action_plans__partnership"
    )
    track_in_partnership(Meeting, f"cases__measures__{PLAN}")
    # The plan names the case attachments that are the plan (title, link to the case).
    track_in_partnership(Attachment, "action_plans__partnership")
