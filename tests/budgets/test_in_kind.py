"""Support in kind (issue 12 item 6): recorded with its valuation, marked as not cash, left
out of every cash total and payment, shown on its own, and flagged where a paper adds it to
cash (000 Table 1's "Police In Kind", £284,100 in 2013/14)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from commissioning.agreements import services as agreement_services
from commissioning.budgets import services
from commissioning.budgets.importing import import_allocations
from commissioning.budgets.models import (
    Account,
    Allocation,
    Funding,
    LedgerEntry,
    Mechanism,
    Status,
)
from commissioning.budgets.selectors import (
    allocation_list,
    pool_awarded,
    position,
    reconcile_year,
    year_get,
    year_pools,
)
from commissioning.core.money import money_text

pytestmark = pytest.mark.django_db


def test_the_example_records_police_in_kind_apart_from_cash():
    year = year_get("2013/14")
    in_kind = Allocation.objects.filter(year=year, funding=Funding.IN_KIND)
    assert in_kind.count() == 4
    assert all("000 Table 1" in a.valuation_basis for a in in_kind)
    pos = position(year)
    assert pos.in_kind == D("284100")
    every = LedgerEntry.objects.filter(
        year=year, account=Account.COMMITTED, version__status=Status.COMMITTED
    ).aggregate(t=Sum("amount"))["t"]
    # Cash committed, support in kind and awards from pools make up the whole ledger, each
    # counted once.
    pooled = sum((pool_awarded(p) for p in year_pools(year)), D(0))
    assert pooled == D("540000")
    assert pos.committed + pos.in_kind + pooled == every
    assert pos.available == pos.pot - pos.committed - pos.indicative - pos.reserve - pos.carried


def test_reconciliation_says_the_paper_adds_in_kind_to_cash():
    findings = {f.where: f for f in reconcile_year(year_get("2013/14"))}
    total = findings["Year: TOTAL (stated as 3,240,229)"]
    assert total.kind == "in_kind_as_cash"
    assert (
        total.stated == D("3240229") and total.computed == position(year_get("2013/14")).committed
    )
    assert "adds £284,100 of support in kind as if it were cash" in total.note
    unallocated = findings["Year: Unallocated Funding (stated as 8,794)"]
    assert unallocated.kind == "in_kind_as_cash"
    assert "takes off £284,100" in unallocated.note


def test_in_kind_is_not_paid_and_has_no_agreement(make_allocation, officer, cfo):
    gift = make_allocation(
        "5000", status=Status.COMMITTED, funding=Funding.IN_KIND, valuation_basis="Staff time"
    )
    with pytest.raises(ValidationError, match="support in kind"):
        services.payment_post(actor=cfo, allocation=gift, amount=D("10"), period="FY", reason="x")
    with pytest.raises(ValidationError, match="no grant agreement"):
        agreement_services.agreement_draft(actor=officer, allocation=gift)
    assert not LedgerEntry.objects.filter(allocation=gift, account=Account.PAID).exists()


def test_in_kind_does_not_use_a_capped_line_or_count_as_cash(make_allocation, cfo, year):
    services.budget_line_create(
        actor=cfo,
        year=year,
        name="PCC Grant",
        mechanism=Mechanism.PCC_GRANT,
        amount=D("1000"),
        capped=True,
    )
    make_allocation("900", status=Status.COMMITTED)
    make_allocation("5000", status=Status.COMMITTED, funding=Funding.IN_KIND)
    with pytest.raises(services.CapExceeded):
        make_allocation("200", status=Status.COMMITTED)
    pos = position(year)
    assert pos.committed == D("900") and pos.in_kind == D("5000")


def test_a_valuation_basis_is_only_for_in_kind_and_the_kind_must_be_known(make_allocation):
    with pytest.raises(ValidationError) as caught:
        make_allocation("10", valuation_basis="Staff time")
    assert "valuation_basis" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_allocation("10", funding="voucher")
    assert "funding" in caught.value.message_dict


def test_import_takes_in_kind_and_names_a_bad_row(year, officer):
    header = "organisation,initiative,mechanism,status,funding,valuation_basis,FY\n"
    bad = (
        header
        + "Catch22,Mentors,direct,committed,in kind,Volunteer hours at £12,300\n"
        + "Catch22,Vans,direct,committed,lent,,100\n"
        + "Catch22,Cash,direct,committed,cash,Valued,100\n"
    )
    report = import_allocations(actor=officer, year=year, filename="a.csv", content=bad.encode())
    assert not report.ok
    assert {(p.row, p.field) for p in report.problems} == {(3, "funding"), (4, "valuation_basis")}
    assert not Allocation.objects.filter(year=year).exists()
    good = header + "Catch22,Mentors,direct,committed,In kind,Volunteer hours,300\n"
    report = import_allocations(actor=officer, year=year, filename="a.csv", content=good.encode())
    assert report.ok, report.problems
    (made,) = Allocation.objects.filter(year=year)
    assert made.funding == Funding.IN_KIND and made.valuation_basis == "Volunteer hours"


def test_pages_show_in_kind_on_its_own(client, officer):
    client.force_login(officer)
    html = client.get(reverse("year", args=["2013-14"])).content.decode()
    assert 'id="in-kind"' in html and "£284,100" in html
    listing = client.get(reverse("allocation-list", args=["2013-14"]) + "?q=Youth+Offending")
    text = listing.content.decode()
    assert "In kind, not cash" in text and 'id="allocations-in-kind"' in text
    assert "Support in kind, £180,000, is listed but is not cash" in text
    shown = allocation_list(
        year_get("2013/14"), organisation_id=None, chosen={"q": "Youth Offending"}
    )
    assert shown.in_kind == D("180000")
    assert shown.grand_total + shown.in_kind == sum((line.total for line in shown.lines), D(0))
    assert f'id="allocations-total">{money_text(shown.grand_total)}<' in text


def test_the_form_records_in_kind_and_refuses_a_valuation_for_cash(
    client, officer, year, organisation
):
    client.force_login(officer)
    url = reverse("allocation-create", args=[year.slug])
    base = {
        "organisation": organisation.pk,
        "initiative": "Lent vans",
        "mechanism": Mechanism.DIRECT,
        "status": Status.COMMITTED,
        "amount_FY": "700",
    }
    response = client.post(url, {**base, "funding": "cash", "valuation_basis": "Van hire rates"})
    assert response.status_code == 400
    assert "Only support in kind is valued" in response.content.decode()
    response = client.post(url, {**base, "funding": "in_kind", "valuation_basis": "Van hire rates"})
    assert response.status_code == 302
    made = Allocation.objects.get(year=year)
    assert made.funding == Funding.IN_KIND and position(year).in_kind == D("700")
