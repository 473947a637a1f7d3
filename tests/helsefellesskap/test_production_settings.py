"""Production refuses to start when something it needs is missing, and load_demo refuses to run.

Each case starts `manage.py` in a fresh process with the production settings, as an operator
would, so the settings module is really imported with that environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

COMPLETE = {
    "DJANGO_SETTINGS_MODULE": "helsefellesskap.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-test-value-" + "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "hf.example.no",
    "DJANGO_SITE_URL": "https://hf.example.no",
    # Nothing connects in these checks: the settings are read and refused before that.
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "DJANGO_EMAIL_URL": "smtp://user:password@smtp.example.no:587/?tls=True",
}


def manage(*args: str, **env_changes: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in COMPLETE}
    env.update(COMPLETE)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_complete_production_settings_are_accepted():
    shown = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.CELERY_TASK_ALWAYS_EAGER, "
        "s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.CACHES['default']['BACKEND'], "
        "s.STORAGES['staticfiles']['BACKEND'], 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE)"
    )
    result = manage("shell", "-c", shown)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.no",
        "587",
        "True",
        "False",  # tasks go to the workers
        "True",
        "django.core.cache.backends.redis.RedisCache",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "True",
    ]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_SECRET_KEY", None, "DJANGO_SECRET_KEY must be set in production"),
        ("DJANGO_ALLOWED_HOSTS", None, "DJANGO_ALLOWED_HOSTS must be set in production"),
        ("DJANGO_SITE_URL", None, "DJANGO_SITE_URL must be set in production"),
        ("DJANGO_SITE_URL", "http://hf.example.no", "DJANGO_SITE_URL must be the https address"),
        ("REDIS_URL", None, "REDIS_URL must be set in production"),
        ("REDIS_URL", "", "REDIS_URL must be set in production"),
        ("DJANGO_EMAIL_URL", None, "DJANGO_EMAIL_URL must be set in production"),
        ("DJANGO_EMAIL_URL", "console://", "DJANGO_EMAIL_URL must name a mail server"),
        ("DATABASE_URL", None, "DATABASE_URL must name a PostgreSQL database"),
        ("DATABASE_URL", "sqlite:////tmp/x.sqlite3", "DATABASE_URL must name a PostgreSQL database"),
    ],
)
def test_production_refuses_to_start_without(variable, value, message):
    result = manage("check", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_refuses_the_demo_data():
    result = manage("load_demo")
    assert result.returncode != 0
    assert "load_demo kjører ikke med produksjonsinnstillingene" in result.stderr
    assert "superbruker med et kjent passord" in result.stderr


def test_wsgi_and_celery_default_to_production_settings():
    """gunicorn and the worker start with the production settings unless told otherwise."""
    for module in ("helsefellesskap/wsgi.py", "helsefellesskap/celery.py"):
        source = (BASE_DIR / module).read_text()
        assert 'setdefault("DJANGO_SETTINGS_MODULE", "helsefellesskap.settings.production")' in source
