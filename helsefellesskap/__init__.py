"""The project: settings, root URLs and the Celery application that every app's tasks use."""

from .celery import app as celery_app

__all__ = ("celery_app",)
