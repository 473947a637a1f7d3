"""Approval of the minutes in the workspace: the e-mail round's answers, and the approval itself.

At the next meeting (in which case), by e-mail round (each member's answer and its date,
recorded one by one), or signed. The page has two small forms, each calling one service.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.decorators import secretariat_required

from .. import mode as reads
from .. import services
from ..forms_mode import ApprovalAnswerForm, MinutesApprovalForm
from ..models import Case, Minutes, MinutesApprovalAnswer
from .manage import _meeting, _report


def _approved_at(data, minutes):
    """The moment of approval: the date given (at noon, local time), or an e-mail round's last answer."""
    day = data.get("approved_on")
    if day is None and data["method"] == Minutes.ApprovalMethod.EMAIL_ROUND:
        last = minutes.approval_answers.order_by("-answered_on").first()
        day = last.answered_on if last else None
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _answer(request, minutes, forms):
    forms["answer_form"] = form = ApprovalAnswerForm(request.POST, people=forms["people"])
    if not form.is_valid():
        raise ValidationError(_("The answer was not saved; see the fields marked below."))
    services.minutes_record_answer(minutes=minutes, by=request.user, **form.service_arguments())
    return _("The answer is recorded.")


def _approve(request, minutes, forms):
    forms["approve_form"] = form = MinutesApprovalForm(request.POST, cases=forms["cases"])
    if not form.is_valid():
        raise ValidationError(_("The minutes were not approved; see the fields marked below."))
    data = form.cleaned_data
    case = Case.objects.filter(pk=data["approved_in_case"]).first() if data["approved_in_case"] else None
    services.minutes_approve(
        minutes=minutes,
        method=data["method"],
        approved_in_case=case,
        approved_at=_approved_at(data, minutes),
        by=request.user,
    )
    return _("The minutes are approved; decisions and minutes are now locked.")


APPROVAL_ACTIONS = {"answer": _answer, "approve": _approve}


def _post(request, minutes, forms):
    """Run the posted action; a redirect when done, None to show the page again with the errors."""
    handler = APPROVAL_ACTIONS.get(request.POST.get("action", ""))
    try:
        if handler is None:
            raise ValidationError(_("Unknown action. Reload the page and try again."))
        messages.success(request, handler(request, minutes, forms))
        return redirect(request.path)
    except ValidationError as error:
        _report(request, error)
        return None if handler else redirect(request.path)


@secretariat_required
@require_http_methods(["GET", "POST"])
def minutes_approval(request, partnership, pk):
    meeting = _meeting(partnership, pk)
    minutes = get_object_or_404(
        Minutes.objects.select_related("meeting__body__partnership", "approved_in_case"), meeting=meeting
    )
    rows = reads.approval_round(minutes)
    forms = {"people": [row["person"] for row in rows], "cases": reads.approval_cases(meeting)}
    if request.method == "POST":
        response = _post(request, minutes, forms)
        if response is not None:
            return response
    forms.setdefault(
        "answer_form",
        ApprovalAnswerForm(people=forms["people"], initial={"answered_on": timezone.localdate()}),
    )
    forms.setdefault("approve_form", MinutesApprovalForm(cases=forms["cases"]))
    context = {"partnership": partnership, "meeting": meeting, "minutes": minutes, "rows": rows, **forms}
    context["answers"] = MinutesApprovalAnswer.Answer
    return render(
        request,
        "meetings/manage/minutes_approval.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
