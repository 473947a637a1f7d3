"""The meeting mode (møtemodus): attendance, the parties check and every case on one screen.

Each part is its own small form posting an `action`: the attendance sheet, one case's
decision (with its own version, so saving one case never touches another and a stale save is
refused with the user's text kept on screen), a follow-up point. A refused or invalid post
shows the screen again with that form as posted and a Norwegian message; nothing is lost.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.decorators import secretariat_required

from .. import mode as meeting_mode_reads
from .. import parties, services
from ..forms import AgendaCaseForm, decision_initial
from ..forms_mode import AttendanceSheetForm, CaseRecordForm, FollowUpPointForm
from .manage import _meeting, _report


def _back(request, meeting, success: str, anchor: str = ""):
    messages.success(request, success)
    url = reverse("manage:meeting_mode", args=[meeting.body.partnership.slug, meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _posted_case(request, mode):
    pk = AgendaCaseForm(request.POST).case_pk()
    case = next((c for c in mode.cases if c.pk == pk), None)
    if case is None:
        raise ValidationError(_("The case was not found. Reload the page and try again."), code="bad_case")
    return case


def _attendance(request, mode, state):
    state["attendance_form"] = form = AttendanceSheetForm(request.POST, mode=mode)
    if not form.is_valid():
        raise ValidationError(_("The attendance was not saved; see the fields marked below."))
    services.attendance_record(meeting=mode.meeting, by=request.user, **form.service_arguments())
    return _back(request, mode.meeting, _("Attendance is recorded."), "oppmote")


def _decision(request, mode, state):
    case = _posted_case(request, mode)
    state["case_forms"][case.pk] = form = CaseRecordForm(request.POST, case=case, mode=mode)
    if not form.is_valid():
        raise ValidationError(_("The decision was not saved; see the fields marked below."))
    try:
        services.case_record_decision(case=case, by=request.user, **form.service_arguments())
    except services.MissingPartiesError:
        state["confirm"].add(case.pk)
        raise
    except services.ConcurrentEditError as error:
        # The user's text stays; the saved version is shown beside it, and saving again merges.
        state["current"][case.pk] = error.current
        data = request.POST.copy()
        data[form.add_prefix("version")] = str(error.current.version)
        state["case_forms"][case.pk] = CaseRecordForm(data, case=case, mode=mode)
        raise
    return _back(request, mode.meeting, _("The decision is recorded."), f"sak-{case.pk}")


def _follow_up(request, mode, state):
    case = _posted_case(request, mode) if request.POST.get("case") else None
    prefix = f"followup-{case.pk}" if case else "followup"
    state["follow_up_forms"][case.pk if case else None] = form = FollowUpPointForm(
        request.POST, prefix=prefix
    )
    if not form.is_valid():
        raise ValidationError(_("The follow-up point was not saved; see the fields marked below."))
    data = form.cleaned_data
    services.follow_up_add(
        meeting=mode.meeting,
        case=case,
        what=data["what"],
        responsible=data["responsible"],
        due=data["due"],
        by=request.user,
    )
    return _back(
        request, mode.meeting, _("The follow-up point is added."), f"sak-{case.pk}" if case else "oppfolging"
    )


MODE_ACTIONS = {"attendance": _attendance, "decision": _decision, "follow_up": _follow_up}


def _run_action(request, mode, state):
    handler = MODE_ACTIONS.get(request.POST.get("action", ""))
    try:
        if handler is None:
            raise ValidationError(_("Unknown action. Reload the page and try again."), code="bad_action")
        return handler(request, mode, state)
    except ValidationError as error:
        _report(request, error)
        if getattr(error, "code", None) in ("bad_action", "bad_case"):
            return redirect(request.path)
    return None


def _case_item(case, mode, state) -> dict:
    """One case's block: its decision form and follow-up form, as posted or fresh from the record."""
    form = state["case_forms"].get(case.pk) or CaseRecordForm(
        case=case, mode=mode, initial=decision_initial(case)
    )
    follow_up = state["follow_up_forms"].get(case.pk) or FollowUpPointForm(prefix=f"followup-{case.pk}")
    return {
        "case": case,
        "form": form,
        "follow_up_form": follow_up,
        "confirm": case.pk in state["confirm"],
        "current": state["current"].get(case.pk),
    }


def _context(mode, state) -> dict:
    """Every form of the screen: the posted one as posted, the others fresh from the record."""
    return {
        "partnership": mode.meeting.body.partnership,
        "meeting": mode.meeting,
        "mode": mode,
        "cases": [_case_item(case, mode, state) for case in mode.cases],
        "attendance_form": state.get("attendance_form") or AttendanceSheetForm(mode=mode),
        "follow_up_form": state["follow_up_forms"].get(None) or FollowUpPointForm(prefix="followup"),
        "consensus_note": parties.consensus_note(mode.meeting, mode.check.missing),
    }


@secretariat_required
@require_http_methods(["GET", "POST"])
def meeting_mode(request, partnership, pk):
    """The screen a secretariat keeps open during the meeting."""
    meeting = _meeting(partnership, pk)
    mode = meeting_mode_reads.meeting_mode(meeting)
    state = {"case_forms": {}, "follow_up_forms": {}, "confirm": set(), "current": {}}
    status = 200
    if request.method == "POST":
        response = _run_action(request, mode, state)
        if response is not None:
            return response
        status = 400
    return render(request, "meetings/manage/meeting_mode.html", _context(mode, state), status=status)
