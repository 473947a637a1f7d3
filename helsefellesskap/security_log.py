"""Security events to the `helsefellesskap.security` logger, without secrets.

Logged: logins, logouts, failed logins (the username tried, never the password), lockouts after
too many failed logins, other refused rate-limited requests (429), refused access (403), and
password changes, sets and resets; changes to a user's second factor (mfa_added, mfa_removed,
mfa_recovery_codes_regenerated, and mfa_reset by another secretariat member, with the reason:
helsefellesskap/mfa.py) and logins ended by the idle timeout or lifetime (session_expired:
helsefellesskap/sessions.py); secretariat and staff logins sent to enrol or confirm their second
factor before the workspace or the admin (mfa_required). Each line names the event, the user's
id or the username tried, the path and the client address. Passwords, session keys, CSRF tokens
and reset keys are never passed to the logger. The same call stores the event as a governance
SecurityEvent, which the secretariat reads on its workspace page "Sikkerhetslogg" and superusers
in the admin.

The receivers are connected when the URL configuration is imported (helsefellesskap/urls.py):
every event here happens inside a request, and a request always loads the URLs first, so no
AppConfig is needed for a package that is not an installed app.
"""

import json
import logging

from allauth.account import signals as account_signals
from allauth.core.internal.httpkit import get_client_ip
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.dispatch import receiver

logger = logging.getLogger("helsefellesskap.security")

# What a username may look like in a log line: bounded, and nothing that could forge a line.
USERNAME_MAX = 150


def client_address(request) -> str:
    """The address the request came from, as the log records it: the same address allauth's
    login rate limits count, taken from X-Forwarded-For past ALLAUTH_TRUSTED_PROXY_COUNT proxies
    (DJANGO_TRUSTED_PROXY_COUNT), else REMOTE_ADDR."""
    if request is None:
        return "-"
    try:
        return get_client_ip(request) or "-"
    except ImproperlyConfigured:  # fewer X-Forwarded-For entries than trusted proxies
        return request.META.get("REMOTE_ADDR") or "-"


def clean_username(value) -> str:
    text = str(value or "")[:USERNAME_MAX]
    return "".join(char if char.isprintable() else "?" for char in text) or "-"


def clean_text(value, limit: int = 300) -> str:
    """Free text (a reason) for a log line: bounded, printable, quoted so spaces stay inside it."""
    text = "".join(char if char.isprintable() else "?" for char in str(value or "")[:limit])
    return json.dumps(text, ensure_ascii=False)


def user_id(user) -> str:
    return str(user.pk) if user is not None and getattr(user, "pk", None) is not None else "-"


def log_event(event: str, request=None, *, level=logging.INFO, **fields) -> None:
    """One line per event: `event key=value …`; the same fields also as `extra` for JSON logs."""
    fields = {
        **fields,
        "path": request.path if request is not None else "-",
        "ip": client_address(request),
    }
    text = " ".join(f"{key}={value}" for key, value in fields.items())
    logger.log(level, "%s %s", event, text, extra={"security_event": event, **fields})
    store_event(event, fields)


# The fields with a column of their own; any other field goes into `detail` as `key=value`.
STORED_COLUMNS = ("user", "username", "path", "ip")


def store_event(event: str, fields: dict) -> None:
    """Keep the event in the database as well. A failure to store is logged, never raised: the
    request that caused the event goes on (the log line above is written already)."""
    from governance.models import SecurityEvent

    user = str(fields.get("user", "-"))
    username = _text(fields.get("username"), 150)
    detail = " ".join(f"{key}={value}" for key, value in fields.items() if key not in STORED_COLUMNS)
    try:
        with transaction.atomic():
            SecurityEvent.objects.create(
                event=event[:40],
                user_id=int(user) if user.isdigit() else _known_user_id(username),
                username=username,
                path=_text(fields.get("path"), 500),
                ip=_text(fields.get("ip"), 64),
                detail=_text(detail, 500),
            )
    except Exception:  # noqa: BLE001 - a security event must never turn a request into a 500
        logger.exception("security event %s could not be stored", event)


def _known_user_id(username: str) -> int | None:
    """A failed login or lockout for an existing username belongs to that user (so the
    secretariat sees attacks on its own people); an unknown username to no one."""
    if not username:
        return None
    model = get_user_model()
    lookup = {f"{model.USERNAME_FIELD}__iexact": username}
    return model.objects.filter(**lookup).values_list("pk", flat=True).first()


def _text(value, limit: int) -> str:
    text = "" if value in (None, "-") else str(value)
    return "".join(char if char.isprintable() else "?" for char in text)[:limit]


@receiver(auth_signals.user_logged_in, dispatch_uid="security_log_logged_in")
def logged_in(sender, request, user, **kwargs):
    log_event("login", request, user=user_id(user), username=clean_username(user.get_username()))


@receiver(auth_signals.user_logged_out, dispatch_uid="security_log_logged_out")
def logged_out(sender, request, user, **kwargs):
    log_event("logout", request, user=user_id(user))


@receiver(auth_signals.user_login_failed, dispatch_uid="security_log_login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    # Django blanks the password in `credentials` already; read only the username anyway.
    username = credentials.get("username") or credentials.get("login") or credentials.get("email")
    log_event("login_failed", request, level=logging.WARNING, username=clean_username(username))


@receiver(account_signals.password_changed, dispatch_uid="security_log_password_changed")
def password_changed(sender, request, user, **kwargs):
    log_event("password_changed", request, user=user_id(user))


@receiver(account_signals.password_set, dispatch_uid="security_log_password_set")
def password_set(sender, request, user, **kwargs):
    log_event("password_set", request, user=user_id(user))


@receiver(account_signals.password_reset, dispatch_uid="security_log_password_reset")
def password_reset(sender, request, user, **kwargs):
    log_event("password_reset", request, user=user_id(user))


def login_locked_out(request, username) -> None:
    """Called by the account adapter when a login is refused for too many failures."""
    log_event("login_locked_out", request, level=logging.WARNING, username=clean_username(username))


def access_refused(request) -> None:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    log_event("access_refused", request, level=logging.WARNING, user=user_id(user) if authenticated else "-")


def rate_limited(request) -> None:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    log_event("rate_limited", request, level=logging.WARNING, user=user_id(user) if authenticated else "-")
