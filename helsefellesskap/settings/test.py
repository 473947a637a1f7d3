"""Settings for the test suite: fast hashing, mail kept in memory."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

DEBUG = False
ENVIRONMENT = "test"
SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hf-test-media-"))
PDF_PRERENDER = False  # WeasyPrint takes about a second a document; the tests that need it turn it on
STORAGES = {
    "default": {"BACKEND": "documents.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run at once, in-process, whatever the environment says.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
