"""Personal logins; repeated failures are refused for a while and the page says so."""

import re

import pytest
from django.urls import reverse

from tests.governance import factories as gf


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
    page = response.content.decode()
    assert "For mange innloggingsforsøk" in page
    # It says when to try again: in 5 minutes, by the clock.
    assert re.search(r"prøv igjen om 5 minutter, senest kl\. \d\d\.\d\d", page), page


@pytest.mark.django_db
def test_no_sign_up(client):
    response = client.get("/konto/signup/")
    assert response.status_code in (403, 404) or "stengt" in response.content.decode().lower()


def _failures_then_login(client, *, addresses, last):
    """Ten failed logins for ten usernames, one per client address, all through one proxy; then
    the right password from `last`."""
    gf.user("kari")
    for number, address in enumerate(addresses):
        client.post(
            reverse("account_login"),
            {"login": f"ukjent{number}", "password": "feil"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        )
    response = client.post(
        reverse("account_login"),
        {"login": "kari", "password": "pw-for-tests-only"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=last,
    )
    return response


@pytest.mark.django_db
def test_behind_a_trusted_proxy_one_address_failing_does_not_lock_out_the_others(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    response = _failures_then_login(client, addresses=["203.0.113.9"] * 10, last="198.51.100.20")
    assert response.status_code == 302  # another visitor behind the same proxy logs in


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_failing_address_itself_is_limited(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    response = _failures_then_login(client, addresses=["203.0.113.9"] * 10, last="203.0.113.9")
    assert response.status_code in (200, 429)
    assert "For mange innloggingsforsøk" in response.content.decode()


@pytest.mark.django_db
def test_without_the_proxy_count_everyone_behind_the_proxy_shares_one_limit(client, settings):
    """Why DJANGO_TRUSTED_PROXY_COUNT must be set behind a proxy (README, Production)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    response = _failures_then_login(client, addresses=["203.0.113.9"] * 10, last="198.51.100.20")
    assert "For mange innloggingsforsøk" in response.content.decode()
