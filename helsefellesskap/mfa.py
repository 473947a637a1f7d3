"""The second factor: who must have one, whether this login passed it, and what changes end.

The secretariat of any partnership, staff and superusers must have an authenticator (an app
with TOTP codes, or a security key / passkey) and must have used it in this login before the
workspace (/forvaltning/) or the admin opens. Without one they are sent to enrol; with one but
a login that did not use it (a session from before, a login made another way) they are asked
for a code first. allauth's login flow asks everyone who has an authenticator for the code, and
records each step of a login in the session; a step with method "mfa" is the second factor.

Every change to a user's authenticators is logged (mfa_added, mfa_removed,
mfa_recovery_codes_regenerated, mfa_reset) and ends the user's other sessions, so a device an
attacker enrolled or a session opened before the change does not survive it.
"""

from __future__ import annotations

from importlib import import_module

from allauth.account.internal.flows.login import (
    AUTHENTICATION_METHODS_SESSION_KEY,
    get_authentication_records,
    record_authentication,
)
from allauth.mfa import signals as mfa_signals
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from governance import permissions
from helsefellesskap import security_log
from portal import mfa_reset

# URL namespaces that open only after the second factor.
GUARDED_NAMESPACES = frozenset({"manage", "admin"})
# Authenticators that are a second factor by themselves; recovery codes only stand in for one.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def must_use_second_factor(user) -> bool:
    """Secretariat members of any partnership, staff and superusers."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(permissions.managed_partnership_ids(user))


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def passed_second_factor(request) -> bool:
    """Whether this session's login used an authenticator (code, key or recovery code)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def mark_second_factor(request, authenticator, **extra) -> None:
    """Record in the session that the user proved an authenticator, as allauth does after the
    second step of a login. Enrolling proves the new one (the code from it, or the key)."""
    record_authentication(request, request.user, "mfa", id=authenticator.pk, type=authenticator.type, **extra)


# Where to go after enrolling: the page the user was sent away from.
NEXT_SESSION_KEY = "hf_mfa_next"


def gate(request):
    """A redirect for a user who must use a second factor and has not, else None."""
    user = request.user
    if not must_use_second_factor(user) or passed_second_factor(request):
        return None
    enrolled = has_second_factor(user)
    security_log.log_event(
        "mfa_required", request, user=security_log.user_id(user), sent_to="confirm" if enrolled else "enrol"
    )
    if not enrolled:
        messages.warning(
            request,
            gettext(
                "The workspace and the administration hold exempt information, so your account "
                "needs a second factor. Set up an authenticator app now: scan the QR code with the "
                "app on your phone and enter the code it shows."
            ),
        )
        request.session[NEXT_SESSION_KEY] = request.get_full_path()
        return redirect("mfa_activate_totp")
    messages.info(request, gettext("Confirm with your second factor before you continue."))
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")


class SecondFactorRequiredMiddleware:
    """Refuses the workspace and the admin to a secretariat or staff login without its second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not GUARDED_NAMESPACES.intersection(match.namespaces):
            return None
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return None  # the view's own login_required sends visitors to log in
        return gate(request)


def end_other_sessions(user, *, keep: str | None = None) -> int:
    """Delete every unexpired session of the user except `keep`; returns how many ended.

    Found in the database (every engine the settings choose writes it there) and deleted through
    the session engine, so that a copy kept in the cache ("cached_db") ends with it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    user_id = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep:
            continue
        if str(session.get_decoded().get("_auth_user_id")) == user_id:
            store().delete(session.session_key)
            ended += 1
    return ended


def _current_session_key(request, user):
    if request is None or getattr(request, "user", None) is None or request.user.pk != user.pk:
        return None
    return request.session.session_key


@receiver(mfa_signals.authenticator_added, dispatch_uid="hf_mfa_added")
def authenticator_added(sender, request, user, authenticator, **kwargs):
    security_log.log_event("mfa_added", request, user=security_log.user_id(user), type=authenticator.type)
    if authenticator.type in SECOND_FACTORS and _current_session_key(request, user):
        mark_second_factor(request, authenticator, enrolled=True)
    end_other_sessions(user, keep=_current_session_key(request, user))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="hf_mfa_removed")
def authenticator_removed(sender, request, user, authenticator, **kwargs):
    security_log.log_event("mfa_removed", request, user=security_log.user_id(user), type=authenticator.type)
    keep = _current_session_key(request, user)
    end_other_sessions(user, keep=keep)
    if keep and not has_second_factor(user):
        forget_second_factor(request)


def forget_second_factor(request) -> None:
    """Drop this login's second-factor steps: with no authenticator left, the workspace sends
    the user to enrol again at once, not only at the next login."""
    records = get_authentication_records(request, request.user)
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [r for r in records if r.get("method") != "mfa"]


@receiver(mfa_signals.authenticator_reset, dispatch_uid="hf_mfa_recovery_codes")
def authenticator_reset(sender, request, user, authenticator, **kwargs):
    security_log.log_event(
        "mfa_recovery_codes_regenerated", request, user=security_log.user_id(user), type=authenticator.type
    )
    end_other_sessions(user, keep=_current_session_key(request, user))


@receiver(mfa_reset.authenticators_reset, dispatch_uid="hf_mfa_reset")
def authenticators_reset(sender, request, user, by, partnership, reason, removed, **kwargs):
    """A secretariat member removed another user's authenticators (a lost device)."""
    security_log.log_event(
        "mfa_reset",
        request,
        user=security_log.user_id(user),
        by=security_log.user_id(by),
        partnership=partnership.slug,
        removed=removed,
        reason=security_log.clean_text(reason),
    )
    end_other_sessions(user)


class MFAAdapter(DefaultMFAAdapter):
    def build_totp_svg(self, url: str) -> str:
        """The QR code as an SVG element for the page itself (no XML declaration), so it needs
        neither an inline style nor a data: image under the Content-Security-Policy."""
        svg = super().build_totp_svg(url)
        return svg[svg.index("<svg") :]
