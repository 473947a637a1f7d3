"""Root URL configuration.

Fixed first segments (admin, konto, kalender, tilgjengelighet, helse, …) come before
the partnership-scoped paths, whose first segment is a partnership's slug;
governance.models.RESERVED_SLUGS keeps a partnership from taking one of them.
"""

from allauth.account.decorators import secure_admin_login
from allauth.core.internal.ratelimit import handler429 as allauth_handler429
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.generic.base import RedirectView
from django.views.i18n import set_language

from helsefellesskap import mfa, security_log, sso  # noqa: F401  (mfa: its signal receivers)
from helsefellesskap.health import health

admin.site.site_header = "Helsefellesskap"
admin.site.site_title = "Helsefellesskap"
# The admin has no login form of its own: /admin/login/ sends visitors to the portal's login
# (allauth: the same lockout after failed attempts, the same second factor), then back.
admin.site.login = secure_admin_login(admin.site.login)


class FaviconRedirect(RedirectView):
    """/favicon.ico, which browsers ask for on every site whatever the page links: the icon among
    the static files (hashed name in production), temporarily, as that name changes with it."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("icons/favicon.ico")


urlpatterns = [
    path("helse/", health, name="health"),
    path(
        "favicon.ico",
        cache_control(public=True, max_age=24 * 3600)(FaviconRedirect.as_view()),
        name="favicon",
    ),
    path("", include("portal.urls_pdf")),
    # The language switcher on every page: without a CSRF token, so a public page holds no
    # visitor's token and can be shared by the page cache and a CDN. Forging it could only switch
    # someone's language cookie; `next` is checked to stay on this site.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # allauth's OpenID Connect login view, with a Norwegian page when the provider is unreachable.
    path("konto/oidc/<str:provider_id>/login/", sso.login_view, name="sso_login"),
    path("konto/", include("allauth.urls")),
    path("forvaltning/", include("portal.urls_manage")),
    path("min-side/", include("meetings.urls_members")),
    path("", include("meetings.urls")),
    path("", include("actionplans.urls")),
    path("", include("portal.urls")),
]


def handler403(request, exception=None):
    """Refused access (PermissionDenied anywhere) goes to the security log, then Django's page."""
    security_log.access_refused(request)
    return defaults.permission_denied(request, exception)


def handler429(request):
    """allauth's rate limits (password reset e-mails, …) go to the security log, then its page."""
    security_log.rate_limited(request)
    return allauth_handler429(request)
