"""Settings shared by every environment; the environment switches them.

Everything is defined here and read from environment variables, so local,
production and test only set what differs (cookiecutter-django's layout).
"""

import json
import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # allauth.mfa's list of security keys says when each was last used ("naturaltime").
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "simple_history",
    "django_filters",
    # Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
    # Personal logins with rate-limited failed attempts; a second factor (TOTP, WebAuthn,
    # recovery codes) that the secretariat and staff must have (helsefellesskap/mfa.py).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on through OpenID Connect (ID-porten, Entra ID), configured by DJANGO_OIDC_PROVIDERS.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
LOCAL_APPS = [
    "documents",
    "governance",
    "meetings",
    "actionplans",
    "portal",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (with the configured sign-in providers in form-action) and
    # Permissions-Policy on every response.
    "helsefellesskap.middleware.PortalCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Visitors' public pages from the shared cache, before any session or login work; inside the
    # security middleware above, so its headers are on cached answers too.
    "helsefellesskap.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helsefellesskap.middleware.ChosenLanguageMiddleware",
    # Reads forms with files first, so an upload over the limit is refused before it is read.
    "meetings.uploads.UploadLimitMiddleware",
    "helsefellesskap.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store on whatever a logged-in user, the workspace or "Min side"
    # is shown, so no shared cache or back button keeps it.
    "helsefellesskap.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Idle timeout (secretariat and staff) and absolute lifetime (everyone) of a login.
    "helsefellesskap.sessions.SessionLifetimeMiddleware",
    # The workspace and the admin only after a second factor (helsefellesskap/mfa.py).
    "helsefellesskap.mfa.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the acting user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "helsefellesskap.urls"
WSGI_APPLICATION = "helsefellesskap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helsefellesskap.context_processors.portal",
            ],
        },
    },
]

# DATABASE_URL picks the database; without it an SQLite file in the project
# folder, so nothing has to be installed to run the portal.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
# PostgreSQL: the queries compiled once (the meeting page's, a reader's standing) run as
# statements prepared once per connection (governance/statements.py). Turn off behind a pooler
# that shares server connections per transaction (PgBouncer in transaction mode).
DATABASE_PREPARED_STATEMENTS = env_bool("DJANGO_DB_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Norwegian bokmål is the portal's language; English is the second language.
LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments (attachments/…) and stored PDFs (pdf/…) go through Django's storage API: the
# folder MEDIA_ROOT by default, written so a file appears whole (documents/storage.py), or
# S3-compatible object storage with DJANGO_STORAGE_BACKEND=storages.backends.s3.S3Storage.
# MEDIA_URL is never served: attachments only through the view that checks visibility.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_STORAGE_BACKEND", "documents.storage.AtomicFileSystemStorage")
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Render a meeting's public PDFs in the worker when its notice is issued or its minutes are
# published (meetings/tasks.py), so no visitor waits for the first one. Off in the tests.
PDF_PRERENDER = env_bool("DJANGO_PDF_PRERENDER", True)
# The largest attachment the workspace accepts (meetings/uploads.py). An upload is refused as
# soon as it passes this, before the rest is read; a request that says it is larger (Content-
# Length above this plus DATA_UPLOAD_MAX_MEMORY_SIZE) is refused without reading any of it.
ATTACHMENT_MAX_BYTES = int(os.environ.get("DJANGO_ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024)))
# An Office file (a ZIP) may declare at most this much unpacked content in at most this many parts.
ATTACHMENT_MAX_UNPACKED_BYTES = int(
    os.environ.get("DJANGO_ATTACHMENT_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024))
)
ATTACHMENT_MAX_ZIP_ENTRIES = 2_000
# A form's fields without its files (5 MB: a case paper's sections at their 50,000-character
# limit); files above 2.5 MB go to a temporary file, not memory; at most 10 files a request.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DJANGO_DATA_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_HANDLERS = [
    "meetings.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The portal's address as its users reach it, for the links in e-mails; production requires it.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The first reads a login's user with their standing in one query (helsefellesskap/accounts.py);
# Django's own stays for sessions made before it.
AUTHENTICATION_BACKENDS = [
    "helsefellesskap.accounts.StandingBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Accounts are made by the secretariat, never by sign-up. After 5 failed logins for one username
# within 5 minutes (or 10 a minute from one address) logins are refused for a while; the login
# page says so. The counts live in the cache: Redis in production (REDIS_URL).
ACCOUNT_ADAPTER = "helsefellesskap.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = None
# A password change keeps the session it was made in; every other session of the user ends,
# since Django checks each session's hash of the password hash (get_session_auth_hash).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
LOGIN_ATTEMPTS_LIMIT = 5
LOGIN_ATTEMPTS_TIMEOUT_SECONDS = 5 * 60
# Behind reverse proxies the client's address is the one the outermost trusted proxy put in
# X-Forwarded-For: set DJANGO_TRUSTED_PROXY_COUNT to the number of proxies in front (1 for one
# nginx), or every visitor shares the proxy's address and its per-address limit.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,{LOGIN_ATTEMPTS_LIMIT}/{LOGIN_ATTEMPTS_TIMEOUT_SECONDS}s/key"
}


# Single sign-on (README, "Single sign-on"): DJANGO_OIDC_PROVIDERS is a JSON list with one object
# per OpenID Connect provider, {"provider_id", "name", "client_id", "secret", "server_url"} and
# optionally "scope" and "trust_email"; the login page gets a "Logg inn med <name>" button for each.
# A login is linked to the existing user whose e-mail (or whose person's e-mail) is the provider's
# verified address, never to a new account (helsefellesskap/sso.py). PKCE on; tokens not stored.
def oidc_apps(value: str) -> list[dict]:
    """allauth's OpenID Connect apps from DJANGO_OIDC_PROVIDERS (a JSON list); see README."""
    if not value.strip():
        return []
    try:
        providers = json.loads(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"DJANGO_OIDC_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(providers, list):
        raise ImproperlyConfigured("DJANGO_OIDC_PROVIDERS must be a JSON list of providers")
    keys = ("provider_id", "name", "client_id", "secret", "server_url")
    apps = []
    for number, provider in enumerate(providers, start=1):
        missing = [key for key in keys if not (isinstance(provider, dict) and provider.get(key))]
        if missing:
            raise ImproperlyConfigured(
                f"DJANGO_OIDC_PROVIDERS, provider {number}: missing {', '.join(missing)}"
            )
        # Part of the redirect URI registered at the provider: /konto/oidc/<provider_id>/login/callback/
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(provider["provider_id"])) or any(
            app["provider_id"] == provider["provider_id"] for app in apps
        ):
            raise ImproperlyConfigured(
                f"DJANGO_OIDC_PROVIDERS, provider {number}: provider_id must be unique, "
                "lower-case letters, digits and -"
            )
        app_settings = {"server_url": provider["server_url"], "oauth_pkce_enabled": True}
        if provider.get("scope"):  # e.g. "openid profile" for ID-porten, which has no e-mail scope
            scope = provider["scope"]
            app_settings["scope"] = scope.split() if isinstance(scope, str) else list(scope)
        # Addresses the provider's own administrators assign (a single-tenant Entra ID, which sends
        # no email_verified claim) may be declared verified; never for a provider anyone can join.
        app_settings["trust_email"] = provider.get("trust_email") is True
        apps.append(
            {
                "provider_id": provider["provider_id"],
                "name": provider["name"],
                "client_id": provider["client_id"],
                "secret": provider["secret"],
                "settings": app_settings,
            }
        )
    return apps


SOCIALACCOUNT_ADAPTER = "helsefellesskap.sso.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "SCOPE": ["openid", "email", "profile"],
        "APPS": oidc_apps(os.environ.get("DJANGO_OIDC_PROVIDERS", "")),
    }
}
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# Sessions live in the database, so a user's other sessions can be found and ended after an MFA
# change or reset (helsefellesskap/mfa.py); with Redis (below) they are also kept in the cache
# ("cached_db"), so a logged-in request reads its session from Redis and not from the database
# (issue #12); every write goes to both, and an ended session is deleted from both. A login lasts
# at most DJANGO_SESSION_HOURS (12) whatever is done; the secretariat's and staff's logins also end
# after DJANGO_SECRETARIAT_IDLE_MINUTES (60) without a request (helsefellesskap/sessions.py).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_HOURS", "12")) * 60 * 60
SECRETARIAT_IDLE_MINUTES = int(os.environ.get("DJANGO_SECRETARIAT_IDLE_MINUTES", "60"))

# Multi-factor authentication (allauth.mfa): an authenticator app (TOTP, shown as a QR code),
# security keys and passkeys (WebAuthn) as second factor, and recovery codes for a lost device.
# Members may enrol on "Min side"; the secretariat and staff must before the workspace or the
# admin opens (helsefellesskap/mfa.py). A lost device is reset by another secretariat member.
MFA_ADAPTER = "helsefellesskap.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Helsefellesskap"
# A code from the step before or after the current one is accepted too: phones' clocks drift.
MFA_TOTP_TOLERANCE = 1
# Logging in with a passkey alone is off: the login page offers username and password, then the
# second step asks for the code or the security key.
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs https, except on localhost; DJANGO_DEBUG allows plain http for a test machine.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Redis, when given, holds the cache (and with it the login lockout counts) for every worker and
# machine, and is the task queue's broker. Production requires it (settings/production.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Visitors' public pages from the shared cache, keyed by the version of what they show, so never
# stale (helsefellesskap/pagecache.py); DJANGO_PUBLIC_CACHE=off turns it off. Browsers revalidate
# every time; a CDN in front may keep a page DJANGO_PUBLIC_MAX_AGE seconds, then serve it stale
# while it revalidates for DJANGO_PUBLIC_STALE_WHILE_REVALIDATE seconds more.
PUBLIC_PAGE_CACHE = env_bool("DJANGO_PUBLIC_CACHE", True)
PUBLIC_CACHE_MAX_AGE = int(os.environ.get("DJANGO_PUBLIC_MAX_AGE", "60"))
PUBLIC_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("DJANGO_PUBLIC_STALE_WHILE_REVALIDATE", "60"))
# How long a page that does not compare with the clock stays in the shared cache unasked (an
# entry of an older version is never asked for again; this bounds the memory they take).
PUBLIC_CACHE_ENTRY_SECONDS = int(os.environ.get("DJANGO_PUBLIC_CACHE_ENTRY_SECONDS", "600"))

# The largest parts of busy pages (a meeting's agenda and case papers) rendered once per version
# and reader access, kept in each process (documents/fragments.py); DJANGO_FRAGMENT_CACHE=off
# turns it off.
FRAGMENT_CACHE = env_bool("DJANGO_FRAGMENT_CACHE", True)

# Background tasks (PDFs, e-mail) with Celery. Without Redis they run at once, in-process, so
# `make run` and the tests need no worker; with it they go to the workers of `make worker`.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when done, so a worker that dies mid-task leaves it for another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Oslo"

# Locally e-mail is printed to the console; production sends it by SMTP from DJANGO_EMAIL_URL.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "helsefellesskap@localhost")
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Which settings module is running; `load_demo` refuses to run in production.
ENVIRONMENT = "local"

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Logins, failures, lockouts, refused access, password changes (helsefellesskap/
        # security_log.py): always at INFO, whatever DJANGO_LOG_LEVEL says, to the root's handler.
        "helsefellesskap.security": {"level": os.environ.get("DJANGO_SECURITY_LOG_LEVEL", "INFO")},
    },
}

# Headers (README, "Headers"). No inline script or style anywhere: templates link static/js and
# static/css. form-action also allows the origins of the configured OpenID Connect providers
# (their server_url, added by helsefellesskap.middleware.PortalCSPMiddleware) and any origin in
# DJANGO_CSP_FORM_ACTION: the SSO login's form POST is answered by a redirect to the provider's
# authorisation endpoint, and Chromium checks that redirect against form-action. An identity
# provider whose authorisation endpoint lives on another origin than its issuer (ID-porten:
# login.idporten.no) must be named in DJANGO_CSP_FORM_ACTION.
CSP_FORM_ACTION_ORIGINS = env_list("DJANGO_CSP_FORM_ACTION", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the TOTP QR code allauth's MFA shows as an SVG data URI.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *CSP_FORM_ACTION_ORIGINS],
    },
}
# Features no page of the portal uses are denied to it and to anything it could embed. Passkeys
# (WebAuthn, the MFA login) stay allowed for the portal's own origin.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "ambient-light-sensor": [],
    "autoplay": [],
    "bluetooth": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
# Links to other sites carry no path or query of ours; a window we open cannot reach back.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Paths whose every response is private to the visitor, logged in or not (their redirects and
# refusals too); every response to a logged-in user is private as well.
PRIVATE_PATH_PREFIXES = ("/forvaltning/", "/min-side/", "/konto/", "/admin/")

# Norwegian date and time forms ("12. mai 2023 kl. 12.00").
FORMAT_MODULE_PATH = ["helsefellesskap.formats"]
