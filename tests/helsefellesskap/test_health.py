"""The load balancer's health check: 200 when the database and the cache answer, else 503."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

URL = "/helse/"


def test_the_health_path_is_the_named_route():
    assert reverse("health") == URL


@pytest.mark.django_db
def test_healthy_server_answers_200_with_a_tiny_body_that_is_never_cached(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    # No session for a probe that comes every few seconds.
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_health_costs_one_query(client, django_assert_num_queries):
    client.get(URL)  # the first request may load the URL configuration and translations
    with django_assert_num_queries(1):
        assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_head_is_answered_and_post_is_not(client):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


@pytest.mark.django_db
def test_503_when_the_cache_fails(client, caplog):
    with mock.patch("helsefellesskap.health.cache") as cache:
        cache.set.side_effect = ConnectionError("redis://secret-host:6379 refused")
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "no-store" in response["Cache-Control"]
    # The caller learns nothing about what failed; the log names the kind of failure only.
    assert b"redis" not in response.content.lower()
    assert "ConnectionError" in caplog.text
    assert "secret-host" not in caplog.text


@pytest.mark.django_db
def test_503_when_the_cache_forgets_the_key(client):
    with mock.patch("helsefellesskap.health.cache") as cache:
        cache.get.return_value = None
        assert client.get(URL).status_code == 503


@pytest.mark.django_db
def test_503_when_the_database_fails(client):
    with mock.patch("helsefellesskap.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server at db.internal")
        response = client.get(URL)
    assert response.status_code == 503
    assert b"db.internal" not in response.content
    assert response.json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_a_partnership_cannot_take_the_health_path():
    from django.core.exceptions import ValidationError

    from governance.models import validate_partnership_slug

    with pytest.raises(ValidationError):
        validate_partnership_slug("helse")
