"""A small hand-made set of agreements in the test year (2031/32), made through the services:

- agreement A (£10,000, the Test Charity, intention CI006): three measures, two on SP1 (a
  number, targets 10 a quarter, and a percentage, targets 80) and one on SP2 (a number,
  targets 5); one budget line, £2,500 a quarter. Q1 accepted green (actuals 9, 70, 5; spend
  £2,400; its first instalment of £2,500 paid), Q2 accepted amber (11, 90, 4; £2,000), Q3
  submitted but not accepted (figures that must not count), Q4 not written;
- agreement B (£3,000, a second charity, no intention): one measure on no priority (targets
  3 a quarter), £750 a quarter. Q1 accepted red (actual 1, spend £500);
- agreement C: a draft with a measure on SP1, which must not count at all.

SP1 and SP2 are both priorities of theme 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.utils import timezone

from commissioning.agreements import payments, returns, services
from commissioning.agreements.models import Agreement
from commissioning.budgets.models import Status
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation, OrganisationKind
from commissioning.plans.models import CommissioningIntention


def measures_of(agreement: Agreement) -> list:
    return [m for o in agreement.outcomes.order_by("order") for m in o.measures.order_by("order")]


def build(
    *,
    allocation,
    officer,
    partner,
    measures: list[dict],
    quarter: str,
    status: str = "active",
) -> Agreement:
    """An agreement on `allocation` with `measures`, one budget line of `quarter` a quarter,
    issued and accepted (unless `status` says draft)."""
    agreement = services.agreement_draft(actor=officer, allocation=allocation)
    services.outcome_add(
        actor=officer, agreement=agreement, title="What the work achieves", measures=measures
    )
    total = D(quarter) * 4
    services.budget_set(
        actor=officer,
        agreement=agreement,
        categories=[
            {"name": "Staff", "amount": str(total), "profile": {n: quarter for n in (1, 2, 3, 4)}}
        ],
    )
    if status != "draft":
        services.agreement_issue(actor=officer, agreement=agreement)
        services.agreement_accept(
            actor=partner, agreement=agreement, name="Sam Signatory", position="Director"
        )
    agreement.refresh_from_db()
    return agreement


def report(agreement, number, partner, officer, *, actuals, spend, rag=None) -> None:
    """The partner's return for period `number` (actuals in measure order), submitted; and
    accepted by the officer with `rag`, unless `rag` is None."""
    period = agreement.periods.get(number=number)
    category = agreement.budget_categories.get()
    returns.return_save(
        actor=partner,
        period=period,
        spend={category.pk: spend},
        actuals={m.pk: v for m, v in zip(measures_of(agreement), actuals, strict=True)},
        achievements="Delivered",
        partner_rag="green",
    )
    returns.return_submit(actor=partner, period=period)
    if rag is not None:
        returns.return_accept(actor=officer, period=period, officer_rag=rag, reason="As seen")


@dataclass
class HandMade:
    year: object
    a: Agreement
    b: Agreement
    c: Agreement


@pytest.fixture
def second_organisation(db):
    return Organisation.objects.create(
        key="second-charity", name="Second Charity", kind=OrganisationKind.CHARITY
    )


@pytest.fixture
def handmade(year, make_allocation, officer, cfo, user_with, organisation, second_organisation):
    partner_a = user_with(Role.PARTNER, organisation=organisation)
    partner_b = user_with(Role.PARTNER, organisation=second_organisation)
    ci006 = CommissioningIntention.objects.get(code="CI006")
    a = build(
        allocation=make_allocation(
            "10000", status=Status.COMMITTED, initiative="Mentoring", intention=ci006
        ),
        officer=officer,
        partner=partner_a,
        quarter="2500",
        measures=[
            {
                "name": "Young people mentored",
                "unit": "count",
                "priority": "SP1",
                "targets": {n: "10" for n in (1, 2, 3, 4)},
            },
            {
                "name": "Share completing",
                "unit": "percent",
                "priority": "SP1",
                "targets": {n: "80" for n in (1, 2, 3, 4)},
            },
            {
                "name": "Adults housed",
                "unit": "count",
                "priority": "SP2",
                "targets": {n: "5" for n in (1, 2, 3, 4)},
            },
        ],
    )
    report(a, 1, partner_a, officer, actuals=["9", "70", "5"], spend="2400", rag="green")
    report(a, 2, partner_a, officer, actuals=["11", "90", "4"], spend="2000", rag="amber")
    report(a, 3, partner_a, officer, actuals=["100", "100", "100"], spend="2500")  # not accepted
    first = a.payments.get(number=1)
    payments.payment_request(actor=officer, payment=first)
    payments.payment_approve(actor=cfo, payment=first)
    payments.payment_record_paid(
        actor=officer, payment=first, paid_on=timezone.localdate(), finance_reference="FIN-1"
    )

    b = build(
        allocation=make_allocation(
            "3000", status=Status.COMMITTED, initiative="Sessions", organisation=second_organisation
        ),
        officer=officer,
        partner=partner_b,
        quarter="750",
        measures=[
            {"name": "Sessions run", "unit": "count", "targets": {n: "3" for n in (1, 2, 3, 4)}}
        ],
    )
    report(b, 1, partner_b, officer, actuals=["1"], spend="500", rag="red")

    c = build(
        allocation=make_allocation("4000", status=Status.COMMITTED, initiative="Not yet agreed"),
        officer=officer,
        partner=partner_a,
        quarter="1000",
        status="draft",
        measures=[
            {
                "name": "Draft measure",
                "unit": "count",
                "priority": "SP1",
                "targets": {n: "1000" for n in (1, 2, 3, 4)},
            }
        ],
    )
    return HandMade(year=year, a=a, b=b, c=c)
