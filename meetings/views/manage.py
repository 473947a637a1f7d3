"""The secretariat's meeting work: plan, build the agenda, issue the notice, record, minutes.

Views stay thin: they read forms and call meetings.services, which check
permission, validate, write in a transaction and record history with a reason.
A service's ValidationError comes back to the form in Norwegian; nothing
already saved is lost and the user's text stays on screen.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.decorators import secretariat_required

from .. import selectors as meeting_selectors
from .. import services
from ..forms import (
    AgendaCaseForm,
    AmendForm,
    ApproveForm,
    AttachmentForm,
    CancelMeetingForm,
    CaseEditForms,
    CaseNotesForm,
    DecisionForm,
    FollowUpCaseForm,
    MeetingForm,
    MinutesEditForms,
    NewCaseForm,
    ReturnProposalForm,
    SectionAmendForm,
    decision_initial,
)
from ..models import Attendance, Case, Meeting, Minutes, MinutesSection


def _meeting(partnership, pk) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("body__partnership"), pk=pk, body__partnership=partnership
    )


def _case(partnership, pk) -> Case:
    return get_object_or_404(
        Case.objects.select_related("body__partnership", "meeting__body__partnership", "previous__body"),
        pk=pk,
        body__partnership=partnership,
    )


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


# What the meeting form gives services.meeting_create (MeetingForm.clean sets the date's parts).
MEETING_CREATE = (
    "body",
    "start",
    "end",
    "start_time_known",
    "date_known",
    "date_text",
    "place",
    "is_digital",
    "online_link",
    "is_open",
    "standing_items",
)


@secretariat_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, partnership):
    form = MeetingForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fields = {name: data[name] for name in MEETING_CREATE}
            meeting = services.meeting_create(**fields, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is planned. Build its agenda."))
            return redirect("manage:meeting", partnership.slug, meeting.pk)
    context = {"partnership": partnership, "form": form}
    # A refused form is a 400, with its message and what was entered.
    return render(request, "meetings/manage/meeting_form.html", context, status=400 if form.is_bound else 200)


def _to_meeting(request, meeting, success: str = "", anchor: str = ""):
    if success:
        messages.success(request, success)
    url = reverse("manage:meeting", args=[meeting.body.partnership.slug, meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _agenda_case(request, queryset) -> Case:
    """The case named by the POST's `case`, from `queryset`; a Norwegian refusal otherwise."""
    case = queryset.filter(pk=AgendaCaseForm(request.POST).case_pk()).first()
    if case is None:
        raise ValidationError(_("The case was not found. Reload the page and try again."), code="bad_case")
    return case


def _add(request, meeting, forms):
    forms["new_case_form"] = form = NewCaseForm(request.POST, prefix="new")
    if form.is_valid():
        services.case_create(meeting=meeting, by=request.user, **form.cleaned_data)
        return _to_meeting(request, meeting, _("The case is on the agenda."))
    return None


def _follow_up(request, meeting, forms):
    partnership = meeting.body.partnership
    forms["follow_up_form"] = form = FollowUpCaseForm(
        request.POST, prefix="followup", partnership=partnership
    )
    if form.is_valid():
        services.case_follow_up(meeting=meeting, previous=form.cleaned_data["previous"], by=request.user)
        return _to_meeting(request, meeting, _("The follow-up case is on the agenda."))
    return None


def _mover(direction: str):
    def move(request, meeting, forms):
        case = _agenda_case(request, meeting.cases.all())
        services.agenda_move(meeting=meeting, case=case, direction=direction, by=request.user)
        return _to_meeting(request, meeting, anchor=f"sak-{case.pk}")

    return move


def _remove(request, meeting, forms):
    case = _agenda_case(request, meeting.cases.all())
    services.case_remove(case=case, by=request.user, reason=request.POST.get("reason", ""))
    return _to_meeting(request, meeting, _("The case is removed from the agenda."))


def _take_in(request, meeting, forms):
    case = _agenda_case(request, meeting_selectors.proposals_waiting(body=meeting.body))
    services.case_take_in_proposal(case=case, meeting=meeting, by=request.user)
    return _to_meeting(request, meeting, _("The proposed case is on the agenda."))


def _take_follow_up(request, meeting, forms):
    """Take an open follow-up point of an earlier meeting onto the agenda (Oppfølgingssaker)."""
    pk = AgendaCaseForm({"case": request.POST.get("follow_up", "")}).case_pk()
    point = meeting_selectors.follow_ups_to_offer(meeting).filter(pk=pk).first()
    if point is None:
        raise ValidationError(_("The case was not found. Reload the page and try again."), code="bad_case")
    services.case_from_follow_up(meeting=meeting, follow_up=point, by=request.user)
    return _to_meeting(request, meeting, _("The follow-up point is on the agenda as a case."))


def _issue_notice(request, meeting, forms):
    services.meeting_issue_notice(meeting=meeting, by=request.user)
    return _to_meeting(request, meeting, _("The notice is issued and the members are notified by e-mail."))


def _mark_held(request, meeting, forms):
    services.meeting_mark_held(meeting=meeting, by=request.user)
    return _to_meeting(request, meeting, _("The meeting is marked as held."))


def _cancel(request, meeting, forms):
    forms["cancel_form"] = form = CancelMeetingForm(request.POST, prefix="cancel")
    if not form.is_valid():
        raise ValidationError(_("Give a reason for cancelling the meeting."))
    services.meeting_cancel(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
    return _to_meeting(request, meeting, _("The meeting is cancelled."))


def _resend_mail(request, meeting, forms):
    """Send an e-mail round again to the addresses that failed ("Send again")."""
    raw = request.POST.get("delivery", "")
    delivery = (
        meeting.mail_deliveries.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    )
    if delivery is None:
        raise ValidationError(
            _("The e-mail round was not found. Reload the page and try again."), code="bad_case"
        )
    services.mail_round_resend(delivery=delivery, by=request.user)
    return _to_meeting(request, meeting, _("The e-mail is being sent again to the addresses that failed."))


# The agenda builder's actions: the name a button posts → the handler that calls one service.
# A handler returns a redirect when done, or None to show the page again with its form's errors.
AGENDA_ACTIONS = {
    "add": _add,
    "follow_up": _follow_up,
    "up": _mover("up"),
    "down": _mover("down"),
    "remove": _remove,
    "take_in": _take_in,
    "take_follow_up": _take_follow_up,
    "issue_notice": _issue_notice,
    "mark_held": _mark_held,
    "cancel": _cancel,
    "resend_mail": _resend_mail,
}


def _agenda_forms(partnership) -> dict:
    return {
        "new_case_form": NewCaseForm(prefix="new"),
        "follow_up_form": FollowUpCaseForm(prefix="followup", partnership=partnership),
        "cancel_form": CancelMeetingForm(prefix="cancel"),
    }


def _dispatch(request, meeting, forms, actions):
    """Run the posted action; refusals and bad input go back to the page as Norwegian messages."""
    handler = actions.get(request.POST.get("action", ""))
    try:
        if handler is None:
            raise ValidationError(_("Unknown action. Reload the page and try again."), code="bad_action")
        return handler(request, meeting, forms)
    except ValidationError as error:
        _report(request, error)
        if getattr(error, "code", None) in ("bad_action", "bad_case"):
            return redirect(request.path)
    return None


@secretariat_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, partnership, pk):
    """The agenda builder: add, follow up, reorder, remove; issue the notice, mark held, cancel."""
    meeting = _meeting(partnership, pk)
    forms = _agenda_forms(partnership)
    if request.method == "POST":
        response = _dispatch(request, meeting, forms, AGENDA_ACTIONS)
        if response is not None:
            return response
        meeting.refresh_from_db()
    cases = (
        meeting.cases.select_related("body__partnership", "previous__body__partnership")
        .prefetch_related("attachments")
        .order_by("order", "pk")
    )
    proposals = meeting_selectors.proposals_waiting(body=meeting.body)
    context = {"partnership": partnership, "meeting": meeting, "cases": list(cases), **forms}
    context |= {
        "offered_follow_ups": list(meeting_selectors.follow_ups_to_offer(meeting)),
        "today": localdate(),
        "mail_rounds": meeting_selectors.mail_rounds(meeting),
    }
    return render(request, "meetings/manage/meeting.html", {**context, "proposals": list(proposals)})


@secretariat_required
@require_http_methods(["GET", "POST"])
def case_edit(request, partnership, pk):
    """The case paper, with optimistic concurrency: a stale save is refused and the text kept."""
    case = _case(partnership, pk)
    edit = CaseEditForms(case, request.POST if request.method == "POST" else None)
    conflict = None
    status = 200
    if request.method == "POST":
        status = 400  # refused input: shown again with its messages, nothing saved lost
        if edit.is_valid():
            try:
                reason = request.POST.get("reason", "")
                services.case_update(case=case, by=request.user, reason=reason, **edit.changes())
            except services.ConcurrentEditError as error:
                conflict, status = {"messages": _errors(error), "current": error.current}, 200
            except ValidationError as error:
                edit.form.add_error(None, error)
            else:
                messages.success(request, _("The case paper is saved."))
                return redirect("manage:case", partnership.slug, case.pk)
    context = _case_context(case, edit)
    return render(request, "meetings/manage/case_form.html", {**context, "conflict": conflict}, status=status)


def _case_context(case, edit) -> dict:
    return {
        "partnership": case.body.partnership,
        "case": case,
        "meeting": case.meeting,
        "form": edit.form,
        "formset": edit.formset,
        "programme_formset": edit.programme or CaseEditForms(case).programme,
        "people_formset": edit.people or CaseEditForms(case).people,
        "decision_form": DecisionForm(initial=decision_initial(case), prefix="decision"),
        "amend_form": AmendForm(initial={"decision": case.decision}, prefix="amend"),
        "attachment_form": AttachmentForm(prefix="attachment"),
        "attachments": list(case.attachments.order_by("order", "pk")),
        "return_form": ReturnProposalForm(prefix="return"),
        "locked": case.meeting is not None and case.meeting.is_locked,
        "is_proposal": case.meeting is None and case.intake_status == Case.IntakeStatus.PROPOSED,
    }


def _report(request, error: ValidationError) -> None:
    for text in _errors(error):
        messages.error(request, text)


def _run(request, call, success: str) -> bool:
    """Call a service; its Norwegian validation messages, or `success`, go to the user's messages."""
    try:
        call()
    except ValidationError as error:
        for text in _errors(error):
            messages.error(request, text)
        return False
    messages.success(request, success)
    return True


@secretariat_required
@require_POST
def case_decision(request, partnership, pk):
    """Record the decision; a refused save shows the case page again with the user's text kept."""
    case = _case(partnership, pk)
    form = DecisionForm(request.POST, prefix="decision")
    if form.is_valid():
        try:
            services.case_record_decision(case=case, by=request.user, **form.service_arguments())
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("manage:case", partnership.slug, case.pk)
    else:
        messages.error(request, _("The decision was not saved; see the fields marked below."))
    case.refresh_from_db()
    edit = CaseEditForms(case)
    context = {**_case_context(case, edit), "decision_form": form}
    return render(
        request,
        "meetings/manage/case_form.html",
        {**context, "conflict": None},
        status=409 if form.is_valid() else 400,
    )


@secretariat_required
@require_POST
def case_amend(request, partnership, pk):
    case = _case(partnership, pk)
    form = AmendForm(request.POST, prefix="amend")
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: services.amend(
                obj=case, by=request.user, reason=data["reason"], decision=data["decision"]
            ),
            _("The correction is recorded with its reason."),
        )
    else:
        messages.error(request, _("Give a reason for the correction."))
    return redirect("manage:case", partnership.slug, case.pk)


@secretariat_required
@require_POST
def case_attachment(request, partnership, pk):
    """Upload an attachment; the service checks size and type from the content."""
    case = _case(partnership, pk)
    form = AttachmentForm(request.POST, request.FILES, prefix="attachment")
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: services.attachment_add(
                case=case,
                upload=data["file"],
                title=data["title"],
                exempt=bool(data["exemption_basis"]),
                exemption_basis=data["exemption_basis"],
                by=request.user,
            ),
            _("The attachment is added."),
        )
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    return redirect("manage:case", partnership.slug, case.pk)


@secretariat_required
@require_POST
def proposal_return(request, partnership, pk):
    case = _case(partnership, pk)
    form = ReturnProposalForm(request.POST, prefix="return")
    if form.is_valid():
        _run(
            request,
            lambda: services.proposal_return(case=case, reason=form.cleaned_data["reason"], by=request.user),
            _("The proposal is returned to the proposer."),
        )
    else:
        messages.error(request, _("Give a reason for returning the proposal."))
    return redirect("manage:overview", partnership.slug)


def _attendance_rows(meeting) -> list[dict]:
    """The current members, with what is already recorded for them."""
    existing = {a.person_id: a for a in meeting.attendances.all()}
    rows = meeting_selectors.attendance_defaults(meeting)
    for row in rows:
        if row["person"].pk in existing:
            row["status"] = existing[row["person"].pk].status
            row["is_referent"] = existing[row["person"].pk].is_referent
    return rows


def _chosen_rows(post, rows) -> list[dict]:
    """The rows as the form posted them; an unknown status counts as absent."""
    chosen = []
    for row in rows:
        pid = row["person"].pk
        status = post.get(f"status-{pid}", Attendance.Status.PRESENT)
        if status not in Attendance.Status.values:
            status = Attendance.Status.ABSENT
        chosen.append({**row, "status": status, "is_referent": post.get(f"referent-{pid}") == "on"})
    return chosen


@secretariat_required
@require_http_methods(["GET", "POST"])
def attendance(request, partnership, pk):
    meeting = _meeting(partnership, pk)
    rows = _attendance_rows(meeting)
    if request.method == "POST":
        guest = request.POST.get("guest", "")
        if _run(
            request,
            lambda: services.attendance_record(
                meeting=meeting, rows=_chosen_rows(request.POST, rows), guest_name=guest, by=request.user
            ),
            _("Attendance is recorded."),
        ):
            return redirect("manage:meeting", partnership.slug, meeting.pk)
    context = {"partnership": partnership, "meeting": meeting, "rows": rows}
    return render(
        request, "meetings/manage/attendance.html", {**context, "statuses": Attendance.Status.choices}
    )


def _save(request, meeting, forms):
    forms["edit"] = edit = MinutesEditForms(meeting, forms["minutes"], request.POST)
    if not edit.is_valid():
        return None
    target = {"minutes": forms["minutes"]} if forms["minutes"] else {"meeting": meeting}
    try:
        services.minutes_update(**target, **edit.changes(), by=request.user)
    except services.ConcurrentEditError as error:
        forms["conflict"] = {"messages": _errors(error), "current": error.current}
        return None
    return _to_minutes(request, meeting, _("The minutes are saved."))


def _case_notes(request, meeting, forms):
    form = CaseNotesForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("The case was not found. Reload the page and try again."), code="bad_case")
    data = form.cleaned_data
    case = get_object_or_404(Case, pk=data["case"], meeting=meeting)
    services.case_record_notes(
        case=case,
        discussion=data["discussion"],
        public_decision=data["public_decision"] if case.exempt else None,
        expected_version=data["version"],
        by=request.user,
    )
    return _to_minutes(request, meeting, _("The minutes are saved."))


def _amend_section(request, meeting, forms):
    form = SectionAmendForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Give a reason for the correction."))
    section = get_object_or_404(MinutesSection, pk=form.cleaned_data["section"], minutes=forms["minutes"])
    data = form.cleaned_data
    services.amend(obj=section, text=data["text"], reason=data["reason"], by=request.user)
    return _to_minutes(request, meeting, _("The correction is recorded with its reason."))


def _approve(request, meeting, forms):
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return None
    # One transaction: minutes made empty here are not left behind when the approval is refused.
    with transaction.atomic():
        record = forms["minutes"] or services.minutes_update(
            meeting=meeting, expected_version=0, by=request.user
        )
        services.minutes_approve(minutes=record, method=form.cleaned_data["method"], by=request.user)
    return _to_minutes(request, meeting, _("The minutes are approved; decisions and minutes are now locked."))


def _publish(request, meeting, forms):
    services.minutes_publish(minutes=forms["minutes"], by=request.user)
    return _to_minutes(request, meeting, _("The minutes are published."))


def _to_minutes(request, meeting, success: str):
    messages.success(request, success)
    return redirect("manage:minutes", meeting.body.partnership.slug, meeting.pk)


# Saving creates the minutes on first use; the other actions act on the minutes there are.
MINUTES_ACTIONS = {"save": _save, "approve": _approve, "case_notes": _case_notes}
MINUTES_RECORD_ACTIONS = {"publish": _publish, "amend_section": _amend_section}


@secretariat_required
@require_http_methods(["GET", "POST"])
def minutes(request, partnership, pk):
    meeting = _meeting(partnership, pk)
    record = Minutes.objects.filter(meeting=meeting).first()
    state = {"minutes": record, "edit": None, "conflict": None}
    if request.method == "POST":
        actions = {**MINUTES_ACTIONS, **(MINUTES_RECORD_ACTIONS if record is not None else {})}
        response = _dispatch(request, meeting, state, actions)
        if response is not None:
            return response
    if state["edit"] is None:
        state["edit"] = MinutesEditForms(meeting, record)
    context = {"partnership": partnership, "meeting": meeting, "approve_form": ApproveForm()}
    context["cases"] = meeting.cases.select_related("body__partnership").order_by("order", "pk")
    return render(request, "meetings/manage/minutes.html", {**context, **state})
