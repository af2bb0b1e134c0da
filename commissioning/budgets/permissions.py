"""Who may see and change the budget and the allocation ledger."""

from __future__ import annotations

from commissioning.core.permissions import Result, has_role, is_staff, rule
from commissioning.core.roles import Role

VIEW = "budgets.view"
MANAGE = "budgets.manage"
ALLOCATIONS_LIST = "allocations.list"
ALLOCATION_VIEW = "allocations.view"
ALLOCATIONS_CHANGE = "allocations.change"
TABLES_VIEW = "tables.view"
RECONCILIATION_VIEW = "reconciliation.view"


@rule(VIEW)
def can_view_budget(user, obj=None) -> Result:
    if is_staff(user):
        return True, "OPCC staff see the budget"
    return False, "only OPCC staff see the budget position"


@rule(MANAGE)
def can_manage_budget(user, obj=None) -> Result:
    if has_role(user, Role.CFO):
        return True, "the Chief Finance Officer manages funding streams and budget lines"
    return False, "only the Chief Finance Officer manages funding streams and budget lines"


@rule(ALLOCATIONS_LIST)
def can_list_allocations(user, obj=None) -> Result:
    if is_staff(user):
        return True, "OPCC staff see the ledger"
    if has_role(user, Role.PARTNER) and user.organisation_id:
        return True, "partners see their own organisation's allocations"
    return False, "sign in as OPCC staff or a partner to see allocations"


@rule(ALLOCATION_VIEW)
def can_view_allocation(user, allocation) -> Result:
    if is_staff(user):
        return True, "OPCC staff see every allocation"
    if (
        has_role(user, Role.PARTNER)
        and user.organisation_id is not None
        and allocation.organisation_id == user.organisation_id
    ):
        return True, "partners see their own organisation's allocations"
    return False, "this allocation belongs to another organisation"


@rule(ALLOCATIONS_CHANGE)
def can_change_allocations(user, obj=None) -> Result:
    if has_role(user, Role.COMMISSIONING_OFFICER, Role.CFO):
        return True, "commissioning officers and the CFO record allocations"
    return False, "only commissioning officers and the Chief Finance Officer record allocations"


@rule(TABLES_VIEW)
def can_view_tables(user, obj=None) -> Result:
    return can_view_budget(user)


@rule(RECONCILIATION_VIEW)
def can_view_reconciliation(user, obj=None) -> Result:
    return can_view_budget(user)
