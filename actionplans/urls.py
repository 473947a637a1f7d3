from django.urls import path

from .views import public

app_name = "actionplans"

urlpatterns = [
    path("<slug:partnership>/handlingsplaner/", public.plan_list, name="list"),
    path("<slug:partnership>/handlingsplaner/<slug:slug>/", public.plan_detail, name="detail"),
]
