"""Security headers: the CSP, Permissions-Policy and Cache-Control a page, a member's page and a PDF carry."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from documents import pdf as documents_pdf
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def csp(response) -> dict[str, str]:
    return csp_of(response["Content-Security-Policy"])


def csp_of(header: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in header.split(";")
        if part.strip()
    }


def assert_security_headers(response) -> None:
    assert csp(response).items() >= CSP_DIRECTIVES.items(), response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Cookie" in response["Vary"]


def assert_private(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, response["Cache-Control"]


@pytest.fixture
def meeting(world, monkeypatch, settings, tmp_path):
    """A meeting with an issued notice and an exempt case; PDFs rendered as a stand-in."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(documents_pdf, "render_pdf", lambda html: b"%PDF-1.7\n% stand-in\n")
    meeting = mf.meeting(world.body, start=dt.datetime(2023, 5, 12, 12, tzinfo=mf.TZ))
    mf.case(meeting, number=8, title="Offentlig sak")
    mf.case(meeting, number=9, title="Hemmelig sak", exempt=True)
    return meeting


def notice_url(world, meeting):
    return reverse(
        "pdf:notice",
        kwargs={"partnership": world.partnership.slug, "body": world.body.slug, "date": dt.date(2023, 5, 12)},
    )


def test_public_page_for_a_visitor_keeps_its_caching(anon_client):
    response = anon_client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" not in response.get("Cache-Control", "")


def test_public_page_for_a_logged_in_member_is_private(member_client):
    response = member_client.get(reverse("portal:home"))
    assert_security_headers(response)
    assert_private(response)


def test_members_page_is_private(member_client, anon_client):
    response = member_client.get(reverse("members:home"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert_private(response)
    # The login redirect of a visitor is private too: it is a response of "Min side".
    assert_private(anon_client.get(reverse("members:home")))


def test_workspace_page_is_private(secretariat_client, world):
    response = secretariat_client.get(reverse("manage:overview", args=[world.partnership.slug]))
    assert response.status_code == 200
    assert_security_headers(response)
    assert_private(response)


def test_public_pdf_is_publicly_cacheable_and_the_members_pdf_is_not_stored(
    world, meeting, anon_client, member_client
):
    public = anon_client.get(notice_url(world, meeting))
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    assert_security_headers(public)
    assert public["Cache-Control"].startswith("public, max-age=")

    member = member_client.get(notice_url(world, meeting))
    assert member.status_code == 200 and member["Content-Type"] == "application/pdf"
    assert member["ETag"] != public["ETag"]  # the member's version holds the exempt case
    assert_security_headers(member)
    assert_private(member)
    # Revalidating the member's version still answers private, no-store.
    again = member_client.get(notice_url(world, meeting), HTTP_IF_NONE_MATCH=member["ETag"])
    assert again.status_code == 304
    assert_private(again)


def test_form_action_allows_the_configured_sign_in_provider(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {"provider_id": "entra", "settings": {"server_url": "https://login.example.no/tenant/v2.0"}}
            ]
        }
    }
    response = Client().get(reverse("account_login"))
    assert csp(response)["form-action"] == "'self' https://login.example.no"


def test_admin_allows_only_the_hash_of_its_one_inline_style(admin_client):
    response = admin_client.get("/admin/")
    style = csp(response)["style-src"]
    assert style.startswith("'self' 'unsafe-hashes' 'sha256-")
    assert "unsafe-inline" not in style
    assert_private(response)


def _built_by_django_csp(path):
    """The header django-csp's own middleware gives a response to `path` (no kept policies)."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from helsefellesskap.middleware import PortalCSPMiddleware

    request = RequestFactory().get(path)
    middleware = PortalCSPMiddleware(lambda request: HttpResponse("x"))
    middleware.process_request(request)
    return CSPMiddleware.process_response(middleware, request, HttpResponse("x"))["Content-Security-Policy"]


def test_the_kept_policy_is_the_one_django_csp_builds(settings):
    """PortalCSPMiddleware builds the header once per providers and kind of page; the kept header
    is the one django-csp builds for that response, also after the providers change."""
    from helsefellesskap.middleware import PortalCSPMiddleware

    PortalCSPMiddleware._built.clear()
    paths = ["/", "/admin/login/", "/", "/admin/login/"]
    for path in paths:
        header = Client().get(path)["Content-Security-Policy"]
        assert header == _built_by_django_csp(path)
        assert ("unsafe-hashes" in header) is path.startswith("/admin/")
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [{"provider_id": "idp", "settings": {"server_url": "https://idp.example.no/x"}}]
        }
    }
    for path in paths:
        header = Client().get(path)["Content-Security-Policy"]
        assert "https://idp.example.no" in csp_of(header)["form-action"]
        assert header == _built_by_django_csp(path)
