"""Who may see partner records."""

from __future__ import annotations

from commissioning.core.permissions import Result, is_staff, rule, signed_in

VIEW = "organisations.view"


@rule(VIEW)
def can_view_organisations(user, obj=None) -> Result:
    if is_staff(user):
        return True, "OPCC staff see partner records"
    if obj is not None and signed_in(user) and user.organisation_id == getattr(obj, "pk", None):
        return True, "partners see their own organisation"
    return False, "only OPCC staff see partner records"
