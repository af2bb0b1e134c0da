"""Who may read, draft, approve, sign and determine decision records."""

from __future__ import annotations

from commissioning.core.permissions import Result, has_role, is_staff, rule
from commissioning.core.roles import Role

VIEW = "decisions.view"
DRAFT = "decisions.draft"
APPROVE = "decisions.approve"
SIGN = "decisions.sign"
DETERMINE = "decisions.determine"


@rule(VIEW)
def can_view(user, obj=None) -> Result:
    if is_staff(user):
        return True, "OPCC staff read decision records, drafts included"
    return False, "decision records before publication are for OPCC staff"


@rule(DRAFT)
def can_draft(user, obj=None) -> Result:
    if has_role(user, Role.COMMISSIONING_OFFICER, Role.CFO):
        return True, "officers draft decision records"
    return False, "only officers draft decision records"


@rule(APPROVE)
def can_approve(user, obj=None) -> Result:
    if has_role(user, Role.CHIEF_EXECUTIVE, Role.CFO):
        return True, "the Chief Executive or the Chief Finance Officer approves"
    return False, "only the Chief Executive or the Chief Finance Officer approves"


@rule(SIGN)
def can_sign(user, obj=None) -> Result:
    if has_role(user, Role.PCC):
        return True, "the Police and Crime Commissioner decides and signs"
    return False, "only the Police and Crime Commissioner signs a decision"


@rule(DETERMINE)
def can_determine(user, obj=None) -> Result:
    if has_role(user, Role.CHIEF_EXECUTIVE):
        return True, "the Monitoring Officer determines publication"
    return False, "only the Monitoring Officer determines publication"
