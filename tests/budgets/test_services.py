"""The ledger's write services: every write is one transaction with its audit event, the
ledger is append-only, a variation reverses and replaces, and capped lines hold."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from commissioning.budgets import services
from commissioning.budgets.models import (
    AllocationVersion,
    EntryKind,
    LedgerEntry,
    Mechanism,
    Status,
)
from commissioning.budgets.selectors import allocation_lines, current_versions
from commissioning.core.models import AppendOnlyError, AuditEvent
from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db


def entries_total(allocation) -> Decimal:
    return LedgerEntry.objects.filter(allocation=allocation).aggregate(t=Sum("amount"))["t"]


def test_create_posts_entries_and_audits(make_allocation, officer):
    """A new allocation has one version, one entry per period, and an audit event by its actor."""
    before = AuditEvent.objects.count()
    allocation = make_allocation("1234.56", period="H1")
    version = allocation.versions.get()
    assert version.number == 1 and version.total == Decimal("1234.56")
    assert list(allocation.entries.values_list("period", "amount", "kind")) == [
        ("H1", Decimal("1234.56"), EntryKind.ORIGINAL)
    ]
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "allocation.create" and event.actor == officer
    assert event.after["amounts"] == {"H1": "1234.56"}


def test_variation_reverses_and_replaces(make_allocation, officer):
    """Varying writes reversal entries for the old version and new ones; nothing is updated."""
    allocation = make_allocation("1000", period="H1")
    new = services.allocation_vary(
        actor=officer, allocation=allocation, reason="Revised", amounts={"H1": "600", "H2": "500"}
    )
    assert new.number == 2
    kinds = list(allocation.entries.order_by("id").values_list("kind", "period", "amount"))
    assert kinds == [
        (EntryKind.ORIGINAL, "H1", Decimal("1000.00")),
        (EntryKind.REVERSAL, "H1", Decimal("-1000.00")),
        (EntryKind.REPLACEMENT, "H1", Decimal("600.00")),
        (EntryKind.REPLACEMENT, "H2", Decimal("500.00")),
    ]
    assert entries_total(allocation) == Decimal("1100.00")
    old = AllocationVersion.objects.get(allocation=allocation, number=1)
    assert old.total == Decimal("1000.00"), "the old version keeps what it said"
    event = AuditEvent.objects.filter(action="allocation.vary").latest("id")
    assert event.before["amounts"] == {"H1": "1000.00"}
    assert event.after["amounts"] == {"H1": "600.00", "H2": "500.00"}
    assert event.reason == "Revised"


def test_variation_can_change_dimensions(make_allocation, officer):
    allocation = make_allocation("1000")
    services.allocation_vary(
        actor=officer, allocation=allocation, reason="Moved", mechanism=Mechanism.DIRECT
    )
    (line,) = [l for l in allocation_lines(allocation.year) if l.reference == allocation.reference]
    assert line.mechanism == Mechanism.DIRECT and line.total == Decimal("1000.00")


def test_variation_needs_a_reason_and_a_change(make_allocation, officer):
    allocation = make_allocation("1000")
    with pytest.raises(ValidationError, match="why"):
        services.allocation_vary(
            actor=officer, allocation=allocation, reason=" ", amounts={"FY": "5"}
        )
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.allocation_vary(
            actor=officer, allocation=allocation, reason="x", amounts={"FY": "1000"}
        )


def test_cancel_leaves_no_money_and_blocks_further_variation(make_allocation, officer):
    allocation = make_allocation("1000")
    services.allocation_cancel(actor=officer, allocation=allocation, reason="Withdrawn by provider")
    assert entries_total(allocation) == Decimal("0.00")
    assert current_versions(allocation.year).get(allocation=allocation).status == Status.CANCELLED
    assert allocation.reference not in [l.reference for l in allocation_lines(allocation.year)]
    with pytest.raises(ValidationError):
        services.allocation_vary(
            actor=officer, allocation=allocation, reason="again", amounts={"FY": "1"}
        )


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ({"FY": "-5"}, "negative"),
        ({"FY": "abc"}, "not an amount"),
        ({"FY": "1.005"}, "fractions of a penny"),
        ({"H1": "5", "Q3": "5"}, "not a mix"),
        ({"Q5": "5"}, "not a period"),
        ({}, "at least one period"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_written(make_allocation, officer, amounts, message):
    before = (LedgerEntry.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match=message):
        services.allocation_create(
            actor=officer,
            year=make_allocation("1").year,
            amounts=amounts,
            organisation=make_allocation("2").versions.get().organisation,
            initiative="Bad",
            mechanism=Mechanism.DIRECT,
        )
    assert (LedgerEntry.objects.count(), AuditEvent.objects.count()) == (
        before[0] + 2,
        before[1] + 2,
    )


def test_capped_line_refuses_overcommitment(year, officer, user_with, make_allocation):
    services.budget_line_create(
        actor=user_with(Role.CFO),
        year=year,
        name="PCC Grant",
        mechanism=Mechanism.PCC_GRANT,
        amount="10000",
        capped=True,
    )
    make_allocation("6000", status=Status.COMMITTED)
    second = make_allocation("5000")
    with pytest.raises(services.CapExceeded, match="£4,000 is left"):
        services.allocation_commit(actor=officer, allocation=second)
    assert current_versions(year).get(allocation=second).status == Status.INDICATIVE
    # Indicative amounts do not count against the cap; varying it down to fit does commit.
    services.allocation_vary(
        actor=officer,
        allocation=second,
        reason="Reduced to fit",
        amounts={"FY": "4000"},
        status=Status.COMMITTED,
    )
    committed = LedgerEntry.objects.filter(year=year, version__status=Status.COMMITTED).aggregate(
        t=Sum("amount")
    )
    assert committed["t"] == Decimal("10000.00")


def test_uncapped_line_allows_overcommitment_and_position_says_so(year, user_with, make_allocation):
    from commissioning.budgets.selectors import position

    services.budget_line_create(
        actor=user_with(Role.CFO),
        year=year,
        name="Grant",
        mechanism=Mechanism.PCC_GRANT,
        amount="100",
    )
    make_allocation("150", status=Status.COMMITTED)
    pos = position(year)
    (row,) = [r for r in pos.by_mechanism if r.key == Mechanism.PCC_GRANT]
    assert row.available == Decimal("-50.00") and row.over
    assert any("exceed the budget line by £50" in n for n in pos.notes)


@pytest.mark.parametrize(
    "table", ["budgets_ledgerentry", "budgets_allocationversion", "core_auditevent"]
)
def test_append_only_tables_refuse_update_and_delete_in_the_database(make_allocation, table):
    """Triggers refuse UPDATE and DELETE whatever asks, even raw SQL."""
    make_allocation("10")
    column = {"budgets_ledgerentry": "period", "budgets_allocationversion": "initiative"}.get(
        table, "action"
    )
    for sql in (f"UPDATE {table} SET {column} = {column}", f"DELETE FROM {table}"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)


def test_append_only_models_refuse_save_and_delete(make_allocation):
    entry = make_allocation("10").entries.get()
    entry.amount = Decimal("11")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_audit_requires_a_transaction():
    from commissioning.core.audit import audit_record

    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        # pytest-django wraps tests in a transaction; step outside it deliberately
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            audit_record(actor=None, action="x", obj=AuditEvent(object_repr="x"))
        finally:
            connection.in_atomic_block = saved


def test_secondary_priority_must_differ(make_allocation):
    from commissioning.plans.models import StrategicPriority

    sp = StrategicPriority.objects.get(code="SP1")
    with pytest.raises(ValidationError, match="must differ"):
        make_allocation("10", theme=sp.theme, primary_priority=sp, secondary_priority=sp)
