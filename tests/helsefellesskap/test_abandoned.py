"""A request whose client has gone is answered 499 without running the app; others run."""

import socket

import pytest

from helsefellesskap.abandoned import GONE, skip_abandoned


def run(environ):
    calls, statuses = [], []

    def app(environ, start_response):
        calls.append(environ)
        start_response("200 OK", [])
        return [b"page"]

    body = skip_abandoned(app)(environ, lambda status, headers: statuses.append(status))
    return calls, statuses, b"".join(body)


@pytest.fixture
def connection():
    server, client = socket.socketpair()
    client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    server.recv(1024)  # gunicorn has read the request
    yield server, client
    server.close()
    client.close()


def test_a_waiting_client_gets_the_page(connection):
    server, _client = connection
    calls, statuses, body = run({"gunicorn.socket": server})
    assert (len(calls), statuses, body) == (1, ["200 OK"], b"page")


def test_a_client_that_closed_gets_499_and_the_app_does_not_run(connection):
    server, client = connection
    client.close()
    calls, statuses, body = run({"gunicorn.socket": server})
    assert (calls, statuses, body) == ([], [GONE], b"")


def test_a_request_body_still_to_read_is_not_mistaken_for_a_closed_client(connection):
    server, client = connection
    client.sendall(b"name=value")
    calls, _statuses, _body = run({"gunicorn.socket": server})
    assert len(calls) == 1


def test_without_gunicorn_nothing_changes():
    calls, statuses, _body = run({})
    assert (len(calls), statuses) == (1, ["200 OK"])
