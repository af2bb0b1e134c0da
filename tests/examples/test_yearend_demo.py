"""The demo's year end of 2016/17: agreements closed, underspend owed back and collected into
the central pot of 2017/18, and a round open to the Community Safety Partnerships funded
from it. Made through the services; nothing counted twice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from commissioning.accounts.services import demo_users_ensure
from commissioning.agreements.models import Agreement, AgreementStatus
from commissioning.budgets.models import Account, FinancialYear, LedgerEntry, Mechanism
from commissioning.budgets.selectors import position
from commissioning.examples import agreements_demo, yearend_demo
from commissioning.grants.models import Round
from commissioning.organisations.models import OrganisationKind
from commissioning.yearend.models import Collection, Pot, Receivable
from commissioning.yearend.selectors import outturn

pytestmark = pytest.mark.django_db


def _committed(year) -> Decimal:
    return LedgerEntry.objects.filter(
        year=year, account=Account.COMMITTED, version__status="committed"
    ).aggregate(t=Sum("amount"))["t"] or Decimal(0)


def test_the_demo_closes_2016_17_collects_its_underspend_and_reoffers_it(monkeypatch):
    monkeypatch.setattr(agreements_demo, "YEARS", ("2016/17",))
    demo_users_ensure()
    agreements_demo.agreements_ensure()
    year = FinancialYear.objects.get(label="2016/17")
    committed_before = _committed(year)
    available_before = position(year).available

    said = yearend_demo.yearend_ensure()

    pot = Pot.objects.get(source_year=year)
    collected = sum(c.amount for c in Collection.objects.filter(pot=pot))
    assert collected > 0
    assert pot.year.label == "2017/18"
    assert pot.stream.amount == pot.line.amount == collected
    assert f"£{collected:,.2f}".removesuffix(".00") in said
    # No pound counted twice: what left 2016/17's commitments is the pot, and 2016/17's
    # available money is unchanged (the released money is carried, not free again).
    assert _committed(year) == committed_before - collected
    assert position(year).carried == collected
    assert position(year).available == available_before
    assert position(pot.year).pot >= collected

    statuses = set(Agreement.objects.filter(allocation__year=year).values_list("status", flat=True))
    assert {AgreementStatus.CLOSED, AgreementStatus.ACTIVE} <= statuses  # some still open
    receivables = list(Receivable.objects.all())
    assert receivables and any(hasattr(r, "repayment") for r in receivables)
    assert any(not hasattr(r, "repayment") for r in receivables)  # one still owed
    assert outturn(year).reconciled

    rnd = Round.objects.get(reference=yearend_demo.REFERENCE)
    assert rnd.published and rnd.mechanism == Mechanism.UNDERSPEND
    assert rnd.budget_line == pot.line and rnd.year == pot.year
    eligible = set(rnd.eligible.values_list("kind", flat=True))
    assert eligible == {OrganisationKind.CSP}

    again = yearend_demo.yearend_ensure()  # a second run makes nothing more
    assert again == said
    assert Collection.objects.count() == len({c.pk for c in Collection.objects.all()})
    assert Pot.objects.get(source_year=year).stream.amount == collected
