"""Year-end fixtures: the agreements' fixtures (a £10,000 agreement of the test year,
2031/32, with four quarterly returns and instalments), the next year for the central pot,
and an agreement taken to its end: returns accepted with the spending given, some
instalments paid and the rest cancelled, closed with its final return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from commissioning.agreements import payments, services
from commissioning.budgets import services as budget_services
from tests.agreements.conftest import accept_return, active, draft, partner  # noqa: F401


@pytest.fixture
def next_year(cfo, year):
    return budget_services.financial_year_get_or_create(actor=cfo, label="2032/33")


def pay(payment, *, officer, cfo):
    payments.payment_request(actor=officer, payment=payment)
    payments.payment_approve(actor=cfo, payment=payment)
    return payments.payment_record_paid(
        actor=officer,
        payment=payment,
        paid_on=dt.date(2026, 11, 10),
        finance_reference=f"FIN-{payment.pk}",
    )


@pytest.fixture
def ended(active, partner, officer, cfo):  # noqa: F811
    """`ended(spent=[...], paid=N, close=True)`: an agreement whose quarters' returns report
    the spending given (per quarter), whose first N instalments are paid and the rest
    cancelled, closed with its final return."""

    def make(amount="10000", *, spent=("2500", "2500", "2500", "2500"), paid=4, close=True):
        agreement = active(amount)
        for period, s in zip(agreement.periods.order_by("number"), spent, strict=False):
            accept_return(period, partner, officer, spent=D(s))
        for n, payment in enumerate(agreement.payments.order_by("number"), start=1):
            if n <= paid:
                pay(payment, officer=officer, cfo=cfo)
            else:
                payments.payment_cancel(actor=officer, payment=payment, reason="Not needed")
        if close:
            services.agreement_close(
                actor=officer, agreement=agreement, reason="Final return accepted"
            )
        agreement.refresh_from_db()
        return agreement

    return make
