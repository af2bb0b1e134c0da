"""Who may see and change the budget and the allocation ledger."""

from __future__ import annotations

from commissioning.core.permissions import Result, has_role, is_staff, role_rule, rule, staff_rule
from commissioning.core.roles import Role

VIEW = "budgets.view"
MANAGE = "budgets.manage"
ALLOCATIONS_LIST = "allocations.list"
ALLOCATION_VIEW = "allocations.view"
ALLOCATIONS_CHANGE = "allocations.change"
TABLES_VIEW = "tables.view"
PAYMENTS_POST = "ledger.post_payment"
RECONCILIATION_VIEW = "reconciliation.view"

staff_rule(VIEW, "OPCC staff see the budget", "only OPCC staff see the budget position")
staff_rule(TABLES_VIEW, "OPCC staff see the budget", "only OPCC staff see the budget position")
staff_rule(
    RECONCILIATION_VIEW, "OPCC staff see the budget", "only OPCC staff see the budget position"
)
role_rule(
    MANAGE,
    [Role.CFO],
    "the Chief Finance Officer manages funding streams and budget lines",
    "only the Chief Finance Officer manages funding streams and budget lines",
)
role_rule(
    ALLOCATIONS_CHANGE,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO record allocations",
    "only commissioning officers and the Chief Finance Officer record allocations",
)

role_rule(
    PAYMENTS_POST,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO record the payments made",
    "only commissioning officers and the Chief Finance Officer record payments",
)


@rule(ALLOCATIONS_LIST)
def can_list_allocations(user, obj=None) -> Result:
    if is_staff(user):
        return True, "OPCC staff see the ledger"
    if has_role(user, Role.PARTNER) and user.organisation_id:
        return True, "partners see their own organisation's allocations"
    return False, "sign in as OPCC staff or a partner to see allocations"


@rule(ALLOCATION_VIEW)
def can_view_allocation(user, version) -> Result:
    """Asked of an allocation's current version, which names its organisation."""
    if is_staff(user):
        return True, "OPCC staff see every allocation"
    if (
        has_role(user, Role.PARTNER)
        and user.organisation_id is not None
        and version.organisation_id == user.organisation_id
    ):
        return True, "partners see their own organisation's allocations"
    return False, "this allocation belongs to another organisation"
