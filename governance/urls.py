from django.urls import path

from .views import public

app_name = "governance"

urlpatterns = [
    path("", public.home, name="home"),
    path("tilgjengelighet/", public.accessibility_statement, name="accessibility"),
    path("<slug:partnership>/", public.partnership_detail, name="partnership"),
    path("<slug:partnership>/<slug:body>/", public.body_detail, name="body"),
]
