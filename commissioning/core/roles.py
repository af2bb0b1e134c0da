"""The roles people hold, as a vocabulary every app's permission rules can use.

Roles are Django groups named by these values (see `accounts.User.has_role`). They live here,
beneath every app, so that a rule in any app can name a role without importing accounts.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PCC = "pcc", "Police and Crime Commissioner"
    CHIEF_EXECUTIVE = "chief_executive", "Chief Executive (Monitoring Officer)"
    CFO = "cfo", "Chief Finance Officer"
    COMMISSIONING_OFFICER = "commissioning_officer", "Commissioning officer"
    REVIEWER = "reviewer", "Reviewer"
    PANEL_MEMBER = "panel_member", "Panel member"
    POLICE_CRIME_PANEL = "police_crime_panel", "Police and Crime Panel member"
    PARTNER = "partner", "Partner"


STAFF_ROLES = frozenset({Role.PCC, Role.CHIEF_EXECUTIVE, Role.CFO, Role.COMMISSIONING_OFFICER})
