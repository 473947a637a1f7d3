"""Root URL configuration.

Fixed first segments (admin, konto, kalender, tilgjengelighet, …) come before
the partnership-scoped paths, whose first segment is a partnership's slug;
governance.models.RESERVED_SLUGS keeps a partnership from taking one of them.
"""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Helsefellesskap"
admin.site.site_title = "Helsefellesskap"

urlpatterns = [
    path("", include("portal.urls_pdf")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("konto/", include("allauth.urls")),
    path("forvaltning/", include("portal.urls_manage")),
    path("min-side/", include("meetings.urls_members")),
    path("", include("meetings.urls")),
    path("", include("actionplans.urls")),
    path("", include("portal.urls")),
]
