"""Settings for running the portal on a developer's or evaluator's machine."""

import os

from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# A development key only: production refuses to start without its own secret.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "local-development-only-not-secret")
# Without REDIS_URL there is no worker and tasks run inside the request: rendering every public
# PDF there would make issuing a notice take seconds, so locally they are rendered on first
# request, as before, unless DJANGO_PDF_PRERENDER says otherwise.
PDF_PRERENDER = env_bool("DJANGO_PDF_PRERENDER", bool(REDIS_URL))  # noqa: F405
# Security keys and passkeys over plain http on a developer's machine (never in production).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
