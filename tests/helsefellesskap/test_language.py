"""The portal speaks bokmål unless the visitor chose English on the site."""
# (The login page is allauth's: /admin/login/ redirects to it.)

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_bokmal_by_default_even_for_an_english_browser(client):
    response = client.get("/konto/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "nb"
    assert "Brukernavn" in response.content.decode()
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_chosen_language_is_used(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/konto/login/")
    assert response["Content-Language"] == "en"
    assert "Username" in response.content.decode()


@pytest.mark.django_db
def test_unknown_language_falls_back_to_bokmal(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/konto/login/")["Content-Language"] == "nb"
