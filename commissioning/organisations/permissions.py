"""Who may see partner records."""

from __future__ import annotations

from commissioning.core.permissions import Result, has_role, is_staff, rule
from commissioning.core.roles import Role

VIEW = "organisations.view"


@rule(VIEW)
def can_view_organisations(user, obj=None) -> Result:
    if is_staff(user):
        return True, "OPCC staff see partner records"
    if obj is not None and has_role(user, Role.PARTNER) and user.organisation_id == obj.pk:
        return True, "partners see their own organisation"
    return False, "only OPCC staff see partner records"
