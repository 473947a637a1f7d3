"""The benchmark's floor: a minimal Django project with no database (bench/web.py serves it).

The same Django and gunicorn as the portal, the usual security middleware, templates with
autoescaping, and nothing else: no database, sessions, auth, translations or cache.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "bench-baseline-" + "x" * 50)
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "baseline.urls"
WSGI_APPLICATION = "baseline.wsgi.application"
INSTALLED_APPS = ["baseline"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"context_processors": []},
    }
]
DATABASES = {}
USE_I18N = False
USE_TZ = True
TIME_ZONE = "Europe/Oslo"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
LOGGING = {"version": 1, "disable_existing_loggers": False}
