"""Who may do what with decision records (registered in the shared rule registry)."""

from __future__ import annotations

from commissioning.accounts.models import STAFF_ROLES, Role
from commissioning.accounts.permissions import Result, rule


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rule("decisions.view")
def can_view(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(*STAFF_ROLES):
        return True, "OPCC staff read decision records, drafts included"
    return False, "decision records before publication are for OPCC staff"


@rule("decisions.draft")
def can_draft(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.COMMISSIONING_OFFICER, Role.CFO):
        return True, "officers draft decision records"
    return False, "only officers draft decision records"


@rule("decisions.approve")
def can_approve(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.CHIEF_EXECUTIVE, Role.CFO):
        return True, "the Chief Executive or the Chief Finance Officer approves"
    return False, "only the Chief Executive or the Chief Finance Officer approves"


@rule("decisions.sign")
def can_sign(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.PCC):
        return True, "the Police and Crime Commissioner decides and signs"
    return False, "only the Police and Crime Commissioner signs a decision"


@rule("decisions.determine")
def can_determine(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.CHIEF_EXECUTIVE):
        return True, "the Monitoring Officer determines publication"
    return False, "only the Monitoring Officer determines publication"
