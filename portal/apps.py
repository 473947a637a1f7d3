from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The web layer: pages, workspace, search filters and the demo loader that span apps."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Portal")
