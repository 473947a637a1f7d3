"""Which partnership a row's data belongs to, for the document stamps (documents/stamps.py).

A document of a meeting or a plan is built from its partnership's data and from data shown
everywhere (people, organisations, patient groups); its version is made from the stamps of those
two scopes. Each app maps its own models here, in its AppConfig.ready(), so this module names no
model of a higher layer. A lookup may also lead to another partnership that shows the row (a case
listed under a measure of a plan), so that one's documents change too.
"""

from django.db import connection

from documents import stamps

from .statements import statement


def partnership_scope(partnership_id) -> str:
    return f"partnership:{partnership_id}"


def document_scopes(partnership_id) -> tuple[str, ...]:
    """The scopes a document of this partnership is built from (GLOBAL is added by documents)."""
    return (partnership_scope(partnership_id),)


def partnership_page_version(slug: str) -> str:
    """The version of what a page under /<slug>/ shows: its partnership's stamp and GLOBAL, found
    by the slug and read in one query (an unknown slug: GLOBAL alone; such a page is a 404).

    The one query of a page served from the cache (helsefellesskap/pagecache.py), so these are
    prepared once per connection (governance/statements.py): on the national database it took
    120 µs against 200 µs planned afresh, and a cached page 0.66-0.82 ms against 0.91-1.09."""
    from .models import Partnership

    quote = connection.ops.quote_name
    table, pk, slug_column = quote(Partnership._meta.db_table), quote("id"), quote("slug")
    scopes = f"SELECT %s || CAST({pk} AS varchar(20)) FROM {table} WHERE {slug_column} = %s"  # noqa: S608
    return stamps.version_where(scopes, [partnership_scope(""), slug], prepare=statement)


def every_partnership_version() -> str:
    """The version of a page across partnerships (front page, calendar, search): every stamp."""
    return stamps.version_where(None, prepare=statement)


def global_version() -> str:
    """The version of a page that shows no partnership's data: GLOBAL alone."""
    return stamps.version_where("SELECT %s", [stamps.GLOBAL], prepare=statement)


def track_in_partnership(model, *paths: str) -> None:
    """Stamp the partnership(s) `paths` lead to whenever a row of `model` changes."""
    stamps.track(model, *paths, scope=partnership_scope)


def track_everywhere(model) -> None:
    """Rows any partnership's documents may show (a person sits in bodies of several): GLOBAL."""
    stamps.track(model, everywhere=True)


def track_governance() -> None:
    from .models import (
        Body,
        Membership,
        Name,
        Organisation,
        Partnership,
        PatientGroup,
        Person,
        SecurityEvent,
        SourceCorrection,
        SourceDocument,
    )

    track_in_partnership(Partnership, "pk")
    track_in_partnership(Body, "partnership")
    track_in_partnership(Membership, "body__partnership")
    # An organisation's people and representatives sit in other partnerships' bodies too.
    track_everywhere(Organisation)
    track_everywhere(Person)
    track_everywhere(PatientGroup)
    # Names of organisations show wherever the organisation does; a source and its corrections
    # show on the pages of its partnership's records.
    track_everywhere(Name)
    track_in_partnership(SourceDocument, "partnership")
    track_in_partnership(SourceCorrection, "source__partnership")
    stamps.never_shown(SecurityEvent, "logins and refusals, for the security log: workspace and admin")
