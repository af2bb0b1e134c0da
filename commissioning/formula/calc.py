"""Needs-based funding formula: how a pot is split between areas, to the penny, with reasons.

A Police and Crime Commissioner shares a pot (say £639,675) between Community Safety
Partnership areas according to need. Each indicator of need (crime harm, crimes per 1,000
people, population, …) carries a percentage weight; an area's share of an indicator is its
value divided by the total of every area's value, and its share of the pot is the weighted sum
of those shares. Partners can and do challenge the results, so this module:

* works only in ``Decimal`` (a float anywhere in the input is refused), inside a local decimal
  context of 50 significant digits, so nothing depends on the caller's context;
* is deterministic: areas are processed in order of their code and indicators in order of
  their name, so listing the same inputs in another order gives the same figures;
* records, for every area, the values used, its share of each indicator, the pounds each
  indicator contributed, the amount at each stage and notes in plain English saying what
  changed it;
* refuses bad input with :class:`FormulaError`, whose message names the indicator, area or
  parameter at fault and can be shown to a person as it is.

It has no Django and no database: it takes plain values and returns frozen dataclasses.

Preparing the inputs
--------------------
Indicators come in three kinds. A *count* adds up across areas (harm, crimes, population). A
*rate* is derived, never typed in: numerator ÷ denominator × ``per`` (crimes per 1,000
people). An *index* is a score that does not add up (a deprivation score); when areas are
merged it becomes the mean of the members' scores weighted by another count indicator
(population unless the indicator's ``denominator`` names another).

:func:`derive` adds the rates to every area. :func:`merge` replaces the districts of a joint
partnership with one area before the formula runs (counts added, rates worked out again from
the merged counts, indices averaged). :func:`allocate` runs the formula on areas that already
hold every weighted indicator's value, so call :func:`derive` (or :func:`merge`, which
derives) first when rates are weighted.

The order of the steps in :func:`allocate`
------------------------------------------
1. **Check** every input; nothing is worked out until everything is valid.
2. **Shares**: for each weighted indicator, each area's value ÷ the total of all areas'.
3. **Formula amount**: pot × Σ (weight ÷ 100 × share). The pounds each indicator brings
   (pot × weight ÷ 100 × share) are kept as the area's components.
4. **Phase-in** (when ``phase_in`` and last year's allocations are given): each area with a
   previous allocation gets previous + phase_in × (formula − previous); an area without one
   gets its formula amount; all are then scaled by one factor so they add up to the pot.
5. **Damping** (when ``floor_pct`` or ``cap_pct`` is given): no area may fall more than
   ``floor_pct`` % below, or rise more than ``cap_pct`` % above, its previous allocation. Areas
   beyond a limit are held at it and the money this frees or needs is shared among the other
   areas in proportion to their amounts, repeating until no area is beyond a limit. (This is
   found exactly: every area ends at clamp(λ × amount, floor, cap) for the one λ that makes the
   total the pot.) If the limits cannot all be met within the pot, it is an error.
6. **Minimum** (when ``minimum`` > 0): areas below the minimum are raised to it and the cost is
   taken from the other areas in proportion to their amounts, never taking an area below the
   minimum or below its floor, repeating until stable (found exactly, as in step 5). The
   minimum comes after damping, so it may lift an area above its cap.
7. **Groups** (only with ``groups``, the "work out each district and add them up" option): the
   unrounded amounts of each group's districts are added together.
8. **Rounding** to a multiple of ``unit`` by the largest-remainder method: every amount is
   rounded down to the unit, then the units left over go one each to the amounts with the
   largest remainders, ties going to the lower area code. The allocations add up to the pot
   exactly.

Amounts are carried at full precision between the steps. Only the figures in an
:class:`AreaResult` are rounded: components, formula and adjusted amounts to the penny (half
up) for display, and the allocation to the unit as described in step 8.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import (
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any

from commissioning.core.money import money_text

__all__ = [
    "FORMULA_VERSION",
    "AreaInput",
    "AreaResult",
    "FormulaError",
    "Indicator",
    "Params",
    "Result",
    "allocate",
    "derive",
    "merge",
    "sensitivity",
]

FORMULA_VERSION = "1"

PRECISION = 50
KINDS = ("count", "rate", "index")
PENNY = Decimal("0.01")

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)
_DEFAULT_STEP = Decimal(5)
# Remainders are compared at this many places so that amounts equal in exact arithmetic tie
# (and go to the lower area code) even if the 50th digit differs.
_REMAINDER_PLACES = Decimal("1E-20")
# Re-normalised weights in `sensitivity` are cut to this many places so they add to 100 exactly.
_WEIGHT_PLACES = Decimal("1E-20")


def _context() -> Context:
    return Context(
        prec=PRECISION,
        rounding=ROUND_HALF_EVEN,
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )


class FormulaError(ValueError):
    """The formula's inputs are wrong; the message says what, in words fit to show a person."""


@dataclass(frozen=True)
class Indicator:
    """A measure of need.

    ``kind`` is "count" (adds up across areas), "rate" (``numerator`` ÷ ``denominator`` ×
    ``per``, both naming count indicators) or "index" (a score that does not add up; merged
    as a mean weighted by the count indicator named by ``denominator``, population if blank).
    """

    name: str
    kind: str = "count"
    numerator: str = ""
    denominator: str = ""
    per: Decimal = _THOUSAND

    @property
    def weighted_by(self) -> str:
        """For an index: the count indicator its merged mean is weighted by."""
        return self.denominator or "population"


@dataclass(frozen=True)
class AreaInput:
    """One area and its indicator values (base values; rates are added by :func:`derive`)."""

    code: str
    name: str
    values: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        # A copy, so later changes to the caller's dict do not reach a frozen input.
        object.__setattr__(self, "values", dict(self.values))


@dataclass(frozen=True)
class Params:
    """What to share out and how.

    ``weights`` are percentages by indicator name and must add up to exactly 100. Allocations
    are rounded to multiples of ``unit`` (1 for whole pounds, 50, 100, …); the pot, the unit
    and the minimum are in whole pence and the pot and the minimum must be multiples of the
    unit. ``previous`` holds last year's allocation by area code (by district code when
    :func:`allocate` is given groups); ``floor_pct`` (0–100), ``cap_pct`` (0 or more) and
    ``phase_in`` (more than 0, at most 1) act against it and need it. An area missing from
    ``previous`` has no floor, cap or phase-in; one whose previous allocation was £0 has no
    cap (a percentage of nothing would hold it at £0).
    """

    pot: Decimal
    weights: Mapping[str, Decimal]
    unit: Decimal = _ONE
    minimum: Decimal = _ZERO
    previous: Mapping[str, Decimal] | None = None
    floor_pct: Decimal | None = None
    cap_pct: Decimal | None = None
    phase_in: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", dict(self.weights))
        if self.previous is not None:
            object.__setattr__(self, "previous", dict(self.previous))


@dataclass(frozen=True)
class AreaResult:
    """One area's allocation and how it was reached.

    ``values`` are the weighted indicators' values used; ``shares`` the area's fraction of each
    indicator's total (full precision); ``components`` the pounds each indicator brought (pot ×
    weight ÷ 100 × share); ``formula_share`` the weighted sum of the shares (full precision);
    ``formula_amount`` pot × formula_share; ``adjusted_amount`` the amount after phase-in,
    damping and the minimum. Components and those two amounts are shown to the penny (the
    calculation used them unrounded); ``allocation`` is the final, rounded figure.
    ``change_pct`` is the change as a percentage of ``previous``, to 0.01.

    For a group (see :func:`allocate`), each figure is the sum of its districts' figures; in
    particular a rate's value is the sum of the districts' rates, which is what adding up
    separately worked-out districts amounts to.
    """

    code: str
    name: str
    values: Mapping[str, Decimal]
    shares: Mapping[str, Decimal]
    components: Mapping[str, Decimal]
    formula_share: Decimal
    formula_amount: Decimal
    adjusted_amount: Decimal
    allocation: Decimal
    previous: Decimal | None = None
    change: Decimal | None = None
    change_pct: Decimal | None = None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: every Decimal as a string, indicators in order of name."""
        return {
            "code": self.code,
            "name": self.name,
            "values": _text_map(self.values),
            "shares": _text_map(self.shares),
            "components": _text_map(self.components),
            "formula_share": _text(self.formula_share),
            "formula_amount": _text(self.formula_amount),
            "adjusted_amount": _text(self.adjusted_amount),
            "allocation": _text(self.allocation),
            "previous": _text(self.previous),
            "change": _text(self.change),
            "change_pct": _text(self.change_pct),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Result:
    """The whole allocation: one :class:`AreaResult` per area (or group) in the order given."""

    areas: tuple[AreaResult, ...]
    pot: Decimal
    total: Decimal
    version: str = FORMULA_VERSION
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """Plain data for storage or JSON, with the same keys in the same order every time."""
        return {
            "version": self.version,
            "pot": _text(self.pot),
            "total": _text(self.total),
            "notes": list(self.notes),
            "areas": [area.as_dict() for area in self.areas],
        }

    def by_code(self) -> dict[str, AreaResult]:
        """The areas' results keyed by code."""
        return {area.code: area for area in self.areas}


# --- public functions ----------------------------------------------------------------------


def derive(areas: Sequence[AreaInput], indicators: Sequence[Indicator]) -> tuple[AreaInput, ...]:
    """Return the areas with every rate indicator's value worked out from its counts.

    Every count and index indicator must have a value, not negative, for every area. A rate
    already present is replaced by the derived value, so deriving twice changes nothing.
    """
    with localcontext(_context()):
        by_name = _check_indicators(indicators)
        _check_area_list(areas)
        base = [i for i in indicators if i.kind != "rate"]
        rates = [i for i in indicators if i.kind == "rate"]
        derived = []
        for area in areas:
            values = dict(area.values)
            for indicator in base:
                values[indicator.name] = _area_value(area, indicator.name)
            for rate in rates:
                numerator = values[rate.numerator]
                denominator = values[rate.denominator]
                if denominator == 0:
                    raise FormulaError(
                        f"Cannot work out “{rate.name}” for {_label(area)}: its "
                        f"“{rate.denominator}” is 0."
                    )
                values[rate.name] = numerator * by_name[rate.name].per / denominator
            derived.append(AreaInput(area.code, area.name, values))
        return tuple(derived)


def merge(
    areas: Sequence[AreaInput],
    groups: Mapping[str, Sequence[str]],
    indicators: Sequence[Indicator],
    names: Mapping[str, str],
) -> tuple[AreaInput, ...]:
    """Replace each group's districts with one area, then derive the rates for every area.

    ``groups`` maps a new area code (such as "LLR-JOINT-BHB") to its districts' codes and
    ``names`` gives the new areas' names (the districts' names joined with " + " if absent).
    A merged area's counts are the districts' sums, its rates are worked out again from those
    sums, and an index is the districts' mean weighted by the index's count indicator. The
    merged area takes the place of its first district; areas in no group pass through. Only
    the listed indicators are carried into a merged area.
    """
    with localcontext(_context()):
        by_name = _check_indicators(indicators)
        for indicator in indicators:
            if indicator.kind == "index":
                weight = by_name.get(indicator.weighted_by)
                if weight is None or weight.kind != "count":
                    raise FormulaError(
                        f"The index “{indicator.name}” is merged as a mean weighted by "
                        f"“{indicator.weighted_by}”, which is not a count indicator in the list."
                    )
        by_code = _check_area_list(areas)
        group_of = _check_merge_groups(groups, by_code)

        merged: list[AreaInput] = []
        done: set[str] = set()
        for area in areas:
            group = group_of.get(area.code)
            if group is None:
                merged.append(area)
                continue
            if group in done:
                continue
            done.add(group)
            members = [by_code[code] for code in groups[group]]
            name = names.get(group) or " + ".join(member.name for member in members)
            merged.append(AreaInput(group, name, _merged_values(group, members, indicators)))
        return derive(merged, indicators)


def allocate(
    areas: Sequence[AreaInput],
    params: Params,
    groups: Mapping[str, str] | None = None,
    *,
    group_names: Mapping[str, str] | None = None,
) -> Result:
    """Share ``params.pot`` between the areas; see the module's docstring for the steps.

    Every area must already hold a value for every weighted indicator (rates included: use
    :func:`derive` or :func:`merge` first). Results come back in the order the areas were
    given.

    ``groups`` (optional) maps district codes to a group code: every step up to the minimum is
    worked out per district (so ``previous`` is keyed by district and the minimum applies to
    each district), the unrounded amounts are added up per group and only the groups are
    rounded. The result then has one entry per group, in the place of its first district and
    named from ``group_names`` (else by its code), and one per area in no group.

    Raises :class:`FormulaError` on bad input.
    """
    with localcontext(_context()):
        return _allocate(areas, params, groups, group_names)


def sensitivity(
    areas: Sequence[AreaInput], params: Params, step: Decimal = _DEFAULT_STEP
) -> dict[str, tuple[Decimal, Decimal]]:
    """How much each area's allocation depends on the choice of weights.

    Each weight in turn is moved ``step`` points up and then down, the other weights being
    scaled in proportion so they still add up to 100 (a move that would take the weight below
    0 or above 100, or that leaves no other weight to scale, is skipped). Returns, by area
    code, the lowest and highest allocation seen across the base case and every move.
    """
    with localcontext(_context()):
        step = _number(step, "The sensitivity step")
        if step <= 0:
            raise FormulaError("The sensitivity step must be more than 0 percentage points.")
        base = _allocate(areas, params, None, None)
        low = {area.code: area.allocation for area in base.areas}
        high = dict(low)
        weights = _check_weights(params.weights)
        for name in sorted(weights):
            for move in (step, -step):
                moved = _moved_weights(weights, name, move)
                if moved is None:
                    continue
                result = _allocate(areas, replace(params, weights=moved), None, None)
                for area in result.areas:
                    low[area.code] = min(low[area.code], area.allocation)
                    high[area.code] = max(high[area.code], area.allocation)
        return {code: (low[code], high[code]) for code in low}


# --- checking ------------------------------------------------------------------------------


def _number(value: object, what: str) -> Decimal:
    """A Decimal (or int) that is a finite number; floats are refused because they cannot
    hold most decimal fractions exactly."""
    if isinstance(value, float):
        raise FormulaError(
            f"{what} must be given as a Decimal, not the floating-point number {value!r}."
        )
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise FormulaError(f"{what} must be a number given as a Decimal, not {value!r}.")
    number = Decimal(value)
    if not number.is_finite():
        raise FormulaError(f"{what} must be a number, not {value}.")
    return number


def _label(area: AreaInput) -> str:
    return f"{area.name} ({area.code})" if area.name and area.name != area.code else area.code


def _check_area_list(areas: Sequence[AreaInput]) -> dict[str, AreaInput]:
    if isinstance(areas, AreaInput) or not isinstance(areas, Sequence):
        raise FormulaError("The areas must be given as a list of areas.")
    if not areas:
        raise FormulaError("There are no areas to share the pot between.")
    by_code: dict[str, AreaInput] = {}
    for area in areas:
        if not isinstance(area, AreaInput):
            raise FormulaError(f"Each area must be an AreaInput, not {area!r}.")
        if not isinstance(area.code, str) or not area.code.strip():
            raise FormulaError(f"The area “{area.name}” has no code.")
        if area.code in by_code:
            raise FormulaError(
                f"The area code {area.code} is used twice ({_label(by_code[area.code])} and "
                f"{_label(area)}); each area needs its own code."
            )
        by_code[area.code] = area
    return by_code


def _area_value(area: AreaInput, name: str) -> Decimal:
    if name not in area.values:
        raise FormulaError(f"{_label(area)} has no value for “{name}”.")
    value = _number(area.values[name], f"The value of “{name}” for {_label(area)}")
    if value < 0:
        raise FormulaError(f"{_label(area)} has a negative value for “{name}”: {value}.")
    return value


def _check_indicators(indicators: Sequence[Indicator]) -> dict[str, Indicator]:
    by_name: dict[str, Indicator] = {}
    for indicator in indicators:
        if not isinstance(indicator, Indicator):
            raise FormulaError(f"Each indicator must be an Indicator, not {indicator!r}.")
        if not indicator.name.strip():
            raise FormulaError("An indicator has no name.")
        if indicator.name in by_name:
            raise FormulaError(f"The indicator “{indicator.name}” is listed twice.")
        if indicator.kind not in KINDS:
            raise FormulaError(
                f"The indicator “{indicator.name}” is of kind “{indicator.kind}”; the kinds are "
                "count, rate and index."
            )
        by_name[indicator.name] = indicator
    for indicator in indicators:
        if indicator.kind != "rate":
            continue
        per = _number(indicator.per, f"The “per” of the rate “{indicator.name}”")
        if per <= 0:
            raise FormulaError(f"The rate “{indicator.name}” must be per a number above 0.")
        for role, name in (
            ("numerator", indicator.numerator),
            ("denominator", indicator.denominator),
        ):
            if not name:
                raise FormulaError(f"The rate “{indicator.name}” has no {role}.")
            other = by_name.get(name)
            if other is None:
                raise FormulaError(
                    f"The {role} of the rate “{indicator.name}” is “{name}”, which is not one of "
                    f"the indicators ({', '.join(by_name)})."
                )
            if other.kind != "count":
                raise FormulaError(
                    f"The {role} of the rate “{indicator.name}” is “{name}”, which is a "
                    f"{other.kind}; it must be a count."
                )
    return by_name


def _check_weights(weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    if not weights:
        raise FormulaError("No indicator has a weight.")
    checked: dict[str, Decimal] = {}
    for name, weight in weights.items():
        value = _number(weight, f"The weight of “{name}”")
        if value < 0 or value > 100:
            raise FormulaError(f"The weight of “{name}” is {value}%; it must be from 0 to 100%.")
        checked[name] = value
    total = sum(checked.values(), _ZERO)
    if total != _HUNDRED:
        listed = ", ".join(f"{name} {_pct(value)}%" for name, value in checked.items())
        raise FormulaError(
            f"The weights add up to {_pct(total)}%, not 100% ({listed}). Change them so they "
            "add up to exactly 100%."
        )
    return checked


def _check_money(value: object, what: str) -> Decimal:
    amount = _number(value, what)
    if amount != amount.quantize(PENNY, rounding=ROUND_HALF_EVEN):
        raise FormulaError(f"{what} has fractions of a penny: {amount}.")
    return amount


def _check_merge_groups(
    groups: Mapping[str, Sequence[str]], by_code: Mapping[str, AreaInput]
) -> dict[str, str]:
    group_of: dict[str, str] = {}
    for group, members in groups.items():
        if isinstance(members, str) or not isinstance(members, Sequence):
            raise FormulaError(f"The group {group} must list its districts' codes.")
        if not members:
            raise FormulaError(f"The group {group} has no districts.")
        for code in members:
            if code not in by_code:
                raise FormulaError(
                    f"The district {code} in the group {group} is not one of the areas."
                )
            if code in group_of:
                where = "twice" if group_of[code] == group else f"in {group_of[code]} too"
                raise FormulaError(f"The district {code} is listed in {group} {where}.")
            group_of[code] = group
    for group in groups:
        if group in by_code and group not in group_of:
            raise FormulaError(
                f"The group code {group} is already the code of an area in no group; give the "
                "group a code of its own."
            )
    return group_of


def _merged_values(
    group: str, members: Sequence[AreaInput], indicators: Sequence[Indicator]
) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for indicator in indicators:
        if indicator.kind == "count":
            values[indicator.name] = sum(
                (_area_value(member, indicator.name) for member in members), _ZERO
            )
    for indicator in indicators:
        if indicator.kind != "index":
            continue
        weighted = _ZERO
        for member in members:
            weighted += _area_value(member, indicator.name) * _area_value(
                member, indicator.weighted_by
            )
        total_weight = values[indicator.weighted_by]
        if total_weight == 0:
            raise FormulaError(
                f"Cannot merge the index “{indicator.name}” for {group}: its districts' "
                f"“{indicator.weighted_by}” adds up to 0."
            )
        values[indicator.name] = weighted / total_weight
    return values


def _check_allocate_groups(
    groups: Mapping[str, str], by_code: Mapping[str, AreaInput]
) -> dict[str, str]:
    for district, group in groups.items():
        if district not in by_code:
            raise FormulaError(f"The district {district} in the groups is not one of the areas.")
        if not isinstance(group, str) or not group.strip():
            raise FormulaError(f"The district {district} has no group code.")
    for group in sorted(set(groups.values())):
        if group in by_code and group not in groups:
            raise FormulaError(
                f"The group code {group} is already the code of an area in no group; give the "
                "group a code of its own."
            )
    return dict(groups)


def _optional_pct(value: object, what: str, low: Decimal, high: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    number = _number(value, what)
    if number < low or (high is not None and number > high):
        limit = f"from {_pct(low)} to {_pct(high)}" if high is not None else f"at least {_pct(low)}"
        raise FormulaError(f"{what} is {_pct(number)}; it must be {limit}.")
    return number


# --- the calculation -----------------------------------------------------------------------


@dataclass
class _Work:
    """One area's figures while the steps run (full precision)."""

    area: AreaInput
    values: dict[str, Decimal]
    previous: Decimal | None
    shares: dict[str, Decimal] = field(default_factory=dict)
    components: dict[str, Decimal] = field(default_factory=dict)
    formula_share: Decimal = _ZERO
    formula_amount: Decimal = _ZERO
    amount: Decimal = _ZERO
    floor: Decimal = _ZERO
    notes: list[str] = field(default_factory=list)


class _Infeasible(Exception):
    def __init__(self, needs_more: bool, limit: Decimal) -> None:
        super().__init__()
        self.needs_more = needs_more
        self.limit = limit


def _allocate(
    areas: Sequence[AreaInput],
    params: Params,
    groups: Mapping[str, str] | None,
    group_names: Mapping[str, str] | None,
) -> Result:
    # 1. Check everything before working anything out.
    by_code = _check_area_list(areas)
    pot = _check_money(params.pot, "The pot")
    if pot <= 0:
        raise FormulaError(f"The pot must be more than £0; it is {money_text(pot)}.")
    unit = _check_money(params.unit, "The rounding unit")
    if unit <= 0:
        raise FormulaError(f"The rounding unit must be more than £0; it is {money_text(unit)}.")
    if pot % unit != 0:
        raise FormulaError(
            f"The pot of {money_text(pot)} is not a multiple of the rounding unit of "
            f"{money_text(unit)}, so allocations rounded to {money_text(unit)} cannot add up to it."
        )
    weights = _check_weights(params.weights)
    for name in weights:
        if not any(name in area.values for area in areas):
            known = sorted({key for area in areas for key in area.values})
            raise FormulaError(
                f"The weights name the indicator “{name}”, but no area has a value for it "
                f"(the areas have: {', '.join(known) or 'nothing'})."
            )
    works = [
        _Work(area, {name: _area_value(area, name) for name in weights}, None)
        for area in sorted(areas, key=lambda area: area.code)
    ]
    names = sorted(weights)
    totals = {name: sum((work.values[name] for work in works), _ZERO) for name in names}
    for name in names:
        if totals[name] == 0:
            raise FormulaError(
                f"Every area's value for “{name}” is 0, so its {_pct(weights[name])}% weight "
                "cannot be shared out."
            )
    minimum = _check_money(params.minimum, "The minimum allocation")
    if minimum < 0:
        raise FormulaError(f"The minimum allocation cannot be negative: {money_text(minimum)}.")
    if minimum % unit != 0:
        raise FormulaError(
            f"The minimum allocation of {money_text(minimum)} is not a multiple of the rounding "
            f"unit of {money_text(unit)}."
        )
    if minimum * len(works) > pot:
        raise FormulaError(
            f"A minimum of {money_text(minimum)} for each of the {len(works)} areas needs "
            f"{money_text(minimum * len(works))}, more than the pot of {money_text(pot)}."
        )
    previous: dict[str, Decimal] = {}
    for code, amount in (params.previous or {}).items():
        if code not in by_code:
            hint = " (with groups, give them per district)" if groups else ""
            raise FormulaError(
                f"Last year's allocations include {code}, which is not one of the areas{hint}."
            )
        previous[code] = _number(amount, f"Last year's allocation for {code}")
        if previous[code] < 0:
            raise FormulaError(f"Last year's allocation for {code} cannot be negative.")
    floor_pct = _optional_pct(params.floor_pct, "The floor percentage", _ZERO, _HUNDRED)
    cap_pct = _optional_pct(params.cap_pct, "The cap percentage", _ZERO, None)
    phase_in = _optional_pct(params.phase_in, "The phase-in fraction", _ZERO, _ONE)
    if phase_in == 0:
        raise FormulaError("The phase-in fraction must be more than 0 (and at most 1).")
    for value, what in ((floor_pct, "A floor"), (cap_pct, "A cap"), (phase_in, "A phase-in")):
        if value is not None and params.previous is None:
            raise FormulaError(
                f"{what} needs last year's allocations (previous), which are missing."
            )
    group_of = _check_allocate_groups(groups, by_code) if groups is not None else {}
    for work in works:
        work.previous = previous.get(work.area.code)

    # 2 and 3. Shares and formula amounts.
    for work in works:
        for name in names:
            share = work.values[name] / totals[name]
            work.shares[name] = share
            work.components[name] = pot * weights[name] * share / _HUNDRED
            work.formula_share += weights[name] * share / _HUNDRED
        work.formula_amount = pot * work.formula_share
        work.amount = work.formula_amount
    notes = [
        f"Formula version {FORMULA_VERSION}. Each area's share of an indicator is its value "
        "divided by the total of every area's value; its formula amount is the pot of "
        f"{money_text(pot)} times the weighted sum of its shares. Weights: "
        + ", ".join(f"{name} {_pct(weight)}%" for name, weight in weights.items())
        + "."
    ]

    # 4. Phase-in.
    if phase_in is not None:
        notes.append(_phase_in(works, pot, phase_in))

    # 5. Damping against last year.
    if floor_pct is not None or cap_pct is not None:
        notes.append(_damp(works, pot, floor_pct, cap_pct))

    # 6. Minimum.
    if minimum > 0:
        notes.append(_raise_to_minimum(works, pot, minimum))

    # 7. Groups: districts are added up unrounded; areas in no group stand alone.
    members: dict[str, list[_Work]] = {}
    by_work_code = {work.area.code: work for work in works}
    for area in areas:
        members.setdefault(group_of.get(area.code, area.code), []).append(by_work_code[area.code])
    for group, group_members in members.items():
        if group in set(group_of.values()):
            codes = ", ".join(sorted(work.area.code for work in group_members))
            notes.append(
                f"{group} was worked out district by district ({codes}) and the districts' "
                "unrounded amounts added up before rounding."
            )

    # 8. Rounding by largest remainder.
    keys = sorted(members)
    amounts = [
        _sum(work.amount for work in sorted(members[key], key=lambda work: work.area.code))
        for key in keys
    ]
    allocations, rounded_up = _round(keys, amounts, pot, unit)
    notes.append(
        f"Allocations are rounded to multiples of {money_text(unit)} by the largest-remainder "
        "method: each amount is rounded down, then the units left over go one each to the "
        "largest remainders (ties to the lower code). They add up to the pot of "
        f"{money_text(pot)} exactly."
    )

    results = {
        key: _area_result(
            key,
            members[key],
            key in set(group_of.values()),
            (group_names or {}).get(key, key),
            allocations[index],
            rounded_up[index],
            unit,
        )
        for index, key in enumerate(keys)
    }
    ordered = tuple(results[key] for key in members)
    return Result(
        areas=ordered,
        pot=pot.quantize(PENNY),
        total=_sum(area.allocation for area in ordered),
        version=FORMULA_VERSION,
        notes=tuple(notes),
    )


def _phase_in(works: list[_Work], pot: Decimal, phase_in: Decimal) -> str:
    for work in works:
        if work.previous is None:
            work.notes.append("no allocation last year, so its formula amount is not phased in")
            continue
        work.amount = work.previous + phase_in * (work.formula_amount - work.previous)
        work.notes.append(
            f"phased in: {_pct(phase_in * _HUNDRED)}% of the way from last year's "
            f"{money_text(work.previous)} to the formula's {money_text(work.formula_amount)}"
        )
    total = _sum(work.amount for work in works)
    scale = _ONE
    if total != pot:
        scale = pot / total
        for work in works:
            work.amount *= scale
    text = (
        f"Phase-in: each area with an allocation last year moves {_pct(phase_in * _HUNDRED)}% "
        "of the way from it to its formula amount"
    )
    if scale != _ONE:
        text += f"; the amounts were then scaled by {scale:.6f} to add up to the pot"
    return text + "."


def _damp(
    works: list[_Work], pot: Decimal, floor_pct: Decimal | None, cap_pct: Decimal | None
) -> str:
    lower: list[Decimal] = []
    upper: list[Decimal | None] = []
    for work in works:
        if floor_pct is not None and work.previous is not None:
            work.floor = work.previous * (_HUNDRED - floor_pct) / _HUNDRED
        lower.append(work.floor)
        if cap_pct is not None and work.previous is not None and work.previous > 0:
            upper.append(work.previous * (_HUNDRED + cap_pct) / _HUNDRED)
        else:
            upper.append(None)
            if cap_pct is not None and work.previous == 0:
                work.notes.append("no cap: last year's allocation was £0")
    try:
        fitted, states = _fit([work.amount for work in works], lower, upper, pot)
    except _Infeasible as problem:
        if problem.needs_more:
            raise FormulaError(
                f"The floor cannot be met: keeping every area no more than {_pct(floor_pct)}% "
                f"below last year needs {money_text(problem.limit)}, more than the pot of "
                f"{money_text(pot)}. Lower the floor or raise the pot."
            ) from None
        raise FormulaError(
            f"The cap cannot be met: with no area more than {_pct(cap_pct)}% above last year, "
            f"at most {money_text(problem.limit)} can be shared out, less than the pot of "
            f"{money_text(pot)}. Raise the cap or lower the pot."
        ) from None
    held_floor = held_cap = 0
    for work, amount, state in zip(works, fitted, states, strict=True):
        work.amount = amount
        if state < 0:
            held_floor += 1
            work.notes.append(f"held at the floor of −{_pct(floor_pct)}% ({money_text(amount)})")
        elif state > 0:
            held_cap += 1
            work.notes.append(f"held at the cap of +{_pct(cap_pct)}% ({money_text(amount)})")
    limits = []
    if floor_pct is not None:
        limits.append(f"floor −{_pct(floor_pct)}%")
    if cap_pct is not None:
        limits.append(f"cap +{_pct(cap_pct)}%")
    return (
        f"Damping against last year's allocations ({', '.join(limits)}): "
        f"{_count(held_floor, 'area')} held at the floor, {held_cap} at the cap; the other "
        "areas share what is left in proportion to their amounts."
    )


def _raise_to_minimum(works: list[_Work], pot: Decimal, minimum: Decimal) -> str:
    if all(work.amount >= minimum for work in works):
        return f"Minimum of {money_text(minimum)} for every area: every area was already above it."
    before = [work.amount for work in works]
    lower = [max(minimum, work.floor) for work in works]
    try:
        fitted, states = _fit(before, lower, [None] * len(works), pot)
    except _Infeasible as problem:
        raise FormulaError(
            f"The minimum of {money_text(minimum)} and the floor together need "
            f"{money_text(problem.limit)}, more than the pot of {money_text(pot)}."
        ) from None
    raised = 0
    for work, old, new, low, state in zip(works, before, fitted, lower, states, strict=True):
        work.amount = new
        if old < minimum:
            raised += 1
            work.notes.append(
                f"raised to the minimum of {money_text(minimum)} from {money_text(old)}"
            )
        elif new < old:
            stop = ""
            if state < 0:
                stop = (
                    " (stopping at the minimum)" if low == minimum else " (stopping at its floor)"
                )
            work.notes.append(
                f"gave {money_text(old - new)} towards raising other areas to the minimum{stop}"
            )
    return (
        f"Minimum of {money_text(minimum)} for every area: {_count(raised, 'area')} raised to it, "
        "paid for by the other areas in proportion to their amounts."
    )


def _fit(
    amounts: Sequence[Decimal],
    lower: Sequence[Decimal],
    upper: Sequence[Decimal | None],
    target: Decimal,
) -> tuple[list[Decimal], list[int]]:
    """Find λ so that Σ clamp(λ × amount, lower, upper) = target (an upper of None is no
    limit) and return the clamped amounts and, for each, -1 if held at its lower limit, +1 if
    held at its upper limit, 0 if it took its proportional amount.

    This is where "hold the areas beyond a limit, share the rest in proportion, repeat until
    stable" settles, found directly: the total is a continuous, rising, piecewise-linear
    function of λ whose corners are where an area reaches a limit.
    """
    rows = list(zip(amounts, lower, upper, strict=True))
    need = _sum(low for _, low, _ in rows)
    if need > target:
        raise _Infeasible(True, need)
    if all(amount == 0 or high is not None for amount, _, high in rows):
        most = _sum(low if amount == 0 or high is None else high for amount, low, high in rows)
        if most < target:
            raise _Infeasible(False, most)
    starts = [low / amount if amount > 0 else None for amount, low, _ in rows]
    ends = [high / amount if amount > 0 and high is not None else None for amount, _, high in rows]
    corners = sorted({point for point in (*starts, *ends) if point is not None})

    def total(scale: Decimal) -> Decimal:
        return _sum(_clamp(scale * amount, low, high) for amount, low, high in rows)

    below, above = _ZERO, None
    for corner in corners:
        if total(corner) >= target:
            above = corner
            break
        below = corner
    fixed = free = _ZERO
    for (amount, low, high), start, end in zip(rows, starts, ends, strict=True):
        if amount == 0 or (above is not None and start is not None and start >= above):
            fixed += low
        elif end is not None and high is not None and end <= below:
            fixed += high
        else:
            free += amount
    scale = (target - fixed) / free if free > 0 else below
    fitted, states = [], []
    for amount, low, high in rows:
        proportional = scale * amount
        fitted.append(_clamp(proportional, low, high))
        if proportional < low:
            states.append(-1)
        elif high is not None and proportional > high:
            states.append(1)
        else:
            states.append(0)
    return fitted, states


def _round(
    keys: Sequence[str], amounts: Sequence[Decimal], pot: Decimal, unit: Decimal
) -> tuple[list[Decimal], list[bool]]:
    """Largest remainder: round every amount down to the unit, then give the units left over
    one each to the largest remainders, ties going to the lower key."""
    units = [(amount / unit).to_integral_value(rounding=ROUND_FLOOR) for amount in amounts]
    remainders = [
        (amount / unit - whole).quantize(_REMAINDER_PLACES, rounding=ROUND_HALF_EVEN)
        for amount, whole in zip(amounts, units, strict=True)
    ]
    left = pot / unit - _sum(units)
    if left < 0 or left > len(amounts) or left != left.to_integral_value():
        # Cannot happen when the amounts add up to the pot; a bug if it does.
        raise RuntimeError(f"rounding found {left} units left over for {len(amounts)} areas")
    order = sorted(range(len(keys)), key=lambda index: (-remainders[index], keys[index]))
    extra = set(order[: int(left)])
    allocations = [
        ((whole + 1 if index in extra else whole) * unit).quantize(PENNY)
        for index, whole in enumerate(units)
    ]
    return allocations, [index in extra for index in range(len(keys))]


def _area_result(
    code: str,
    members: Sequence[_Work],
    is_group: bool,
    group_name: str,
    allocation: Decimal,
    rounded_up: bool,
    unit: Decimal,
) -> AreaResult:
    members = sorted(members, key=lambda work: work.area.code)
    first = members[0]
    notes: list[str] = []
    if is_group:
        name = group_name
        notes.append(
            "the sum of its districts, each worked out separately: "
            + ", ".join(_label(work.area) for work in members)
        )
        notes.extend(f"{work.area.code}: {note}" for work in members for note in work.notes)
        if any(work.previous is None for work in members):
            previous = None
            if any(work.previous is not None for work in members):
                notes.append("last year's allocation is not known for every district")
        else:
            previous = _sum(work.previous or _ZERO for work in members)
    else:
        name = first.area.name
        notes.extend(first.notes)
        previous = first.previous
    if rounded_up:
        notes.append(
            f"rounded up to {money_text(allocation)}: one of the largest remainders when rounding "
            f"to {money_text(unit)}"
        )
    change = change_pct = None
    if previous is not None:
        change = allocation - previous
        if previous > 0:
            change_pct = _quantize(change * _HUNDRED / previous, PENNY)
    indicators = list(first.values)
    return AreaResult(
        code=code,
        name=name,
        values={key: _sum(work.values[key] for work in members) for key in indicators},
        shares={key: _sum(work.shares[key] for work in members) for key in indicators},
        components={
            key: _quantize(_sum(work.components[key] for work in members), PENNY)
            for key in indicators
        },
        formula_share=_sum(work.formula_share for work in members),
        formula_amount=_quantize(_sum(work.formula_amount for work in members), PENNY),
        adjusted_amount=_quantize(_sum(work.amount for work in members), PENNY),
        allocation=allocation,
        previous=previous,
        change=change,
        change_pct=change_pct,
        notes=tuple(notes),
    )


def _moved_weights(
    weights: Mapping[str, Decimal], name: str, move: Decimal
) -> dict[str, Decimal] | None:
    """The weights with one moved by ``move`` points and the others scaled to fill the rest
    of 100 (cut to 20 places, the last fraction going to the largest, so the sum is exact)."""
    new = weights[name] + move
    others = [key for key in sorted(weights) if key != name]
    rest_before = _HUNDRED - weights[name]
    if new < 0 or new > _HUNDRED or not others or rest_before == 0:
        return None
    rest_after = _HUNDRED - new
    moved = {
        key: (weights[key] * rest_after / rest_before).quantize(
            _WEIGHT_PLACES, rounding=ROUND_HALF_EVEN
        )
        for key in others
    }
    largest = min(others, key=lambda key: (-moved[key], key))
    moved[largest] += rest_after - _sum(moved.values())
    moved[name] = new
    return {key: moved[key] for key in weights}


# --- small helpers -------------------------------------------------------------------------


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, _ZERO)


def _clamp(value: Decimal, low: Decimal, high: Decimal | None) -> Decimal:
    if value < low:
        return low
    if high is not None and value > high:
        return high
    return value


def _quantize(value: Decimal, places: Decimal) -> Decimal:
    result = value.quantize(places, rounding=ROUND_HALF_UP)
    return result.copy_abs() if result == 0 else result


def _pct(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _text_map(values: Mapping[str, Decimal]) -> dict[str, str | None]:
    return {key: _text(values[key]) for key in sorted(values)}
