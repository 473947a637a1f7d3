"""helsefellesskap.accounts.StandingBackend (issue #12): a login's user is read with their
standing in one query, and is the same user with the same standing as Django's ModelBackend and
governance.permissions.viewer_for give."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.test import Client

from governance.permissions import forget, viewer_for
from helsefellesskap.accounts import StandingBackend
from tests.governance import factories as gf

pytestmark = pytest.mark.django_db


def _fields(user):
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def test_every_persona_is_the_same_user_with_the_same_standing(world, django_assert_num_queries):
    superuser = get_user_model().objects.create_superuser("rot", password="pw-for-tests-only-x")
    without_person = get_user_model().objects.create_user("uten-person", password="pw-for-tests-only-x")
    users = [user for user in world.users.values() if user.is_authenticated] + [superuser, without_person]
    for user in users:
        expected = ModelBackend().get_user(user.pk)
        with django_assert_num_queries(1):
            found = StandingBackend().get_user(str(user.pk))  # the session holds the id as text
            viewer = viewer_for(found)
        assert _fields(found) == _fields(expected)
        forget(expected)
        assert viewer == viewer_for(expected), user.username
    assert viewer_for(StandingBackend().get_user(world.users["secretariat"].pk)).secretariat_partnerships == {
        world.partnership.pk
    }


def test_a_seat_that_ended_gives_no_standing(world):
    former = StandingBackend().get_user(world.users["former_member"].pk)
    assert viewer_for(former).member_bodies == frozenset()
    member = StandingBackend().get_user(world.users["member"].pk)
    assert viewer_for(member).member_bodies == {world.body.pk}
    gf.membership(world.people["member"], world.other_body, "member", start_date=dt.date(2000, 1, 1))
    again = StandingBackend().get_user(world.users["member"].pk)
    assert viewer_for(again).member_bodies == {world.body.pk, world.other_body.pk}


@pytest.mark.parametrize("user_id", [None, "", "abc", "-1", "999999", "1; drop table auth_user"])
def test_no_user_for_an_id_that_names_none(world, user_id):
    assert StandingBackend().get_user(user_id) is None


def test_an_inactive_user_is_not_a_login(world):
    user = world.users["member"]
    user.is_active = False
    user.save()
    assert StandingBackend().get_user(user.pk) is None


def test_a_login_uses_it_and_a_session_made_before_it_still_works(world, settings):
    new, old = Client(), Client()
    new.force_login(world.users["member"])
    old.force_login(world.users["member"], backend="django.contrib.auth.backends.ModelBackend")
    for client in (new, old):
        assert client.get("/min-side/").wsgi_request.user.is_authenticated
    assert new.session["_auth_user_backend"] == "helsefellesskap.accounts.StandingBackend"
