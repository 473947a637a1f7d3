"""Keeps the stored search documents (meetings/models/search.py) current, in the writer's transaction.

Every save of a meeting sets the flags of its cases' rows (who reads them, the date they sort
by: meetings/models/search.py). Every save or delete of a case, a case section or a minutes
section redraws the rows of its case or minutes with one DELETE and one INSERT … SELECT, so a
search in the same transaction, or any after its commit, matches the text as saved. Writes that
bypass model signals (bulk_create, QuerySet.update() of text or of a meeting's status, raw SQL)
call `refresh_cases`/`refresh_meetings`/`refresh_minutes`, or run `manage.py rebuild_search`
afterwards, as the national-scale generator does.

PostgreSQL only: elsewhere search reads the text itself (the fallback in meetings/search.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import signals
from django.dispatch import Signal

# One document per level of what a reader may see (meetings/models/search.py). The weights rank
# a title above the proposal and decision, and those above the paper's sections.
_CASE_ROWS = """
WITH source AS MATERIALIZED (
    SELECT c.id, c.body_id, c.exempt, c.public_decision,
        c.discussion <> '' OR c.decision <> '' AS has_decision,
        setweight(to_tsvector('norwegian', c.title || ' ' || c.agenda_title), 'A') AS title,
        setweight(to_tsvector('norwegian', c.title || ' ' || c.agenda_title), 'A')
        || setweight(to_tsvector('norwegian', coalesce(
            (SELECT string_agg(coalesce(nullif(n.wording, ''), pe.name, ''), ' ' ORDER BY n."order", n.id)
             FROM meetings_caseperson n LEFT JOIN governance_person pe ON pe.id = n.person_id
             WHERE n.case_id = c.id), '') || ' ' || c.proposal), 'B')
        || setweight(to_tsvector('norwegian', coalesce(
            (SELECT string_agg(s.text, ' ' ORDER BY s."order", s.id)
             FROM meetings_casesection s WHERE s.case_id = c.id), '')), 'C') AS paper,
        setweight(to_tsvector('norwegian', c.discussion || ' ' || c.decision), 'B') AS decided,
        setweight(to_tsvector('norwegian', c.public_title), 'A') AS public
    FROM meetings_case c
    {where}
)
INSERT INTO meetings_casesearchdocument (case_id, body_id, public, level, vector, head)
SELECT id, body_id, false, 'paper', paper, title FROM source
UNION ALL SELECT id, body_id, false, 'full', paper || decided, title FROM source WHERE has_decision
UNION ALL SELECT id, body_id, false, 'public', public, public FROM source WHERE exempt
UNION ALL SELECT id, body_id, false, 'public_decision', public
    || setweight(to_tsvector('norwegian', public_decision), 'B'), public
    FROM source WHERE exempt AND public_decision <> ''
"""

# What a search needs to know of each row without joining the case and its meeting: whether its
# level is the one a visitor reads (the rules of meetings.permissions for a reader with no standing:
# the case is on an agenda whose status is public; the paper is readable unless the case is exempt,
# the decision once the minutes are public; an exempt case shows its public title, with the public
# decision once the minutes are public), the meeting's start and the case's body.
_FLAGS = """
UPDATE meetings_casesearchdocument d
SET start = m.start, body_id = c.body_id,
    public = coalesce(m.status = ANY(%(agenda_public)s), false) AND d.level = CASE
        WHEN NOT c.exempt AND m.status = ANY(%(minutes_public)s)
            AND (c.discussion <> '' OR c.decision <> '') THEN 'full'
        WHEN NOT c.exempt THEN 'paper'
        WHEN m.status = ANY(%(minutes_public)s) AND c.public_decision <> '' THEN 'public_decision'
        ELSE 'public' END
FROM meetings_case c LEFT JOIN meetings_meeting m ON m.id = c.meeting_id
WHERE d.case_id = c.id {where}
"""

_MINUTES_ROWS = """
INSERT INTO meetings_minutessearchdocument (minutes_id, public, vector)
SELECT s.minutes_id, false,
    setweight(to_tsvector('norwegian', string_agg(s.heading, ' ' ORDER BY s."order", s.id)), 'B')
    || setweight(to_tsvector('norwegian', string_agg(s.text, ' ' ORDER BY s."order", s.id)), 'C')
FROM meetings_minutessection s
{where}
GROUP BY s.minutes_id
"""


def enabled() -> bool:
    return connection.vendor == "postgresql"


def refresh_cases(case_ids: Iterable[int]) -> None:
    """Redraw the documents of these cases (a case that no longer exists gets none)."""
    insert = _CASE_ROWS.format(where="WHERE c.id = ANY(%s)")
    ids = _redraw("meetings_casesearchdocument", "case_id", insert, case_ids)
    if ids:
        _set_flags(_FLAGS, "AND c.id = ANY(%(ids)s)", ids)
        _add_words(_CASE_WORDS, "AND d.case_id = ANY(%(ids)s)", ids)


def refresh_meetings(meeting_ids: Iterable[int]) -> None:
    """The flags of the documents of these meetings' cases and minutes (status or start changed)."""
    ids = sorted({value for value in meeting_ids if value is not None})
    if ids and enabled():
        _set_flags(_FLAGS, "AND c.meeting_id = ANY(%(ids)s)", ids)
        _set_flags(_MINUTES_FLAGS, "AND m.id = ANY(%(ids)s)", ids)
        _add_words(_CASE_WORDS, "AND c.meeting_id = ANY(%(ids)s)", ids)
        _add_words(_MINUTES_WORDS, "AND m.meeting_id = ANY(%(ids)s)", ids)


def _set_flags(statement: str, where: str, ids=None) -> None:
    from .lifecycle import AGENDA_PUBLIC_STATUSES, MINUTES_PUBLIC_STATUSES

    params = {
        "agenda_public": list(AGENDA_PUBLIC_STATUSES),
        "minutes_public": list(MINUTES_PUBLIC_STATUSES),
        "ids": ids,
    }
    with connection.cursor() as cursor:
        cursor.execute(statement.format(where=where), params)


# The minutes' rows: read by visitors once the meeting's status makes the minutes public.
_MINUTES_FLAGS = """
UPDATE meetings_minutessearchdocument d
SET start = m.start, body_id = m.body_id, public = m.status = ANY(%(minutes_public)s)
FROM meetings_minutes mi JOIN meetings_meeting m ON m.id = mi.meeting_id
WHERE d.minutes_id = mi.id {where}
"""


def refresh_minutes(minutes_ids: Iterable[int]) -> None:
    ids = _redraw(
        "meetings_minutessearchdocument",
        "minutes_id",
        _MINUTES_ROWS.format(where="WHERE s.minutes_id = ANY(%s)"),
        minutes_ids,
    )
    if ids:
        _set_flags(_MINUTES_FLAGS, "AND mi.id = ANY(%(ids)s)", ids)
        _add_words(_MINUTES_WORDS, "AND d.minutes_id = ANY(%(ids)s)", ids)


def _redraw(table: str, key: str, insert: str, ids: Iterable[int]) -> list[int]:
    ids = sorted({value for value in ids if value is not None})
    if not ids or not enabled():
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {key} = ANY(%s)", [ids])  # noqa: S608 (our names)
        cursor.execute(insert, [ids])
    return ids


def rebuild_all(case_rows: str = _CASE_ROWS) -> tuple[int, int]:
    """Every document from scratch; (case rows, minutes rows) written. A migration passes its own
    frozen `case_rows` when the current statement reads tables or columns it does not have yet."""
    if not enabled():
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM meetings_casesearchdocument")
        cursor.execute("DELETE FROM meetings_minutessearchdocument")
        cursor.execute(case_rows.format(where=""))
        cases = cursor.rowcount
        cursor.execute(_MINUTES_ROWS.format(where=""))
        minutes = cursor.rowcount
    refresh_all_flags()
    # The migrations before 0019 (which makes the vocabulary) draw the documents through here too.
    if "meetings_searchword" in connection.introspection.table_names():
        rebuild_words()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_casesearchdocument")
        cursor.execute("ANALYZE meetings_minutessearchdocument")
    return cases, minutes


def refresh_all_flags() -> None:
    """Every row's flags (after a migration that adds them, or a bulk change of meetings)."""
    if enabled():
        _set_flags(_FLAGS, "")
        _set_flags(_MINUTES_FLAGS, "")


# The vocabulary of suggestions (meetings/models/search.py, SearchWord): the words of what a visitor
# reads, as PostgreSQL's `simple` configuration splits and lowercases them; words of 3 to 40
# letters without digits (numbers, dates and case numbers are not misspelt words).
WORD_FILTER = "length(word) BETWEEN 3 AND 40 AND word !~ '[0-9]'"

_INSERT_WORDS = """
INSERT INTO meetings_searchword (word)
SELECT DISTINCT word FROM ({words}) AS words (word)
WHERE {filter}
ON CONFLICT DO NOTHING
"""

# The text of each case row a visitor reads (flagged `public`), at its level: the paper (title,
# agenda title, names, proposal, sections) with the decision at `full`; the public title, with the
# public decision at `public_decision`.
_CASE_WORDS = """
SELECT unnest(tsvector_to_array(to_tsvector('simple', CASE
    WHEN d.level IN ('public', 'public_decision') THEN c.public_title
        || CASE WHEN d.level = 'public_decision' THEN ' ' || c.public_decision ELSE '' END
    ELSE c.title || ' ' || c.agenda_title || ' ' || c.proposal || ' ' || coalesce(
        (SELECT string_agg(coalesce(nullif(n.wording, ''), pe.name, ''), ' ')
         FROM meetings_caseperson n LEFT JOIN governance_person pe ON pe.id = n.person_id
         WHERE n.case_id = c.id), '')
        || ' ' || coalesce((SELECT string_agg(s.text, ' ') FROM meetings_casesection s
                            WHERE s.case_id = c.id), '')
        || CASE WHEN d.level = 'full' THEN ' ' || c.discussion || ' ' || c.decision ELSE '' END
    END)))
FROM meetings_casesearchdocument d JOIN meetings_case c ON c.id = d.case_id
WHERE d.public {where}
"""

# The minutes' free sections, once a visitor reads the minutes.
_MINUTES_WORDS = """
SELECT unnest(tsvector_to_array(to_tsvector('simple', s.heading || ' ' || s.text)))
FROM meetings_minutessection s
JOIN meetings_minutessearchdocument d ON d.minutes_id = s.minutes_id
JOIN meetings_minutes m ON m.id = s.minutes_id
WHERE d.public {where}
"""

# Sent after the vocabulary is drawn afresh (rebuild_words): the apps above add the words of their
# own public text (the action plans), which this app does not know.
words_rebuilt = Signal()


def _add_words(words: str, where: str, ids) -> None:
    with connection.cursor() as cursor:
        statement = _INSERT_WORDS.format(words=words.format(where=where), filter=WORD_FILTER)
        cursor.execute(statement, {"ids": ids})


def add_public_words(texts: Iterable[str]) -> None:
    """Add the words of these texts, which every visitor reads (an action plan's own text)."""
    texts = [text for text in texts if text]
    if texts:
        add_public_words_of("SELECT unnest(%(texts)s::text[])", {"texts": texts})


def add_public_words_of(texts: str, params=None) -> None:
    """Add the words of the texts this SQL selects (one text column), which every visitor reads."""
    if enabled():
        words = f"SELECT unnest(tsvector_to_array(to_tsvector('simple', t))) FROM ({texts}) AS texts (t)"
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_WORDS.format(words=words, filter=WORD_FILTER), params)


def add_words_of_public_rows() -> None:
    """The words of every case and minutes row flagged `public`."""
    _add_words(_CASE_WORDS, "", None)
    _add_words(_MINUTES_WORDS, "", None)


def rebuild_words() -> None:
    """The vocabulary afresh from what visitors read now: words no public text has any more go."""
    if not enabled():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM meetings_searchword")
    add_words_of_public_rows()
    words_rebuilt.send(sender=rebuild_words)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_searchword")


def _deleted_with(origin, model) -> bool:
    """Whether a delete started at `model` (a row or a queryset of it): its documents go with it."""
    return getattr(origin, "model", type(origin)) is model


def connect() -> None:
    from .models import Case, CasePerson, CaseSection, Meeting, Minutes, MinutesSection

    def case_saved(sender, instance, **kwargs):
        refresh_cases([instance.pk])

    def meeting_saved(sender, instance, created=False, **kwargs):
        if not created:  # a new meeting has no cases yet
            refresh_meetings([instance.pk])

    def section_changed(sender, instance, origin=None, **kwargs):
        if not _deleted_with(origin, Case):
            refresh_cases([instance.case_id])

    def minutes_section_changed(sender, instance, origin=None, **kwargs):
        if not _deleted_with(origin, Minutes):
            refresh_minutes([instance.minutes_id])

    uid = "meetings.search_index"
    signals.post_save.connect(case_saved, sender=Case, weak=False, dispatch_uid=f"{uid}:case")
    signals.post_save.connect(meeting_saved, sender=Meeting, weak=False, dispatch_uid=f"{uid}:meeting")
    for signal in (signals.post_save, signals.post_delete):
        signal.connect(section_changed, sender=CaseSection, weak=False, dispatch_uid=f"{uid}:section")
        signal.connect(section_changed, sender=CasePerson, weak=False, dispatch_uid=f"{uid}:person")
        signal.connect(
            minutes_section_changed, sender=MinutesSection, weak=False, dispatch_uid=f"{uid}:minutes"
        )
