"""Who may read and change notifications: each person their own, and nobody anyone else's
(the pages only ever fetch the signed-in person's)."""

from __future__ import annotations

from commissioning.core.permissions import Result, rule, signed_in

OWN = "notifications.own"


@rule(OWN)
def can_manage_own_notifications(user, obj=None) -> Result:
    """Anyone signed in reads their own notifications and chooses which are emailed."""
    if signed_in(user):
        return True, "you read your own notifications and choose which are emailed"
    return False, "sign in to see your notifications"
