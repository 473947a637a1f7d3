"""Attachments of a case: checked for size and type from their content, saved with history.

Files go through the default storage (a local folder or S3-compatible object storage), under
attachments/ with random names, and are served only by the view that checks visibility
(meetings.views.public.attachment_download). A file whose row never committed (an interrupted
upload) or whose row was deleted is an orphan: `delete_orphaned_files()`, run daily by
`manage.py cleanup_files`, removes it.
"""

from __future__ import annotations

from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from documents.storage import walk
from governance import permissions
from governance.history import save_with_history

from .. import uploads
from ..models import Attachment, Case
from .common import _refuse_if_case_locked, _validated, changed_after_notice


def _attach(
    case: Case, *, upload, title: str, by, reason: str, exempt=False, exemption_basis=""
) -> Attachment:
    uploads.validate_upload(upload)
    order = (case.attachments.aggregate(top=Max("order"))["top"] or 0) + 1
    attachment = Attachment(
        case=case,
        order=order,
        title=(title or "").strip(),
        file=upload,
        exempt=exempt,
        exemption_basis=(exemption_basis or "").strip() if exempt else "",
    )
    _validated(attachment)
    try:
        save_with_history(attachment, reason=reason, by=by)
    except BaseException:
        # The file may be stored already (it is written before the row): leave no orphan.
        if attachment.pk is None and attachment.file.name and attachment.file._committed:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_add(
    *, case: Case, upload, title: str, by, exempt: bool = False, exemption_basis: str = ""
) -> Attachment:
    """Attach a file to a case after checking its size and its type from its content."""
    permissions.require_manage(by, case.body.partnership)
    with transaction.atomic():
        fresh = Case.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=case.pk)
        _refuse_if_case_locked(fresh)
        reason = _("Attachment added")
        if fresh.meeting is not None and fresh.meeting.notice_is_issued:
            reason = changed_after_notice(reason, meeting=fresh.meeting, case=fresh)
            save_with_history(fresh, reason=reason, by=by)
        return _attach(
            fresh,
            upload=upload,
            title=title or getattr(upload, "name", ""),
            by=by,
            reason=reason,
            exempt=exempt,
            exemption_basis=exemption_basis,
        )


ATTACHMENTS_PREFIX = "attachments"


def delete_orphaned_files(*, older_than: datetime, dry_run: bool = False) -> list[str]:
    """Delete the files under attachments/ that no attachment row names and that are older than
    `older_than` (younger ones may belong to an upload whose transaction is still open).

    Only live rows count: the file of a deleted attachment goes (an exempt file must not linger),
    even if its history row still names it. Returns the names deleted (or that would be).
    """
    named = set(Attachment.objects.exclude(file="").values_list("file", flat=True))
    doomed = [
        name
        for name in walk(default_storage, ATTACHMENTS_PREFIX)
        if name not in named and default_storage.get_modified_time(name) < older_than
    ]
    if not dry_run:
        for name in doomed:
            default_storage.delete(name)
    return doomed
