"""Production settings: secrets, hosts, Redis, e-mail and storage come only from the environment.

The portal refuses to start when something production needs is missing or would be wrong (an
e-mail backend that only prints, a per-process cache, links to a developer's machine), with a
message that names the variable to set.
"""

import os
from email.utils import getaddresses

import dj_email_url
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import MIDDLEWARE, REDIS_URL, env_bool, env_list

ENVIRONMENT = "production"
DEBUG = False


def required(name: str, example: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production, for example {example}")
    return value


SECRET_KEY = required("DJANGO_SECRET_KEY", "a random string of 50 characters or more")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production, for example hf.example.no")
# Links in notice e-mails must point at the real address, never at a developer's machine.
SITE_URL = required("DJANGO_SITE_URL", "https://hf.example.no").rstrip("/")
if not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "DJANGO_SITE_URL must be the https address in production, for example https://hf.example.no"
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", SITE_URL)

# The cache (with the login lockout counts) and the task queue are shared by every worker and
# machine: a per-process cache would let a locked username log in on another worker.
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production, for example redis://127.0.0.1:6379/0: the cache, the "
        "login lockout and the task queue are shared through it by every worker"
    )

# E-mail by SMTP (or another real backend) from DJANGO_EMAIL_URL, never printed to a log.
_email = dj_email_url.parse(
    required("DJANGO_EMAIL_URL", "smtp://user:password@smtp.example.no:587/?tls=True")
)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
if EMAIL_BACKEND.rsplit(".", 1)[0] in {
    "django.core.mail.backends.console",
    "django.core.mail.backends.filebased",
    "django.core.mail.backends.locmem",
    "django.core.mail.backends.dummy",
}:
    raise ImproperlyConfigured(
        "DJANGO_EMAIL_URL must name a mail server (smtp:// or submission://) in production, "
        "not a backend that prints, keeps or drops the e-mail"
    )
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT") or 30

# Error reports by e-mail to DJANGO_ADMINS ("Name <address>, …"); empty means none are sent.
ADMINS = [
    (name or address, address)
    for name, address in getaddresses([os.environ.get("DJANGO_ADMINS", "")])
    if address
]

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":  # noqa: F405
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database in production, for example "
        "postgres://helsefellesskap:password@db.example.no:5432/helsefellesskap"
    )
# Every request checks its persistent connection before use, so a restarted database or a
# dropped connection costs a reconnect, not a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# The load balancer's health check speaks plain HTTP to the app server.
SECURE_REDIRECT_EXEMPT = [r"^helse/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Static files from the app servers through WhiteNoise: hashed names (cached for a year),
# gzip and Brotli bodies made at collectstatic.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]

# Attachments and stored PDFs go through Django's storage API: the local folder
# DJANGO_MEDIA_ROOT by default (shared by every app server, e.g. over NFS), or S3-compatible
# object storage with DJANGO_STORAGE_BACKEND=storages.backends.s3.S3Storage and the AWS_*
# variables of django-storages. MEDIA_ROOT is never served directly (it holds exempt files).
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_STORAGE_BACKEND", "documents.storage.AtomicFileSystemStorage")
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
AWS_S3_FILE_OVERWRITE = False

# Tasks go to the workers (`make worker`) through Redis.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False

LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"]}}  # noqa: F405
LOGGING["handlers"] = {
    **LOGGING["handlers"],
    "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"},
}
LOGGING["loggers"]["django.request"] = {
    "handlers": ["console", "mail_admins"],
    "level": "ERROR",
    "propagate": False,
}
