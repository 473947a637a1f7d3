"""The secretariat's view of the security log: its own partnership's users, newest first."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import SecurityEvent

EVENTS_PER_PAGE = 50

# The events helsefellesskap/security_log.py writes, as the page names them; an event added
# later without a name here is shown as written.
EVENT_LABELS = {
    "login": _("Logged in"),
    "logout": _("Logged out"),
    "login_failed": _("Failed login"),
    "login_locked_out": _("Login locked after too many failures"),
    "rate_limited": _("Refused: too many requests"),
    "access_refused": _("Access refused"),
    "password_changed": _("Password changed"),
    "password_set": _("Password set"),
    "password_reset": _("Password reset"),
}


def event_label(event: str) -> str:
    return EVENT_LABELS.get(event, event)


class SecurityEventFilter(forms.Form):
    hendelse = forms.ChoiceField(label=_("Event"), required=False)

    def __init__(self, data, *, events):
        super().__init__(data)
        known = sorted({*EVENT_LABELS, *events}, key=lambda event: str(event_label(event)))
        self.fields["hendelse"].choices = [("", _("All events"))] + [
            (event, event_label(event)) for event in known
        ]


def partnership_events(partnership, data):
    """(the filter form, the events it selects); the form is unbound without a filter."""
    events = SecurityEvent.objects.of_partnership(partnership)
    present = events.order_by().values_list("event", flat=True).distinct()
    form = SecurityEventFilter(data or None, events=set(present))
    if form.is_bound and form.is_valid() and form.cleaned_data["hendelse"]:
        events = events.filter(event=form.cleaned_data["hendelse"])
    elif form.is_bound and not form.is_valid():
        events = events.none()
    return form, events.select_related("user__person").order_by("-at", "-pk")
