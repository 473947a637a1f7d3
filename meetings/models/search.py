"""Stored search documents: each case's and minutes' text as an indexed tsvector, kept on write.

Search on PostgreSQL matches these rows through a GIN index instead of building every document
per query. A case has one row per *level* of what a reader may see of it, so a reader can only
ever match the row of the level they may read (meetings/search.py picks the level per case from
the querysets' `with_access` annotations, at query time):

- ``paper``: title, agenda title, from, proposal and section text (the paper, without the decision);
- ``full``: the paper with the discussion note and the decision (only when the case has either);
- ``public`` and ``public_decision``: the public title, and with it the public decision, of an
  exempt case (only rows for exempt cases; a non-exempt case is readable by all who see it).

Beside the text, each row keeps what a search needs to decide who reads it without joining the
cases and meetings: `public` (this level is the one a visitor reads: the case is on an agenda
whose status is public, and the level is the visitor's — the paper, with the decision once the
minutes are public; the public title of an exempt case), the meeting's `start` (the order a search
walks, newest first) and the case's `body`. meetings/search_index.py keeps them in the writer's
transaction, also when the meeting's status or start changes, and tests/meetings/test_search_flags.py
proves `public` agrees with meetings.permissions for every state. A visitor's search reads only
`public` rows; a member's adds the rows of the bodies and partnerships where they stand higher,
at the level the querysets give them (meetings/search.py).

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
    # Derived from the case and its meeting (see the module's docstring).
    public = models.BooleanField(_("read by visitors"), default=False)
    start = models.DateTimeField(_("meeting start"), null=True, blank=True)
    # CASCADE: a body with cases cannot be deleted (PROTECT on the case); the rows follow the case.
    body = models.ForeignKey(
        "governance.Body", on_delete=models.CASCADE, related_name="+", verbose_name=_("body")
    )

    class Meta:
        verbose_name = _("case search document")
        verbose_name_plural = _("case search documents")
        constraints = [
            models.UniqueConstraint(fields=["case", "level"], name="case_search_unique_level"),
        ]
        indexes = [
            # A visitor's search walks this newest first and stops at the first 201 matches
            # (a public row always has its meeting's start).
            models.Index(
                fields=["-start", "-case"], name="case_search_public_newest", condition=models.Q(public=True)
            ),
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
    # Derived from the meeting, as on the case rows: `public` when a visitor reads the minutes.
    public = models.BooleanField(_("read by visitors"), default=False)
    start = models.DateTimeField(_("meeting start"), null=True, blank=True)
    body = models.ForeignKey(
        "governance.Body", on_delete=models.CASCADE, related_name="+", null=True, verbose_name=_("body")
    )

    class Meta:
        verbose_name = _("minutes search document")
        verbose_name_plural = _("minutes search documents")
        indexes = [
            models.Index(
                fields=["-start", "-minutes"],
                name="minutes_search_public_newest",
                condition=models.Q(public=True),
            ),
        ]

    def __str__(self):
        return str(self.minutes_id)


class SearchWord(models.Model):
    """A word a visitor may read somewhere in the portal: the vocabulary of "Mente du …?".

    Drawn from the text of the stored rows flagged `public` (and, through the apps above, of the
    action plans) in the writer's transaction, lowercased as PostgreSQL's `simple` configuration
    splits it. Nothing else ever enters it, so a word found only in exempt, unpublished or draft
    text is never here. Words are added, not removed, when text changes: a suggestion is offered
    only while a public text still matches it (meetings/search.py), and `rebuild_search` draws the
    vocabulary afresh. Its trigram GIN index (migration 0019, pg_trgm) finds the words nearest a
    misspelling. PostgreSQL only; on SQLite the table stays empty and search suggests nothing.
    """

    word = models.CharField(_("word"), max_length=40, primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self):
        return self.word
