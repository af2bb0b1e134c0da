"""Who may draw up, accept and see agreements, and move their payments.

A payment is approved by the Chief Finance Officer, or by someone the CFO has delegated
approval to (up to an amount, for a time), and never by the person who requested it:
`may_approve` is the one place that decides it, and the approval service asks it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from commissioning.core.permissions import (
    Result,
    has_role,
    is_staff,
    role_rule,
    rule,
    staff_rule,
)
from commissioning.core.roles import Role

MANAGE = "agreements.manage"
VIEW = "agreements.view"
ACCEPT = "agreements.accept"
PAYMENT_REQUEST = "payments.request"
PAYMENT_APPROVE = "payments.approve"
PAYMENT_RECORD = "payments.record"
RETURN_SUBMIT = "returns.submit"
RETURN_REVIEW = "returns.review"
MONITOR = "agreements.monitor"
VARIATION_DECIDE = "agreements.decide_variation"
VARIATION_SIGN = "agreements.sign_variation"

role_rule(
    MANAGE,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO draw up agreements",
    "only commissioning officers and the Chief Finance Officer draw up agreements",
)
role_rule(
    PAYMENT_REQUEST,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO request payments",
    "only commissioning officers and the Chief Finance Officer request payments",
)
staff_rule(
    MONITOR,
    "OPCC staff see how every agreement is going",
    "only OPCC staff see the monitoring of every agreement",
)
role_rule(
    RETURN_REVIEW,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO review monitoring returns",
    "only commissioning officers and the Chief Finance Officer review monitoring returns",
)
role_rule(
    PAYMENT_RECORD,
    [Role.COMMISSIONING_OFFICER, Role.CFO],
    "commissioning officers and the CFO record that a payment was made",
    "only commissioning officers and the Chief Finance Officer record payments made",
)


def _partner_of(user, agreement) -> bool:
    return (
        has_role(user, Role.PARTNER)
        and user.organisation_id is not None
        and agreement.organisation_id == user.organisation_id
    )


@rule(VIEW)
def can_view_agreement(user, agreement=None) -> Result:
    if is_staff(user):
        return True, "OPCC staff see every agreement"
    if agreement is None:
        if has_role(user, Role.PARTNER) and user.organisation_id:
            return True, "partners see their own organisation's agreements"
        return False, "sign in as OPCC staff or a partner to see agreements"
    if _partner_of(user, agreement) and agreement.status != "draft":
        return True, "partners see their own organisation's agreements once issued"
    return False, "this agreement belongs to another organisation"


@rule(RETURN_SUBMIT)
def can_submit_return(user, report=None) -> Result:
    """Asked of a monitoring return: the funded organisation writes its own returns."""
    if report is None:
        if has_role(user, Role.PARTNER) and user.organisation_id:
            return True, "partners write their own organisation's returns"
        return False, "only the funded organisation writes its returns"
    if not _partner_of(user, report.period.agreement):
        return False, "only the funded organisation writes its returns"
    if report.period.agreement.status != "active":
        return False, "returns are written once the agreement is accepted"
    return True, "the funded organisation writes its returns"


@rule(ACCEPT)
def can_accept_agreement(user, agreement=None) -> Result:
    if agreement is None:
        if has_role(user, Role.PARTNER):
            return True, "a partner accepts their organisation's agreements"
        return False, "only the funded organisation accepts its agreement"
    if not _partner_of(user, agreement):
        return False, "only the funded organisation accepts its agreement"
    if agreement.status != "issued":
        return False, "only an agreement issued to the partner can be accepted"
    return True, "the funded organisation accepts the agreement issued to it"


def active_delegation(user, amount, on: dt.date):
    """The CFO's delegation that lets `user` approve an instalment of `amount` on `on`."""
    from .models import ApprovalDelegation

    if not getattr(user, "pk", None):
        return None
    return (
        ApprovalDelegation.objects.filter(
            delegate=user, revoked=False, up_to__gte=amount, starts_on__lte=on
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .first()
    )


def may_approve(user, payment) -> Result:
    from django.utils import timezone

    if payment.requested_by_id is not None and payment.requested_by_id == getattr(user, "pk", 0):
        return False, "the person who requested a payment cannot approve it"
    if has_role(user, Role.CFO):
        return True, "the Chief Finance Officer approves payments"
    if active_delegation(user, payment.amount, timezone.localdate()) is not None:
        return True, "the CFO has delegated approval of payments of this size"
    return False, "only the Chief Finance Officer, or someone they delegate to, approves payments"


@rule(PAYMENT_APPROVE)
def can_approve_payment(user, payment=None) -> Result:
    if payment is None:
        from django.utils import timezone

        if has_role(user, Role.CFO):
            return True, "the Chief Finance Officer approves payments"
        if active_delegation(user, 0, timezone.localdate()) is not None:
            return True, "the CFO has delegated approval of payments"
        return False, "only the Chief Finance Officer, or someone they delegate to, approves"
    return may_approve(user, payment)


SPENDING_IMPORT = "spending.import"

role_rule(
    SPENDING_IMPORT,
    [Role.CFO],
    "the Chief Finance Officer imports the finance system's spending and withdraws imports",
    "only the Chief Finance Officer imports spending from the finance system",
)


@rule(VARIATION_DECIDE)
def can_decide_variation(user, variation=None) -> Result:
    """Officers and the CFO decide variations, never the person who proposed one."""
    if not has_role(user, Role.COMMISSIONING_OFFICER, Role.CFO):
        return False, "only commissioning officers and the Chief Finance Officer decide variations"
    if variation is not None and variation.created_by_id == getattr(user, "pk", None):
        return False, "the person who proposed a variation cannot decide it"
    return True, "a commissioning officer or the CFO other than the proposer decides it"


@rule(VARIATION_SIGN)
def can_sign_variation(user, variation=None) -> Result:
    """The funded organisation signs (or declines) a variation the OPCC has approved."""
    if variation is None:
        if has_role(user, Role.PARTNER) and user.organisation_id:
            return True, "a partner signs the variations of their organisation's agreements"
        return False, "only the funded organisation signs a variation of its agreement"
    if not _partner_of(user, variation.agreement):
        return False, "only the funded organisation signs a variation of its agreement"
    if variation.status != "approved":
        return False, "only a variation the OPCC has approved waits for the partner's signature"
    return True, "the funded organisation signs the variation the OPCC approved"
