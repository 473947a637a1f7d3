"""The workspace's 'lost device' page: another secretariat member resets a user's second factor."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from governance.decorators import secretariat_required

from .. import mfa_reset


class ResetForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the second factor reset?"),
        help_text=gettext_lazy(
            "For example: lost phone, reported by telephone on 3 May. Kept in the security log."
        ),
        max_length=mfa_reset.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@secretariat_required
@require_safe
def second_factors(request, partnership):
    people = mfa_reset.resettable_users(partnership=request.partnership, by=request.user)
    context = {"partnership": request.partnership, "people": people}
    return render(request, "portal/manage/mfa_people.html", context)


def _reset(request, target, form) -> bool:
    """Reset from a valid form; False with the error on the form if the service refuses."""
    try:
        mfa_reset.reset_authenticators(
            user=target,
            by=request.user,
            partnership=request.partnership,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as error:
        form.add_error("reason", error)
        return False
    name = target.person.name
    messages.success(request, gettext("The second factor of %(name)s is reset.") % {"name": name})
    return True


@secretariat_required
@require_http_methods(["GET", "POST"])
def second_factor_reset(request, partnership, user_id):
    """Confirm with a reason, then remove the user's authenticators (404 for anyone not resettable)."""
    people = mfa_reset.resettable_users(partnership=request.partnership, by=request.user)
    target = get_object_or_404(people, pk=user_id)
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _reset(request, target, form):
        return redirect("manage:second_factors", request.partnership.slug)
    context = {"partnership": request.partnership, "target": target, "form": form}
    return render(request, "portal/manage/mfa_reset.html", context, status=400 if form.errors else 200)
