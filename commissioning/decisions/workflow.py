"""The decision record's workflow: draft, approved, signed, then published or not published.

Each move is made with a signature (`STEP_OF`): the Chief Executive's or CFO's approval, the
PCC's decision, the Monitoring Officer's determination. `services` makes every move through
`RECORD.apply`; pages ask `RECORD.moves_for(user, record)` which steps to offer. The two
people rules (nobody signs off their own draft; the approval and the PCC's signature are by
two people) are the predicates below, used by services and pages alike.
"""

from __future__ import annotations

from commissioning.core.workflow import Move, Workflow

from . import permissions as rules
from .status import Status, Step

RECORD = Workflow(
    "decision",
    Status,
    [
        Move(
            Status.DRAFT,
            Status.APPROVED,
            rules.APPROVE,
            "Approval by the Chief Executive or the Chief Finance Officer",
            "Approve and send to the PCC",
        ),
        Move(
            Status.APPROVED,
            Status.SIGNED,
            rules.SIGN,
            "Decision and signature of the Police and Crime Commissioner",
            "Sign the decision",
        ),
        Move(
            Status.SIGNED,
            Status.PUBLISHED,
            rules.DETERMINE,
            "Publication determination by the Monitoring Officer",
            "Determine publication",
        ),
        Move(
            Status.SIGNED,
            Status.NOT_PUBLISHED,
            rules.DETERMINE,
            "Publication determination by the Monitoring Officer",
            "Determine publication",
        ),
    ],
)

#: The signature each move is made with.
STEP_OF: dict[str, Step] = {
    Status.APPROVED: Step.APPROVE,
    Status.SIGNED: Step.SIGN,
    Status.PUBLISHED: Step.DETERMINE,
    Status.NOT_PUBLISHED: Step.DETERMINE,
}

#: A signed record and everything after it: what a correction may supersede.
SIGNED_OR_LATER = frozenset({Status.SIGNED, *RECORD.reachable(Status.SIGNED)})


def needed_before(target: str) -> str:
    """The status a record must have for the move to `target` (its label, in lower case)."""
    sources = [m.source for m in RECORD.moves.values() if m.target == target]
    return " or ".join(Status(s).label.lower() for s in sources)


def next_step(status: str) -> str:
    """What the record waits for, in words: the meaning of its next move ("" at the end)."""
    moves = RECORD.moves_from(status)
    return moves[0].meaning if moves else ""


def drafted_by(user, record) -> bool:
    """Whether `user` drafted `record`: they approve, sign and determine none of its steps."""
    return record.created_by_id is not None and record.created_by_id == getattr(user, "pk", None)


def same_person(approval, *, user, name: str, on_paper: bool) -> bool:
    """Whether the PCC's signature would be by the person who approved the record: the same
    user, or on paper the same name."""
    if approval.signer_id is not None and approval.signer_id == getattr(user, "pk", None):
        return True
    return on_paper and approval.name.strip().lower() == name.strip().lower()


def awaits(status: str, step: str) -> bool:
    """Whether a record in `status` waits for the signature `step` (its next move needs it)."""
    return any(STEP_OF[m.target] == step for m in RECORD.moves_from(status))
