"""The members' area: my bodies, my meetings with their papers, proposing a case."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from governance import permissions
from governance.models import Body

from .. import selectors, services
from ..forms import CaseTextField


class ProposalForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=500)
    origin = forms.CharField(
        label=gettext_lazy("From"), max_length=500, help_text=gettext_lazy("Who proposes the case.")
    )
    background = CaseTextField(label=gettext_lazy("Background"), rows=8, required=True)
    proposal = CaseTextField(label=gettext_lazy("Proposed decision"), rows=4)
    attachment = forms.FileField(label=gettext_lazy("Attachment"), required=False)


@login_required
@require_safe
def my_page(request):
    memberships = selectors.my_memberships(request.user)
    bodies = [m.body for m in memberships]
    return render(
        request,
        "meetings/members/my_page.html",
        {
            "memberships": memberships,
            "meetings": selectors.my_upcoming_meetings(request.user, bodies),
            "proposals": selectors.my_proposals(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def propose_case(request, body):
    body = get_object_or_404(Body.objects.select_related("partnership"), pk=body)
    if not permissions.can_propose_case(request.user, body):
        raise Http404
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_submit(
                body=body,
                title=data["title"],
                origin=data["origin"],
                background=data["background"],
                proposal=data["proposal"],
                attachments=[data["attachment"]] if data.get("attachment") else [],
                by=request.user,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. The secretariat has received your proposal."))
            return redirect("members:home")
    return render(request, "meetings/members/propose.html", {"body": body, "form": form})
