"""Request middleware: the visitor's language, refusing input no text may hold, and headers."""

from dataclasses import asdict
from urllib.parse import urlsplit

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware:
    """Activate the language from the language cookie set by the switcher, else bokmål.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which
    would show a Norwegian public-sector portal in English to most visitors
    whose browser happens to be set up in English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response


def chosen_language(request) -> str:
    """The language a request is answered in: the switcher's cookie if it names one the portal
    supports, else bokmål (also the public page cache's key, helsefellesskap/pagecache.py)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class RejectNullCharactersMiddleware:
    """Refuse, with 400 and a Norwegian page, any request whose address or form data holds NUL.

    No text in the portal may contain U+0000, and PostgreSQL cannot store it: without this a NUL
    in a search, a change reason or a guest's name became a 500 deep inside a view. One check
    here covers every parameter of every view, including those added later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_null(request):
            response = render(
                request,
                "400.html",
                {"message": _("The request contains characters that are not allowed (the NUL character).")},
                status=400,
            )
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)

    @staticmethod
    def _has_null(request) -> bool:
        if "\x00" in request.path:
            return True
        parts = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            parts.append(request.POST)
        return any(
            "\x00" in key or any("\x00" in value for value in values)
            for part in parts
            for key, values in part.lists()
        )


def sign_in_provider_origins() -> list[str]:
    """The origins of the OpenID Connect providers configured in SOCIALACCOUNT_PROVIDERS.

    The SSO login POSTs a form to the portal, which answers with a redirect to the provider's
    authorisation endpoint; Chromium checks that redirect against form-action, so the provider
    must be allowed there. Its issuer (`server_url`) is taken here; an authorisation endpoint on
    another origin goes into DJANGO_CSP_FORM_ACTION (settings: CSP_FORM_ACTION_ORIGINS).
    """
    origins = []
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    for config in providers.values():
        for app in config.get("APPS", []) or []:
            url = (app.get("settings") or {}).get("server_url") or ""
            parts = urlsplit(url)
            if parts.scheme in ("https", "http") and parts.netloc:
                origin = f"{parts.scheme}://{parts.netloc}"
                if origin not in origins:
                    origins.append(origin)
    return origins


# The one inline style attribute of the admin's pages: django-simple-history's history list
# (`<p class="paginator" style="border-top: 0">`). Allowed by its hash, on /admin/ only; Django's
# own admin templates carry no inline script or style.
ADMIN_STYLE_HASHES = ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"]


# Attributes by which a view changes the policy of its own response (django-csp's decorators).
_RESPONSE_POLICY = (
    *("_csp_config", "_csp_update", "_csp_replace"),
    *("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro"),
)


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the sign-in providers in form-action and the admin's hash.

    The header is built once per set of providers and kind of page (issue #12: building it took
    60 µs of every response, a page from the public cache included), unless a view changes its
    response's policy or a nonce was asked for; then django-csp builds it as always."""

    _built: dict = {}

    def process_response(self, request, response):
        plain = getattr(request, "_csp_nonce", None) is None and not any(
            getattr(response, name, None) is not None for name in _RESPONSE_POLICY
        )
        if not plain or settings.DEBUG or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None):
            return super().process_response(request, response)
        key = (tuple(sign_in_provider_origins()), _is_admin(request))
        header = self._built.get(key)
        if header is None:
            header = self._built[key] = build_policy(**asdict(self.get_policy_parts(request, response)))
        excluded = tuple(settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES") or ())
        exempt = getattr(response, "_csp_exempt", False) is not False
        if header and HEADER not in response and not exempt and not request.path_info.startswith(excluded):
            response[HEADER] = header
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        update = dict(parts.update or {})
        # Read per response (a few dict lookups), so the policy always names the providers the
        # settings name, also when they change without a restart (the SSO tests do).
        origins = sign_in_provider_origins()
        if origins:
            update["form-action"] = [*update.get("form-action", []), *origins]
        if _is_admin(request):
            update["style-src"] = [*update.get("style-src", []), *ADMIN_STYLE_HASHES]
        parts.update = update or None
        return parts


def _is_admin(request) -> bool:
    return request.path_info.startswith("/admin/")


@receiver(setting_changed, dispatch_uid="hf_csp_forget_built")
def _forget_built_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "SOCIALACCOUNT_PROVIDERS":
        PortalCSPMiddleware._built.clear()


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on what a visitor could not see, and `Vary: Cookie`.

    Private are every response to a logged-in user (a page may show exempt case papers, the
    user's name, links to the workspace) and every response under PRIVATE_PATH_PREFIXES (the
    workspace, "Min side", the account pages, the admin), redirects and refusals included.
    A response the view declared `public` (a public PDF, the feed: the same for everyone) keeps
    its caching; one that already says no-store is left alone. Public pages for visitors who are
    not logged in keep what they have.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.PRIVATE_PATH_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if self._private(request):
            directives = {
                part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")
            }
            if "no-store" not in directives and "public" not in directives:
                response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ("Cookie",))
        return response

    def _private(self, request) -> bool:
        if request.path_info.startswith(self.prefixes):
            return True
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated
