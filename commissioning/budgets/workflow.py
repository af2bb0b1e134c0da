"""The moves of an allocation's status. Its status lives in append-only versions, so the
services check a move with `ALLOCATION.permit` and then write the new version and its
ledger entries themselves. The object a move is checked against is the current version."""

from __future__ import annotations

from commissioning.core.workflow import Move, Workflow

from .models import Status
from .permissions import ALLOCATIONS_CHANGE

ALLOCATION = Workflow(
    "allocation",
    Status,
    [
        Move(Status.INDICATIVE, Status.COMMITTED, ALLOCATIONS_CHANGE, "committed", "Commit"),
        Move(Status.INDICATIVE, Status.CANCELLED, ALLOCATIONS_CHANGE, "cancelled", "Cancel"),
        Move(
            Status.COMMITTED,
            Status.INDICATIVE,
            ALLOCATIONS_CHANGE,
            "back to indicative",
            "Make indicative",
        ),
        Move(Status.COMMITTED, Status.CANCELLED, ALLOCATIONS_CHANGE, "cancelled", "Cancel"),
    ],
)
