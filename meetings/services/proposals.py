"""Case proposals (innmelding): a member proposes, the secretariat takes it in or returns it.

Taking a proposal onto an agenda is `agenda.case_take_in_proposal`; the proposals waiting
are read with `meetings.selectors.proposals_waiting`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import permissions
from governance.history import save_with_history
from governance.models import Body

from .. import tasks
from ..models import Case, CasePerson, CaseSection
from .attachments import _attach
from .common import _validated


def proposal_submit(
    *, body: Body, title: str, origin: str, background: str, proposal: str, by, attachments=()
) -> Case:
    """A member (or the secretariat) proposes a case to a body; it waits in the secretariat's inbox."""
    if not (permissions.can_propose_case(by, body) or permissions.can_manage(by, body.partnership)):
        raise PermissionDenied(_("Only members of the body may propose a case to it."))
    if body.kind == Body.Kind.SECRETARIAT:
        raise ValidationError(_("Cases are proposed to a committee or council, not to the secretariat."))
    with transaction.atomic():
        case = Case(
            body=body,
            meeting=None,
            year=timezone.localdate().year,
            title=(title or "").strip(),
            proposal=(proposal or "").strip(),
            proposal_kind=Case.ProposalKind.PROPOSED_DECISION if (proposal or "").strip() else "",
            intake_status=Case.IntakeStatus.PROPOSED,
            proposed_by=by if getattr(by, "is_authenticated", False) else None,
        )
        reason = _("Case proposed")
        _validated(case)
        save_with_history(case, reason=reason, by=by)
        if (origin or "").strip():
            named = CasePerson(case=case, role=CasePerson.Role.ORIGIN, order=1, wording=origin.strip()[:500])
            _validated(named)
            save_with_history(named, reason=reason, by=by)
        if (background or "").strip():
            section = CaseSection(case=case, order=1, heading="Bakgrunn", text=background.strip())
            _validated(section)
            save_with_history(section, reason=reason, by=by)
        for upload in attachments:
            _attach(case, upload=upload, title=upload.name, by=by, reason=reason)
    return case


def proposal_return(*, case: Case, reason: str, by) -> Case:
    """Return a proposed case to its proposer with a reason; the proposer is told after commit."""
    permissions.require_manage(by, case.body.partnership)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"return_reason": _("Give a reason for returning the proposal.")})
    with transaction.atomic():
        fresh = Case.objects.select_for_update().get(pk=case.pk)
        if fresh.intake_status != Case.IntakeStatus.PROPOSED or fresh.meeting_id is not None:
            raise ValidationError(_("Only a proposed case that is not on an agenda can be returned."))
        fresh.intake_status = Case.IntakeStatus.RETURNED
        fresh.return_reason = reason
        fresh.version += 1
        _validated(fresh)
        save_with_history(fresh, reason=_("Proposal returned: %(reason)s") % {"reason": reason}, by=by)
        case_id = fresh.pk
        transaction.on_commit(lambda: tasks.send_proposal_returned.delay(case_id))
    return fresh
