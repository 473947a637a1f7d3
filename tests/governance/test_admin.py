"""The admin asks why for every change, keeps it in the history with who, and leaves to the
services what they set: a meeting's status, a case's number, year and version."""

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from actionplans.models import ActionPlan, FocusArea, Measure
from governance.history_admin import HistoryAdmin
from meetings.models import Case, Meeting, Minutes
from tests.governance import factories as gf
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db

REFUSED = "Skriv hvorfor du gjør endringen"


class FormData(HTMLParser):
    """What a browser would send from the page's main form (the admin's change form)."""

    def __init__(self, html):
        super().__init__()
        self.data, self._select, self._textarea, self._in_form = {}, None, None, False
        self.feed(html)

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self._in_form = True
        if not self._in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self._add(attrs["name"], attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Django writes a newline after <textarea>, which browsers drop.
            self.data[self._textarea][-1] = self.data[self._textarea][-1].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def change_form(client, obj):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = FormData(response.content.decode()).data
    data.pop("_addanother", None), data.pop("_continue", None)
    return url, response, data


@pytest.fixture
def meeting():
    body = gf.body(gf.partnership())
    return mf.meeting(body, place="Tromsø")


@pytest.fixture
def case(meeting):
    return mf.case(meeting, number=8, title="Samhandlingsavvik")


# Read-only in the admin: nothing is changed there, so there is no change to give a reason for.
READ_ONLY_ADMINS = {"SecurityEvent"}


def test_every_admin_of_the_domain_keeps_history_with_a_reason():
    for app in ("governance", "meetings", "actionplans"):
        for model in apps.get_app_config(app).get_models():
            if model in admin.site._registry and model.__name__ not in READ_ONLY_ADMINS:
                assert isinstance(admin.site._registry[model], HistoryAdmin), model.__name__


def test_a_change_without_a_reason_is_refused_in_norwegian(admin_client, meeting):
    url, _, data = change_form(admin_client, meeting)
    data["place"] = ["Harstad"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Tromsø"
    assert meeting.history.count() == 1


def test_a_change_with_a_reason_keeps_it_with_the_user(admin_client, admin_user, meeting):
    url, _, data = change_form(admin_client, meeting)
    data["place"], data["change_reason"] = ["Harstad"], ["Møtested flyttet etter ønske fra UNN"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = meeting.history.latest()
    assert record.place == "Harstad"
    assert record.history_change_reason == "Møtested flyttet etter ønske fra UNN"
    assert record.history_user == admin_user
    history = admin_client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk]))
    assert "Møtested flyttet etter ønske fra UNN" in history.content.decode()


def test_inline_rows_get_the_reason_too(admin_client, admin_user, case):
    url, _, data = change_form(admin_client, case.meeting)
    prefix = next(name[: -len("-0-title")] for name in data if name.endswith("-0-title"))
    data[f"{prefix}-0-title"], data["change_reason"] = ["Samhandlingsavvik (rettet)"], ["Skrivefeil"]
    assert admin_client.post(url, data).status_code == 302
    record = case.history.latest()
    assert (record.title, record.history_change_reason, record.history_user) == (
        "Samhandlingsavvik (rettet)",
        "Skrivefeil",
        admin_user,
    )
    case.refresh_from_db()
    assert case.version == 2  # a workspace form opened before the change is refused


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Meeting, {"status", "cancelled_at"}),
        (Case, {"number", "year", "version", "intake_status"}),
        (Minutes, {"version"}),
        (Measure, {"status"}),
    ],
)
def test_service_fields_are_read_only(model, fields, rf, admin_user):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    assert fields <= set(model_admin.get_readonly_fields(request, obj=model()))


def test_a_post_does_not_change_status_number_year_or_version(admin_client, case):
    url, response, data = change_form(admin_client, case)
    readonly = set(response.context["adminform"].readonly_fields)
    assert {"number", "year", "version", "intake_status"} <= readonly
    data |= {"number": ["99"], "year": ["2001"], "version": ["40"], "intake_status": ["proposed"]}
    data |= {"title": ["Samhandlingsavvik BUK"], "change_reason": ["Tittel som i saksframlegget"]}
    assert admin_client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.title, case.number, case.year, case.intake_status) == (
        "Samhandlingsavvik BUK",
        8,
        2023,
        Case.IntakeStatus.NONE,
    )
    assert case.version == 2

    url, _, data = change_form(admin_client, case.meeting)
    data |= {"status": ["minutes_published"], "change_reason": ["Forsøk"]}
    assert admin_client.post(url, data).status_code == 302
    case.meeting.refresh_from_db()
    assert case.meeting.status == Meeting.Status.NOTICE_ISSUED


def test_a_revert_to_an_older_version_keeps_the_status(admin_client, meeting):
    first = meeting.history.earliest()
    meeting.status = Meeting.Status.HELD
    meeting.save()
    url = reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, first.history_id])
    data = FormData(admin_client.get(url).content.decode()).data
    assert admin_client.post(url, data).status_code == 200  # no reason: refused
    data["change_reason"] = ["Tilbake til forrige versjon"]
    assert admin_client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.history.latest().history_change_reason == "Tilbake til forrige versjon"


def test_a_new_case_asks_its_year_but_not_its_number(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    readonly = admin.site._registry[Case].get_readonly_fields(request, obj=None)
    assert "number" in readonly and "year" not in readonly
    assert (
        not admin.site._registry[Meeting]
        .get_inline_instances(request, None)[0]
        .has_add_permission(request, None)
    )


def test_deleting_needs_a_reason(admin_client, admin_user):
    plan = ActionPlan.objects.create(
        partnership=gf.partnership(), title="Plan", slug="plan", period_start="2023-01-01"
    )
    area = FocusArea.objects.create(action_plan=plan, number="1.1", title="Område")
    url = reverse("admin:actionplans_focusarea_delete", args=[area.pk])
    assert "change_reason" in admin_client.get(url).content.decode()
    refused = admin_client.post(url, {"post": "yes"})
    assert refused.status_code == 200 and REFUSED in refused.content.decode()
    assert FocusArea.objects.filter(pk=area.pk).exists()
    assert admin_client.post(url, {"post": "yes", "change_reason": "Lagt inn to ganger"}).status_code == 302
    record = FocusArea.history.filter(id=area.pk).latest()
    assert (record.history_type, record.history_change_reason, record.history_user) == (
        "-",
        "Lagt inn to ganger",
        admin_user,
    )
    changelist = admin_client.get(reverse("admin:actionplans_focusarea_changelist"))
    assert "delete_selected" not in changelist.content.decode()
