"""Skip requests whose client has already gone, instead of building a page for nobody.

A client may close its connection while its request waits in the listen backlog for a free
gunicorn worker: a browser's reload or a closed tab, a proxy that gave up, the end of a load
test. A sync worker would still run the whole view for it, and every request queued behind it
waits that much longer: after 200 abandoned connections the server answered a health check only
15 s later (bench/README.md). Before the app runs, one non-blocking peek at the socket tells:
end of stream or a reset means the client is gone, and the request is answered "499 Client
Closed Request" (nginx's code for it, so the access log shows it) without running Django. Data
or nothing yet means the client is waiting: the request runs as usual. Outside gunicorn (the
test client, runserver) there is no socket to look at and nothing changes.
"""

import socket

GONE = "499 Client Closed Request"


def client_gone(environ) -> bool:
    sock = environ.get("gunicorn.socket")
    if sock is None:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False  # nothing to read yet: the client is waiting for the answer
    except (ConnectionResetError, BrokenPipeError):
        return True
    except (OSError, ValueError):
        return False  # e.g. a TLS socket, which cannot peek: serve as usual


def skip_abandoned(app):
    def application(environ, start_response):
        if client_gone(environ):
            start_response(GONE, [("Content-Length", "0")])
            return [b""]
        return app(environ, start_response)

    return application
