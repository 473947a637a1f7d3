from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
    verbose_name = _("Meetings and cases")

    def ready(self):
        # Every change of this app's data gives the documents built from it a new version.
        from . import search_index
        from .stamps import track_meetings

        track_meetings()
        # The stored search documents follow the text they are made of.
        search_index.connect()
