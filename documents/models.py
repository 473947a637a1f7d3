"""The stamps that version documents (documents/stamps.py): one row per scope of data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stamp(models.Model):
    """The current stamp of one scope (for example one partnership, or "global").

    Every saved, deleted or re-linked row of a tracked model redraws the stamps of its scopes in
    the writer's transaction; a document's version is made from the stamps of the scopes it is
    built from. `token` is random, so a stamp never comes back after a rollback, a flush or a
    restored backup (a counter could, and would then name an old file for new data); `n` counts
    the changes, for people reading the table.
    """

    scope = models.CharField(_("scope"), max_length=100, primary_key=True)
    n = models.BigIntegerField(_("changes"), default=0)
    token = models.CharField(_("stamp"), max_length=32)

    class Meta:
        verbose_name = _("document stamp")
        verbose_name_plural = _("document stamps")

    def __str__(self):
        return f"{self.scope} #{self.n}"
