"""Provenance on pages and PDFs: which source document a record was loaded from, and where the
portal shows it otherwise than the source says (governance.SourceCorrection)."""

from django import template

from ..models import SourceCorrection
from ..querysets import corrections_of

register = template.Library()


@register.simple_tag
def source_corrections(record) -> list:
    """The corrections of `record`'s source that concern it, for a reader who may read the
    record's content (a case whose content is withheld shows none). A record read
    with_source_corrections() brings them along; another costs one query, and a record entered in
    the portal none (a correction corrects the source the record came from)."""
    if record is None or getattr(record, "source_id", None) is None:
        return []
    if not getattr(record, "content_visible", True):
        return []
    if hasattr(record, "source_corrections_json"):
        rows = record.source_corrections_json or []
        return [SourceCorrection(**row) for row in sorted(rows, key=lambda row: (row["order"], row["pk"]))]
    corrections = SourceCorrection.objects.filter(**corrections_of(type(record)), object_id=record.pk)
    return list(corrections.order_by("order", "pk"))
