"""The year's outturn: for every allocation committed in a year, what was awarded, how it
was varied, what was paid, what the partner reported spent, what is unspent, collected into
the next year's central pot, and owed back; totals by mechanism, theme and partner; and the
outturn's reconciliation with the ledger.

Everything is read in a fixed number of queries, whatever the number of allocations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from commissioning.agreements.models import Agreement, ReturnStatus, SpendLine
from commissioning.agreements.rules import return_accepted
from commissioning.budgets.models import (
    POT_ENTRIES,
    Account,
    Allocation,
    AllocationVersion,
    FinancialYear,
    Funding,
    LedgerEntry,
    Mechanism,
    Status,
)
from commissioning.budgets.selectors import current_versions
from commissioning.core.money import ZERO, pounds
from commissioning.core.templatetags.govuk import money

from . import rules
from .models import Collection, Pot, Receivable


@dataclass
class OutturnRow:
    """One committed allocation at the year end."""

    allocation: Allocation
    version: AllocationVersion
    agreement: Agreement | None
    awarded: Decimal  # the total when it was first committed
    committed: Decimal  # the total now
    paid: Decimal
    spent: Decimal | None  # reported in accepted returns; None with no agreement
    collected: Decimal
    receivable: Decimal  # raised as owed back
    repaid: Decimal
    final_return_in: bool = False

    @property
    def reference(self) -> str:
        return self.allocation.reference

    @property
    def organisation(self) -> str:
        return self.version.organisation.name

    @property
    def varied(self) -> Decimal:
        """Variations after the award, other than the underspend collected."""
        return self.committed + self.collected - self.awarded

    @property
    def unspent(self) -> Decimal:
        """Committed and not spent: with no agreement, committed and not paid."""
        return self.committed - (self.paid if self.spent is None else self.spent)

    @property
    def outstanding(self) -> Decimal:
        """Owed back and not yet repaid."""
        return self.receivable - self.repaid

    @property
    def collectable(self) -> Decimal:
        return rules.collectable(self)

    @property
    def owed(self) -> Decimal:
        return rules.owed(self)

    @property
    def why_not(self) -> str:
        return rules.why_not_collectable(self)

    @property
    def needs_a_look(self) -> bool:
        """Something to do or to see at the year end: an agreement still open, underspend
        or money owed, or a collection made."""
        settled = self.agreement is None or self.closed
        return (
            not settled
            or self.unspent != 0
            or self.owed > 0
            or self.outstanding > 0
            or self.collected > 0
        )

    @property
    def closed(self) -> bool:
        return self.agreement is not None and self.agreement.status == "closed"


FIGURES = ("awarded", "varied", "committed", "paid", "spent", "unspent", "collected", "outstanding")


@dataclass
class Total:
    label: str
    rows: int = 0
    awarded: Decimal = ZERO
    varied: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    spent: Decimal = ZERO
    unspent: Decimal = ZERO
    collected: Decimal = ZERO
    outstanding: Decimal = ZERO

    def add(self, row: OutturnRow) -> None:
        self.rows += 1
        for name in FIGURES:
            value = getattr(row, name)
            setattr(self, name, getattr(self, name) + (value or ZERO))


@dataclass
class Check:
    """One figure of the outturn beside the ledger's."""

    label: str
    outturn: Decimal
    ledger: Decimal

    @property
    def difference(self) -> Decimal:
        return self.outturn - self.ledger

    @property
    def agrees(self) -> bool:
        return self.difference == 0


@dataclass
class Outturn:
    year: FinancialYear
    rows: list[OutturnRow]
    total: Total
    by_mechanism: list[Total]
    by_theme: list[Total]
    by_partner: list[Total]
    checks: list[Check]
    indicative: Decimal
    pot: Pot | None
    next_year: FinancialYear | None
    notes: list[str] = field(default_factory=list)

    @property
    def reconciled(self) -> bool:
        return all(c.agrees for c in self.checks)

    @property
    def to_close(self) -> list[OutturnRow]:
        """Agreements still open: nothing can be collected from them."""
        return [r for r in self.rows if r.agreement is not None and not r.closed]

    @property
    def to_collect(self) -> list[OutturnRow]:
        """Closed agreements with underspend left (an allocation with no agreement has no
        returns to show an underspend: the CFO collects it when one is identified)."""
        return [r for r in self.rows if r.closed and r.collectable > 0]

    @property
    def to_raise(self) -> list[OutturnRow]:
        return [r for r in self.rows if r.owed > 0]


def next_year_of(year: FinancialYear) -> FinancialYear | None:
    return FinancialYear.objects.filter(starts__year=year.starts.year + 1).first()


def _sums(queryset, key: str) -> dict[int, Decimal]:
    return {
        row[key]: pounds(row["total"])
        for row in queryset.values(key).annotate(total=Sum("amount")).order_by()
    }


def _totals(rows: Iterable[OutturnRow], label: Callable[[OutturnRow], str]) -> list[Total]:
    out: dict[str, Total] = {}
    for row in rows:
        name = label(row)
        out.setdefault(name, Total(label=name)).add(row)
    return sorted(out.values(), key=lambda t: t.label)


def outturn(year: FinancialYear, *, only: Allocation | None = None) -> Outturn:
    """The year's outturn, in a fixed number of queries (`only`: one allocation's row). Cash
    only: support in kind is not paid, so it has no outturn or underspend."""
    chosen = current_versions(year).filter(
        status=Status.COMMITTED, allocation__funding=Funding.CASH
    )
    if only is not None:
        chosen = chosen.filter(allocation=only)
    versions = list(
        chosen.order_by("allocation__reference").select_related(
            "organisation", "theme", "allocation"
        )
    )
    ids = [v.allocation_id for v in versions]
    awarded: dict[int, Decimal] = {}
    for allocation_id, first_total in (
        AllocationVersion.objects.filter(allocation__year=year, status=Status.COMMITTED)
        .order_by("allocation_id", "number")
        .values_list("allocation_id", "total")
    ):
        awarded.setdefault(allocation_id, first_total)
    entries = LedgerEntry.objects.filter(POT_ENTRIES, year=year)
    paid = _sums(entries.filter(account=Account.PAID), "allocation_id")
    carried = _sums(entries.filter(account=Account.CARRIED), "allocation_id")
    committed_in_ledger = pounds(
        entries.filter(account=Account.COMMITTED, version__status=Status.COMMITTED).aggregate(
            t=Sum("amount")
        )["t"]
    )
    indicative = pounds(
        entries.filter(account=Account.COMMITTED, version__status=Status.INDICATIVE).aggregate(
            t=Sum("amount")
        )["t"]
    )
    agreements = {
        a.allocation_id: a
        for a in Agreement.objects.filter(allocation__year=year).prefetch_related("periods__report")
    }
    spent = _sums(
        SpendLine.objects.filter(
            report__status=ReturnStatus.ACCEPTED, report__period__agreement__allocation__year=year
        ),
        "report__period__agreement__allocation_id",
    )
    raised = _sums(Receivable.objects.filter(allocation__year=year), "allocation_id")
    repaid = _sums(
        Receivable.objects.filter(allocation__year=year, repayment__isnull=False), "allocation_id"
    )
    rows = []
    for v in versions:
        agreement = agreements.get(v.allocation_id)
        final_in = False
        if agreement is not None:
            finals = [p for p in agreement.periods.all() if p.final]
            final_in = bool(finals) and all(return_accepted(p) for p in finals)
        rows.append(
            OutturnRow(
                allocation=v.allocation,
                version=v,
                agreement=agreement,
                awarded=awarded.get(v.allocation_id, v.total),
                committed=v.total,
                paid=paid.get(v.allocation_id, ZERO),
                spent=None if agreement is None else spent.get(v.allocation_id, ZERO),
                collected=carried.get(v.allocation_id, ZERO),
                receivable=raised.get(v.allocation_id, ZERO),
                repaid=repaid.get(v.allocation_id, ZERO),
                final_return_in=final_in,
            )
        )
    total = Total(label="All committed allocations")
    for row in rows:
        total.add(row)
    labels = dict(Mechanism.choices)
    pot = Pot.objects.filter(source_year=year).select_related("year", "stream", "line").first()
    collected_into_pot = pounds(
        Collection.objects.filter(pot=pot).aggregate(t=Sum("amount"))["t"] if pot else ZERO
    )
    checks = [
        Check("Committed", total.committed, committed_in_ledger),
        Check("Paid", total.paid, sum(paid.values(), ZERO)),
        Check("Carried to the central pot", total.collected, sum(carried.values(), ZERO)),
        Check("Collected into the central pot", total.collected, collected_into_pot),
    ]
    out = Outturn(
        year=year,
        rows=rows,
        total=total,
        by_mechanism=_totals(rows, lambda r: labels.get(r.version.mechanism, r.version.mechanism)),
        by_theme=_totals(rows, lambda r: str(r.version.theme) if r.version.theme else "No theme"),
        by_partner=_totals(rows, lambda r: r.organisation),
        checks=checks,
        indicative=indicative,
        pot=pot,
        next_year=pot.year if pot else next_year_of(year),
    )
    paid_elsewhere = set(paid) - set(ids)
    if paid_elsewhere and only is None:
        out.notes.append(
            f"{len(paid_elsewhere)} allocation(s) no longer committed have payments recorded: "
            "they are not in the outturn's rows, so the paid figures differ."
        )
    if indicative:
        out.notes.append(
            f"{money(indicative)} is still indicative in {year.label}: never committed, it is not "
            "part of the outturn."
        )
    if pot is not None and (
        pot.stream.amount != collected_into_pot or pot.line.amount != pot.stream.amount
    ):
        out.notes.append(
            f"The central pot's stream ({money(pot.stream.amount)}) and budget line "
            f"({money(pot.line.amount)}) should each equal the underspend collected "
            f"({money(collected_into_pot)})."
        )
    return out


def row_of(allocation: Allocation) -> OutturnRow | None:
    """The outturn row of one allocation; None if it is not committed."""
    rows = outturn(allocation.year, only=allocation).rows
    return rows[0] if rows else None


def collections_of(pot: Pot) -> list[Collection]:
    return list(
        pot.collections.select_related("allocation", "agreement", "collected_by").order_by("id")
    )


def receivables(year: FinancialYear) -> list[Receivable]:
    return list(
        Receivable.objects.filter(allocation__year=year)
        .select_related("allocation", "agreement", "repayment")
        .order_by("id")
    )
