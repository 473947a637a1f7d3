"""Attachments of a case: checked for size and type from their content, saved with history."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

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
    save_with_history(attachment, reason=reason, by=by)
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
