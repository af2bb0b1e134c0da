"""The demo's example activity after the award: made through the services, it adds up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from commissioning.accounts.services import demo_users_ensure
from commissioning.agreements.models import Agreement, MonitoringReturn, Payment
from commissioning.agreements.rules import days_late
from commissioning.agreements.rules import held as held_on
from commissioning.budgets.models import Account, FinancialYear, LedgerEntry, Status
from commissioning.budgets.selectors import current_version
from commissioning.examples import agreements_demo
from commissioning.organisations.models import OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(db, monkeypatch):
    """The example activity of 2016/17, the year the demo leaves needing attention (2013/14
    is made the same way, all of it settled; leaving it out keeps the test quick)."""
    monkeypatch.setattr(agreements_demo, "YEARS", ("2016/17",))
    demo_users_ensure()
    return agreements_demo.agreements_ensure()


def test_the_example_activity_is_complete_adds_up_and_agrees_with_the_ledger(made):
    expected = 0
    for label in agreements_demo.YEARS:
        for allocation in FinancialYear.objects.get(label=label).allocations.all():
            version = current_version(allocation)
            if (
                version.status == Status.COMMITTED
                and version.total > 0
                and version.organisation.kind != OrganisationKind.OPCC
            ):  # written out here, not asked of rules.funds_a_partner
                expected += 1
                assert allocation.agreement.example
                assert allocation.agreement.maximum_sum == version.total
    assert made == expected == Agreement.objects.filter(example=True).count()
    assert agreements_demo.agreements_ensure() == made  # a second run makes nothing more

    today = timezone.localdate()
    for label in agreements_demo.YEARS:
        agreements = Agreement.objects.filter(allocation__year__label=label).prefetch_related(
            "payments__period__report", "periods__report", "conditions"
        )
        paid = scheduled = held = unscheduled = maximum = Decimal(0)
        for agreement in agreements:
            maximum += agreement.maximum_sum
            live = [p for p in agreement.payments.all() if p.status != "cancelled"]
            unscheduled += agreement.maximum_sum - sum((p.amount for p in live), Decimal(0))
            for p in live:
                if p.status == "paid":
                    paid += p.amount
                elif held_on(p, today):
                    held += p.amount
                else:
                    scheduled += p.amount
        assert paid + scheduled + held + unscheduled == maximum
        ledger = LedgerEntry.objects.filter(account=Account.PAID, year__label=label).aggregate(
            t=Sum("amount")
        )["t"]
        assert Decimal(ledger).quantize(Decimal("0.01")) == paid
    # 2016/17 is left as an OPCC would find it: three final returns late with their
    # instalments held, one waiting for the officer, one agreement amber and one red.
    late = [
        r
        for a in Agreement.objects.filter(allocation__year__label="2016/17")
        for r in a.periods.all()
        if days_late(r, today)
    ]
    assert len(late) == len(agreements_demo.LATE_FINAL_RETURN)
    assert MonitoringReturn.objects.filter(status="submitted").count() == 1
    assert set(
        MonitoringReturn.objects.exclude(officer_rag="").values_list("officer_rag", flat=True)
    ) == {"green", "amber", "red"}
    held = [p for p in Payment.objects.filter(status="scheduled") if held_on(p, today)]
    assert len(held) == len(agreements_demo.LATE_FINAL_RETURN) + len(
        agreements_demo.AWAITING_REVIEW
    )
