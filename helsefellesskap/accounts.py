"""Accounts: made by the secretariat (or the admin), never by sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from helsefellesskap import security_log


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def pre_authenticate(self, request, **credentials):
        # allauth refuses here, before any password is checked, once a username or an address
        # has failed too often (ACCOUNT_RATE_LIMITS["login_failed"]): that is the lockout.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            security_log.login_locked_out(request, credentials.get("username"))
            raise
