"""The command line's exports of agreements, payments and spending, and what 360Giving's
grants gain from agreements (amount disbursed, planned dates), still valid."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.agreements import exports, payments, services, spending
from commissioning.agreements.models import AgreementStatus
from commissioning.budgets.models import Allocation, Status
from commissioning.budgets.selectors import current_version
from commissioning.decisions.giving import grants_package, publisher_prefix
from commissioning.decisions.models import PublishedGrant
from commissioning.opendata import giving360, validation

from .conftest import accept_return, ready

pytestmark = pytest.mark.django_db

TEST_YEAR = "2031/32"


def pay(payment, *, officer, cfo, on=dt.date(2026, 11, 10)):
    payments.payment_request(actor=officer, payment=payment)
    payments.payment_approve(actor=cfo, payment=payment)
    return payments.payment_record_paid(
        actor=officer, payment=payment, paid_on=on, finance_reference=f"FIN-{payment.pk}"
    )


@pytest.fixture
def mixed(active, partner, officer, cfo):
    """£10,000 in four quarterly instalments of £2,500: the first paid; the second's return
    accepted (nothing holds it); the third waiting for its return (held); the fourth
    cancelled (unscheduled)."""
    agreement = active("10000")
    first, second, _third, fourth = (agreement.payments.get(number=n) for n in (1, 2, 3, 4))
    accept_return(first.period, partner, officer)
    pay(first, officer=officer, cfo=cfo)
    report = accept_return(second.period, partner, officer)
    report.refresh_from_db()
    payments.payment_cancel(actor=officer, payment=fourth, reason="The project ends early")
    return agreement


def row_of(records, agreement):
    [row] = [r for r in records if r["reference"] == agreement.reference]
    return row


def test_an_agreements_money_is_paid_scheduled_held_and_unscheduled_and_adds_up(mixed, year):
    columns, records = exports.agreement_records(year, today=dt.date(2032, 3, 1))
    assert columns[:14] == (
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
    )
    row = row_of(records, mixed)
    assert (row["paid"], row["scheduled_unpaid"], row["held"], row["unscheduled"]) == (
        D("2500.00"),
        D("2500.00"),
        D("2500.00"),
        D("2500.00"),
    )
    assert row["organisation"] == "Test Charity"
    assert row["allocation"] == mixed.allocation.reference
    assert (row["start"], row["end"]) == (dt.date(2031, 4, 1), dt.date(2032, 3, 31))
    for r in records:
        assert r["paid"] + r["scheduled_unpaid"] + r["held"] + r["unscheduled"] == r["maximum_sum"]
    # Before the third instalment falls due, nothing holds it yet: it is scheduled.
    early = row_of(exports.agreement_records(year, today=dt.date(2031, 12, 1))[1], mixed)
    assert (early["scheduled_unpaid"], early["held"]) == (D("5000.00"), 0)


def test_next_return_late_returns_and_rag_on_the_day_asked(mixed, year, partner, officer):
    """Q1 and Q2 are accepted (green); Q3 was due on 14 January 2032; Q4 on 14 April."""
    before = row_of(exports.agreement_records(year, today=dt.date(2031, 12, 1))[1], mixed)
    assert (before["next_return_due"], before["late_returns"], before["rag"]) == (
        dt.date(2032, 1, 14),
        0,
        "green",
    )
    late = row_of(exports.agreement_records(year, today=dt.date(2032, 4, 20))[1], mixed)
    assert (late["next_return_due"], late["late_returns"]) == (dt.date(2032, 1, 14), 2)
    third = mixed.periods.get(number=3)
    accept_return(third, partner, officer)
    after = row_of(exports.agreement_records(year, today=dt.date(2032, 4, 20))[1], mixed)
    assert (after["next_return_due"], after["late_returns"]) == (dt.date(2032, 4, 14), 1)


def test_a_draft_owes_no_returns_and_every_instalment_is_held(draft, year):
    agreement = draft("4000")
    row = row_of(exports.agreement_records(year, today=dt.date(2032, 6, 1))[1], agreement)
    assert row["status"] == AgreementStatus.DRAFT
    assert (row["held"], row["scheduled_unpaid"], row["paid"]) == (D("4000.00"), 0, 0)
    assert (row["next_return_due"], row["late_returns"], row["rag"]) == (None, None, "")


def test_the_agreements_export_costs_the_same_for_one_agreement_or_many(
    active, year, partner, officer
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            exports.agreement_records(year)
        return len(seen.captured_queries)

    first = active("1000")
    accept_return(first.periods.get(number=1), partner, officer)
    one = queries()
    for amount in ("2000", "3000", "4000"):
        accept_return(active(amount).periods.get(number=1), partner, officer)
    assert queries() == one == 4


def test_export_agreements_and_payments_on_the_command_line(mixed, tmp_path, capsys):
    out = tmp_path / "agreements.json"
    call_command("export", "agreements", "--year", TEST_YEAR, "--format", "json", "-o", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["year"] == TEST_YEAR and data["kind"] == "agreements"
    [row] = [r for r in data["rows"] if r["reference"] == mixed.reference]
    # today, years before the 2031/32 instalments fall due, none of them is held yet
    assert (row["maximum_sum"], row["paid"], row["scheduled_unpaid"], row["held"]) == (
        "10000.00",
        "2500.00",
        "5000.00",
        "0.00",
    )
    assert row["start"] == "2031-04-01"
    call_command("export", "payments", "--year", TEST_YEAR)
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == exports.PAYMENT_COLUMNS
    mine = [r for r in rows if r["agreement"] == mixed.reference]
    assert [(r["instalment"], r["status"], r["amount"], r["paid_on"]) for r in mine] == [
        ("1", "paid", "2500.00", "2026-11-10"),
        ("2", "scheduled", "2500.00", ""),
        ("3", "scheduled", "2500.00", ""),
        ("4", "cancelled", "2500.00", ""),
    ]
    assert mine[0]["reference"].startswith("FIN-") and mine[0]["due"] == "2031-07-28"
    with pytest.raises(CommandError, match="needs --year"):
        call_command("export", "agreements")
    with pytest.raises(CommandError, match="2099/00"):
        call_command("export", "payments", "--year", "2099/00")


def test_export_spending_is_what_the_register_publishes_for_the_month(mixed, client, capsys):
    call_command("export", "spending", "--over", "500", "--month", "2026-11", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert (data["threshold"], data["month"], data["kind"]) == ("500.00", "2026-11", "spending")
    published = json.loads(
        client.get("/spending.json", {"month": "2026-11"}).content.decode("utf-8")
    )
    assert data["rows"] == published["rows"]
    assert any(r["agreement"] == mixed.reference for r in data["rows"])
    call_command("export", "spending", "--over", "2500", "--month", "2026-11")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert all(D(r["amount"]) > D("2500") for r in rows)
    assert not any(r["agreement"] == mixed.reference for r in rows)  # £2,500 is not over it
    with pytest.raises(CommandError, match="--month"):
        call_command("export", "spending", "--month", "2026-13")
    with pytest.raises(CommandError, match="--over"):
        call_command("export", "spending", "--over", "lots")


@pytest.fixture
def published_allocation():
    """A committed allocation a published decision grants, with no agreement yet."""
    for grant in PublishedGrant.objects.filter(kind="allocation", amount__gt=0):
        allocation = Allocation.objects.filter(
            reference=grant.reference, agreement__isnull=True
        ).first()
        if allocation is not None and current_version(allocation).status == Status.COMMITTED:
            return allocation
    pytest.fail("the example publishes no committed allocation")


def test_360giving_grants_gain_the_amount_disbursed_and_planned_dates_and_stay_valid(
    published_allocation, officer, partner, cfo, tmp_path
):
    from commissioning.accounts.models import User

    partner = User.objects.get(pk=partner.pk)
    partner.organisation = current_version(published_allocation).organisation
    partner.save()
    agreement = ready(
        services.agreement_draft(actor=officer, allocation=published_allocation), officer
    )
    services.agreement_issue(actor=officer, agreement=agreement)
    services.agreement_accept(actor=partner, agreement=agreement, name="Pat", position="Chair")
    agreement.refresh_from_db()
    first = agreement.payments.get(number=1)
    accept_return(first.period, partner, officer)
    pay(first, officer=officer, cfo=cfo)

    facts = exports.giving_facts()
    assert facts[published_allocation.reference].amount_disbursed == first.amount
    package = grants_package(base_url="https://opcc.example.org", facts=facts)
    identifier = re.sub(r"[^A-Za-z0-9]+", "-", published_allocation.reference).strip("-")
    [grant] = [
        g for g in package["grants"] if g["id"] == f"{publisher_prefix()}-{identifier.lower()}"
    ]
    assert D(str(grant["amountDisbursed"])) == first.amount
    assert grant["plannedDates"] == [
        {"startDate": agreement.starts_on.isoformat(), "endDate": agreement.ends_on.isoformat()}
    ]
    assert validation.validate(giving360.dumps(package)) == []
    # Without facts the package is as before: one way of building it.
    plain = grants_package(base_url="https://opcc.example.org")
    assert all("amountDisbursed" not in g for g in plain["grants"])

    out = tmp_path / "grants.json"
    call_command("export", "360giving", "-o", str(out))
    written = json.loads(out.read_text(encoding="utf-8"))
    [again] = [g for g in written["grants"] if g["id"] == grant["id"]]
    assert D(str(again["amountDisbursed"])) == first.amount
    assert validation.validate(out.read_text(encoding="utf-8")) == []


def test_giving_facts_leave_out_agreements_not_yet_accepted(draft, officer):
    agreement = ready(draft("3000"), officer)
    services.agreement_issue(actor=officer, agreement=agreement)
    assert agreement.allocation.reference not in exports.giving_facts()
    assert spending.spending_lines(month=dt.date(2031, 4, 1)) == []
