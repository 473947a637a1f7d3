from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = _("Governance")

    def ready(self):
        # Every change of this app's data gives the documents built from it a new version.
        from .stamps import track_governance

        track_governance()
        # A migration may change what a prepared statement reads: prepare them again after it.
        from django.db import connections
        from django.db.models.signals import post_migrate

        from . import statements

        def forget_prepared(sender, using="default", **kwargs):
            statements.forget(connections[using])

        post_migrate.connect(forget_prepared, sender=self, weak=False, dispatch_uid="governance.statements")
