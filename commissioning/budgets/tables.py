"""Tables of a year's allocations, grouped with subtotals. Pure: no ORM, Decimal only.

`selectors.allocation_lines` turns the ledger into `Line`s; `build_table` groups them. Every
subtotal and total is summed here from the same lines, so a table always adds up; what the
papers printed is compared separately (see `reconcile.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from commissioning.core.money import ZERO

from .periods import PERIODS, ordered


@dataclass(frozen=True)
class Line:
    """One current allocation with its amounts by period."""

    uuid: str
    reference: str
    year: str
    organisation: str
    organisation_key: str
    initiative: str
    mechanism: str
    mechanism_label: str
    theme_number: int | None
    theme: str
    primary_priority: str
    primary_priority_number: int | None
    secondary_priority: str
    reach_code: str
    reach: str
    status: str
    comment: str
    amounts: dict[str, Decimal]
    funding: str = "cash"  # `Funding`: only cash counts in the year's tables

    @property
    def in_kind(self) -> bool:
        return self.funding == "in_kind"

    @property
    def pooled(self) -> bool:
        return self.funding == "pooled"

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


@dataclass
class Group:
    key: str
    label: str
    rows: list[Line] = field(default_factory=list)
    subtotals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), ZERO)


@dataclass
class Table:
    by: str
    title: str
    periods: list[str]
    groups: list[Group]
    totals: dict[str, Decimal]
    pot: Decimal | None
    reserve: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum((g.total for g in self.groups), ZERO)

    @property
    def unallocated(self) -> Decimal | None:
        """The pot less what is allocated and what is held in reserve."""
        return None if self.pot is None else self.pot - self.total - self.reserve

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


ACROSS_ALL_THEMES = "Across all themes"

# by -> (title, key function of a line and the mechanisms' order, returning
# (sort key, group key, group label))
GROUPINGS: dict[str, tuple[str, Callable[[Line, Mapping[str, int]], tuple[tuple, str, str]]]] = {
    "organisation": (
        "By organisation",
        lambda l, _: ((l.organisation.lower(),), l.organisation_key, l.organisation),
    ),
    "theme": (
        "By theme",
        lambda l, _: (
            (l.theme_number if l.theme_number is not None else 99,),
            str(l.theme_number or "all"),
            l.theme or ACROSS_ALL_THEMES,
        ),
    ),
    "mechanism": (
        "By funding mechanism",
        lambda l, order: ((order.get(l.mechanism, 99),), l.mechanism, l.mechanism_label),
    ),
    "priority": (
        "By strategic priority",
        lambda l, _: (
            (l.primary_priority_number if l.primary_priority_number is not None else 99,),
            l.primary_priority.split(" ")[0] if l.primary_priority else "none",
            l.primary_priority or "No strategic priority given",
        ),
    ),
    "area": (
        "By area",
        lambda l, _: (
            ((l.reach or "~").lower(),),
            l.reach_code or "none",
            l.reach or "Reach not stated",
        ),
    ),
}
TABLE_KINDS = list(GROUPINGS)


def periods_of(lines: Iterable[Line]) -> list[str]:
    return ordered(p for line in lines for p in line.amounts)


def build_table(
    lines: list[Line],
    by: str,
    *,
    mechanisms: Sequence[str],
    pot: Decimal | None = None,
    reserve: Decimal = ZERO,
) -> Table:
    """The lines grouped `by` one of TABLE_KINDS; mechanism groups in the order of
    `mechanisms` (the codes of `Mechanism`, as the papers list them)."""
    title, keyfunc = GROUPINGS[by]
    order = {code: i for i, code in enumerate(mechanisms)}
    periods = periods_of(lines)
    groups: dict[str, Group] = {}
    sort_keys: dict[str, tuple] = {}
    for line in sorted(
        lines, key=lambda l: (keyfunc(l, order)[0], l.organisation.lower(), l.reference)
    ):
        sort_key, key, label = keyfunc(line, order)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key=key, label=label)
            sort_keys[key] = sort_key
        group.rows.append(line)
    ordered_groups = sorted(groups.values(), key=lambda g: (sort_keys[g.key], g.label))
    totals = {p: ZERO for p in periods}
    for group in ordered_groups:
        group.subtotals = {
            p: sum((r.amounts.get(p, ZERO) for r in group.rows), ZERO) for p in periods
        }
        for p in periods:
            totals[p] += group.subtotals[p]
    return Table(
        by=by,
        title=title,
        periods=periods,
        groups=ordered_groups,
        totals=totals,
        pot=pot,
        reserve=reserve,
    )


def period_label(code: str) -> str:
    return PERIODS[code].label


def line_record(line: Line, *, coded: bool) -> dict[str, object]:
    """One allocation's columns as tables and exports print them: with `coded`, its mechanism
    and reach as codes (data that can be imported again), otherwise in words."""
    return {
        "reference": line.reference,
        "organisation": line.organisation,
        "initiative": line.initiative,
        "mechanism": line.mechanism if coded else line.mechanism_label,
        "theme": line.theme or ACROSS_ALL_THEMES,
        "primary_priority": line.primary_priority.split(" ")[0] if line.primary_priority else "",
        "secondary_priority": line.secondary_priority.split(" ")[0]
        if line.secondary_priority
        else "",
        "reach": (line.reach_code or line.reach) if coded else line.reach,
        "status": line.status,
    }


def table_records(table: Table) -> list[dict[str, object]]:
    """The table flattened for CSV, XLSX and JSON: rows, subtotals, total, unallocated, pot."""
    records: list[dict[str, object]] = []

    def amounts(values: dict[str, Decimal], total: Decimal) -> dict[str, object]:
        data: dict[str, object] = {p: values.get(p, ZERO) for p in table.periods}
        data["total"] = total
        return data

    for group in table.groups:
        for row in group.rows:
            records.append(
                {
                    "row_type": "allocation",
                    "group": group.label,
                    **line_record(row, coded=False),
                    **amounts(row.amounts, row.total),
                }
            )
        records.append(
            {"row_type": "subtotal", "group": group.label, **amounts(group.subtotals, group.total)}
        )
    records.append({"row_type": "total", "group": "", **amounts(table.totals, table.total)})
    if table.pot is not None:
        unallocated = table.unallocated or ZERO
        records.append(
            {
                "row_type": "unallocated",
                "group": "",
                **{p: "" for p in table.periods},
                "total": unallocated,
            }
        )
        records.append(
            {
                "row_type": "grand_total",
                "group": "",
                **{p: "" for p in table.periods},
                "total": table.pot,
            }
        )
    return records
