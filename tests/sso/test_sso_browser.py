"""Single sign-on in a real browser against a real OpenID Connect provider.

The provider is npm's oidc-provider (tests/sso/provider/server.js) in its own Node.js process, with
its own login and consent pages; it requires PKCE. The portal runs in Django's live server with
DJANGO_OIDC_PROVIDERS pointing at it, and Chromium goes through the whole code flow: the portal's
"Logg inn med Test-IdP" button, the provider's pages, the callback, the token and userinfo requests.
"""

import re

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from helsefellesskap.settings.base import oidc_apps
from tests.governance import factories as gf
from tests.sso.idp import PROVIDER_ID, PROVIDER_NAME, Provider

pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK_PATH = f"/konto/oidc/{PROVIDER_ID}/login/callback/"
REFUSED = "Vi fant ingen bruker med denne e-postadressen; kontakt sekretariatet"


@pytest.fixture
def idp(live_server, tmp_path):
    provider = Provider(redirect_uri=live_server.url + CALLBACK_PATH, log_path=tmp_path / "idp.log")
    yield provider
    provider.stop()


@pytest.fixture
def portal(live_server, idp, settings):
    """The live server, with the provider configured as an operator would (DJANGO_OIDC_PROVIDERS)."""
    openid_connect = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**openid_connect, "APPS": oidc_apps(idp.portal_config())}
    }
    return live_server


@pytest.fixture
def kari(db):
    """A member the secretariat made: the e-mail is on her person, not on her login."""
    person = gf.person_with_login("kari", name="Kari Nordmann", email="Kari.Nordmann@example.org")
    person.user.first_name, person.user.last_name = "Kari", "Nordmann"
    person.user.save()
    return person.user


def sso_login(browser, portal, idp, account: str, next_path: str = "/konto/3rdparty/"):
    """Click the portal's button, log in and consent at the provider; returns the page after."""
    page = browser.new_context().new_page()
    # The provider's own pages ask for a web font; nothing leaves this machine.
    page.route(re.compile(r"^https://fonts\."), lambda route: route.abort())
    page.goto(f"{portal.url}/konto/login/?next={next_path}")
    page.get_by_role("button", name=f"Logg inn med {PROVIDER_NAME}").click()
    expect(page.locator("input[name=login]")).to_be_visible()  # the provider's login page
    assert page.url.startswith(idp.issuer + "/")
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "any password, devInteractions takes it")
    page.click("button[type=submit]")
    expect(page.locator("input[name=prompt][value=consent]")).to_be_attached()  # its consent page
    page.click("button[type=submit]")
    return page


def test_sso_links_the_verified_email_to_the_existing_user_with_pkce(browser, portal, idp, kari):
    users_before = get_user_model().objects.count()
    page = sso_login(browser, portal, idp, "kari")

    expect(page).to_have_url(f"{portal.url}/konto/3rdparty/")
    expect(page.locator("#logged-in-as")).to_have_text("Logget inn som Kari Nordmann.")
    expect(page.locator("main form.card label")).to_contain_text(PROVIDER_NAME)
    account = SocialAccount.objects.get(provider=PROVIDER_ID)
    assert (account.uid, account.user) == ("kari", kari)
    assert get_user_model().objects.count() == users_before  # linked, not created

    # The provider saw a PKCE challenge (S256) with the authorization request, and the portal's
    # token request passed its verifier (a grant is only issued then).
    codes = idp.events("authorization_code.saved")
    assert [(c["account"], c["code_challenge"], c["code_challenge_method"]) for c in codes] == [
        ("kari", True, "S256")
    ]
    assert idp.events("grant.success")

    # Later logins find her by the provider's subject, whatever her e-mail becomes.
    kari.person.email = ""
    kari.person.save()
    again = sso_login(browser, portal, idp, "kari", next_path="/min-side/")
    expect(again).to_have_url(f"{portal.url}/min-side/")
    expect(again.get_by_role("heading", level=1)).to_have_text("Min side")


def test_sso_refuses_an_email_no_user_has_and_logs_nobody_in(browser, portal, idp, kari):
    users_before = get_user_model().objects.count()
    page = sso_login(browser, portal, idp, "ukjent")

    expect(page.locator("#sso-refused")).to_contain_text(REFUSED)
    assert SocialAccount.objects.count() == 0
    assert get_user_model().objects.count() == users_before
    page.goto(f"{portal.url}/min-side/")
    expect(page).to_have_url(re.compile(r"/konto/login/\?next=/min-side/$"))


def test_sso_refuses_an_unverified_email_even_if_it_matches(browser, portal, idp, kari):
    page = sso_login(browser, portal, idp, "uverifisert")

    expect(page.locator("#sso-refused")).to_contain_text("ga ingen bekreftet e-postadresse")
    assert SocialAccount.objects.count() == 0
    page.goto(f"{portal.url}/min-side/")
    expect(page).to_have_url(re.compile(r"/konto/login/"))


def test_the_provider_refuses_a_client_without_pkce(browser, portal, idp, settings):
    # Straight to the provider: an authorization request without a code_challenge is refused.
    config = requests.get(idp.discovery_url, timeout=5).json()
    params = {
        "client_id": "helsefellesskap-test",
        "response_type": "code",
        "scope": "openid email",
        "redirect_uri": portal.url + CALLBACK_PATH,
        "state": "x",
    }
    answer = requests.get(config["authorization_endpoint"], params=params, allow_redirects=False, timeout=5)
    assert answer.status_code in (302, 303)
    assert "error=invalid_request" in answer.headers["Location"]
    assert "PKCE" in requests.utils.unquote(answer.headers["Location"]).replace("+", " ")

    # And the portal with PKCE turned off gets no login: the provider sends it back with an error.
    apps = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
    for app in apps:
        app["settings"]["oauth_pkce_enabled"] = False
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "OAUTH_PKCE_ENABLED": False}
    }
    page = browser.new_context().new_page()
    page.goto(f"{portal.url}/konto/login/")
    page.get_by_role("button", name=f"Logg inn med {PROVIDER_NAME}").click()
    expect(page.locator("#sso-error")).to_contain_text("ikke logget inn")
    assert idp.events("authorization.error")[-1]["description"].endswith(
        "requires PKCE to be used for this request"
    )


def test_a_login_without_email_is_connected_by_the_user_then_logs_in(browser, portal, idp, kari):
    """ID-porten gives no e-mail: Kari logs in with her password and connects it herself."""
    refused = sso_login(browser, portal, idp, "idporten")
    expect(refused.locator("#sso-refused")).to_contain_text("ga ingen bekreftet e-postadresse")
    refused.get_by_role("link", name=f"Logg inn og koble til {PROVIDER_NAME}").click()
    refused.fill("#id_login", "kari")
    refused.fill("#id_password", "pw-for-tests-only")
    refused.click("main form.login-form button[type=submit]")
    expect(refused).to_have_url(f"{portal.url}/konto/3rdparty/")
    expect(refused.locator("main form.card label")).to_have_count(0)

    # The provider still has her session and consent from a moment ago: straight back.
    refused.get_by_role("button", name=f"Koble til {PROVIDER_NAME}").click()
    expect(refused).to_have_url(f"{portal.url}/konto/3rdparty/")
    expect(refused.locator("main form.card label")).to_contain_text(PROVIDER_NAME)
    assert SocialAccount.objects.get(uid="idporten").user == kari

    page = sso_login(browser, portal, idp, "idporten")
    expect(page.locator("#logged-in-as")).to_have_text("Logget inn som Kari Nordmann.")
