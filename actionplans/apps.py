from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionplansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actionplans"
    verbose_name = _("Action plans")

    def ready(self):
        # Every change of this app's data gives the documents built from it a new version.
        from . import search
        from .stamps import track_actionplans

        track_actionplans()
        # Plans' and measures' words join the vocabulary of search's suggestions.
        search.connect()
