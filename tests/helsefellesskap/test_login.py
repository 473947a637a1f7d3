"""Personal logins; repeated failures are refused for a while and the page says so."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.governance import factories as gf


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_login_page_explains_the_lockout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "5 mislykkede forsøk" in html
    assert "5 minutter" in html


@pytest.mark.django_db
def test_login_and_logout(client):
    gf.user("kari")
    response = client.post(reverse("account_login"), {"login": "kari", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.is_authenticated
    client.post(reverse("account_logout"))
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_repeated_failures_block_logins_for_a_while(client):
    gf.user("kari")
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": "kari", "password": "feil"})
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
    # Now even the right password is refused, with a plain message.
    response = client.post(reverse("account_login"), {"login": "kari", "password": "pw-for-tests-only"})
    assert response.status_code in (200, 429)
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert "For mange innloggingsforsøk" in response.content.decode()


@pytest.mark.django_db
def test_no_sign_up(client):
    response = client.get("/konto/signup/")
    assert response.status_code in (403, 404) or "stengt" in response.content.decode().lower()
