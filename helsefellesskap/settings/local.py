"""Settings for running the portal on a developer's or evaluator's machine."""

import os

from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# A development key only: production refuses to start without its own secret.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "local-development-only-not-secret")
