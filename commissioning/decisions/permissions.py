"""Who may read, draft, approve, sign and determine decision records."""

from __future__ import annotations

from commissioning.core.permissions import role_rule, staff_rule
from commissioning.core.roles import Role

VIEW = "decisions.view"
DRAFT = "decisions.draft"
APPROVE = "decisions.approve"
SIGN = "decisions.sign"
DETERMINE = "decisions.determine"

staff_rule(
    VIEW,
    "OPCC staff read decision records, drafts included",
    "decision records before publication are for OPCC staff",
)
role_rule(
    DRAFT,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "officers draft decision records",
    "only officers draft decision records",
)
role_rule(
    APPROVE,
    [Role.CHIEF_EXECUTIVE, Role.CFO],
    "the Chief Executive or the Chief Finance Officer approves",
    "only the Chief Executive or the Chief Finance Officer approves",
)
role_rule(
    SIGN,
    [Role.PCC],
    "the Police and Crime Commissioner decides and signs",
    "only the Police and Crime Commissioner signs a decision",
)
role_rule(
    DETERMINE,
    [Role.CHIEF_EXECUTIVE],
    "the Monitoring Officer determines publication",
    "only the Monitoring Officer determines publication",
)
