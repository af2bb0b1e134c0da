"""Rows for the command line's exports of agreements, payments and spending, and the facts
the 360Giving data gains from agreements. One function per set of columns; each reads what
it needs in a fixed number of queries, whatever the number of agreements.

An agreement's money, as `export agreements` gives it (amounts of its instalments):

- `paid`: instalments paid;
- `held`: open instalments (scheduled, requested or approved) that have fallen due and
  that something holds, as `rules.held` says on the day (the partner has not accepted, a
  condition is unmet, the return it waits for is not accepted); the monitoring view counts
  the same instalments;
- `scheduled_unpaid`: the other open instalments (not due yet, or due and free to pay);
- `unscheduled`: the maximum sum less every instalment that is not cancelled, so that
  `paid + scheduled_unpaid + held + unscheduled = maximum_sum`, always (negative only if a
  draft's schedule is over its maximum sum, which it cannot be issued with).

`next_return_due` is the due date of the earliest reporting period whose return the partner
has not yet submitted (none, being written, or returned for changes), late or not;
`late_returns` counts the periods past their due date whose return is not submitted or
accepted (`rules.days_late`); `rag` is the officer's rating of the latest accepted return.
The three are given only for an accepted (active) agreement: before acceptance nothing is
due, and once closed nothing more is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from commissioning.budgets.models import FinancialYear
from commissioning.core.money import ZERO, pounds
from commissioning.decisions.giving import GrantFacts

from . import spending
from .models import (
    Agreement,
    AgreementStatus,
    Payment,
    PaymentStatus,
    ReportingPeriod,
    ReturnStatus,
)
from .rules import OPEN_PAYMENTS, days_late, held, return_in

AGREEMENT_COLUMNS = (
    "reference",
    "organisation",
    "allocation",
    "decision",
    "maximum_sum",
    "paid",
    "scheduled_unpaid",
    "held",
    "unscheduled",
    "start",
    "end",
    "next_return_due",
    "late_returns",
    "rag",
    "status",
)
PAYMENT_COLUMNS = ("agreement", "instalment", "due", "status", "amount", "paid_on", "reference")


def _agreements(year: FinancialYear):
    """The year's agreements (those on its allocations), cancelled ones left out, with every
    row the money and the returns are read from."""
    periods = ReportingPeriod.objects.select_related("report").order_by("number")
    payments = Payment.objects.select_related("period__report").order_by("number")
    return (
        Agreement.objects.filter(allocation__year=year)
        .exclude(status=AgreementStatus.CANCELLED)
        .select_related("organisation", "allocation", "decision")
        .prefetch_related(
            "conditions",
            Prefetch("periods", queryset=periods),
            Prefetch("payments", queryset=payments),
        )
        .order_by("reference")
    )


def _report_status(period: ReportingPeriod) -> str | None:
    report = getattr(period, "report", None)
    return None if report is None else report.status


def agreement_money(agreement: Agreement, today: dt.date) -> dict[str, Decimal]:
    """paid, scheduled_unpaid, held and unscheduled of one agreement (prefetched)."""
    money = {"paid": ZERO, "scheduled_unpaid": ZERO, "held": ZERO}
    scheduled = ZERO
    for payment in agreement.payments.all():
        if payment.status == PaymentStatus.CANCELLED:
            continue
        scheduled += payment.amount
        if payment.status == PaymentStatus.PAID:
            money["paid"] += payment.amount
        elif payment.status in OPEN_PAYMENTS:
            key = "held" if held(payment, today) else "scheduled_unpaid"
            money[key] += payment.amount
    return {**money, "unscheduled": agreement.maximum_sum - scheduled}


def agreement_returns(agreement: Agreement, today: dt.date) -> dict[str, Any]:
    """next_return_due, late_returns and rag of one agreement (prefetched)."""
    if agreement.status != AgreementStatus.ACTIVE:
        return {"next_return_due": None, "late_returns": None, "rag": ""}
    periods = list(agreement.periods.all())
    outstanding = [p for p in periods if not return_in(p)]
    accepted = [p for p in periods if _report_status(p) == ReturnStatus.ACCEPTED]
    return {
        "next_return_due": min((p.due_on for p in outstanding), default=None),
        "late_returns": sum(1 for p in periods if days_late(p, today) > 0),
        "rag": accepted[-1].report.officer_rag if accepted else "",
    }


def agreement_records(
    year: FinancialYear, *, today: dt.date | None = None
) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """One row per agreement of the year (`export agreements`), in four queries."""
    today = today or timezone.localdate()
    records = []
    for agreement in _agreements(year):
        records.append(
            {
                "reference": agreement.reference,
                "organisation": agreement.organisation.name,
                "allocation": agreement.allocation.reference,
                "decision": agreement.decision.reference if agreement.decision else "",
                "maximum_sum": agreement.maximum_sum,
                **agreement_money(agreement, today),
                "start": agreement.starts_on,
                "end": agreement.ends_on,
                **agreement_returns(agreement, today),
                "status": agreement.status,
            }
        )
    return AGREEMENT_COLUMNS, records


def payment_records(year: FinancialYear) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """One row per instalment of the year's agreements (`export payments`), in one query."""
    payments = (
        Payment.objects.filter(agreement__allocation__year=year)
        .select_related("agreement")
        .order_by("agreement__reference", "number")
    )
    return PAYMENT_COLUMNS, [
        {
            "agreement": p.agreement.reference,
            "instalment": p.number,
            "due": p.due_on,
            "status": p.status,
            "amount": p.amount,
            "paid_on": p.paid_on,
            "reference": p.finance_reference,
        }
        for p in payments
    ]


def spending_records(
    *, over: Decimal | None = None, month: dt.date | None = None
) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """What the register of spending publishes (`export spending`): over `over` (the
    register's threshold by default), of one month or every month."""
    return spending.COLUMNS, [
        line.record() for line in spending.spending_lines(over=over, month=month)
    ]


def giving_facts() -> dict[str, GrantFacts]:
    """What 360Giving's grants gain from their agreements, by the reference the grants
    register knows the grant by (the allocation's, and the award's for a round's grant):
    the amount paid so far and the planned dates. Only agreements the partner has accepted
    (active or closed) count: before that nothing is agreed."""
    rows = (
        Agreement.objects.filter(status__in=[AgreementStatus.ACTIVE, AgreementStatus.CLOSED])
        .annotate(paid=Sum("payments__amount", filter=Q(payments__status=PaymentStatus.PAID)))
        .values_list(
            "allocation__reference",
            "allocation__application__reference",
            "paid",
            "starts_on",
            "ends_on",
        )
    )
    facts: dict[str, GrantFacts] = {}
    # plain values, not agreements: the 360Giving download reads this for every grant
    for allocation, application, paid, starts_on, ends_on in rows.iterator(chunk_size=2000):
        fact = GrantFacts(
            amount_disbursed=pounds(paid), planned_start=starts_on, planned_end=ends_on
        )
        facts[allocation] = fact
        if application is not None:
            facts[application] = fact
    return facts
