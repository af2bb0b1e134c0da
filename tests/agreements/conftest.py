"""Agreements on a committed allocation of the test year (2031/32) to the Test Charity."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from commissioning.agreements import returns, services
from commissioning.budgets.models import Status
from commissioning.core.roles import Role


@pytest.fixture
def partner(user_with, organisation):
    return user_with(Role.PARTNER, organisation=organisation)


@pytest.fixture
def draft(make_allocation, officer):
    """A draft agreement for £10,000 committed, with its usual quarterly schedule."""

    def make(amount="10000", **kw):
        allocation = make_allocation(amount, status=Status.COMMITTED)
        return services.agreement_draft(actor=officer, allocation=allocation, **kw)

    return make


def ready(agreement, officer):
    """Give a draft what it needs to be issued: an outcome with a measure and a budget
    profiled across its four quarters."""
    services.outcome_add(
        actor=officer,
        agreement=agreement,
        title="Fewer young people reoffend",
        measures=[
            {
                "name": "Young people supported",
                "unit": "count",
                "baseline": "0",
                "targets": {1: "10", 2: "10", 3: "10", 4: "10"},
            }
        ],
    )
    quarter = agreement.maximum_sum / 4
    services.budget_set(
        actor=officer,
        agreement=agreement,
        categories=[
            {
                "name": "Staff",
                "amount": str(agreement.maximum_sum),
                "profile": {n: str(quarter) for n in (1, 2, 3, 4)},
            }
        ],
    )
    return agreement


@pytest.fixture
def active(draft, officer, partner):
    """An agreement issued and accepted by the partner."""

    def make(amount="10000", **kw):
        agreement = ready(draft(amount, **kw), officer)
        services.agreement_issue(actor=officer, agreement=agreement)
        services.agreement_accept(
            actor=partner, agreement=agreement, name="Pat Partner", position="Director"
        )
        agreement.refresh_from_db()
        return agreement

    return make


def accept_return(period, partner, officer, spent=D("0")):
    """The partner submits the period's return and the officer accepts it."""
    agreement = period.agreement
    returns.return_save(
        actor=partner,
        period=period,
        spend={c.pk: str(spent) for c in agreement.budget_categories.all()},
        actuals={m.pk: "10" for o in agreement.outcomes.all() for m in o.measures.all()},
        achievements="Ten young people supported",
        partner_rag="green",
    )
    returns.return_submit(actor=partner, period=period)
    return returns.return_accept(
        actor=officer, period=period, officer_rag="green", reason="On track"
    )
