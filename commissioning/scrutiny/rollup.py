"""Outcomes by priority, as pure arithmetic over plain facts (no ORM): the selectors read the
facts, this module adds them up.

Every measure of every agreement is one `MeasureFacts`: its unit, its strategic priority
(or none), its targets, the actuals of its agreement's accepted returns, the officer's RAG of
each of those returns, and its share of the agreement's money (the budget profile, the
profile of the periods whose return is accepted, and the spend those returns report). An
agreement's money is shared equally among its measures, to the penny, so that every pound is
counted once whichever priorities its measures serve; an agreement with no measures is one
fact with no unit and no priority. Each accepted return's RAG is counted once for each of
its agreement's measures (a measure's reporting periods, as rated).

Figures add: a theme's figures are the sum of its priorities', and the total is the sum of
the themes' and the row of measures linked to no priority. Targets and actuals are summed
where the unit is a number or pounds; percentages are averaged (the sums and counts are
kept, so averages combine exactly).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
TENTH = Decimal("0.1")

COUNT, POUNDS, PERCENT = "count", "pounds", "percent"
UNITS = (COUNT, POUNDS, PERCENT)
UNIT_LABELS = {COUNT: "Number", POUNDS: "Pounds", PERCENT: "Percentage (mean)"}
RAGS = ("green", "amber", "red")
NOT_LINKED = "Not linked to a priority"
NOT_LINKED_INTENTION = "Not linked to a commissioning intention"


def share(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` shares of whole pence that add up to it exactly (the first shares
    take the odd pence)."""
    if parts <= 0:
        return []
    pence = int((total / PENNY).to_integral_value(rounding=ROUND_HALF_UP))
    each, extra = divmod(pence, parts)
    return [(Decimal(each + (1 if i < extra else 0)) * PENNY) for i in range(parts)]


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to one place; None when there is no whole."""
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def mean(total: Decimal, n: int) -> Decimal | None:
    return (total / n).quantize(TENTH, rounding=ROUND_HALF_UP) if n else None


@dataclass(frozen=True)
class MeasureFacts:
    agreement: int
    year: str
    priority: int | None
    unit: str | None  # None: an agreement with no measures, whose money and RAGs still count
    targets: tuple[Decimal, ...] = ()
    reported_targets: tuple[Decimal, ...] = ()  # the targets of periods whose return is accepted
    actuals: tuple[Decimal, ...] = ()
    rags: tuple[str, ...] = ()
    budget: Decimal = ZERO
    profiled: Decimal = ZERO  # the profile of the periods whose return is accepted
    spent: Decimal = ZERO


@dataclass
class UnitFigures:
    """Targets and actuals of the measures of one unit: sums and how many values."""

    unit: str
    measures: int = 0
    target: Decimal = ZERO
    target_n: int = 0
    reported_target: Decimal = ZERO
    reported_target_n: int = 0
    actual: Decimal = ZERO
    actual_n: int = 0

    def add(self, other: UnitFigures) -> None:
        self.measures += other.measures
        self.target += other.target
        self.target_n += other.target_n
        self.reported_target += other.reported_target
        self.reported_target_n += other.reported_target_n
        self.actual += other.actual
        self.actual_n += other.actual_n

    @property
    def label(self) -> str:
        return UNIT_LABELS[self.unit]

    @property
    def averaged(self) -> bool:
        return self.unit == PERCENT

    def _shown(self, total: Decimal, n: int) -> Decimal | None:
        if self.averaged:
            return mean(total, n)
        return total if n else None

    @property
    def target_shown(self) -> Decimal | None:
        """The year's target: summed, or the mean for a percentage."""
        return self._shown(self.target, self.target_n)

    @property
    def reported_target_shown(self) -> Decimal | None:
        return self._shown(self.reported_target, self.reported_target_n)

    @property
    def actual_shown(self) -> Decimal | None:
        return self._shown(self.actual, self.actual_n)

    @property
    def achieved(self) -> Decimal | None:
        """Actual as a percentage of the target for the periods reported (numbers and pounds;
        a mean of percentages is compared by eye, not divided)."""
        if self.averaged or not self.actual_n:
            return None
        return percent_of(self.actual, self.reported_target)


@dataclass
class Figures:
    measures: int = 0
    units: dict[str, UnitFigures] = field(default_factory=dict)
    rag: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAGS, 0))
    budget: Decimal = ZERO
    profiled: Decimal = ZERO
    spent: Decimal = ZERO

    def add_facts(self, facts: MeasureFacts) -> None:
        if facts.unit is not None:
            self.measures += 1
            unit = self.units.setdefault(facts.unit, UnitFigures(facts.unit))
            unit.add(
                UnitFigures(
                    facts.unit,
                    measures=1,
                    target=sum(facts.targets, ZERO),
                    target_n=len(facts.targets),
                    reported_target=sum(facts.reported_targets, ZERO),
                    reported_target_n=len(facts.reported_targets),
                    actual=sum(facts.actuals, ZERO),
                    actual_n=len(facts.actuals),
                )
            )
        for rag in facts.rags:
            if rag in self.rag:
                self.rag[rag] += 1
        self.budget += facts.budget
        self.profiled += facts.profiled
        self.spent += facts.spent

    def add(self, other: Figures) -> None:
        self.measures += other.measures
        for code, figures in other.units.items():
            self.units.setdefault(code, UnitFigures(code)).add(figures)
        for rag, n in other.rag.items():
            self.rag[rag] += n
        self.budget += other.budget
        self.profiled += other.profiled
        self.spent += other.spent

    @property
    def unit_list(self) -> list[UnitFigures]:
        """The units present, in the fixed order number, pounds, percentage."""
        return [self.units[u] for u in UNITS if u in self.units]

    @property
    def rated(self) -> int:
        return sum(self.rag.values())

    @property
    def spent_of_profile(self) -> Decimal | None:
        return percent_of(self.spent, self.profiled)

    @property
    def achieved(self) -> Decimal | None:
        """Actual of target for the periods reported, over the numbered measures only (the
        units are not mixed: pounds and percentages are shown beside it)."""
        counts = self.units.get(COUNT)
        return counts.achieved if counts else None

    @property
    def empty(self) -> bool:
        return self.measures == 0 and self.budget == 0 and self.rated == 0

    def as_dict(self) -> dict:
        return {
            "measures": self.measures,
            "units": [
                {
                    "unit": u.unit,
                    "measures": u.measures,
                    "averaged": u.averaged,
                    "target": u.target_shown,
                    "target_for_returns_accepted": u.reported_target_shown,
                    "actual": u.actual_shown,
                    "achieved_percent": u.achieved,
                }
                for u in self.unit_list
            ],
            "ratings": dict(self.rag),
            "budget": self.budget,
            "profile_for_returns_accepted": self.profiled,
            "spent": self.spent,
            "spent_of_profile_percent": self.spent_of_profile,
        }


@dataclass(frozen=True)
class PriorityInfo:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class ThemeInfo:
    id: int
    number: int
    title: str
    priorities: tuple[PriorityInfo, ...]


@dataclass
class Row:
    key: str
    label: str
    figures: Figures


@dataclass
class ThemeGroup:
    theme: ThemeInfo
    rows: list[Row]
    subtotal: Figures

    @property
    def label(self) -> str:
        return f"Theme {self.theme.number}: {self.theme.title}"


@dataclass
class Rollup:
    groups: list[ThemeGroup]
    not_linked: Row
    total: Figures

    def priority_rows(self) -> list[Row]:
        return [r for g in self.groups for r in g.rows]


def roll_up(facts: Iterable[MeasureFacts], themes: Sequence[ThemeInfo]) -> Rollup:
    """Add the facts up by priority, then by theme; measures on no priority (and agreements
    with no measures) in a row of their own. Every priority of `themes` has a row, funded or
    not; a fact naming a priority that is in none of them is a programming error."""
    by_priority: dict[int, Figures] = {p.id: Figures() for t in themes for p in t.priorities}
    none = Figures()
    for f in facts:
        if f.priority is None:
            none.add_facts(f)
        elif f.priority in by_priority:
            by_priority[f.priority].add_facts(f)
        else:
            raise ValueError(f"priority {f.priority} is in none of the themes given")
    groups = []
    total = Figures()
    for theme in themes:
        rows = [Row(p.code, f"{p.code} {p.title}", by_priority[p.id]) for p in theme.priorities]
        subtotal = Figures()
        for row in rows:
            subtotal.add(row.figures)
        total.add(subtotal)
        groups.append(ThemeGroup(theme, rows, subtotal))
    total.add(none)
    return Rollup(groups, Row("none", NOT_LINKED, none), total)


@dataclass
class YearOnYearRow:
    kind: str  # "theme", "priority", "none" or "total"
    label: str
    by_year: dict[str, Figures]


def year_on_year(rollups: Mapping[str, Rollup]) -> list[YearOnYearRow]:
    """The roll-ups of several years side by side: each theme, then its priorities; the row
    of measures linked to no priority; the total. The years share one set of themes."""
    labels = list(rollups)
    if not labels:
        return []
    first = rollups[labels[0]]
    rows: list[YearOnYearRow] = []
    for g, group in enumerate(first.groups):
        rows.append(
            YearOnYearRow("theme", group.label, {y: rollups[y].groups[g].subtotal for y in labels})
        )
        for r, row in enumerate(group.rows):
            rows.append(
                YearOnYearRow(
                    "priority", row.label, {y: rollups[y].groups[g].rows[r].figures for y in labels}
                )
            )
    rows.append(
        YearOnYearRow("none", NOT_LINKED, {y: rollups[y].not_linked.figures for y in labels})
    )
    rows.append(YearOnYearRow("total", "Total", {y: rollups[y].total for y in labels}))
    return rows


# --- Commissioning intentions: estimates beside the ledger --------------------------------


@dataclass(frozen=True)
class IntentionInfo:
    id: int
    code: str
    description: str


@dataclass
class Money:
    committed: Decimal = ZERO
    indicative: Decimal = ZERO
    paid: Decimal = ZERO

    def add(self, other: Money) -> None:
        self.committed += other.committed
        self.indicative += other.indicative
        self.paid += other.paid


@dataclass
class IntentionRow:
    code: str
    description: str
    estimate: Decimal | None
    money: Money

    @property
    def committed_of_estimate(self) -> Decimal | None:
        return percent_of(self.money.committed, self.estimate) if self.estimate else None

    @property
    def difference(self) -> Decimal | None:
        """Committed less the estimate (negative: less committed than estimated)."""
        return None if self.estimate is None else self.money.committed - self.estimate


@dataclass
class IntentionTable:
    rows: list[IntentionRow]
    subtotal: IntentionRow  # the intentions together: their estimates and their money
    not_linked: IntentionRow
    total: IntentionRow  # subtotal + not linked: the year's ledger (no estimate)

    def every_row(self) -> list[IntentionRow]:
        return [*self.rows, self.subtotal, self.not_linked, self.total]


def intention_table(
    intentions: Sequence[IntentionInfo],
    estimates: Mapping[int, Decimal],
    money: Mapping[int | None, Money],
) -> IntentionTable:
    """One row per intention (its estimate for the year, or None where the plan gives none,
    beside what the ledger has committed, indicative and paid for it); the intentions
    together; a row for allocations that name no intention; and the total, which is the
    year's ledger. `money` is keyed by intention id (None: allocations without one); an id
    not among `intentions` is a programming error."""
    known = {i.id for i in intentions}
    stray = {k for k in money if k is not None and k not in known}
    if stray:
        raise ValueError(f"intentions {sorted(stray)} are not among those given")
    rows = [
        IntentionRow(i.code, i.description, estimates.get(i.id), money.get(i.id, Money()))
        for i in intentions
    ]
    linked = Money()
    for row in rows:
        linked.add(row.money)
    stated = [e for e in (r.estimate for r in rows) if e is not None]
    subtotal = IntentionRow(
        "", "All commissioning intentions", sum(stated, ZERO) if stated else None, linked
    )
    none = IntentionRow("", NOT_LINKED_INTENTION, None, money.get(None, Money()))
    total_money = Money()
    total_money.add(linked)
    total_money.add(none.money)
    return IntentionTable(rows, subtotal, none, IntentionRow("", "Total", None, total_money))


def truncate(text: str, length: int) -> str:
    """The first `length` characters of `text` on a word boundary, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def whole(value: Decimal) -> Decimal:
    """A figure without trailing noise: 12.00 -> 12, 12.50 -> 12.5."""
    if value == value.to_integral_value(rounding=ROUND_DOWN):
        return value.quantize(Decimal(1))
    return value.normalize()
