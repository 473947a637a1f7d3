"""'Lost device': a secretariat member removes another user's authenticators.

The user has lost the phone or key that gives their second factor and has no recovery code.
Another secretariat member of a partnership the user belongs to removes the authenticators,
with a reason; at the next login the user must enrol again. Nobody resets their own (they
still have a way in: a recovery code, or the "Two-factor authentication" page), only people
of their own partnership, and only a superuser resets a superuser.

The security log records the reset (event mfa_reset) from the `authenticators_reset` signal,
which helsefellesskap/mfa.py receives: it also ends every session of the user.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.dispatch import Signal
from django.utils.translation import gettext

from governance import permissions
from governance.models import Membership

# Sent after a reset: request, user, by, partnership, reason, removed (how many authenticators).
authenticators_reset = Signal()

REASON_MAX = 500


def resettable_users(*, partnership, by):
    """Logins of people with a current seat in the partnership whose authenticators `by` may
    remove: not `by`, and superusers only for a superuser. Each with `authenticator_count`."""
    seats = Membership.objects.current().filter(body__partnership=partnership)
    users = get_user_model().objects.filter(person__memberships__in=seats, is_active=True).exclude(pk=by.pk)
    if not by.is_superuser:
        users = users.exclude(is_superuser=True)
    return (
        users.distinct()
        .annotate(authenticator_count=Count("authenticator", distinct=True))
        .select_related("person")
        .order_by("person__name", "username")
    )


@transaction.atomic
def reset_authenticators(*, user, by, partnership, reason: str, request=None) -> int:
    """Remove all of `user`'s authenticators; returns how many were removed."""
    permissions.require_manage(by, partnership)
    if not resettable_users(partnership=partnership, by=by).filter(pk=user.pk).exists():
        raise PermissionDenied(gettext("You may not reset this user's second factor."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("Say why the second factor is reset."))
    removed, _ = Authenticator.objects.filter(user_id=user.pk).delete()
    authenticators_reset.send(
        sender=Authenticator,
        request=request,
        user=user,
        by=by,
        partnership=partnership,
        reason=reason[:REASON_MAX],
        removed=removed,
    )
    return removed
