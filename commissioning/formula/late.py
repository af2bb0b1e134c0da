"""The late-returns rule of a run: what happens at adoption to an area whose partnership's
monitoring returns were late (the 2022 scheme, para 15: late returns risk "affecting their
allocation for the following year").

The rule is a parameter of the run (stored in its inputs as `params.late_returns`, only when
one is set, so runs without a rule keep their inputs and hashes); it changes nothing in the
run's own computation and is applied by `services.formula_run_adopt`, area by area, visibly.

Monitoring returns belong to an app above this one (agreements), so the facts come through
a small registry: that app registers a source with `register_source`, and this module asks
it for an organisation's late returns as plain `LateReturn` records. No source registered
means no returns are late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from commissioning.budgets.models import FinancialYear
from commissioning.core.money import PENNY
from commissioning.organisations.models import Organisation

from .errors import FormulaInputError

NONE, HOLD, REDUCE = "none", "hold", "reduce"
ACTIONS = {
    NONE: "No rule: late returns do not change the allocation",
    HOLD: "Hold the allocation (indicative) until the late returns are in",
    REDUCE: "Reduce the allocation by a percentage",
}
PARAM = "late_returns"  # the key of the rule in a run's params


@dataclass(frozen=True)
class LateRule:
    """An area whose partnership had `returns` or more monitoring returns, due in the year
    before, late by more than `days` days has its allocation held, or reduced by `percent`."""

    action: str  # HOLD | REDUCE
    returns: int
    days: int
    percent: Decimal | None = None

    def as_params(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "returns": self.returns,
            "days": self.days,
            "percent": None if self.percent is None else format(self.percent.normalize(), "f"),
        }


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def late_rule(
    action: str | None, returns: object = 1, days: object = 0, percent: object = None
) -> LateRule | None:
    """The rule from its four settings, or None for no rule. Every problem is reported at
    once, each under the name of its setting (FormulaInputError)."""
    action = (action or NONE).strip().lower()
    if action == NONE:
        return None
    errors: dict[str, str] = {}
    if action not in (HOLD, REDUCE):
        errors["late_action"] = (
            f"“{action}” is not a late-returns action: choose none, hold or reduce"
        )
    n = _whole(returns)
    if n is None or n < 1:
        errors["late_returns"] = "The number of late returns must be a whole number, 1 or more"
    d = _whole(days)
    if d is None or d < 0:
        errors["late_days"] = (
            "The days late must be a whole number of days, 0 or more (0 counts any return "
            "that was late at all)"
        )
    p: Decimal | None = None
    if action == REDUCE:
        try:
            p = None if percent in (None, "") else Decimal(str(percent).strip().rstrip("%"))
        except InvalidOperation:
            p = None
        if p is None or not p.is_finite() or not Decimal(0) < p <= 100:
            errors["late_percent"] = (
                "Give the percentage to reduce the allocation by: more than 0, at most 100"
            )
    if errors:
        raise FormulaInputError(errors)
    assert n is not None and d is not None
    return LateRule(action=action, returns=n, days=d, percent=p)


def rule_of(snapshot: Mapping[str, Any]) -> LateRule | None:
    """The rule a run stored, or None (runs stored before the rule existed have none)."""
    data = (snapshot.get("params") or {}).get(PARAM)
    if not data:
        return None
    return LateRule(
        action=data["action"],
        returns=int(data["returns"]),
        days=int(data["days"]),
        percent=None if data.get("percent") is None else Decimal(data["percent"]),
    )


# --- the facts, from the app that keeps monitoring returns ---


@dataclass(frozen=True)
class LateReturn:
    """One monitoring return that was late: submitted more than the rule's days after it was
    due, or not in and overdue by more than that."""

    reference: str  # the agreement, e.g. "AG-A2031-0007"
    label: str  # the reporting period, e.g. "Q1 2031/32"
    due_on: dt.date
    submitted_on: dt.date | None  # None: not in (not submitted, or sent back for changes)
    days_late: int

    @property
    def key(self) -> str:
        return f"{self.reference} {self.label}"

    @property
    def is_in(self) -> bool:
        return self.submitted_on is not None

    def describe(self) -> str:
        when = f"in on {self.submitted_on:%-d %B %Y}" if self.submitted_on is not None else "not in"
        days = f"{self.days_late:,} day{'s' if self.days_late != 1 else ''} late"
        return f"{self.reference} {self.label} (due {self.due_on:%-d %B %Y}, {when}, {days})"

    def as_record(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "label": self.label,
            "due_on": self.due_on.isoformat(),
            "submitted_on": None if self.submitted_on is None else self.submitted_on.isoformat(),
            "days_late": self.days_late,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> LateReturn:
        return cls(
            reference=data["reference"],
            label=data["label"],
            due_on=dt.date.fromisoformat(data["due_on"]),
            submitted_on=None
            if data.get("submitted_on") is None
            else dt.date.fromisoformat(data["submitted_on"]),
            days_late=int(data["days_late"]),
        )


# fn(organisation, year_before, days, today) -> the organisation's returns due in year_before
# (by `today`) that were late by more than `days` days (submitted late, or not in and overdue
# on `today`); `days` of -1 asks for every one of them, late or not.
Source = Callable[[Any, FinancialYear, int, dt.date], Sequence[LateReturn]]
_SOURCES: list[Source] = []


def register_source(fn: Source) -> Source:
    """Register where late returns come from (agreements does, when Django starts). The
    same function registered twice counts once."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def late_returns_for(
    organisation, year_before: FinancialYear, days: int, today: dt.date
) -> list[LateReturn]:
    """The organisation's late returns from every registered source (none registered: [])."""
    found: list[LateReturn] = []
    for source in _SOURCES:
        found.extend(source(organisation, year_before, days, today))
    return sorted(found, key=lambda r: (r.due_on, r.reference, r.label))


def counted(rule: LateRule, late: Sequence[LateReturn]) -> list[LateReturn]:
    """The returns the rule counts: late by more than its days."""
    return [r for r in late if r.days_late > rule.days]


def rule_applies(rule: LateRule, late: Sequence[LateReturn]) -> bool:
    """The one test of the rule: `rule.returns` or more returns late by more than its days."""
    return len(counted(rule, late)) >= rule.returns


def reduced(amount: Decimal, percent: Decimal) -> Decimal:
    """`amount` less `percent`%, to the penny (half a penny rounds up)."""
    return (amount * (Decimal(100) - percent) / Decimal(100)).quantize(
        PENNY, rounding=ROUND_HALF_UP
    )


def year_before(snapshot: Mapping[str, Any], year: FinancialYear) -> FinancialYear:
    """The year whose returns count when the run is adopted for `year`: the run's comparison
    year if it has one, otherwise the financial year before `year`. A year the budget does
    not hold yet is given unsaved (only its dates are read)."""
    label = (snapshot.get("previous") or {}).get("year")
    if not label:
        first = year.starts.year - 1
        label = f"{first}/{(first + 1) % 100:02d}"
    return year_of_label(label)


def year_of_label(label: str) -> FinancialYear:
    found = FinancialYear.objects.filter(label=label).first()
    if found is not None:
        return found
    starts, ends = FinancialYear.parse_label(label)
    return FinancialYear(label=label, starts=starts, ends=ends)


# --- holding "until they are in" ---


def record_hold_problems(record: Mapping[str, Any], today: dt.date) -> list[str]:
    """Why a hold recorded at adoption still applies on `today`: each return that triggered
    it and is still not in. Empty once they are all in (or for a reduction). Asked of a day
    before the adoption judged the returns, the adoption's day is used."""
    if record.get("action") != HOLD:
        return []
    organisation = Organisation.objects.filter(key=record.get("organisation_key")).first()
    if organisation is None:
        return []
    on = today
    if record.get("judged_on"):
        on = max(today, dt.date.fromisoformat(record["judged_on"]))
    year = year_of_label(record["year_before"])
    # Every return of the year due by then, late or not (late by more than -1 days): a
    # triggering return that is in now, or is no longer asked for, holds nothing.
    now = {r.key: r for r in late_returns_for(organisation, year, -1, on)}
    reasons = []
    for data in record.get("returns", []):
        current = now.get(LateReturn.from_record(data).key)
        if current is not None and not current.is_in:
            reasons.append(
                f"The return {current.reference} {current.label} was due on "
                f"{current.due_on:%-d %B %Y} and is not in: {current.days_late:,} "
                f"day{'s' if current.days_late != 1 else ''} late."
            )
    return reasons


def hold_problems(allocation, today: dt.date) -> list[str]:
    """Why an allocation held under a run's late-returns rule must not be committed yet, in
    plain words; empty when it was not held or its returns are all in now."""
    for adoption in allocation.formula_adoptions.all():
        for record in adoption.late_returns:
            if record.get("allocation") == allocation.reference:
                return record_hold_problems(record, today)
    return []


def adoption_rows(adoption, today: dt.date) -> list[dict[str, Any]]:
    """The adoption's late-returns outcomes for the run page, area by area: what was done,
    the amounts, the returns that triggered it, and (for a hold) why it still applies."""
    rows = []
    for record in adoption.late_returns:
        rows.append(
            {
                **record,
                "before": Decimal(record["before"]),
                "after": Decimal(record["after"]),
                "returns": [LateReturn.from_record(r) for r in record.get("returns", [])],
                "still_held": record_hold_problems(record, today),
            }
        )
    return rows
