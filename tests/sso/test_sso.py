"""Single sign-on without a browser: the settings an operator writes, who a login links to, the pages."""

import json
from types import SimpleNamespace

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ImproperlyConfigured

from helsefellesskap.settings.base import oidc_apps
from helsefellesskap.sso import matching_users, verified_emails
from tests.governance import factories as gf
from tests.sso.idp import free_port

ENTRA = {
    "provider_id": "entra",
    "name": "Microsoft Entra ID",
    "client_id": "00000000-1111",
    "secret": "s3cret",
    "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
}


def test_oidc_apps_from_the_environment_turn_pkce_on():
    (app,) = oidc_apps(json.dumps([ENTRA]))
    assert app["provider_id"] == "entra" and app["name"] == "Microsoft Entra ID"
    assert (app["client_id"], app["secret"]) == ("00000000-1111", "s3cret")
    assert app["settings"] == {
        "server_url": ENTRA["server_url"],
        "oauth_pkce_enabled": True,
        "trust_email": False,
    }
    assert oidc_apps("") == [] and oidc_apps("  ") == []


def test_oidc_apps_take_a_scope_and_trust_email_only_when_true():
    idporten, entra = oidc_apps(
        json.dumps(
            [
                {**ENTRA, "provider_id": "idporten", "scope": "openid profile", "trust_email": "yes"},
                {**ENTRA, "scope": ["openid", "email"], "trust_email": True},
            ]
        )
    )
    assert (idporten["settings"]["scope"], idporten["settings"]["trust_email"]) == (
        ["openid", "profile"],
        False,
    )
    assert (entra["settings"]["scope"], entra["settings"]["trust_email"]) == (["openid", "email"], True)


def fake_login(addresses, *, trust_email=False):
    app = SimpleNamespace(settings={"trust_email": trust_email})
    emails = [SimpleNamespace(email=email, verified=verified) for email, verified in addresses]
    return SimpleNamespace(provider=SimpleNamespace(app=app), email_addresses=emails)


def test_only_verified_addresses_count_unless_the_provider_is_trusted():
    addresses = [("a@example.org", True), ("b@example.org", False), ("", True)]
    assert verified_emails(fake_login(addresses)) == ["a@example.org"]
    assert verified_emails(fake_login(addresses, trust_email=True)) == ["a@example.org", "b@example.org"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(ENTRA), "must be a JSON list"),
        (json.dumps([{**ENTRA, "secret": ""}]), "provider 1: missing secret"),
        (json.dumps([{**ENTRA, "provider_id": "Entra/ID"}]), "provider 1: provider_id must be unique"),
        (json.dumps([ENTRA, ENTRA]), "provider 2: provider_id must be unique"),
        (
            json.dumps([ENTRA, {"name": "x"}]),
            "provider 2: missing provider_id, client_id, secret, s",
        ),
    ],
)
def test_oidc_apps_say_what_is_wrong(value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        oidc_apps(value)


def test_oidc_settings_turn_pkce_on_for_every_provider(settings):
    config = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]
    assert config["OAUTH_PKCE_ENABLED"] is True
    assert config["SCOPE"] == ["openid", "email", "profile"]
    assert settings.SOCIALACCOUNT_ADAPTER == "helsefellesskap.sso.SocialAccountAdapter"


@pytest.mark.django_db
def test_matching_users_by_login_or_person_email_active_only():
    on_login = gf.user("on-login", email="a@example.org")
    on_person = gf.person_with_login("on-person", email="B@example.org").user
    gf.user("inactive", email="c@example.org", is_active=False)
    assert list(matching_users(["A@example.org"])) == [on_login]
    assert list(matching_users(["b@example.org"])) == [on_person]
    assert list(matching_users(["c@example.org"])) == []
    assert list(matching_users([])) == []
    gf.user("twin", email="b@example.org")
    assert matching_users(["b@example.org"]).count() == 2  # ambiguous: refused by the adapter


@pytest.fixture
def with_provider(settings):
    config = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {**config, "APPS": oidc_apps(json.dumps([ENTRA]))}}


@pytest.mark.django_db
def test_login_page_without_providers_has_no_sso_buttons(client):
    assert "Logg inn med" not in client.get("/konto/login/").content.decode()


@pytest.mark.django_db
def test_login_page_has_a_button_per_configured_provider(client, with_provider):
    page = client.get("/konto/login/?next=/min-side/").content.decode()
    assert "Logg inn med Microsoft Entra ID" in page
    # A POST (with the CSRF token) to allauth's login view, which keeps where they were going.
    assert '<form method="post" action="/konto/oidc/entra/login/?next=%2Fmin-side%2F"' in page


@pytest.mark.django_db
def test_a_user_sees_and_removes_a_connected_login(client, with_provider):
    user = gf.user("kari", email="kari@example.org")
    account = SocialAccount.objects.create(
        user=user, provider="entra", uid="sub-1", extra_data={"userinfo": {"email": "kari@example.org"}}
    )
    client.force_login(user)
    page = client.get("/konto/3rdparty/").content.decode()
    assert "Microsoft Entra ID: kari@example.org" in page
    assert "Koble til Microsoft Entra ID" in page
    response = client.post("/konto/3rdparty/", {"account": account.pk}, follow=True)
    assert response.status_code == 200
    assert not SocialAccount.objects.filter(pk=account.pk).exists()
    assert "Ingen innlogging fra en annen tjeneste" in response.content.decode()


@pytest.mark.django_db
def test_an_unreachable_provider_gives_a_norwegian_page_not_a_500(client, settings):
    config = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]
    down = {**ENTRA, "server_url": f"http://127.0.0.1:{free_port()}"}  # nothing listens there
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {**config, "APPS": oidc_apps(json.dumps([down]))}}
    response = client.post("/konto/oidc/entra/login/")
    assert response.status_code == 503
    assert "Innloggingstjenesten svarte ikke" in response.content.decode()


@pytest.mark.django_db
def test_a_callback_with_an_error_or_a_forged_state_logs_nobody_in(client, with_provider):
    for query in ("error=access_denied", "code=forged&state=forged"):
        response = client.get(f"/konto/oidc/entra/login/callback/?{query}")
        assert response.status_code == 401
        assert "Innloggingstjenesten fullførte ikke innloggingen" in response.content.decode()
    assert "_auth_user_id" not in client.session
