from django.urls import path

from . import feeds
from .views import public

app_name = "meetings"

urlpatterns = [
    path("kalender/", public.calendar, name="calendar"),
    path("vedlegg/<int:pk>/", public.attachment_download, name="attachment"),
    path("<slug:partnership>/kalender/", public.calendar, name="partnership_calendar"),
    path("<slug:partnership>/kalender.ics", feeds.partnership_calendar, name="partnership_ics"),
    path("<slug:partnership>/referater.atom", feeds.MinutesFeed(), name="minutes_feed"),
    path("<slug:partnership>/<slug:body>/kalender.ics", feeds.body_calendar, name="body_ics"),
    path("<slug:partnership>/<slug:body>/moter/<str:day>/", public.meeting_detail, name="meeting"),
]
