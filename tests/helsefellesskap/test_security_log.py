"""Security events reach the `helsefellesskap.security` log, and no secret does."""

import logging
import re

import pytest
from allauth.account import signals as account_signals
from allauth.core.internal.ratelimit import respond_429
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

import helsefellesskap.urls  # noqa: F401  (the receivers connect with the URLs, as in every request)
from tests.conftest import login_with_second_factor
from tests.governance import factories as gf

LOGGER = "helsefellesskap.security"
PASSWORD = "pw-for-tests-only"
WRONG = "Feil-passord-9x7!"


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    def read():
        return [record for record in caplog.records if record.name == LOGGER]

    return read


def names(records):
    return [record.security_event for record in records]


def csrf_client():
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.7")
    client.get(reverse("account_login"))
    return client, client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_login_and_logout_are_logged_with_user_and_address_but_no_secrets(events, caplog):
    user = gf.user("kari")
    client, token = csrf_client()
    response = client.post(
        reverse("account_login"),
        {"login": "kari", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    session_key = client.session.session_key
    client.post(reverse("account_logout"), {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    login, logout = events()
    assert (login.security_event, login.user, login.username, login.ip) == (
        "login",
        str(user.pk),
        "kari",
        "203.0.113.7",
    )
    assert (logout.security_event, logout.user) == ("logout", str(user.pk))
    assert re.search(
        r"^login user=\d+ username=kari path=/konto/login/ ip=203\.0\.113\.7$", login.getMessage()
    )
    for secret in (PASSWORD, session_key, token, client.cookies["csrftoken"].value):
        assert secret not in caplog.text


@pytest.mark.django_db
def test_failed_login_logs_the_username_tried_never_the_password(events, caplog):
    gf.user("kari")
    client, token = csrf_client()
    client.post(reverse("account_login"), {"login": "kari", "password": WRONG, "csrfmiddlewaretoken": token})
    (failed,) = events()
    assert failed.security_event == "login_failed"
    assert failed.levelno == logging.WARNING
    assert failed.username == "kari"
    assert failed.ip == "203.0.113.7"
    assert WRONG not in caplog.text
    assert token not in caplog.text


@pytest.mark.django_db
def test_lockout_after_repeated_failures_is_logged(events, caplog):
    gf.user("kari")
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "kari", "password": WRONG})
    # Locked: even the right password is refused, before it is checked.
    client.post(reverse("account_login"), {"login": "kari", "password": PASSWORD})
    assert names(events()) == ["login_failed"] * 5 + ["login_locked_out"]
    assert events()[-1].username == "kari"
    assert PASSWORD not in caplog.text and WRONG not in caplog.text


@pytest.mark.django_db
def test_a_username_cannot_forge_a_log_line(events):
    client = Client()
    client.post(reverse("account_login"), {"login": "kari\nlogin user=1 username=admin", "password": WRONG})
    (failed,) = events()
    assert "\n" not in failed.getMessage()


@pytest.mark.django_db
def test_refused_access_logs_path_user_and_address(events):
    staff = gf.user("ansatt", is_staff=True)  # staff, but no permission to add users
    client = Client(REMOTE_ADDR="198.51.100.4")
    login_with_second_factor(client, staff)
    response = client.get("/admin/auth/user/add/")
    assert response.status_code == 403
    (refused,) = [r for r in events() if r.security_event == "access_refused"]
    assert (refused.path, refused.user, refused.ip) == (
        "/admin/auth/user/add/",
        str(staff.pk),
        "198.51.100.4",
    )


@pytest.mark.django_db
def test_behind_trusted_proxies_the_log_names_the_client_not_the_proxy(events, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    staff = gf.user("ansatt", is_staff=True)
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.4")
    login_with_second_factor(client, staff)
    assert client.get("/admin/auth/user/add/").status_code == 403
    (refused,) = [r for r in events() if r.security_event == "access_refused"]
    assert refused.ip == "198.51.100.4"  # the address the one trusted proxy saw, not a forged one


@pytest.mark.django_db
def test_password_change_is_logged_without_either_password(events, caplog):
    user = gf.user("kari")
    client = Client()
    client.force_login(user)
    new = "Nytt-og-langt-passord-2026"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert "password_changed" in names(events())
    assert PASSWORD not in caplog.text and new not in caplog.text


@pytest.mark.django_db
def test_password_reset_and_set_are_logged(events):
    user = gf.user("kari")
    request = RequestFactory().post("/konto/password/reset/key/x/", REMOTE_ADDR="192.0.2.9")
    account_signals.password_reset.send(sender=type(user), request=request, user=user)
    account_signals.password_set.send(sender=type(user), request=request, user=user)
    assert names(events()) == ["password_reset", "password_set"]
    assert {(r.user, r.ip) for r in events()} == {(str(user.pk), "192.0.2.9")}


@pytest.mark.django_db
def test_other_rate_limits_are_logged(events):
    request = RequestFactory().post("/konto/password/reset/", REMOTE_ADDR="192.0.2.10")
    request.user = AnonymousUser()
    response = respond_429(request)
    assert response.status_code == 429
    (limited,) = events()
    assert (limited.security_event, limited.ip) == ("rate_limited", "192.0.2.10")
