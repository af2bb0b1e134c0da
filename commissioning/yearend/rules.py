"""The year end's rules, each decided once, here.

An allocation's underspend is what was committed and will not be spent. For an agreement,
what will not be spent is known only once the agreement is closed with its final return:
then the collectable underspend is what is committed less the larger of what was paid and
what was spent (the part paid and not spent is owed back first, as a receivable; once it is
repaid, it is collectable too). An allocation with no agreement (a Partnership Locality Fund
grant to a Community Safety Partnership, say) reports no spending through the product: its
underspend is stated by the CFO with its source, and can be at most what is committed and
not paid.
"""

from __future__ import annotations

from decimal import Decimal

from commissioning.agreements.models import AgreementStatus
from commissioning.core.money import ZERO
from commissioning.core.templatetags.govuk import money


def collectable(row) -> Decimal:
    """How much of the row's allocation can still be collected into the central pot."""
    if row.agreement is not None:
        if row.agreement.status != AgreementStatus.CLOSED:
            return ZERO
        return max(row.committed - max(row.paid, row.spent or ZERO), ZERO)
    return max(row.committed - row.paid, ZERO)


def owed(row) -> Decimal:
    """Money paid out of the row's agreement and not spent, not yet raised as owed back."""
    if row.agreement is None or row.agreement.status != AgreementStatus.CLOSED:
        return ZERO
    return max(row.paid - (row.spent or ZERO) - row.outstanding, ZERO)


def why_not_collectable(row) -> str:
    """Why nothing (more) can be collected from the row, in plain words; empty if something
    can."""
    if collectable(row) > 0:
        return ""
    if row.agreement is not None and row.agreement.status != AgreementStatus.CLOSED:
        return "The agreement is not closed yet: close it with its final return first"
    if owed(row) > 0:
        return "Paid and not spent: raise what is owed back, and collect it once repaid"
    if row.outstanding > 0:
        return f"{money(row.outstanding)} is owed back: collect it once it is repaid"
    if row.collected > 0:
        return "Its underspend has been collected"
    return "Nothing is unspent"
