"""Values every template may show."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from governance import permissions


def portal(request):
    def has_workspace():
        managed = permissions.managed_partnership_ids(request.user)
        return managed is None or bool(managed)

    return {
        "login_attempts_limit": settings.LOGIN_ATTEMPTS_LIMIT,
        "login_attempts_minutes": settings.LOGIN_ATTEMPTS_TIMEOUT_SECONDS // 60,
        # Evaluated only where a template asks, and only costs queries for logged-in users.
        "has_workspace": SimpleLazyObject(has_workspace),
    }
