"""Who may see, run and read needs-based allocation runs."""

from __future__ import annotations

from commissioning.core.permissions import Result, has_role, is_staff, role_rule, rule, staff_rule
from commissioning.core.roles import Role

VIEW = "formula.view"
RUN = "formula.run"
READ = "formula.read"

staff_rule(
    VIEW,
    "OPCC staff see needs-based allocation runs",
    "only OPCC staff see formula runs in full; partners see their area of an adopted run",
)
role_rule(
    RUN,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO set up and run the formula",
    "only commissioning officers and the Chief Finance Officer run the formula",
)


@rule(READ)
def can_read_formula_run(user, run=None) -> Result:
    """Partners read the method and their own area's figures of an adopted run."""
    if is_staff(user):
        return True, "OPCC staff read every run"
    if run is None:
        if has_role(user, Role.PARTNER):
            return True, "partners read adopted runs"
        return False, "sign in as OPCC staff or a partner"
    if has_role(user, Role.PARTNER) and getattr(run, "is_adopted", False):
        return True, "partners read adopted runs"
    return False, "this run has not been adopted"
