"""Every page links the portal's icon (SVG, ICO, the touch icon), and /favicon.ico, which browsers
ask for by themselves, leads to it: served as production serves static files (collectstatic with
hashed names, WhiteNoise), and allowed by the Content-Security-Policy."""

import html.parser
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

ICON_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": ("image/x-icon", "image/vnd.microsoft.icon"),
}


class IconLinks(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.icons = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in ("icon", "apple-touch-icon"):
            self.icons[(attrs["rel"], attrs.get("type") or attrs.get("sizes"))] = attrs["href"]


@pytest.fixture
def production_static(settings, tmp_path):
    """collectstatic into a fresh folder with the production storage, served by WhiteNoise; our own
    static files only (the admin's are not on the portal's pages, and would take half a minute)."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],
        "whitenoise.middleware.WhiteNoiseMiddleware",
        *settings.MIDDLEWARE[1:],
    ]
    call_command("collectstatic", interactive=False, verbosity=0)
    return Client()  # a new client: its handler loads the middleware as now set


def assert_icon(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    suffix = "." + path.rsplit(".", 1)[1]
    expected = ICON_TYPES[suffix]
    assert response["Content-Type"].split(";")[0] in (
        expected if isinstance(expected, tuple) else (expected,)
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body, path


@pytest.mark.django_db
def test_pages_link_the_icons_and_favicon_ico_leads_to_one(world, production_static):
    client = production_static
    page = client.get("/")
    assert page.status_code == 200
    links = IconLinks()
    links.feed(page.content.decode())
    assert set(links.icons) == {("icon", "32x32"), ("icon", "image/svg+xml"), ("apple-touch-icon", None)}
    for href in links.icons.values():
        path = urlsplit(href).path
        assert path.startswith("/static/icons/")
        assert_icon(client, path)  # a hashed name, served by WhiteNoise
    # The browser's own request, on every site.
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 302
    assert favicon["Location"] == links.icons[("icon", "32x32")]
    assert_icon(client, favicon["Location"])
    # The icons are the portal's own files, which the policy allows as images.
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in page["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert "'self'" in policy["img-src"]


@pytest.mark.django_db
def test_a_page_linked_on_a_partnership_links_them_too(world, anon_client):
    page = anon_client.get(f"/{world.partnership.slug}/")
    assert page.status_code == 200
    links = IconLinks()
    links.feed(page.content.decode())
    assert len(links.icons) == 3
    assert anon_client.get("/favicon.ico")["Location"] == links.icons[("icon", "32x32")]
