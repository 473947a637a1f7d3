"""Accounts: made by the secretariat (or the admin), never by sign-up."""

import time
from datetime import timedelta

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.permissions import user_with_standing
from helsefellesskap import security_log


class StandingBackend(ModelBackend):
    """Django's ModelBackend, but a login's user is read with their standing (memberships and
    secretariat seats in force) in one query, on every request (issue #12). Listed first in
    AUTHENTICATION_BACKENDS, so new logins use it; ModelBackend stays listed after it, so that
    sessions made before it came keep working."""

    def get_user(self, user_id):
        user = user_with_standing(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


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
            raise ValidationError(self._locked_out_message(), code="too_many_login_attempts") from None

    @staticmethod
    def _locked_out_message() -> str:
        """allauth says only "try again later"; say when. The oldest counted failure leaves the
        window at the latest LOGIN_ATTEMPTS_TIMEOUT_SECONDS from now, so that is when."""
        minutes = settings.LOGIN_ATTEMPTS_TIMEOUT_SECONDS // 60
        until = timezone.localtime() + timedelta(seconds=settings.LOGIN_ATTEMPTS_TIMEOUT_SECONDS)
        return _(
            "Too many failed logins. For your security, logging in is closed for a while: "
            "try again in %(minutes)d minutes, at %(time)s at the latest."
        ) % {"minutes": minutes, "time": until.strftime("%H.%M")}

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """allauth asks for the password again before a sensitive change (adding an authenticator,
        …). A login made in the last ACCOUNT_REAUTHENTICATION_TIMEOUT seconds (5 minutes) counts as
        that confirmation, so someone sent to enrol right after logging in is not asked twice."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not self._logged_in_just_now()

    def _logged_in_just_now(self) -> bool:
        request = self.request
        if request is None or not request.user.is_authenticated:
            return False
        records = get_authentication_records(request, request.user)
        if not records or records[0].get("method") == "mfa":
            return False
        return time.time() - records[0]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
