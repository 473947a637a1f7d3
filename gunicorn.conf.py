"""gunicorn's settings for `make serve`; every value can be changed from the environment.

Sync workers, as Django's deployment guide describes for a WSGI app behind a reverse proxy that
buffers slow clients (README, "Production"). gunicorn itself reads WEB_CONCURRENCY (the number of
workers) and FORWARDED_ALLOW_IPS (the proxies whose X-Forwarded-* headers it trusts).
"""

import multiprocessing
import os
import re

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# gunicorn ≥ 25 opens a control socket (for gunicornc) at one path per user by default,
# $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl: a second server on the same machine
# takes that path over and deletes it when it stops. One socket per address instead.
_runtime = os.environ.get("XDG_RUNTIME_DIR", "")
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or os.path.join(
    _runtime if _runtime and os.path.isdir(_runtime) else os.path.expanduser("~/.gunicorn"),
    f"gunicorn-{re.sub(r'[^A-Za-z0-9.]+', '-', bind).strip('-')}.ctl",
)
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A notice PDF with many case papers can take several seconds to render on a first request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, so a slow leak in a library cannot grow without bound.
# A worker's restart costs ~1.6 s of CPU (Django and the portal imported again): with pages from
# the page cache at ~1 ms each, 2,000 requests is a few seconds of work, so a busy server may
# want GUNICORN_MAX_REQUESTS higher.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
backlog = 2048
accesslog = "-"
errorlog = "-"
# The client address is logged as the proxy passed it; no request bodies, no cookies.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
