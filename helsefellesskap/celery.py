"""The Celery application: tasks of every app (their tasks.py), configured from CELERY_* settings.

`make worker` runs `celery -A helsefellesskap worker`; without REDIS_URL tasks run at once,
in-process (settings/base.py), so nothing extra runs on a laptop or in the tests.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helsefellesskap.settings.production")

app = Celery("helsefellesskap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
