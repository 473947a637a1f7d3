"""The workspace page "Sikkerhetslogg": each secretariat reads its own partnership's users' events."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

import helsefellesskap.urls  # noqa: F401  (the receivers connect with the URLs, as in every request)
from governance.models import SecurityEvent
from helsefellesskap import security_log
from tests.conftest import login_with_second_factor

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
WRONG = "Feil-passord-9x7!"


def request_to(path="/", ip="203.0.113.9"):
    return RequestFactory().get(path, REMOTE_ADDR=ip)


def log_for(user, event="login", **fields):
    security_log.log_event(event, request_to(), user=str(user.pk), **fields)


def page_url(partnership):
    return reverse("manage:security_log", args=[partnership.slug])


@pytest.fixture
def events(world):
    log_for(world.users["member"], "login")
    login = request_to("/konto/login/")
    security_log.login_failed(None, {"username": "member", "password": WRONG}, request=login)
    security_log.login_failed(None, {"username": "finnes-ikke"}, request=login)
    log_for(world.users["other_secretariat"], "login")
    return SecurityEvent.objects.all()


def shown(response) -> str:
    return response.content.decode()


def test_secretariat_sees_its_own_users_events_only(world, events, client_as):
    response = client_as("secretariat").get(page_url(world.partnership))
    assert response.status_code == 200
    text = shown(response)
    assert "Sikkerhetslogg" in text
    assert 'Member <span class="meta">(member)</span>' in text  # the person's name and login
    assert "Mislykket innlogging" in text  # the failed login for an existing username is the user's
    assert "203.0.113.9" in text
    assert "Other Secretariat" not in text
    assert "finnes-ikke" not in text  # no user: for superusers in the admin only
    assert WRONG not in text


def test_other_partnerships_secretariat_sees_its_own_and_not_ours(world, events, client_as):
    other = client_as("other_secretariat")
    response = other.get(page_url(world.other_partnership))
    assert response.status_code == 200
    assert "Other Secretariat" in shown(response)
    assert "(member)" not in shown(response)
    assert other.get(page_url(world.partnership)).status_code == 404


@pytest.mark.parametrize("persona", ["member", "leader", "former_member"])
def test_members_get_no_security_log(world, events, client_as, persona):
    assert client_as(persona).get(page_url(world.partnership)).status_code == 404


def test_visitor_is_sent_to_login(world, anon_client):
    response = anon_client.get(page_url(world.partnership))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_filter_by_event(world, events, client_as):
    client = client_as("secretariat")
    response = client.get(page_url(world.partnership), {"hendelse": "login_failed"})
    assert response.status_code == 200
    assert "Mislykket innlogging" in shown(response)
    assert "1 hendelse" in shown(response)
    refused = client.get(page_url(world.partnership), {"hendelse": "ikke-en-hendelse"})
    assert refused.status_code == 400
    assert "Velg et gyldig valg" in shown(refused)


def test_newest_first_and_paginated(world, client_as):
    member = world.users["member"]
    for number in range(60):
        log_for(member, "access_refused", note=f"n{number:02d}")
    client = client_as("secretariat")
    refused = {"hendelse": "access_refused"}
    first = shown(client.get(page_url(world.partnership), refused))
    assert "60 hendelser" in first
    assert first.index("n59") < first.index("n58")
    assert "n09" not in first
    second = client.get(page_url(world.partnership), {**refused, "side": "2"})
    assert "n09" in shown(second) and "n10" not in shown(second)
    assert "hendelse=access_refused&amp;side=1" in shown(second)  # the filter stays in the links
    # A page number that is no number shows the first page, not an error.
    assert client.get(page_url(world.partnership), {"side": "x"}).status_code == 200


def test_query_count_does_not_grow_with_the_events(world, client_as, django_assert_max_num_queries):
    client = client_as("secretariat")
    member = world.users["member"]
    for _ in range(3):
        log_for(member)
    with django_assert_max_num_queries(10) as few:
        client.get(page_url(world.partnership))
    for _ in range(45):
        log_for(world.users["leader"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page_url(world.partnership)).status_code == 200


def test_a_real_failed_login_is_stored_without_the_password(world):
    client = Client(REMOTE_ADDR="198.51.100.4")
    client.post(reverse("account_login"), {"login": "member", "password": WRONG})
    stored = SecurityEvent.objects.get(event="login_failed")
    assert stored.user == world.users["member"]
    assert stored.username == "member" and stored.ip == "198.51.100.4" and stored.path == "/konto/login/"
    for value in (stored.username, stored.ip, stored.path, stored.detail):
        assert WRONG not in value


def test_refused_access_is_stored_with_the_user(world, client_as):
    client_as("member").get("/forvaltning/")  # no workspace: 404, not a 403
    from django.core.exceptions import PermissionDenied

    request = request_to("/forvaltning/to/")
    request.user = world.users["member"]
    helsefellesskap.urls.handler403(request, PermissionDenied())
    stored = SecurityEvent.objects.get(event="access_refused")
    assert stored.user == world.users["member"] and stored.path == "/forvaltning/to/"


def test_admin_shows_every_event_to_superusers_only(world, events, admin_client, django_user_model):
    response = admin_client.get(reverse("admin:governance_securityevent_changelist"))
    assert response.status_code == 200
    assert "finnes-ikke" in shown(response)
    staff = django_user_model.objects.create_user("stab", password=PASSWORD, is_staff=True)
    client = login_with_second_factor(Client(), staff)
    assert client.get(reverse("admin:governance_securityevent_changelist")).status_code == 403
    change = admin_client.get(reverse("admin:governance_securityevent_change", args=[events.first().pk]))
    assert b'type="submit" value="Lagre"' not in change.content  # read only
