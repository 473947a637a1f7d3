"""Public pages that span apps: the front page, partnerships, bodies, the case list and case page."""

from django.urls import path

from .views import people, public, search

app_name = "portal"

urlpatterns = [
    path("", public.home, name="home"),
    path("tilgjengelighet/", public.accessibility_statement, name="accessibility"),
    path("sok/", search.search, name="search"),
    path("personer/<int:pk>/", people.person_detail, name="person"),
    path("<slug:partnership>/saker/", public.case_list, name="case_list"),
    path("<slug:partnership>/", public.partnership_detail, name="partnership"),
    path("<slug:partnership>/<slug:body>/", public.body_detail, name="body"),
    path("<slug:partnership>/<slug:body>/saker/<int:year>/<int:number>/", public.case_detail, name="case"),
]
