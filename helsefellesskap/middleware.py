"""Request middleware: the visitor's language, and refusing input no text may hold."""

from django.conf import settings
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
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response


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
