"""Who reads the medium-term financial strategy and who changes its scenarios.

OPCC staff and the Police and Crime Panel read the scenarios, the precept options and the
printed figures beside them (the Panel scrutinises the budget and the precept; there is no
personal data). The Chief Finance Officer sets the scenarios' assumptions.
"""

from __future__ import annotations

from commissioning.core.permissions import role_rule
from commissioning.core.roles import STAFF_ROLES, Role

VIEW = "mtfs.view"
EDIT = "mtfs.edit"

role_rule(
    VIEW,
    (*STAFF_ROLES, Role.POLICE_CRIME_PANEL),
    "OPCC staff and the Police and Crime Panel read the medium-term financial strategy",
    "only OPCC staff and the Police and Crime Panel read the medium-term financial strategy",
)
role_rule(
    EDIT,
    [Role.CFO],
    "the Chief Finance Officer sets the medium-term financial strategy's scenarios",
    "only the Chief Finance Officer sets the medium-term financial strategy's scenarios",
)
