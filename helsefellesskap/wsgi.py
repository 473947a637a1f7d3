"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

from helsefellesskap.abandoned import skip_abandoned

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helsefellesskap.settings.production")

# Requests whose client closed the connection while they queued are not run (abandoned.py).
application = skip_abandoned(get_wsgi_application())
