"""The moves of an agreement, a payment and a monitoring return."""

from __future__ import annotations

from commissioning.core.workflow import Move, Workflow

from .models import AgreementStatus as A
from .models import PaymentStatus as P
from .models import ReturnStatus as R
from .models import VariationStatus as V
from .permissions import (
    ACCEPT,
    MANAGE,
    PAYMENT_APPROVE,
    PAYMENT_RECORD,
    PAYMENT_REQUEST,
    RETURN_REVIEW,
    RETURN_SUBMIT,
    VARIATION_DECIDE,
    VARIATION_SIGN,
)

AGREEMENT = Workflow(
    "agreement",
    A,
    [
        Move(A.DRAFT, A.ISSUED, MANAGE, "issued to the partner", "Issue to the partner"),
        Move(A.ISSUED, A.DRAFT, MANAGE, "withdrawn to be amended", "Withdraw to amend"),
        Move(A.ISSUED, A.ACTIVE, ACCEPT, "accepted by the partner", "Accept the agreement"),
        Move(A.DRAFT, A.CANCELLED, MANAGE, "cancelled", "Cancel"),
        Move(A.ACTIVE, A.CLOSED, MANAGE, "closed", "Close"),
    ],
)

PAYMENT = Workflow(
    "payment",
    P,
    [
        Move(P.SCHEDULED, P.REQUESTED, PAYMENT_REQUEST, "requested", "Request payment"),
        Move(P.REQUESTED, P.APPROVED, PAYMENT_APPROVE, "approved", "Approve"),
        Move(P.REQUESTED, P.SCHEDULED, PAYMENT_APPROVE, "sent back", "Send back"),
        Move(P.APPROVED, P.PAID, PAYMENT_RECORD, "paid", "Record as paid"),
        Move(P.SCHEDULED, P.CANCELLED, MANAGE, "cancelled", "Cancel"),
        Move(P.REQUESTED, P.CANCELLED, MANAGE, "cancelled", "Cancel"),
        Move(P.APPROVED, P.CANCELLED, MANAGE, "cancelled", "Cancel"),
    ],
)

RETURN = Workflow(
    "return",
    R,
    [
        Move(R.DRAFT, R.SUBMITTED, RETURN_SUBMIT, "submitted", "Submit the return"),
        Move(R.SUBMITTED, R.RETURNED, RETURN_REVIEW, "returned for changes", "Return for changes"),
        Move(R.RETURNED, R.SUBMITTED, RETURN_SUBMIT, "submitted again", "Submit the return"),
        Move(R.SUBMITTED, R.ACCEPTED, RETURN_REVIEW, "accepted", "Accept"),
    ],
)

VARIATION = Workflow(
    "variation",
    V,
    [
        Move(V.PROPOSED, V.APPROVED, VARIATION_DECIDE, "approved", "Approve the variation"),
        Move(V.PROPOSED, V.REJECTED, VARIATION_DECIDE, "rejected", "Reject the variation"),
        Move(V.APPROVED, V.SIGNED, VARIATION_SIGN, "signed", "Sign the varied terms"),
        Move(V.APPROVED, V.DECLINED, VARIATION_SIGN, "declined", "Decline the variation"),
    ],
)
