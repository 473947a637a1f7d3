"""Stored search documents: each case's and minutes' text as an indexed tsvector, kept on write.

Search on PostgreSQL matches these rows through a GIN index instead of building every document
per query. A case has one row per *level* of what a reader may see of it, so a reader can only
ever match the row of the level they may read (meetings/search.py picks the level per case from
the querysets' `with_access` annotations, at query time):

- ``paper``: title, agenda title, from, proposal and section text (the paper, without the decision);
- ``full``: the paper with the discussion note and the decision (only when the case has either);
- ``public`` and ``public_decision``: the public title, and with it the public decision, of an
  exempt case (only rows for exempt cases; a non-exempt case is readable by all who see it).

`vector` holds the whole text of the level (weights: titles A, proposal and decision B, sections
C) and is what a search matches; `head` holds only the level's title and is what ranks the hits, so
a search never reads the large documents of every match (a common word matches nearly all).
The rows are derived data, rebuilt in the writer's transaction by meetings/search_index.py
(signals on the case, its sections and the minutes' sections) and wholesale by
`manage.py rebuild_search`. The GIN indexes are PostgreSQL's (migration 0010); on SQLite the
tables stay empty and search uses its plain fallback.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseSearchDocument(models.Model):
    class Level(models.TextChoices):
        PAPER = "paper", _("case paper")
        FULL = "full", _("case paper and decision")
        PUBLIC = "public", _("public title")
        PUBLIC_DECISION = "public_decision", _("public title and public decision")

    # CASCADE: derived from the case, nothing of its own.
    case = models.ForeignKey(
        "meetings.Case", on_delete=models.CASCADE, related_name="search_documents", verbose_name=_("case")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    vector = SearchVectorField(_("search vector"))
    # The title alone (the public title for the public levels): small enough to stay in the row,
    # so ranking reads it instead of the whole document.
    head = SearchVectorField(_("title vector"))

    class Meta:
        verbose_name = _("case search document")
        verbose_name_plural = _("case search documents")
        constraints = [
            models.UniqueConstraint(fields=["case", "level"], name="case_search_unique_level"),
        ]

    def __str__(self):
        return f"{self.case_id} {self.level}"


class MinutesSearchDocument(models.Model):
    # CASCADE: derived from the minutes' sections.
    minutes = models.OneToOneField(
        "meetings.Minutes",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("minutes"),
    )
    vector = SearchVectorField(_("search vector"))

    class Meta:
        verbose_name = _("minutes search document")
        verbose_name_plural = _("minutes search documents")

    def __str__(self):
        return str(self.minutes_id)
