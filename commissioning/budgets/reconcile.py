"""Reconciliation: what the papers printed against what the ledger sums to. Pure functions.

Findings are facts, not failures: a paper's subtotal that does not add up is reported with
where it is, what it states, what its rows or the ledger give, and the difference.

Every finding that compares figures carries them (`stated`, `computed`, and `difference`
= stated - computed), filled where the finding is made; one about words (a name printed
differently) leaves them None and says what differs in its `note`.

Each finding has a `key`, unique within its year, so that an officer's explanation of it
survives recomputation (findings are recomputed on every view). The key names what the
finding is about, never its wording:

    row_arithmetic:<table key>:<row>                  a printed row's own arithmetic
    row_vs_ledger:<table key>:<row>:<period|total>    one figure of a printed row
    total_vs_ledger:figure:<stated figure ref>        a printed total against the ledger
    total_vs_rows:figure:<stated figure ref>          ... against the rows printed above it
    figure_vs_position:figure:<stated figure ref>     a figure of the year's position
    in_kind_as_cash:figure:<stated figure ref>        ... that counts support in kind as cash
    sources_disagree:<allocation>:<amount|organisation|initiative>
    name_variant:<table key>:<row>                    the row where a spelling first appears

A stated figure's ref is its UUID in the database (`Stated.ref`); without one (in unit
tests) it is made from the figure's table, scope, group, measure, period and label.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from difflib import SequenceMatcher

from commissioning.core.money import ZERO, money_text


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
    ref: str = ""  # the figure's identity (its UUID), for findings' keys
    measure_label: str = ""  # the measure in words

    @property
    def key(self) -> str:
        return self.ref or "|".join(
            (self.table, self.scope, self.group, self.measure, self.period, self.label)
        )


@dataclass(frozen=True)
class Explanation:
    """An officer's note that a finding is explained, with the figures it explained."""

    note: str
    by: str  # the officer's name
    on: dt.datetime
    stated: Decimal | None = None
    computed: Decimal | None = None

    def as_dict(self) -> dict[str, object]:
        return {"note": self.note, "by": self.by, "on": self.on.isoformat()}


def anchor_of(key: str) -> str:
    """An id for a finding on a page, from its key (which may hold any character)."""
    return "finding-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    stated: Decimal | None
    computed: Decimal | None
    note: str = ""
    table: str = ""
    key: str = ""
    stated_as: str = ""  # a rounded stated figure as the paper printed it ("£3.920m")
    source: str = ""  # the name of the paper's table the finding is in, if one
    explanation: Explanation | None = None  # the latest
    earlier: tuple[Explanation, ...] = ()  # the ones it superseded, newest first

    @property
    def difference(self) -> Decimal | None:
        if self.stated is None or self.computed is None:
            return None
        return self.stated - self.computed

    @property
    def subject(self) -> str:
        """`where` without the table's name (a page shows it once above its findings) and
        without the printed form of a rounded figure (shown with the figure)."""
        text = self.where
        for sep in (", ", ": "):
            if self.source and text.startswith(self.source + sep):
                text = text[len(self.source) + len(sep) :]
                break
        printed = f" (stated as {self.stated_as})"
        if self.stated_as and text.endswith(printed):
            text = text[: -len(printed)]
        return text[:1].upper() + text[1:]

    @property
    def has_figures(self) -> bool:
        return self.stated is not None and self.computed is not None

    @property
    def figures_changed(self) -> bool:
        """The figures are no longer those the explanation was written for."""
        e = self.explanation
        return e is not None and (e.stated, e.computed) != (self.stated, self.computed)

    @property
    def explained(self) -> bool:
        return self.explanation is not None and not self.figures_changed

    @property
    def anchor(self) -> str:
        return anchor_of(self.key)

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "kind": self.kind,
            "table": self.table,
            "where": self.where,
            "stated": _text(self.stated),
            "stated_as": self.stated_as,
            "computed": _text(self.computed),
            "difference": _text(self.difference),
            "note": self.note,
            "explained": self.explained,
            "explanation": None
            if self.explanation is None
            else {**self.explanation.as_dict(), "figures_changed": self.figures_changed},
        }


def with_explanations(
    findings: Iterable[Finding], explanations: Mapping[str, Sequence[Explanation]]
) -> list[Finding]:
    """Each finding with the explanations written for its key, newest first: the first is
    shown, the others are the history it superseded."""
    out = []
    for finding in findings:
        found = explanations.get(finding.key, ())
        if found:
            finding = replace(finding, explanation=found[0], earlier=tuple(found[1:]))
        out.append(finding)
    return out


KIND_LABELS = {
    "row_arithmetic": "A row's total is not the sum of its periods",
    "total_vs_ledger": "A printed total differs from the ledger",
    "total_vs_rows": "A printed total differs from the rows printed above it",
    "row_vs_ledger": "A row's figure differs from the ledger",
    "sources_disagree": "Two papers describe one allocation differently",
    "figure_vs_position": "A stated figure differs from the computed position",
    "in_kind_as_cash": "A paper counts support in kind as cash",
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


def _row_key(kind: str, row: StatedRow, *more: str) -> str:
    return ":".join((kind, row.table, str(row.row), *more))


def _figure_key(kind: str, figure: Stated) -> str:
    return f"{kind}:figure:{figure.key}"


def _printed(figure: Stated) -> str:
    """How the paper printed a rounded figure ("£2.9m"); nothing for one printed exactly."""
    return figure.stated_as if figure.precision > 1 else ""


def reconcile(facts: YearFacts) -> list[Finding]:
    findings: list[Finding] = []
    findings += _row_arithmetic(facts.rows)
    findings += _totals(facts)
    findings += _rows_vs_ledger(facts)
    findings += _names(facts.rows)
    findings += _position(facts)
    return _unique_keys(findings)


def _unique_keys(findings: list[Finding]) -> list[Finding]:
    """Keys are unique by construction; should two findings ever share one (two stated
    figures alike in every part of their key), the later ones are told apart by their order."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        n = seen[finding.key] = seen.get(finding.key, 0) + 1
        out.append(finding if n == 1 else replace(finding, key=f"{finding.key}#{n}"))
    return out


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
                    key=_row_key("row_arithmetic", row),
                    source=row.table_name,
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
                Finding(
                    "total_vs_ledger",
                    where,
                    figure.amount,
                    from_ledger,
                    note,
                    figure.table,
                    key=_figure_key("total_vs_ledger", figure),
                    stated_as=_printed(figure),
                    source=figure.table_name,
                )
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
                    key=_figure_key("total_vs_rows", figure),
                    stated_as=_printed(figure),
                    source=figure.table_name,
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
                        key=_row_key("row_vs_ledger", row, _period_name(period)),
                        source=row.table_name,
                    )
                )
    for ref, rows in by_allocation.items():
        totals = {
            r.table_name: r.stated.get("", sum((a for p, a in r.stated.items() if p), ZERO))
            for r in rows
        }
        if len(set(totals.values())) > 1:
            # Stated: the first paper that differs from the ledger; computed: the ledger.
            ledger = _ledger_amount(facts.ledger, ref, "")
            name, stated = next(
                ((n, a) for n, a in totals.items() if a != ledger), next(iter(totals.items()))
            )
            text = "; ".join(f"{n}: {_fmt(amount)}" for n, amount in totals.items())
            out.append(
                Finding(
                    "sources_disagree",
                    f"allocation {ref}",
                    stated,
                    ledger,
                    f"{text} (stated: {name}; computed: the ledger)",
                    rows[0].table,
                    key=f"sources_disagree:{ref}:amount",
                )
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
                        key=f"sources_disagree:{ref}:{what}",
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
            Finding(
                "name_variant",
                _where(row) + f": “{stated}”",
                None,
                None,
                note,
                row.table,
                key=_row_key("name_variant", row),
                source=row.table_name,
            )
        )
    return out


def _position(facts: YearFacts) -> list[Finding]:
    out = []
    for figure in facts.figures:
        if figure.scope != "measure" or figure.measure not in facts.position:
            continue
        computed = facts.position[figure.measure]
        in_kind = facts.position.get("in_kind", ZERO)
        # Committed with support in kind added, or what is left with it taken off: a paper
        # that counts the in-kind support as if it were money from the pot.
        as_cash = {
            "committed": computed + in_kind,
            "uncommitted": computed - in_kind,
            "available": computed - in_kind,
        }.get(figure.measure)
        if (
            in_kind
            and as_cash is not None
            and not _matches(figure.amount, computed, figure.precision)
            and abs(figure.amount - as_cash) < abs(figure.amount - computed)
        ):
            words = "adds" if figure.measure == "committed" else "takes off"
            rest = (
                ""
                if _matches(figure.amount, as_cash, figure.precision)
                else f"; counted that way the ledger gives {money_text(as_cash)}, so the paper "
                f"still differs by {money_text(figure.amount - as_cash)}"
            )
            out.append(
                Finding(
                    "in_kind_as_cash",
                    f"{figure.table_name or 'Year'}: {figure.label}"
                    + (f" (stated as {figure.stated_as})" if figure.stated_as else ""),
                    figure.amount,
                    computed,
                    f"the paper {words} {money_text(in_kind)} of support in kind as if it were "
                    f"cash from the pot; in cash, {figure.measure_label or figure.measure} is "
                    f"{money_text(computed)}{rest}",
                    figure.table,
                    key=_figure_key("in_kind_as_cash", figure),
                    stated_as=_printed(figure),
                    source=figure.table_name,
                )
            )
        elif not _matches(figure.amount, computed, figure.precision):
            out.append(
                Finding(
                    "figure_vs_position",
                    f"{figure.table_name or 'Year'}: {figure.label}"
                    + (f" (stated as {figure.stated_as})" if figure.stated_as else ""),
                    figure.amount,
                    computed,
                    f"the year's position: {figure.measure_label or figure.measure}",
                    figure.table,
                    key=_figure_key("figure_vs_position", figure),
                    stated_as=_printed(figure),
                    source=figure.table_name,
                )
            )
    return out
