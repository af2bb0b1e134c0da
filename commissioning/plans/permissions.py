"""Who may read the Police and Crime Plan: anyone; it is a public document."""

from __future__ import annotations

from commissioning.core.permissions import Result, rule

VIEW = "plans.view"


@rule(VIEW)
def can_view_plan(user, obj=None) -> Result:
    return True, "the Police and Crime Plan is a public document"
