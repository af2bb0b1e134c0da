"""Who may read the year end and who closes it.

The year end is read by OPCC staff and the Police and Crime Panel (it carries no personal
data: organisations and sums only). The Chief Finance Officer collects underspend into the
next year's central pot, raises what is owed back and records its repayment.
"""

from __future__ import annotations

from commissioning.core.permissions import role_rule
from commissioning.core.roles import STAFF_ROLES, Role

VIEW = "yearend.view"
COLLECT = "yearend.collect"

role_rule(
    VIEW,
    (*STAFF_ROLES, Role.POLICE_CRIME_PANEL),
    "OPCC staff and the Police and Crime Panel read the year end",
    "only OPCC staff and the Police and Crime Panel read the year end",
)
role_rule(
    COLLECT,
    [Role.CFO],
    "the Chief Finance Officer collects underspend and what is owed back",
    "only the Chief Finance Officer collects underspend and what is owed back",
)
