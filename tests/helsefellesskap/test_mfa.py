"""The second factor: required for the secretariat and staff before the workspace and the admin,
asked for at login, and reset by another secretariat member when a device is lost."""

import logging
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import auth as totp
from django.test import Client
from django.urls import reverse

import helsefellesskap.urls  # noqa: F401  (the receivers connect with the URLs, as in every request)
from helsefellesskap import sessions
from tests import htmlcheck
from tests.conftest import enrol_totp, login_with_second_factor, totp_code
from tests.governance import factories as gf

PASSWORD = "pw-for-tests-only"
LOGGER = "helsefellesskap.security"


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    return lambda name: [r for r in caplog.records if r.name == LOGGER and r.security_event == name]


@pytest.fixture(params=["db", "cached_db"])
def session_engine(request, settings):
    """Sessions in the database, and (as in production, with Redis) also in the cache: an ended
    session must end in both."""
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{request.param}"
    return request.param


def workspace(world):
    return reverse("manage:overview", args=[world.partnership.slug])


def password_login(client, user):
    return client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})


def test_secretariat_without_an_authenticator_is_sent_to_enrol(world, events):
    client = Client()
    password_login(client, world.users["secretariat"])
    response = client.get(workspace(world), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    page = response.content.decode()
    assert "andre faktor" in page  # the Norwegian explanation of why
    assert "<svg" in page and 'id="authenticator_secret"' in page  # the QR code and the key
    assert [e.sent_to for e in events("mfa_required")] == ["enrol"]


def test_a_login_that_skipped_the_second_factor_is_asked_for_it(world):
    user = world.users["secretariat"]
    enrol_totp(user)
    client = Client()
    client.force_login(user)  # a login that did not go through the code step
    response = client.get(workspace(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(response["Location"], {"code": totp_code(user), "next": workspace(world)})
    assert response.status_code == 302
    assert client.get(workspace(world)).status_code == 200


def test_login_asks_for_the_code_then_opens_the_workspace(world):
    user = world.users["secretariat"]
    enrol_totp(user)
    client = Client()
    response = password_login(client, user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not client.get("/").wsgi_request.user.is_authenticated  # not in before the code
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(user)}).status_code == 302
    assert client.get(workspace(world)).status_code == 200


def test_a_recovery_code_logs_in_once(world):
    user = world.users["secretariat"]
    enrol_totp(user)
    code = RecoveryCodes.activate(user).get_unused_codes()[0]
    for attempt in ("first", "second"):
        client = Client()
        password_login(client, user)
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        if attempt == "first":
            assert response.status_code == 302
            assert client.get(workspace(world)).status_code == 200
        else:
            assert response.status_code == 200  # used up
            assert not client.get("/").wsgi_request.user.is_authenticated


def test_members_are_not_forced_but_may_enrol(world):
    client = Client()
    client.force_login(world.users["member"])
    page = client.get(reverse("members:home")).content.decode()
    assert reverse("mfa_index") in page
    assert client.get(reverse("mfa_index")).status_code == 200


def test_admin_refused_to_staff_without_the_second_factor(db):
    staff = gf.user("drift", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    login_with_second_factor(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_is_the_portals_login_with_its_lockout(db):
    gf.user("drift", is_staff=True)
    client = Client()
    # The admin's own form is gone: a POST with the right password logs no one in.
    response = client.post(reverse("admin:login"), {"username": "drift", "password": PASSWORD})
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("account_login") + "?next=")
    assert not client.get("/").wsgi_request.user.is_authenticated
    for _ in range(5):
        client.post(login_url, {"login": "drift", "password": "feil-passord"})
    response = client.post(login_url, {"login": "drift", "password": PASSWORD})
    assert "For mange innloggingsforsøk" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db(transaction=True)  # allauth sends its signal on commit, inside the request
def test_enrolling_marks_this_login_and_ends_the_others(world, events, session_engine):
    user = world.users["secretariat"]
    other = Client()
    other.force_login(user)
    client = Client()
    password_login(client, user)  # a fresh password login: no reauthentication asked
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[totp.SECRET_SESSION_KEY]
    code = totp.format_hotp_value(totp.hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert client.get(workspace(world)).status_code == 200
    assert not other.get("/").wsgi_request.user.is_authenticated
    assert [e.type for e in events("mfa_added")] == ["totp", "recovery_codes"]


def test_a_password_change_ends_the_other_sessions(world, session_engine):
    user = world.users["member"]
    other, client = Client(), Client()
    other.force_login(user)
    password_login(client, user)
    new = "Et-nytt-og-langt-passord-2026"
    response = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.is_authenticated
    assert not other.get("/").wsgi_request.user.is_authenticated


def test_passwords_need_twelve_characters(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="12"):
        validate_password("Kort-pass-9")
    with pytest.raises(ValidationError):
        validate_password("1qaz2wsx3edc")  # a common one
    validate_password("Et-langt-passord-uten-mønster")


# ---------------------------------------------------------------------------
# Session lifetime
# ---------------------------------------------------------------------------


def _age_session(client, **seconds_ago):

    session = client.session
    for key, ago in seconds_ago.items():
        session[getattr(sessions, key)] = int(time.time()) - ago
    session.save()


def test_secretariat_idle_for_an_hour_is_logged_out(secretariat_client, world, events):
    _age_session(secretariat_client, LAST_SEEN=61 * 60)
    response = secretariat_client.get(workspace(world), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert not response.wsgi_request.user.is_authenticated
    assert "60 minutter uten aktivitet" in response.content.decode()
    assert events("session_expired")[0].reason == "idle"


def test_members_have_no_idle_timeout_but_the_same_lifetime(member_client):
    _age_session(member_client, LAST_SEEN=3 * 60 * 60)
    assert member_client.get(reverse("members:home")).status_code == 200
    _age_session(member_client, LOGIN_AT=13 * 60 * 60)
    response = member_client.get(reverse("members:home"), follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert "12 timer" in response.content.decode()


# ---------------------------------------------------------------------------
# Lost device
# ---------------------------------------------------------------------------


def reset_url(world, persona):
    return reverse("manage:second_factor_reset", args=[world.partnership.slug, world.users[persona].pk])


def test_another_secretariat_member_resets_a_lost_device(world, secretariat_client, events, session_engine):
    leader = world.users["leader"]
    enrol_totp(leader)
    RecoveryCodes.activate(leader)
    leaders_session = Client()
    leaders_session.force_login(leader)
    page = secretariat_client.get(reverse("manage:second_factors", args=[world.partnership.slug]))
    assert reset_url(world, "leader") in page.content.decode()
    assert secretariat_client.get(reset_url(world, "leader")).status_code == 200  # the confirmation
    response = secretariat_client.post(reset_url(world, "leader"), {"reason": "Mistet telefonen"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=leader).exists()
    assert not leaders_session.get("/").wsgi_request.user.is_authenticated
    (event,) = events("mfa_reset")
    assert (event.user, event.by, event.reason) == (
        str(leader.pk),
        str(world.users["secretariat"].pk),
        '"Mistet telefonen"',
    )


def test_a_reset_needs_a_reason(world, secretariat_client):
    enrol_totp(world.users["leader"])
    response = secretariat_client.post(reset_url(world, "leader"), {"reason": "  "})
    assert response.status_code == 400
    assert Authenticator.objects.filter(user=world.users["leader"]).exists()


def test_no_reset_of_oneself_another_partnership_or_a_superuser(world, secretariat_client, client_as):
    for persona in ("secretariat", "other_secretariat"):
        enrol_totp(world.users[persona])
        assert secretariat_client.post(reset_url(world, persona), {"reason": "x"}).status_code == 404
    # A superuser with a seat in the partnership is reset only by a superuser.
    leader = world.users["leader"]
    leader.is_superuser = True
    leader.save()
    enrol_totp(leader)
    assert secretariat_client.post(reset_url(world, "leader"), {"reason": "x"}).status_code == 404
    assert client_as("other_secretariat").get(reset_url(world, "member")).status_code == 404
    assert Authenticator.objects.count() == 3


@pytest.mark.parametrize(
    "name, heading",
    [
        ("mfa_index", "Tofaktorautentisering"),
        ("mfa_activate_totp", "Sett opp en autentiseringsapp"),
        ("mfa_add_webauthn", "Legg til sikkerhetsnøkkel"),
        ("mfa_list_webauthn", "Sikkerhetsnøkler"),
    ],
)
def test_every_page_to_manage_the_second_factor_is_norwegian(world, name, heading):
    client = Client()
    password_login(client, world.users["member"])
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_the_second_factor_pages_are_valid_html(world, secretariat_client):
    htmlcheck.vnu_jar()
    leader = world.users["leader"]
    enrol_totp(leader)
    pages = {
        "reset-list": secretariat_client.get(reverse("manage:second_factors", args=[world.partnership.slug])),
        "reset-confirm": secretariat_client.get(reset_url(world, "leader")),
        "reset-refused": secretariat_client.post(reset_url(world, "leader"), {"reason": ""}),
    }
    enrolling = Client()
    password_login(enrolling, world.users["secretariat"])
    pages["enrol"] = enrolling.get(reverse("mfa_activate_totp"))
    code_step = Client()
    password_login(code_step, leader)
    pages["code"] = code_step.get(reverse("mfa_authenticate"))
    RecoveryCodes.activate(world.users["secretariat"])
    pages["recovery-codes"] = secretariat_client.get(reverse("mfa_view_recovery_codes"))
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
    errors = htmlcheck.errors({name: response.content for name, response in pages.items()})
    assert not errors, "\n".join(errors)


@pytest.mark.django_db(transaction=True)  # allauth sends its signal on commit, inside the request
def test_removing_the_last_authenticator_closes_the_workspace_until_a_new_one(world, events, session_engine):
    user = world.users["secretariat"]
    enrol_totp(user)
    other, client = Client(), Client()
    login_with_second_factor(other, user)
    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert client.get(workspace(world)).status_code == 200
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    assert [e.type for e in events("mfa_removed")] == ["totp"]
    assert not other.get("/").wsgi_request.user.is_authenticated
    response = client.get(workspace(world))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
