from django.urls import path

from .views import members

app_name = "members"

urlpatterns = [
    path("", members.my_page, name="home"),
    path("foresla-sak/<int:body>/", members.propose_case, name="propose"),
]
