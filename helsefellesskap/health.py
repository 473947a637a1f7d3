"""The load balancer's health check: may this app server take requests?

200 when the database answers `SELECT 1` and the shared cache (Redis in production: sessions'
lockout counts and the task queue live there) stores and returns a key; 503 otherwise. The body
says only "ok" or "unavailable": what failed goes to the server log, never to the caller.
The path is exempt from the HTTPS redirect (settings/production.py), needs no login and is
never cached.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:  # any failure means "not ready", whatever the driver raises
        logger.warning("Health check: the database does not answer (%s)", type(error).__name__)
        return False


def cache_answers() -> bool:
    # A key of its own per check, so concurrent checks on other workers cannot disturb it.
    key = f"helse:{secrets.token_hex(8)}"
    try:
        cache.set(key, "ok", timeout=10)
        answered = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as error:
        logger.warning("Health check: the cache does not answer (%s)", type(error).__name__)
        return False
    if not answered:
        logger.warning("Health check: the cache did not return the key it was given")
    return answered


@require_safe
@never_cache
def health(request):
    if database_answers() and cache_answers():
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "unavailable"}, status=503)
