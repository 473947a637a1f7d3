"""Values every template may show."""

from django.conf import settings


def portal(request):
    return {
        "login_attempts_limit": settings.LOGIN_ATTEMPTS_LIMIT,
        "login_attempts_minutes": settings.LOGIN_ATTEMPTS_TIMEOUT_SECONDS // 60,
    }
