"""The secretariat's meeting work: plan, build the agenda, issue the notice, record, minutes.

Views stay thin: they read forms and call meetings.services, which check
permission, validate, write in a transaction and record history with a reason.
A service's ValidationError comes back to the form in Norwegian; nothing
already saved is lost and the user's text stays on screen.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.decorators import secretariat_required
from governance.models import Person

from .. import services
from ..forms import (
    AmendForm,
    ApproveForm,
    AttachmentForm,
    CaseForm,
    DecisionForm,
    FollowUpCaseForm,
    MeetingForm,
    MinutesForm,
    NewCaseForm,
    ReturnProposalForm,
    SectionFormSet,
)
from ..models import Attendance, Case, Meeting, Minutes


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


@secretariat_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, partnership):
    form = MeetingForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                body=data["body"],
                start=data["start"],
                end=data["end"],
                place=data["place"],
                is_digital=data["is_digital"],
                online_link=data["online_link"],
                is_open=data["is_open"],
                standing_items=data["standing_items"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is planned. Build its agenda."))
            return redirect("manage:meeting", partnership.slug, meeting.pk)
    return render(request, "meetings/manage/meeting_form.html", {"partnership": partnership, "form": form})


@secretariat_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, partnership, pk):
    """The agenda builder: add, follow up, reorder, remove; issue the notice."""
    meeting = _meeting(partnership, pk)
    new_case_form = NewCaseForm(prefix="new")
    follow_up_form = FollowUpCaseForm(prefix="followup", partnership=partnership)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                new_case_form = NewCaseForm(request.POST, prefix="new")
                if new_case_form.is_valid():
                    services.case_create(meeting=meeting, by=request.user, **new_case_form.cleaned_data)
                    messages.success(request, _("The case is on the agenda."))
                    return redirect("manage:meeting", partnership.slug, meeting.pk)
            elif action == "follow_up":
                follow_up_form = FollowUpCaseForm(request.POST, prefix="followup", partnership=partnership)
                if follow_up_form.is_valid():
                    services.case_follow_up(
                        meeting=meeting, previous=follow_up_form.cleaned_data["previous"], by=request.user
                    )
                    messages.success(request, _("The follow-up case is on the agenda."))
                    return redirect("manage:meeting", partnership.slug, meeting.pk)
            elif action in ("up", "down"):
                ids = list(meeting.cases.order_by("order", "pk").values_list("pk", flat=True))
                moved = int(request.POST["case"])
                if moved in ids:
                    i = ids.index(moved)
                    j = i - 1 if action == "up" else i + 1
                    if 0 <= j < len(ids):
                        ids[i], ids[j] = ids[j], ids[i]
                        services.agenda_reorder(meeting=meeting, case_ids=ids, by=request.user)
                return redirect(f"{request.path}#sak-{moved}")
            elif action == "remove":
                case = get_object_or_404(meeting.cases, pk=int(request.POST["case"]))
                services.case_remove(case=case, by=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("The case is removed from the agenda."))
                return redirect("manage:meeting", partnership.slug, meeting.pk)
            elif action == "take_in":
                case = get_object_or_404(
                    Case, pk=int(request.POST["case"]), body=meeting.body, meeting__isnull=True
                )
                services.case_take_in_proposal(case=case, meeting=meeting, by=request.user)
                messages.success(request, _("The proposed case is on the agenda."))
                return redirect("manage:meeting", partnership.slug, meeting.pk)
            elif action == "issue_notice":
                services.meeting_issue_notice(meeting=meeting, by=request.user)
                messages.success(request, _("The notice is issued and the members are notified by e-mail."))
                return redirect("manage:meeting", partnership.slug, meeting.pk)
            elif action == "held":
                services.meeting_mark_held(meeting=meeting, by=request.user)
                return redirect("manage:meeting", partnership.slug, meeting.pk)
        except ValidationError as error:
            for text in _errors(error):
                messages.error(request, text)
        meeting.refresh_from_db()
    cases = list(
        meeting.cases.select_related("body__partnership", "previous__body__partnership")
        .prefetch_related("attachments")
        .order_by("order", "pk")
    )
    proposals = list(
        Case.objects.filter(body=meeting.body, meeting__isnull=True, intake_status="proposed").order_by("pk")
    )
    return render(
        request,
        "meetings/manage/meeting.html",
        {
            "partnership": partnership,
            "meeting": meeting,
            "cases": cases,
            "proposals": proposals,
            "new_case_form": new_case_form,
            "follow_up_form": follow_up_form,
        },
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def case_edit(request, partnership, pk):
    """The case paper, with optimistic concurrency: a stale save is refused and the text kept."""
    case = _case(partnership, pk)
    sections = [{"heading": s.heading, "text": s.text} for s in case.sections.order_by("order", "pk")]
    initial = {
        "version": case.version,
        "title": case.title,
        "agenda_title": case.agenda_title,
        "kind": case.kind,
        "origin": case.origin,
        "case_officers": case.case_officers,
        "document_date": case.document_date,
        "archive_reference": case.archive_reference,
        "proposal_kind": case.proposal_kind,
        "proposal": case.proposal,
        "patient_groups": list(case.patient_groups.all()),
        "exemption_basis": case.exemption_basis if case.exempt else "",
        "public_title": case.public_title,
    }
    conflict = None
    if request.method == "POST":
        form = CaseForm(request.POST)
        formset = SectionFormSet(request.POST, prefix="sections")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            data.pop("exemption_basis_other", None)
            version = data.pop("version")
            new_sections = [
                {"heading": f.cleaned_data.get("heading", ""), "text": f.cleaned_data.get("text", "")}
                for f in formset.forms
                if f.cleaned_data
                and not f.cleaned_data.get("DELETE")
                and (f.cleaned_data.get("heading") or f.cleaned_data.get("text"))
            ]
            patient_groups = data.pop("patient_groups")
            try:
                services.case_update(
                    case=case,
                    by=request.user,
                    expected_version=version,
                    reason=request.POST.get("reason", ""),
                    sections=new_sections,
                    patient_groups=patient_groups,
                    **data,
                )
            except services.ConcurrentEditError as error:
                conflict = {"messages": _errors(error), "current": error.current}
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The case paper is saved."))
                return redirect("manage:case", partnership.slug, case.pk)
    else:
        form = CaseForm(initial=initial)
        formset = SectionFormSet(initial=sections, prefix="sections")
    decision_form = DecisionForm(
        initial={"outcome": case.outcome, "decision": case.decision}, prefix="decision"
    )
    return render(
        request,
        "meetings/manage/case_form.html",
        {
            "partnership": partnership,
            "case": case,
            "meeting": case.meeting,
            "form": form,
            "formset": formset,
            "conflict": conflict,
            "decision_form": decision_form,
            "amend_form": AmendForm(initial={"decision": case.decision}, prefix="amend"),
            "attachment_form": AttachmentForm(prefix="attachment"),
            "attachments": list(case.attachments.order_by("order", "pk")),
            "return_form": ReturnProposalForm(prefix="return"),
            "locked": case.meeting is not None
            and case.meeting.status in (Meeting.Status.MINUTES_APPROVED, Meeting.Status.MINUTES_PUBLISHED),
        },
    )


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
    case = _case(partnership, pk)
    form = DecisionForm(request.POST, prefix="decision")
    if form.is_valid():
        _run(
            request,
            lambda: services.case_record_decision(case=case, by=request.user, **form.cleaned_data),
            _("The decision is recorded."),
        )
    else:
        messages.error(request, _("Choose an outcome."))
    return redirect("manage:case", partnership.slug, case.pk)


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


@secretariat_required
@require_http_methods(["GET", "POST"])
def attendance(request, partnership, pk):
    meeting = _meeting(partnership, pk)
    existing = {a.person_id: a for a in meeting.attendances.all()}
    rows = services.attendance_defaults(meeting)
    for row in rows:
        if row["person"].pk in existing:
            row["status"] = existing[row["person"].pk].status
            row["is_referent"] = existing[row["person"].pk].is_referent
    if request.method == "POST":
        chosen = []
        for row in rows:
            pid = row["person"].pk
            status = request.POST.get(f"status-{pid}", Attendance.Status.PRESENT)
            if status not in Attendance.Status.values:
                status = Attendance.Status.ABSENT
            chosen.append(
                {**row, "status": status, "is_referent": request.POST.get(f"referent-{pid}") == "on"}
            )
        guest = request.POST.get("guest", "").strip()
        if guest:
            person, _created = Person.objects.get_or_create(name=guest)
            chosen.append(
                {"person": person, "status": Attendance.Status.PRESENT, "role": Attendance.Role.GUEST}
            )
        try:
            services.attendance_record(meeting=meeting, rows=chosen, by=request.user)
        except ValidationError as error:
            for text in _errors(error):
                messages.error(request, text)
        else:
            messages.success(request, _("Attendance is recorded."))
            return redirect("manage:meeting", partnership.slug, meeting.pk)
    return render(
        request,
        "meetings/manage/attendance.html",
        {"partnership": partnership, "meeting": meeting, "rows": rows, "statuses": Attendance.Status.choices},
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def minutes(request, partnership, pk):
    meeting = _meeting(partnership, pk)
    record = Minutes.objects.filter(meeting=meeting).first()
    conflict = None
    form = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "build":
                services.minutes_build_draft(meeting=meeting, by=request.user)
                messages.success(request, _("A draft is built from what was recorded."))
                return redirect("manage:minutes", partnership.slug, meeting.pk)
            if action == "save" and record is not None:
                form = MinutesForm(request.POST)
                if form.is_valid():
                    services.minutes_update(
                        minutes=record,
                        text=form.cleaned_data["text"],
                        expected_version=form.cleaned_data["version"],
                        by=request.user,
                    )
                    messages.success(request, _("The minutes are saved."))
                    return redirect("manage:minutes", partnership.slug, meeting.pk)
            if action == "approve" and record is not None:
                approve = ApproveForm(request.POST)
                if approve.is_valid():
                    services.minutes_approve(
                        minutes=record, method=approve.cleaned_data["method"], by=request.user
                    )
                    messages.success(
                        request, _("The minutes are approved; decisions and minutes are now locked.")
                    )
                    return redirect("manage:minutes", partnership.slug, meeting.pk)
            if action == "publish" and record is not None:
                services.minutes_publish(minutes=record, by=request.user)
                messages.success(request, _("The minutes are published."))
                return redirect("manage:minutes", partnership.slug, meeting.pk)
        except services.ConcurrentEditError as error:
            conflict = {"messages": _errors(error), "current": error.current}
        except ValidationError as error:
            for text in _errors(error):
                messages.error(request, text)
    if record is not None and form is None:
        form = MinutesForm(initial={"version": record.version, "text": record.text})
    return render(
        request,
        "meetings/manage/minutes.html",
        {
            "partnership": partnership,
            "meeting": meeting,
            "minutes": record,
            "form": form,
            "approve_form": ApproveForm(),
            "conflict": conflict,
        },
    )
