"""Querysets for meetings and cases; every rule comes from meetings.permissions and the lifecycle."""

import json

from django.db import models
from django.db.models import Aggregate, BooleanField, OuterRef, Subquery, TextField, Value, When
from django.db.models import Case as Conditional
from django.db.models.functions import JSONObject
from django.db.models.query import ModelIterable

from governance.permissions import all_of, matches_nothing
from governance.querysets import CompiledOnce

from . import permissions
from .lifecycle import AGENDA_PUBLIC_STATUSES, CALENDAR_Q, MINUTES_PUBLIC_STATUSES, MINUTES_PUBLISHED_Q


def _flag(condition):
    """A boolean annotation that is true where `condition` holds (plain false where nothing can)."""
    if matches_nothing(condition):
        return Value(False, output_field=BooleanField())
    return Conditional(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


class _JsonRows(Aggregate):
    """The rows of a group as one JSON array (SQLite's json_group_array, PostgreSQL's json_agg).

    Read as it comes (text from SQLite, a list from psycopg's json typecaster; `_decoded` takes
    both), not through JSONField, which expects text."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSON_AGG", **extra)


def _json_rows(name: str, model, outer: str, rows, **where):
    """A correlated subquery: the rows of `model` whose `outer` is the outer row, filtered by
    `where`, as one JSON array of `rows` (an expression or a field name); compiled once per
    `name` (governance.querysets.CompiledOnce)."""

    def build():
        return Subquery(
            model.objects.filter(**{outer: OuterRef("pk")}, **where)
            .values(outer)
            .annotate(rows=_JsonRows(rows))
            .values("rows")[:1],
            output_field=TextField(),
        )

    return CompiledOnce(name, build, TextField())


def _rows_of(model, fields: dict):
    """The case's rows of `model` as a JSON array of `fields`."""
    return _json_rows(
        f"rows:{model._meta.label_lower}:{','.join(fields)}", model, "case", JSONObject(**fields)
    )


def _decoded(value) -> list:
    if isinstance(value, str):
        value = json.loads(value)
    return sorted(value or [], key=lambda row: (row["order"], row["id"]))


class _NamedCaseIterable(ModelIterable):
    """Cases with their named people and programme items read in the case query itself (see
    CaseQuerySet.with_names): each case's `people` and `programme_items` answer `.all()` from
    them, without a query of their own."""

    def __iter__(self):
        from governance.models import Person

        from .models import Attachment, CasePerson, ProgrammeItem

        for case in super().__iter__():
            items = [
                ProgrammeItem(
                    id=row["id"],
                    case=case,
                    order=row["order"],
                    title=row["title"],
                    starts_at=ProgrammeItem._meta.get_field("starts_at").to_python(row["starts_at"]),
                    ends_at=ProgrammeItem._meta.get_field("ends_at").to_python(row["ends_at"]),
                )
                for row in _decoded(case.__dict__.pop("programme_rows", None))
            ]
            people = []
            for row in _decoded(case.__dict__.pop("people_rows", None)):
                named = CasePerson(
                    id=row["id"],
                    case=case,
                    role=row["role"],
                    order=row["order"],
                    wording=row["wording"],
                    programme_item_id=row["programme_item_id"],
                )
                if row["person_id"] is not None:
                    named.person = Person(id=row["person_id"], name=row["person_name"])
                people.append(named)
            attachments = [
                Attachment(
                    id=row["id"],
                    case=case,
                    order=row["order"],
                    title=row["title"],
                    file=row["file"] or "",
                    exempt=bool(row["exempt"]),
                    exemption_basis=row["exemption_basis"],
                )
                for row in _decoded(case.__dict__.pop("attachment_rows", None))
            ]
            for obj in (*items, *people, *attachments):
                obj._state.adding, obj._state.db = False, self.queryset.db
            cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
            cache["people"], cache["programme_items"], cache["attachments"] = people, items, attachments
            yield case


class MeetingQuerySet(models.QuerySet):
    def published(self):
        """Meetings whose notice and agenda are public."""
        return self.filter(status__in=AGENDA_PUBLIC_STATUSES)

    def visible_to(self, user):
        return self.filter(permissions.meeting_visible_q(user))

    def with_minutes_published(self):
        return self.filter(status__in=MINUTES_PUBLIC_STATUSES)

    def upcoming(self, *, now=None):
        from django.utils import timezone

        return self.filter(start__gte=now or timezone.now()).order_by("start")

    def in_calendar(self):
        """Meetings that may be calendar events: those on a day the source gives."""
        return self.filter(CALENDAR_Q)

    def with_referents(self):
        """Read with each meeting the people who take its minutes (attendances marked referent),
        as `referent_rows` (a JSON array of person ids): permissions.can_view_minutes asks no
        query of its own for a member's draft minutes."""
        from .models import Attendance

        referents = _json_rows(
            "rows:meeting-referents",
            Attendance,
            "meeting",
            "person_id",
            is_referent=True,
            person__isnull=False,
        )
        return self.annotate(referent_rows=referents)

    def with_access(self, user):
        """Annotate `minutes_visible` so lists need no query per row."""
        return self.annotate(minutes_visible=_flag(permissions.minutes_visible_q(user)))


class CaseQuerySet(models.QuerySet):
    def published(self):
        """Cases on a published agenda (content may still be exempt)."""
        return self.filter(meeting__status__in=AGENDA_PUBLIC_STATUSES)

    def visible_to(self, user):
        """Cases the user may see listed, under their shown title."""
        return self.filter(permissions.case_visible_q(user))

    def readable_by(self, user):
        """Cases whose paper (exempt content included) the user may read."""
        return self.filter(permissions.case_readable_q(user))

    def with_names(self):
        """Read each case's named people (with their Person's name), programme items and
        attachments (in their order) in the case query itself, so a page of papers needs no query
        for them (issue #12: each query is a round trip that waits for a busy database)."""
        from .models import Attachment, CasePerson, ProgrammeItem

        clone = self.annotate(
            people_rows=_rows_of(
                CasePerson,
                {
                    "id": "id",
                    "role": "role",
                    "order": "order",
                    "wording": "wording",
                    "person_id": "person_id",
                    "person_name": "person__name",
                    "programme_item_id": "programme_item_id",
                },
            ),
            programme_rows=_rows_of(
                ProgrammeItem,
                {
                    "id": "id",
                    "order": "order",
                    "title": "title",
                    "starts_at": "starts_at",
                    "ends_at": "ends_at",
                },
            ),
            attachment_rows=_rows_of(
                Attachment,
                {
                    "id": "id",
                    "order": "order",
                    "title": "title",
                    "file": "file",
                    "exempt": "exempt",
                    "exemption_basis": "exemption_basis",
                },
            ),
        )
        clone._iterable_class = _NamedCaseIterable
        return clone

    def with_access(self, user):
        """Annotate `content_visible` and `decision_visible` per row, in the same query."""
        return self.annotate(
            content_visible=_flag(permissions.case_readable_q(user)),
            decision_visible=_flag(
                all_of(permissions.case_readable_q(user), permissions.minutes_visible_q(user, "meeting__"))
            ),
        )


class MinutesQuerySet(models.QuerySet):
    def published(self):
        return self.filter(MINUTES_PUBLISHED_Q, meeting__status__in=MINUTES_PUBLIC_STATUSES)

    def visible_to(self, user):
        return self.filter(permissions.minutes_visible_q(user, "meeting__"))


class AttachmentQuerySet(models.QuerySet):
    def published(self):
        """Attachments whose file the public may open."""
        return self.filter(case__meeting__status__in=AGENDA_PUBLIC_STATUSES, exempt=False, case__exempt=False)

    def visible_to(self, user):
        """Attachments listed by title (exempt ones too, with their basis)."""
        return self.filter(permissions.case_visible_q(user, "case__"))

    def readable_by(self, user):
        return self.filter(permissions.attachment_readable_q(user))
