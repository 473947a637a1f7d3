"""Every PDF URL of the portal (meetings and action plans), under the names pdf:*."""

from django.urls import path, register_converter

from actionplans.views import pdf as actionplan_pdf
from meetings.views import pdf as meeting_pdf


class IsoDateConverter:
    """A meeting's URL segment: its day, or “mote-<id>” for one whose date is not stated
    (Meeting.url_key); a day is passed on as a date, the other form as text."""

    regex = r"\d{4}-\d{2}-\d{2}|mote-\d{1,18}"

    def to_python(self, value):
        import datetime as dt

        if value.startswith("mote-"):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(value) from error

    def to_url(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)


register_converter(IsoDateConverter, "isodate")

app_name = "pdf"

urlpatterns = [
    path(
        "<slug:partnership>/<slug:body>/moter/<isodate:date>/innkalling.pdf",
        meeting_pdf.notice,
        name="notice",
    ),
    path(
        "<slug:partnership>/<slug:body>/moter/<isodate:date>/protokoll.pdf",
        meeting_pdf.protocol,
        name="protocol",
    ),
    path(
        "<slug:partnership>/<slug:body>/saker/<int:year>/<int:number>/saksframlegg.pdf",
        meeting_pdf.case_paper,
        name="case",
    ),
    path(
        "<slug:partnership>/handlingsplaner/<slug:plan>/status.pdf",
        actionplan_pdf.action_plan,
        name="action_plan",
    ),
]
