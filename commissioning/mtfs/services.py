"""The medium-term financial strategy's writes: a scenario made (from a paper or a file), a
year's assumptions or the base figures changed, a scenario copied for a "what if", and the
papers' printed figures recorded. Each is one transaction with its audit event, and each
checks every input first, so a refused write changes nothing and names every field wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.budgets.models import Reserve, SourceDocument
from commissioning.budgets.periods import year_start_of_label
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record, snapshot
from commissioning.core.locks import locked
from commissioning.core.money import to_money
from commissioning.core.permissions import require
from commissioning.plans.models import Plan

from . import calc
from .models import ReserveCommitment, Scenario, ScenarioYear, StatedFigure, StatedKind
from .permissions import EDIT

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
RESERVED = {"compare", "compare.csv", "compare.xlsx", "compare.json"}
BASE_FIELDS = (
    "base_budget_requirement",
    "base_council_tax_requirement",
    "base_tax_base",
    "base_band_d",
    "pay_share_pct",
)


Errors = dict[str, list[str]]


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def parse_year_value(name: str, value: object, year: str = "") -> Decimal:
    """One of a year's assumptions as typed, or ValueError naming it (and the year)."""
    what = f"{year} {calc.FIELD_LABELS[name]}".strip()
    if name in calc.PERCENT_FIELDS:
        if value is None or str(value).strip() == "":
            raise ValueError(f"Enter the {what} in percent, like 0.8 or -3.7")
        return calc.to_percent(value, f"the {what}")
    if value is None or str(value).strip() == "":
        raise ValueError(f"Enter the {what} in pounds (0 if there is none)")
    try:
        return to_money(value)
    except ValueError as exc:
        raise ValueError(f"The {what}: {exc}") from None


def parse_base_value(name: str, value: object) -> Decimal:
    what = calc.FIELD_LABELS[name]
    if value is None or str(value).strip() == "":
        raise ValueError(f"Enter the {what}")
    if name == "base_tax_base":
        return calc.to_quantity(
            value, places=calc.TAX_BASE_PLACES, what=f"the {what}", example="282,691.59"
        )
    if name == "base_band_d":
        return calc.to_quantity(
            value, places=calc.BAND_D_PLACES, what=f"the {what}", example="173.8750"
        )
    if name == "pay_share_pct":
        return calc.to_percent(value, f"the {what}")
    try:
        return to_money(value)
    except ValueError as exc:
        raise ValueError(f"The {what}: {exc}") from None


def _parse(
    values: Mapping[str, object], names: Sequence[str], parse, errors: Errors, *args
) -> dict[str, Decimal]:
    parsed: dict[str, Decimal] = {}
    for name in names:
        if name not in values:
            continue
        try:
            parsed[name] = parse(name, values[name], *args)
        except ValueError as exc:
            _add(errors, name, str(exc)[:1].upper() + str(exc)[1:])
    return parsed


def _plan_problems(inputs: calc.ScenarioInputs, plan: Plan | None) -> list[calc.Problem]:
    if plan is None:
        return calc.problems(inputs)
    return calc.problems(
        inputs, plan_starts=plan.starts, plan_ends=plan.ends, plan_title=plan.title
    )


def inputs_of(
    scenario: Scenario, years: Sequence[ScenarioYear] | None = None
) -> calc.ScenarioInputs:
    """What `calc` needs of a stored scenario."""
    rows = list(scenario.years.all()) if years is None else list(years)
    rows.sort(key=lambda y: y.year)
    return calc.ScenarioInputs(
        name=scenario.name,
        base_year=scenario.base_year,
        base_budget_requirement=Decimal(scenario.base_budget_requirement),
        base_council_tax_requirement=Decimal(scenario.base_council_tax_requirement),
        base_tax_base=Decimal(scenario.base_tax_base),
        base_band_d=Decimal(scenario.base_band_d),
        pay_share_pct=Decimal(scenario.pay_share_pct),
        years=tuple(
            calc.YearAssumptions(
                year=y.year, **{name: Decimal(getattr(y, name)) for name in calc.YEAR_FIELDS}
            )
            for y in rows
        ),
    )


@dataclass(frozen=True)
class ScenarioData:
    """A scenario as a file or a form gives it: every value as typed (strings or Decimals)."""

    name: str
    title: str
    base_year: str
    base: Mapping[str, object]
    years: Sequence[Mapping[str, object]]  # each with "year", the YEAR_FIELDS and "cite"
    plan: Plan | None = None
    document: SourceDocument | None = None
    cite: str = ""
    notes: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)


def _check_new(data: ScenarioData) -> tuple[calc.ScenarioInputs | None, Errors]:
    errors: Errors = {}
    if not NAME.match(data.name or ""):
        _add(
            errors,
            "name",
            "Name: use lower-case letters, digits and hyphens, like llr-2013-12 (at most 60)",
        )
    elif data.name in RESERVED:
        _add(errors, "name", f"Name: {data.name} is kept for a page; choose another name")
    elif Scenario.objects.filter(name=data.name).exists():
        _add(errors, "name", f"Name: there is already a scenario called {data.name}")
    if not (data.title or "").strip():
        _add(errors, "title", "Title: enter the scenario's title")
    missing = [n for n in BASE_FIELDS if n not in data.base and n != "pay_share_pct"]
    for name in missing:
        _add(errors, name, f"Enter the {calc.FIELD_LABELS[name]}")
    base = {"pay_share_pct": Decimal(0)} | _parse(data.base, BASE_FIELDS, parse_base_value, errors)
    years: list[calc.YearAssumptions] = []
    for y in data.years:
        label = str(y.get("year", "")).strip()
        parsed = _parse(y, calc.YEAR_FIELDS, parse_year_value, errors, label)
        years.append(calc.YearAssumptions(year=label, **parsed))
    if len(base) < len(BASE_FIELDS):
        return None, errors  # a base figure is missing or not a number: said above
    inputs = calc.ScenarioInputs(
        name=data.name, base_year=str(data.base_year).strip(), years=tuple(years), **base
    )
    for problem in _plan_problems(inputs, data.plan):
        _add(errors, problem.field, problem.message)
    return inputs, errors


def scenario_create(*, actor, data: ScenarioData) -> Scenario:
    """Make a scenario and its years, all or nothing."""
    require(actor, EDIT)
    inputs, errors = _check_new(data)
    if errors or inputs is None:
        raise ValidationError(errors)
    with transaction.atomic():
        who = user_of(actor)
        scenario = Scenario.objects.create(
            name=data.name,
            title=data.title.strip(),
            plan=data.plan,
            base_year=inputs.base_year,
            base_budget_requirement=inputs.base_budget_requirement,
            base_council_tax_requirement=inputs.base_council_tax_requirement,
            base_tax_base=inputs.base_tax_base,
            base_band_d=inputs.base_band_d,
            pay_share_pct=inputs.pay_share_pct,
            document=data.document,
            cite=data.cite,
            notes=data.notes,
            created_by=who,
            updated_by=who,
        )
        for given, a in zip(data.years, inputs.years, strict=True):
            ScenarioYear.objects.create(
                scenario=scenario,
                year=a.year,
                cite=str(given.get("cite") or ""),
                created_by=who,
                updated_by=who,
                **{name: getattr(a, name) for name in calc.YEAR_FIELDS},
            )
        audit_record(
            actor=actor,
            action="mtfs.scenario_create",
            obj=scenario,
            after={
                **snapshot(scenario),
                "years": [snapshot(y) for y in scenario.years.all()],
            },
        )
        return scenario


def scenario_year_update(
    *, actor, scenario_year: ScenarioYear, values: Mapping[str, object], reason: str = ""
) -> ScenarioYear:
    """Change a year's assumptions (any of calc.YEAR_FIELDS, as typed). Every field wrong is
    named at once; nothing is written unless all are right."""
    require(actor, EDIT, scenario_year)
    errors: Errors = {}
    year = scenario_year.year
    unknown = set(values) - set(calc.YEAR_FIELDS)
    if unknown:
        raise ValueError(f"not a year's assumption: {', '.join(sorted(unknown))}")
    parsed = _parse(values, calc.YEAR_FIELDS, parse_year_value, errors, year)
    with transaction.atomic():
        scenario = locked(Scenario.objects.filter(pk=scenario_year.scenario_id))
        assert isinstance(scenario, Scenario)
        row = ScenarioYear.objects.get(pk=scenario_year.pk)
        inputs = calc.inputs_with(inputs_of(scenario), year, **parsed)
        for problem in _plan_problems(inputs, scenario.plan):
            # Only what this change is about: the fields that parsed, in this year (a field
            # that did not parse already has its own message).
            if problem.year == year and problem.field in parsed:
                _add(errors, problem.field, problem.message)
        if errors:
            raise ValidationError(errors)
        before, after = _save_changed(actor, row, parsed)
        audit_record(
            actor=actor,
            action="mtfs.year_update",
            obj=row,
            before=before,
            after=after,
            reason=reason,
        )
        scenario_year.refresh_from_db()
        return row


def _save_changed(actor, row, values: Mapping[str, object]) -> tuple[dict, dict]:
    """Write `values` to a locked, checked row; what changed, before and after, as stored
    (0.800, not 0.8), for the caller's audit event."""
    before = snapshot(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = user_of(actor)
    row.save()
    row.refresh_from_db()
    after = snapshot(row)
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    return {k: before[k] for k in changed}, {k: after[k] for k in changed}


def scenario_update(
    *, actor, scenario: Scenario, values: Mapping[str, object], reason: str = ""
) -> Scenario:
    """Change a scenario's title or base figures (BASE_FIELDS, as typed)."""
    require(actor, EDIT, scenario)
    errors: Errors = {}
    unknown = set(values) - {*BASE_FIELDS, "title"}
    if unknown:
        raise ValueError(f"not a scenario's base figure: {', '.join(sorted(unknown))}")
    parsed = _parse(values, BASE_FIELDS, parse_base_value, errors)
    title = values.get("title")
    if title is not None and not str(title).strip():
        _add(errors, "title", "Title: enter the scenario's title")
    with transaction.atomic():
        row = locked(Scenario.objects.filter(pk=scenario.pk))
        assert isinstance(row, Scenario)
        current = inputs_of(row)
        inputs = calc.ScenarioInputs(**{**current.__dict__, **parsed})
        for problem in _plan_problems(inputs, row.plan):
            if problem.field in parsed:
                _add(errors, problem.field, problem.message)
        if errors:
            raise ValidationError(errors)
        changes: dict[str, object] = dict(parsed)
        if title is not None:
            changes["title"] = str(title).strip()
        before, after = _save_changed(actor, row, changes)
        audit_record(
            actor=actor,
            action="mtfs.scenario_update",
            obj=row,
            before=before,
            after=after,
            reason=reason,
        )
        scenario.refresh_from_db()
        return row


def scenario_copy(*, actor, scenario: Scenario, name: str, title: str) -> Scenario:
    """A new scenario with the same base figures and years, to change without losing the
    original."""
    require(actor, EDIT, scenario)
    years = list(scenario.years.order_by("year"))
    data = ScenarioData(
        name=name.strip(),
        title=title,
        base_year=scenario.base_year,
        base={n: getattr(scenario, n) for n in BASE_FIELDS},
        years=[
            {"year": y.year, "cite": y.cite, **{n: getattr(y, n) for n in calc.YEAR_FIELDS}}
            for y in years
        ],
        plan=scenario.plan,
        document=scenario.document,
        cite=scenario.cite,
        notes=f"A copy of {scenario.name}." + (f"\n\n{scenario.notes}" if scenario.notes else ""),
    )
    with transaction.atomic():
        copy = scenario_create(actor=actor, data=data)
        audit_record(
            actor=actor,
            action="mtfs.scenario_copy",
            obj=copy,
            after={"copied_from": scenario.name},
        )
        return copy


@dataclass(frozen=True)
class StatedData:
    kind: str
    series: str
    label: str
    year: str
    amount: Decimal
    precision: int
    stated_as: str
    cite: str
    increase_pct: Decimal | None = None


def stated_figures_record(
    *,
    actor,
    figures: Sequence[StatedData],
    plan: Plan | None = None,
    document: SourceDocument | None = None,
) -> list[StatedFigure]:
    """Record a paper's printed figures (one series or several), all or nothing."""
    require(actor, EDIT)
    errors: Errors = {}
    seen: set[tuple[str, str, Decimal | None]] = set()
    for f in figures:
        where = f"{f.series} {f.year}" + (
            f" {calc.fmt_pct(f.increase_pct)}" if f.increase_pct is not None else ""
        )
        if f.kind not in StatedKind.values:
            _add(errors, "kind", f"{where}: “{f.kind}” is not a kind of stated figure")
        if (f.kind == StatedKind.PRECEPT_INCOME) != (f.increase_pct is not None):
            _add(
                errors, "increase_pct", f"{where}: a precept figure, and only one, has an increase"
            )
        if f.precision < 1:
            _add(errors, "precision", f"{where}: the precision is at least £1")
        try:
            year_start_of_label(f.year)
        except ValueError as exc:
            _add(errors, "year", f"{where}: {exc}")
        key = (f.series, f.year, f.increase_pct)
        if (
            key in seen
            or StatedFigure.objects.filter(
                series=f.series, year=f.year, increase_pct=f.increase_pct
            ).exists()
        ):
            _add(errors, "series", f"{where}: recorded already")
        seen.add(key)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        who = user_of(actor)
        rows = [
            StatedFigure.objects.create(
                plan=plan,
                document=document,
                kind=f.kind,
                series=f.series,
                label=f.label,
                year=f.year,
                increase_pct=f.increase_pct,
                amount=f.amount,
                precision=f.precision,
                stated_as=f.stated_as,
                cite=f.cite,
                created_by=who,
                updated_by=who,
            )
            for f in figures
        ]
        for series in sorted({r.series for r in rows}):
            mine = [r for r in rows if r.series == series]
            audit_record(
                actor=actor,
                action="mtfs.stated_record",
                obj=mine[0],
                after={"series": series, "figures": [snapshot(r) for r in mine]},
            )
        return rows


@dataclass(frozen=True)
class CommitmentData:
    """A multi-year reserve commitment as a file or a form gives it (values as typed)."""

    name: str
    reserve: str  # the reserve's name, as the budget ledger has it
    purpose: str
    amount: object
    first_year: str
    last_year: str
    document: SourceDocument | None = None
    cite: str = ""


def reserve_commitment_create(*, actor, data: CommitmentData) -> ReserveCommitment:
    """Record a promise to draw a sum from a reserve over several years; every field is
    checked first and all that is wrong is refused at once."""
    require(actor, EDIT)
    errors: Errors = {}
    if not NAME.match(data.name or ""):
        _add(errors, "name", "Give a short name of lower-case letters, digits and hyphens")
    elif ReserveCommitment.objects.filter(name=data.name).exists():
        _add(errors, "name", f"There is already a reserve commitment called {data.name}")
    reserve = Reserve.objects.filter(name=str(data.reserve).strip()).first()
    if reserve is None:
        _add(errors, "reserve", f"There is no reserve called “{data.reserve}” in the budget")
    if not str(data.purpose or "").strip():
        _add(errors, "purpose", "Say what the money is committed to")
    amount = None
    try:
        amount = to_money(data.amount)
    except ValueError as exc:
        _add(errors, "amount", f"The amount: {exc}")
    else:
        if amount <= 0:
            _add(errors, "amount", "The amount must be more than £0")
    starts = {}
    for name in ("first_year", "last_year"):
        try:
            starts[name] = year_start_of_label(getattr(data, name))
        except ValueError as exc:
            _add(errors, name, str(exc))
    if len(starts) == 2 and starts["last_year"] < starts["first_year"]:
        _add(errors, "last_year", "The last year cannot be before the first")
    if errors or reserve is None or amount is None:
        raise ValidationError(errors)
    with transaction.atomic():
        who = user_of(actor)
        row = ReserveCommitment.objects.create(
            name=data.name,
            reserve=reserve,
            purpose=" ".join(str(data.purpose).split()),
            amount=amount,
            first_year=data.first_year,
            last_year=data.last_year,
            document=data.document,
            cite=data.cite,
            created_by=who,
            updated_by=who,
        )
        audit_record(actor=actor, action="mtfs.commitment_create", obj=row, after=snapshot(row))
        return row
