"""Factories for governance objects: small functions with sensible defaults."""

import itertools

from django.contrib.auth import get_user_model

from governance.models import Body, Membership, Organisation, Partnership, Person

_seq = itertools.count(1)


def partnership(**kwargs) -> Partnership:
    n = next(_seq)
    kwargs.setdefault("name", f"Helsefellesskapet Test {n}")
    kwargs.setdefault("short_name", f"Test {n}")
    kwargs.setdefault("slug", f"test-{n}")
    return Partnership.objects.create(**kwargs)


def organisation(partnership=None, **kwargs) -> Organisation:
    n = next(_seq)
    kwargs.setdefault("name", f"Testkommune {n}")
    kwargs.setdefault("kind", Organisation.Kind.MUNICIPALITY)
    return Organisation.objects.create(partnership=partnership, **kwargs)


def body(partnership, **kwargs) -> Body:
    n = next(_seq)
    kwargs.setdefault("name", f"Faglig samarbeidsutvalg {n}")
    kwargs.setdefault("short_name", f"FSU {n}")
    kwargs.setdefault("slug", f"fsu-{n}")
    kwargs.setdefault("kind", Body.Kind.PROFESSIONAL_COMMITTEE)
    kwargs.setdefault("level", 3)
    return Body.objects.create(partnership=partnership, **kwargs)


def secretariat_body(partnership) -> Body:
    return body(
        partnership,
        name="Sekretariatet",
        short_name="SEKR",
        slug="sekr",
        kind=Body.Kind.SECRETARIAT,
        level=None,
    )


def user(username=None, **kwargs):
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password="pw-for-tests-only", **kwargs)


def person_with_login(username=None, **kwargs) -> Person:
    login = user(username)
    kwargs.setdefault("name", f"Person {login.username}")
    return Person.objects.create(user=login, **kwargs)


def membership(person, body, role=Membership.Role.MEMBER, **kwargs) -> Membership:
    return Membership.objects.create(person=person, body=body, role=role, **kwargs)
