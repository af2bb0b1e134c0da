"""Reconciliation: what the papers printed against what the ledger sums to. Pure functions.

Findings are facts, not failures: a paper's subtotal that does not add up is reported with
where it is, what it states, what its rows or the ledger give, and the difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from commissioning.core.money import ZERO


@dataclass(frozen=True)
class StatedRow:
    table: str
    table_name: str
    row: int
    group: str
    label: str
    allocation: str | None  # reference of the allocation the row defines or cites
    stated: Mapping[str, Decimal]  # period -> amount as printed ("" = the row's total column)
    organisation_as_stated: str = ""
    organisation_name: str = ""
    organisation_aliases: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Stated:
    table: str  # "" for a figure of the year as a whole
    table_name: str
    label: str
    scope: str  # group | table | unallocated | table_plus_unallocated | measure
    group: str
    measure: str
    period: str  # "" = the total column
    amount: Decimal
    precision: int = 1
    stated_as: str = ""


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    stated: Decimal | None
    computed: Decimal | None
    note: str = ""
    table: str = ""

    @property
    def difference(self) -> Decimal | None:
        if self.stated is None or self.computed is None:
            return None
        return self.stated - self.computed

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "table": self.table,
            "where": self.where,
            "stated": None if self.stated is None else str(self.stated),
            "computed": None if self.computed is None else str(self.computed),
            "difference": None if self.difference is None else str(self.difference),
            "note": self.note,
        }


KIND_LABELS = {
    "row_arithmetic": "A row's total is not the sum of its periods",
    "total_vs_ledger": "A printed total differs from the ledger",
    "total_vs_rows": "A printed total differs from the rows printed above it",
    "row_vs_ledger": "A row's figure differs from the ledger",
    "sources_disagree": "Two papers describe one allocation differently",
    "figure_vs_position": "A stated figure differs from the computed position",
    "name_variant": "A printed name differs from the organisation's record",
}


@dataclass
class YearFacts:
    """Everything reconciliation needs about one year, gathered by the selector."""

    rows: list[StatedRow]
    figures: list[Stated]
    ledger: Mapping[str, Mapping[str, Decimal]]  # allocation reference -> period -> amount
    pot: Decimal
    position: Mapping[str, Decimal] = field(default_factory=dict)  # measure -> amount


def _matches(stated: Decimal, computed: Decimal, precision: int) -> bool:
    if precision <= 1:
        return stated == computed
    return abs(stated - computed) * 2 < precision


def _ledger_amount(ledger: Mapping[str, Mapping[str, Decimal]], ref: str, period: str) -> Decimal:
    amounts = ledger.get(ref, {})
    if period == "":
        return sum(amounts.values(), ZERO)
    return amounts.get(period, ZERO)


def _fmt(amount: Decimal) -> str:
    """£ figures in notes as people write them: 427,146 or 1,234.50."""
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def _where(row: StatedRow) -> str:
    return f"{row.table_name}, row {row.row}: {row.label}"


def _period_name(period: str) -> str:
    return "total" if period == "" else period


def reconcile(facts: YearFacts) -> list[Finding]:
    findings: list[Finding] = []
    findings += _row_arithmetic(facts.rows)
    findings += _totals(facts)
    findings += _rows_vs_ledger(facts)
    findings += _names(facts.rows)
    findings += _position(facts)
    return findings


def _row_arithmetic(rows: Iterable[StatedRow]) -> list[Finding]:
    out = []
    for row in rows:
        if "" not in row.stated:
            continue
        periods = {p: a for p, a in row.stated.items() if p != ""}
        computed = sum(periods.values(), ZERO)
        if computed != row.stated[""]:
            shown = (
                ", ".join(f"{p} {_fmt(a)}" for p, a in periods.items())
                or "no period amounts printed"
            )
            out.append(
                Finding(
                    "row_arithmetic",
                    _where(row),
                    row.stated[""],
                    computed,
                    f"printed total against its periods ({shown})",
                    row.table,
                )
            )
    return out


def _rows_in_scope(rows: list[StatedRow], figure: Stated) -> list[StatedRow]:
    mine = [r for r in rows if r.table == figure.table]
    if figure.scope == "group":
        return [r for r in mine if r.group == figure.group]
    return mine


def _totals(facts: YearFacts) -> list[Finding]:
    out = []
    for figure in facts.figures:
        if figure.scope == "measure":
            continue
        rows = _rows_in_scope(facts.rows, figure)
        refs = sorted({r.allocation for r in rows if r.allocation})
        from_ledger = sum((_ledger_amount(facts.ledger, ref, figure.period) for ref in refs), ZERO)
        from_rows = sum(
            (
                r.stated.get(figure.period, ZERO)
                if figure.period
                else r.stated.get("", sum((a for p, a in r.stated.items() if p), ZERO))
                for r in rows
            ),
            ZERO,
        )
        if figure.scope == "unallocated":
            from_ledger = facts.pot - from_ledger
            from_rows = facts.pot - from_rows
        elif figure.scope == "table_plus_unallocated":
            if figure.period:
                continue  # the pot is not split by period
            from_ledger = from_rows = facts.pot
        where = f"{figure.table_name}: {figure.label} ({_period_name(figure.period)})"
        in_rows = figure.scope in {"group", "table"}
        if not _matches(figure.amount, from_ledger, figure.precision):
            if in_rows and from_rows == from_ledger:
                note = (
                    f"the {len(rows)} rows printed under it add up to {_fmt(from_rows)}, as the ledger does:"
                    " the paper's own arithmetic does not add up"
                )
            else:
                note = f"ledger sum of the {len(refs)} allocations in scope"
            out.append(
                Finding("total_vs_ledger", where, figure.amount, from_ledger, note, figure.table)
            )
        if (
            in_rows
            and from_rows != from_ledger
            and not _matches(figure.amount, from_rows, figure.precision)
        ):
            out.append(
                Finding(
                    "total_vs_rows",
                    where,
                    figure.amount,
                    from_rows,
                    f"sum of the {len(rows)} rows printed in scope",
                    figure.table,
                )
            )
    return out


def _rows_vs_ledger(facts: YearFacts) -> list[Finding]:
    out = []
    by_allocation: dict[str, list[StatedRow]] = {}
    for row in facts.rows:
        if not row.allocation:
            continue
        by_allocation.setdefault(row.allocation, []).append(row)
        for period, amount in row.stated.items():
            if period == "" and len(row.stated) > 1:
                continue  # the row's own arithmetic is checked separately
            ledger = _ledger_amount(facts.ledger, row.allocation, period)
            if ledger != amount:
                out.append(
                    Finding(
                        "row_vs_ledger",
                        _where(row),
                        amount,
                        ledger,
                        f"{_period_name(period)}: allocation {row.allocation} in the ledger",
                        row.table,
                    )
                )
    for ref, rows in by_allocation.items():
        totals = {
            r.table_name: r.stated.get("", sum((a for p, a in r.stated.items() if p), ZERO))
            for r in rows
        }
        if len(set(totals.values())) > 1:
            text = "; ".join(f"{name}: {_fmt(amount)}" for name, amount in totals.items())
            out.append(
                Finding("sources_disagree", f"allocation {ref}", None, None, text, rows[0].table)
            )
        for attribute, what in (
            ("organisation_as_stated", "organisation"),
            ("label", "initiative"),
        ):
            printed = {r.table_name: getattr(r, attribute) for r in rows if getattr(r, attribute)}
            values = list(printed.values())
            if any(_differs(a, b) for i, a in enumerate(values) for b in values[i + 1 :]):
                text = "; ".join(f"{name}: “{value}”" for name, value in printed.items())
                out.append(
                    Finding(
                        "sources_disagree",
                        f"allocation {ref}: {what} printed differently",
                        None,
                        None,
                        text,
                        rows[0].table,
                    )
                )
    return out


def _normal(name: str) -> str:
    text = name.lower().replace("&", " and ").replace("–", " ").replace("-", " ")
    return " ".join("".join(ch if ch.isalnum() or ch == " " else " " for ch in text).split())


def _is_prefix(a: str, b: str) -> bool:
    ta, tb = a.split(), b.split()
    n = min(len(ta), len(tb))
    return ta[:n] == tb[:n]


def _differs(a: str, b: str) -> bool:
    """Two printed names for one thing differ, beyond spacing, punctuation and one being a
    shortened form of the other ("Blaby" for "Blaby District Council")."""
    na, nb = _normal(a), _normal(b)
    if not na or not nb or na == nb or na.replace(" ", "") == nb.replace(" ", ""):
        return False
    return not _is_prefix(na, nb)


def _looks_misspelled(stated: str, name: str) -> bool:
    """The two differ but are at least 75% alike ("Twenty-Two" / "Twenty-Twenty")."""
    return (
        _differs(stated, name)
        and SequenceMatcher(None, _normal(stated), _normal(name)).ratio() >= 0.75
    )


def _names(rows: Iterable[StatedRow]) -> list[Finding]:
    """Printed organisation names that are not the organisation's recorded name: either not
    a recorded spelling at all (to check), or a recorded spelling that looks like a
    misspelling of the name. Each spelling is reported once."""
    out = []
    seen: set[str] = set()
    for row in rows:
        stated = row.organisation_as_stated.strip()
        if not stated or not row.organisation_name or _normal(stated) in seen:
            continue
        if not _differs(stated, row.organisation_name):
            continue
        known = any(not _differs(stated, alias) for alias in row.organisation_aliases)
        if known and not _looks_misspelled(stated, row.organisation_name):
            continue
        seen.add(_normal(stated))
        note = (
            f"recorded as {row.organisation_name}; a recorded spelling that looks like a misspelling"
            if known
            else f"recorded as {row.organisation_name}; not a recorded spelling of it: check"
        )
        out.append(
            Finding("name_variant", _where(row) + f": “{stated}”", None, None, note, row.table)
        )
    return out


def _position(facts: YearFacts) -> list[Finding]:
    out = []
    for figure in facts.figures:
        if figure.scope != "measure" or figure.measure not in facts.position:
            continue
        computed = facts.position[figure.measure]
        if not _matches(figure.amount, computed, figure.precision):
            out.append(
                Finding(
                    "figure_vs_position",
                    f"{figure.table_name or 'Year'}: {figure.label}"
                    + (f" (stated as {figure.stated_as})" if figure.stated_as else ""),
                    figure.amount,
                    computed,
                    f"computed {figure.measure}",
                    figure.table,
                )
            )
    return out
