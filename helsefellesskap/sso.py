"""Single sign-on: an OpenID Connect login is linked to an existing user, never makes one.

Accounts are made by the secretariat (helsefellesskap/accounts.py). The first time someone logs in
with ID-porten or Entra ID, the login is connected to the one active user whose e-mail, or whose
person's e-mail (governance.Person.email), is an address the provider vouches for: its
`email_verified` claim, or any address from a provider configured with "trust_email". No such
address, no such user, or more than one: the login is refused with a Norwegian page and nobody is
logged in. Once connected, the provider's subject identifier (`sub`) finds the user, whatever the
e-mail becomes. A provider that gives no e-mail at all (ID-porten) is connected by the user
themselves, logged in with their password, on the connections page (/konto/3rdparty/).
"""

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import render

from helsefellesskap import security_log


def verified_emails(sociallogin) -> list[str]:
    """The addresses the provider vouches for: `email_verified`, or all of them for a provider
    configured with "trust_email" (its administrators assign the addresses)."""
    trusted = sociallogin.provider.app.settings.get("trust_email") is True
    return [a.email for a in sociallogin.email_addresses if a.email and (a.verified or trusted)]


def matching_users(emails: list[str]):
    """Active users with one of these addresses on their login or on their person."""
    query = Q()
    for email in emails:
        query |= Q(email__iexact=email) | Q(person__email__iexact=email)
    return get_user_model().objects.filter(query, is_active=True).distinct() if emails else []


def refuse(request, sociallogin, *, reason: str):
    """Nobody is logged in: a 403 page that says why and whom to ask, and a line in the log."""
    provider_id = sociallogin.account.provider
    security_log.log_event("sso_refused", request, provider=provider_id, reason=reason)
    context = {"provider_name": sociallogin.provider.name, "reason": reason}
    raise ImmediateHttpResponse(render(request, "socialaccount/login_refused.html", context, status=403))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        # Already linked, or a logged-in user adding a login on the connections page: allauth's own.
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            return
        emails = verified_emails(sociallogin)
        if not emails:
            refuse(request, sociallogin, reason="unverified")
        users = list(matching_users(emails)[:2])
        if len(users) != 1:
            refuse(request, sociallogin, reason="ambiguous" if users else "none")
        sociallogin.connect(request, users[0])
        security_log.log_event("sso_linked", request, user=users[0].pk, provider=sociallogin.account.provider)


def login_view(request, provider_id):
    """allauth's login view, which reads the provider's discovery document before it redirects
    there: when the provider cannot be reached, a Norwegian page (503) instead of a traceback."""
    try:
        return oidc_views.login(request, provider_id=provider_id)
    except requests.RequestException as error:
        security_log.log_event(
            "sso_provider_unreachable", request, provider=provider_id, error=type(error).__name__
        )
        return render(request, "socialaccount/authentication_error.html", {"unreachable": True}, status=503)
