"""The moves an application's status makes, as one table.

`services.application_transition` is the only code that changes an application's status: it
locks the row and calls `APPLICATION.apply`, which checks the move is in the table and the
actor passes its rule, and writes the audit event; the transition adds the timeline row.
Pages ask `APPLICATION.moves_for(user, application)` or `.can(...)` which buttons to show.
"""

from __future__ import annotations

from commissioning.core.permissions import SYSTEM_ONLY
from commissioning.core.workflow import Move, Workflow

from .permissions import APPLY, DECIDE, PANEL, SCREEN
from .status import Status

APPLICATION = Workflow(
    "application",
    Status,
    [
        Move(Status.DRAFT, Status.SUBMITTED, APPLY, "submitted before the deadline", "Submit"),
        Move(Status.DRAFT, Status.WITHDRAWN, APPLY, "withdrawn by the applicant", "Withdraw"),
        Move(Status.SUBMITTED, Status.WITHDRAWN, APPLY, "withdrawn by the applicant", "Withdraw"),
        Move(
            Status.SUBMITTED,
            Status.INELIGIBLE,
            SCREEN,
            "screened out, with a reason",
            "Not eligible",
        ),
        Move(
            Status.SUBMITTED,
            Status.IN_REVIEW,
            SCREEN,
            "screened in and sent to reviewers",
            "Eligible: send to reviewers",
        ),
        Move(
            Status.IN_REVIEW,
            Status.REVIEWED,
            SYSTEM_ONLY,
            "every assigned reviewer without a conflict has scored",
        ),
        Move(
            Status.REVIEWED, Status.RECOMMENDED, PANEL, "the panel recommends funding", "Recommend"
        ),
        Move(
            Status.REVIEWED,
            Status.NOT_RECOMMENDED,
            PANEL,
            "the panel recommends rejection",
            "Recommend rejection",
        ),
        Move(Status.RECOMMENDED, Status.APPROVED, DECIDE, "approved by the PCC", "Approve"),
        Move(Status.RECOMMENDED, Status.DECLINED, DECIDE, "not approved by the PCC", "Decline"),
        Move(
            Status.NOT_RECOMMENDED,
            Status.DECLINED,
            DECIDE,
            "rejection confirmed by the PCC",
            "Confirm the rejection",
        ),
    ],
)
