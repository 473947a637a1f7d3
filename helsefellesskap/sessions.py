"""How long a login lasts: an absolute lifetime for everyone, an idle timeout for the secretariat.

A login ends SESSION_COOKIE_AGE after it was made (12 hours), whatever is done meanwhile: the
session's expiry date moves with every save, so the time of the login is kept in the session and
checked here. The secretariat's and staff's logins (which reach exempt papers and the admin) also
end after SECRETARIAT_IDLE_MINUTES (60) without a request. Either way the user is logged out and
sent to the login page with a Norwegian message saying why.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from helsefellesskap import mfa, security_log

LOGIN_AT = "hf_login_at"
LAST_SEEN = "hf_last_seen"
# Last activity is written at most this often, so not every request saves the session.
LAST_SEEN_RESOLUTION = 60


@receiver(auth_signals.user_logged_in, dispatch_uid="hf_session_login_at")
def remember_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now


def why_expired(request, now: int) -> str | None:
    """'lifetime', 'idle' or None."""
    session = request.session
    login_at = session.setdefault(LOGIN_AT, now)
    if now - login_at > settings.SESSION_COOKIE_AGE:
        return "lifetime"
    last_seen = session.get(LAST_SEEN, now)
    idle_limit = settings.SECRETARIAT_IDLE_MINUTES * 60
    if now - last_seen > idle_limit and mfa.must_use_second_factor(request.user):
        return "idle"
    if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in session:
        session[LAST_SEEN] = now
    return None


def logged_out_response(request, reason: str):
    security_log.log_event("session_expired", request, user=security_log.user_id(request.user), reason=reason)
    next_path = request.get_full_path() if request.method == "GET" else "/"
    logout(request)
    if reason == "idle":
        text = gettext("You were logged out after %(minutes)s minutes without activity. Log in again.") % {
            "minutes": settings.SECRETARIAT_IDLE_MINUTES
        }
    else:
        text = gettext("A login lasts at most %(hours)s hours. Log in again.") % {
            "hours": settings.SESSION_COOKIE_AGE // 3600
        }
    messages.info(request, text)
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_path})}")


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = why_expired(request, int(time.time()))
            if reason:
                return logged_out_response(request, reason)
        return self.get_response(request)
