"""Application statuses and the transitions between them, as one explicit table.

`application_transition` (services.py) is the only code that changes an application's status:
it checks the move is in TRANSITIONS, checks the actor's permission rule, writes the
timeline row and the audit event in the same transaction.
"""

from __future__ import annotations

from .status import Status

# (from, to) -> (permission rule the actor must pass, what the move means)
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (Status.DRAFT, Status.SUBMITTED): ("grants.apply", "submitted before the deadline"),
    (Status.DRAFT, Status.WITHDRAWN): ("grants.apply", "withdrawn by the applicant"),
    (Status.SUBMITTED, Status.WITHDRAWN): ("grants.apply", "withdrawn by the applicant"),
    (Status.SUBMITTED, Status.INELIGIBLE): ("grants.screen", "screened out, with a reason"),
    (Status.SUBMITTED, Status.IN_REVIEW): ("grants.screen", "screened in and sent to reviewers"),
    (Status.IN_REVIEW, Status.REVIEWED): ("grants.manage", "every assigned reviewer has scored"),
    (Status.REVIEWED, Status.RECOMMENDED): ("grants.panel", "the panel recommends funding"),
    (Status.REVIEWED, Status.NOT_RECOMMENDED): ("grants.panel", "the panel recommends rejection"),
    (Status.RECOMMENDED, Status.APPROVED): ("grants.decide", "approved by the PCC"),
    (Status.RECOMMENDED, Status.DECLINED): ("grants.decide", "not approved by the PCC"),
    (Status.NOT_RECOMMENDED, Status.DECLINED): ("grants.decide", "rejection confirmed by the PCC"),
}
