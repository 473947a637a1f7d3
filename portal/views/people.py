"""A person's public page: who they are, their seats, and the case papers that name them."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from governance.models import Membership, Person
from meetings import selectors as meeting_selectors


@require_safe
def person_detail(request, pk):
    """Name, title and organisation are public (DOMAIN.md); contact details are not shown here."""
    memberships = Membership.objects.current().select_related("body__partnership", "on_behalf_of")
    person = get_object_or_404(
        Person.objects.select_related("organisation").prefetch_related(
            Prefetch("memberships", queryset=memberships.order_by("body__name"), to_attr="current_seats")
        ),
        pk=pk,
    )
    return render(
        request,
        "portal/person.html",
        {"person": person, "roles": meeting_selectors.person_case_roles(request.user, person)},
    )
