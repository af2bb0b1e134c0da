"""Who may read the scrutiny pages: the outcomes pack and the year end.

The Police and Crime Panel holds the Commissioner to account; its members read the outcomes
by priority, the year positions and the year end, never anything about a person (no
applications, reviews, returns' narratives, users, cohort records or the audit log). OPCC
staff read the same pages. `READ` is the rule those pages ask, whichever app they are in.
"""

from __future__ import annotations

from commissioning.core.permissions import role_rule
from commissioning.core.roles import STAFF_ROLES, Role

READ = "scrutiny.read"
READERS = (*STAFF_ROLES, Role.POLICE_CRIME_PANEL)

role_rule(
    READ,
    READERS,
    "OPCC staff and the Police and Crime Panel read the outcomes pack and the year end",
    "only OPCC staff and the Police and Crime Panel read the scrutiny pages",
)
