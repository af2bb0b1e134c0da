"""Who may see and change the budget and the allocation ledger."""

from __future__ import annotations

from commissioning.core.permissions import Result, has_role, is_staff, role_rule, rule
from commissioning.core.roles import STAFF_ROLES, Role

VIEW = "budgets.view"
MANAGE = "budgets.manage"
ALLOCATIONS_LIST = "allocations.list"
ALLOCATION_VIEW = "allocations.view"
ALLOCATIONS_CHANGE = "allocations.change"
TABLES_VIEW = "tables.view"
PAYMENTS_POST = "ledger.post_payment"
RECONCILIATION_VIEW = "reconciliation.view"
RECONCILIATION_EXPLAIN = "reconciliation.explain"
POOLS_MANAGE = "pools.manage"

# The year's position, its tables and its reconciliation with the papers: OPCC staff, and
# the Police and Crime Panel, who scrutinise them (read only; never the allocations' own
# pages, which carry who recorded what).
POSITION_READERS = (*STAFF_ROLES, Role.POLICE_CRIME_PANEL)
_YES = "OPCC staff and the Police and Crime Panel see the budget position"
_NO = "only OPCC staff and the Police and Crime Panel see the budget position"
role_rule(VIEW, POSITION_READERS, _YES, _NO)
role_rule(TABLES_VIEW, POSITION_READERS, _YES, _NO)
role_rule(RECONCILIATION_VIEW, POSITION_READERS, _YES, _NO)
role_rule(
    RECONCILIATION_EXPLAIN,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO mark reconciliation findings explained",
    "only commissioning officers and the Chief Finance Officer mark findings explained",
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
    POOLS_MANAGE,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO record pooled budgets and their contributions",
    "only commissioning officers and the Chief Finance Officer record pooled budgets",
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
