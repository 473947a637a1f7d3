"""gunicorn's settings for `make serve`; every value can be changed from the environment.

Sync workers, as Django's deployment guide describes for a WSGI app behind a reverse proxy that
buffers slow clients (README, "Production"). gunicorn itself reads WEB_CONCURRENCY (the number of
workers) and FORWARDED_ALLOW_IPS (the proxies whose X-Forwarded-* headers it trusts).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A notice PDF with many case papers can take several seconds to render on a first request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, so a slow leak in a library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
backlog = 2048
accesslog = "-"
errorlog = "-"
# The client address is logged as the proxy passed it; no request bodies, no cookies.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn 27's control socket (for `gunicornc`) defaults to one path per user,
# ~/.gunicorn/gunicorn.ctl, which a second server on the same machine would take over; off
# unless GUNICORN_CONTROL_SOCKET names a path of this server's own.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
