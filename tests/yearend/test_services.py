"""The year end: the outturn of each agreement, underspend collected into the next year's
central pot (no pound counted twice), money paid and not spent owed back and repaid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from commissioning.agreements import services as agreement_services
from commissioning.budgets import selectors as budget_selectors
from commissioning.budgets.models import Account, LedgerEntry, Mechanism, Status, StreamKind
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.yearend import selectors, services
from commissioning.yearend.models import Collection, Pot

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def test_the_outturn_of_an_agreement_reads_awarded_paid_spent_and_unspent(ended, year):
    agreement = ended(spent=("2000", "2000", "2000", "1500"), paid=3)
    row = selectors.row_of(agreement.allocation)
    assert row is not None
    paid = sum(p.amount for p in agreement.payments.filter(status="paid"))
    assert (row.awarded, row.committed, row.varied) == (D("10000"), D("10000"), D("0"))
    assert row.paid == paid
    assert row.spent == D("7500")
    assert row.unspent == D("2500")
    assert row.closed and row.final_return_in
    # Three instalments of £2,500 paid, £7,500 spent: nothing owed back, £2,500 collectable.
    assert row.collectable == D("10000") - max(paid, D("7500"))
    assert row.owed == max(paid - D("7500"), D("0"))


def test_an_agreement_is_closed_only_with_its_final_return(ended, officer):
    agreement = ended(spent=("2500", "2500", "2500"), paid=3, close=False)
    with pytest.raises(ValidationError) as excinfo:
        agreement_services.agreement_close(actor=officer, agreement=agreement, reason="Done")
    final = agreement.periods.get(final=True)
    assert f"The final return ({final.label}) is not accepted yet" in errors_of(excinfo)
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_nothing_is_collected_from_an_open_agreement(ended, cfo, next_year):
    agreement = ended(spent=("2500", "2500", "2500", "1000"), paid=3, close=False)
    row = selectors.row_of(agreement.allocation)
    assert row.collectable == 0
    assert "not closed yet" in row.why_not
    with pytest.raises(ValidationError) as excinfo:
        services.underspend_collect(
            actor=cfo, allocation=agreement.allocation, amount="100", source="Q4 return"
        )
    assert "close it with its final return first" in errors_of(excinfo)
    assert not Collection.objects.exists()


def test_collecting_releases_the_allocation_into_the_next_years_pot_and_counts_no_pound_twice(
    ended, cfo, year, next_year
):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    allocation = agreement.allocation
    before_old = budget_selectors.position(year)
    before_new = budget_selectors.position(next_year)
    entries_before = LedgerEntry.objects.count()

    collection = services.underspend_collect(
        actor=cfo, allocation=allocation, amount="2500", source="Final return: £7,500 spent"
    )

    pot = Pot.objects.get(source_year=year)
    assert pot.year == next_year
    assert pot.stream.kind == StreamKind.UNDERSPEND and pot.line.mechanism == Mechanism.UNDERSPEND
    assert pot.line.capped
    assert pot.stream.amount == pot.line.amount == collection.amount == D("2500")
    after_old = budget_selectors.position(year)
    after_new = budget_selectors.position(next_year)
    # The old year: committed down by the collection, carried up by it, available unchanged.
    assert after_old.committed == before_old.committed - D("2500")
    assert after_old.carried == before_old.carried + D("2500")
    assert after_old.available == before_old.available
    # The next year: the pot's stream and line grow by it, nothing committed yet.
    assert after_new.pot == before_new.pot + D("2500")
    assert after_new.committed == before_new.committed
    # Committed in one year plus the pot of the next is what was committed before.
    assert after_old.committed + pot.stream.amount == before_old.committed
    # New ledger rows only: a reversal, a replacement and the carried entry.
    assert LedgerEntry.objects.count() > entries_before
    carried = LedgerEntry.objects.get(account=Account.CARRIED, allocation=allocation)
    assert carried.amount == D("2500") and carried.year == year
    row = selectors.row_of(allocation)
    assert (row.committed, row.collected, row.varied, row.collectable) == (
        D("7500"),
        D("2500"),
        D("0"),
        D("0"),
    )
    assert budget_selectors.current_version(allocation).status == Status.COMMITTED
    assert AuditEvent.objects.filter(action="underspend.collect").count() == 1
    assert AuditEvent.objects.filter(action="ledger.carry").count() == 1


def test_collecting_twice_or_more_than_is_unspent_is_refused(ended, cfo, next_year):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    allocation = agreement.allocation
    with pytest.raises(ValidationError) as excinfo:
        services.underspend_collect(actor=cfo, allocation=allocation, amount="2500.01", source="x")
    assert "£2,500.01 cannot be collected" in errors_of(excinfo)
    services.underspend_collect(actor=cfo, allocation=allocation, amount="2500", source="Q4")
    with pytest.raises(ValidationError) as excinfo:
        services.underspend_collect(actor=cfo, allocation=allocation, amount="2500", source="Q4")
    assert "has been collected" in errors_of(excinfo)
    assert Collection.objects.count() == 1
    assert Pot.objects.get().stream.amount == D("2500")


def test_the_form_errors_are_named_together(ended, cfo, next_year):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    with pytest.raises(ValidationError) as excinfo:
        services.underspend_collect(
            actor=cfo, allocation=agreement.allocation, amount="0", source=" "
        )
    assert set(excinfo.value.message_dict) == {"amount", "source"}


def test_only_the_cfo_collects(ended, officer, next_year):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    with pytest.raises(ValidationError) as excinfo:
        services.underspend_collect(
            actor=officer, allocation=agreement.allocation, amount="100", source="Q4"
        )
    assert "only the Chief Finance Officer" in errors_of(excinfo)


def test_without_a_next_year_there_is_no_pot_to_collect_into(ended, cfo):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    with pytest.raises(ValidationError) as excinfo:
        services.underspend_collect(
            actor=cfo, allocation=agreement.allocation, amount="100", source="Q4"
        )
    assert "no financial year after 2031/32" in errors_of(excinfo)
    assert not LedgerEntry.objects.filter(account=Account.CARRIED).exists()


def test_paid_and_not_spent_is_owed_back_and_once_repaid_can_be_collected(
    ended, cfo, year, next_year
):
    agreement = ended(spent=("1500", "1500", "1500", "1500"), paid=3)
    allocation = agreement.allocation
    row = selectors.row_of(allocation)
    paid = row.paid
    assert row.owed == paid - D("6000") > 0
    collectable = D("10000") - paid
    assert row.collectable == collectable
    assert "raise what is owed back" not in row.why_not  # something is collectable now
    services.underspend_collect(actor=cfo, allocation=allocation, amount=collectable, source="Q4")
    row = selectors.row_of(allocation)
    assert row.collectable == 0
    assert "raise what is owed back" in row.why_not

    with pytest.raises(ValidationError):
        services.receivable_raise(
            actor=cfo, allocation=allocation, amount=row.owed + D("0.01"), reason="Advance"
        )
    receivable = services.receivable_raise(
        actor=cfo, allocation=allocation, amount=row.owed, reason="Paid for Q4, not spent"
    )
    row = selectors.row_of(allocation)
    assert row.owed == 0 and row.outstanding == receivable.amount
    with pytest.raises(ValidationError):
        services.receivable_raise(actor=cfo, allocation=allocation, amount="1", reason="Twice")

    repayment = services.repayment_record(
        actor=cfo, receivable=receivable, received_on=dt.date(2032, 5, 1), reference="BACS-77"
    )
    assert repayment.entry.account == Account.PAID and repayment.entry.amount == -receivable.amount
    row = selectors.row_of(allocation)
    assert row.paid == D("6000") == row.spent
    assert row.outstanding == 0
    # Repaid, the money is unspent and unpaid: it can be collected now.
    assert row.collectable == receivable.amount
    with pytest.raises(ValidationError) as excinfo:
        services.repayment_record(
            actor=cfo, receivable=receivable, received_on=dt.date(2032, 5, 1), reference="Again"
        )
    assert "already recorded" in errors_of(excinfo)
    services.underspend_collect(
        actor=cfo, allocation=allocation, amount=receivable.amount, source="Repaid"
    )
    pot = Pot.objects.get()
    assert pot.stream.amount == D("10000") - D("6000")
    assert selectors.row_of(allocation).committed == D("6000")


def test_an_allocation_without_an_agreement_gives_up_what_is_not_paid(
    make_allocation, cfo, next_year
):
    allocation = make_allocation("5000", status=Status.COMMITTED)
    row = selectors.row_of(allocation)
    assert row.agreement is None and row.spent is None
    assert row.collectable == D("5000")
    services.underspend_collect(
        actor=cfo, allocation=allocation, amount="1200", source="CSP year-end statement"
    )
    assert selectors.row_of(allocation).collectable == D("3800")


def test_the_outturn_reconciles_to_the_ledger(ended, make_allocation, cfo, year, next_year):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    make_allocation("5000", status=Status.COMMITTED)
    make_allocation("700")  # indicative: not part of the outturn, said so
    services.underspend_collect(
        actor=cfo, allocation=agreement.allocation, amount="1000", source="Q4"
    )
    out = selectors.outturn(year)
    assert out.reconciled, [(c.label, c.outturn, c.ledger) for c in out.checks]
    assert out.total.committed == budget_selectors.position(year).committed
    assert out.total.collected == D("1000")
    assert any("£700 is still indicative" in n for n in out.notes)
    assert sum(t.committed for t in out.by_mechanism) == out.total.committed
    assert sum(t.committed for t in out.by_partner) == out.total.committed
    assert sum(t.paid for t in out.by_theme) == out.total.paid


def test_the_police_and_crime_panel_reads_the_year_end_and_collects_nothing(
    user_with, ended, next_year
):
    from commissioning.core.permissions import allowed

    pcp = user_with(Role.POLICE_CRIME_PANEL)
    assert allowed(pcp, "yearend.view")
    assert not allowed(pcp, "yearend.collect")
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    with pytest.raises(ValidationError):
        services.underspend_collect(
            actor=pcp, allocation=agreement.allocation, amount="1", source="x"
        )


def test_a_second_collection_in_the_same_year_grows_the_one_pot(ended, cfo, year, next_year):
    first = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    second = ended(spent=("2500", "2500", "2000", "2000"), paid=3)
    services.underspend_collect(actor=cfo, allocation=first.allocation, amount="1500", source="Q4")
    services.underspend_collect(actor=cfo, allocation=second.allocation, amount="1000", source="Q4")
    pot = Pot.objects.get()
    assert pot.stream.amount == pot.line.amount == D("2500")
    assert sum(c.amount for c in pot.collections.all()) == D("2500")
