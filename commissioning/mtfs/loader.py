"""Scenarios and printed figures from a data file (YAML), through the services, all or nothing.

The LLR example's `examples/llr/mtfs.yaml` is loaded this way by `load-example llr`, and any
file of the same shape by `commissioning mtfs load FILE`. The shape:

    plan: "Police and Crime Plan 2013-17"     # optional: the plan's title
    document: "004"                            # optional: the source document's key
    scenarios:
      - name: llr-2013-12
        title: ...
        base_year: "2013/14"
        base: {base_budget_requirement: {printed: "173.466", unit: "£m"}, base_band_d: ...}
        years: [{year: "2014/15", tax_base_growth_pct: "0.8", ...}]
    stated:
      - {series: gap-2013-08, kind: funding_gap, label: ..., unit: "£m",
         figures: {"2014/15": "4.420"}}
      - {series: precept-2013-12, kind: precept_income, unit: "£'000",
         rows: [{increase_pct: "0.5", figures: {"2014/15": "248"}}]}
    reserve_commitments:                       # optional: sums promised from a reserve
      - {name: ber-commissioning-1m, reserve: "Budget Equalisation Reserve",
         purpose: ..., amount: {printed: "1", unit: "£m"},
         first_year: "2013/14", last_year: "2015/16", cite: ...}

An amount is written as printed with its unit ("£m", "£'000" or "£"); it is read exactly
into pounds, and its precision is what the print gives (to three places of £m is to £1,000).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.budgets.models import SourceDocument
from commissioning.core.actors import COMMAND_LINE
from commissioning.plans.models import Plan

from . import calc, services
from .models import StatedKind

UNITS = {"£": Decimal(1), "£'000": Decimal(1000), "£m": Decimal(1_000_000)}


class MtfsDataError(ValueError):
    """The file is not right: what and where, in words."""


def printed_amount(printed: object, unit: str, where: str) -> tuple[Decimal, int, str]:
    """(pounds, precision in pounds, the print) of an amount as printed in `unit`."""
    if unit not in UNITS:
        raise MtfsDataError(f"{where}: unit “{unit}” is not one of {', '.join(UNITS)}")
    try:
        number = calc.to_quantity(
            printed, places=6, what=f"{where} (as printed)", example="6.085 or 1,049"
        )
    except ValueError as exc:
        raise MtfsDataError(str(exc)) from None
    if number < 0:
        raise MtfsDataError(f"{where}: a printed amount here cannot be negative")
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    precision = UNITS[unit] / Decimal(10) ** places
    if precision != precision.to_integral_value() or precision < 1:
        raise MtfsDataError(f"{where}: “{printed}” {unit} is printed to less than £1")
    text = str(printed).strip()
    stated_as = f"£{text}m" if unit == "£m" else (text if unit == "£'000" else f"£{text}")
    return number * UNITS[unit], int(precision), stated_as


def _value(value: Any, where: str) -> object:
    if isinstance(value, dict):
        amount, _, _ = printed_amount(value.get("printed"), str(value.get("unit", "")), where)
        return amount
    return value


def _messages(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise MtfsDataError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise MtfsDataError(f"{path.name}: not YAML ({exc})") from None
    if not isinstance(data, dict):
        raise MtfsDataError(f"{path.name}: expected a mapping with scenarios and stated figures")
    return data


def load_file(path: Path, *, actor=COMMAND_LINE) -> dict[str, int]:
    """Load every scenario and stated figure in the file, or nothing (MtfsDataError)."""
    data = _read(path)
    name = path.name
    plan = None
    if data.get("plan"):
        plan = Plan.objects.filter(title=str(data["plan"])).first()
        if plan is None:
            raise MtfsDataError(f"{name}: there is no plan called “{data['plan']}”")
    document = None
    if data.get("document"):
        document = SourceDocument.objects.filter(key=str(data["document"])).first()
        if document is None:
            raise MtfsDataError(f"{name}: there is no source document {data['document']}")
    with transaction.atomic():
        scenarios = 0
        for s in data.get("scenarios") or []:
            where = f"{name} scenario {s.get('name', '?')}"
            base = {k: _value(v, f"{where} {k}") for k, v in (s.get("base") or {}).items()}
            years = [
                {k: _value(v, f"{where} {y.get('year', '?')} {k}") for k, v in y.items()}
                for y in s.get("years") or []
            ]
            try:
                services.scenario_create(
                    actor=actor,
                    data=services.ScenarioData(
                        name=str(s.get("name", "")),
                        title=str(s.get("title", "")),
                        base_year=str(s.get("base_year", "")),
                        base=base,
                        years=years,
                        plan=plan,
                        document=document,
                        cite=str(s.get("cite") or ""),
                        notes=str(s.get("notes") or "").strip(),
                    ),
                )
            except ValidationError as exc:
                raise MtfsDataError(f"{where}: {_messages(exc)}") from None
            scenarios += 1
        figures = []
        for series in data.get("stated") or []:
            where = f"{name} stated {series.get('series', '?')}"
            kind = str(series.get("kind", ""))
            unit = str(series.get("unit", ""))
            rows = (
                series.get("rows") or []
                if kind == StatedKind.PRECEPT_INCOME
                else [{"increase_pct": None, "figures": series.get("figures") or {}}]
            )
            for row in rows:
                increase = row.get("increase_pct")
                if increase is not None:
                    try:
                        increase = calc.to_percent(increase, f"{where} increase")
                    except ValueError as exc:
                        raise MtfsDataError(str(exc)) from None
                for year, printed in (row.get("figures") or {}).items():
                    amount, precision, stated_as = printed_amount(printed, unit, f"{where} {year}")
                    figures.append(
                        services.StatedData(
                            kind=kind,
                            series=str(series.get("series", "")),
                            label=" ".join(str(series.get("label", "")).split()),
                            year=str(year),
                            amount=amount,
                            precision=precision,
                            stated_as=stated_as,
                            cite=str(series.get("cite") or ""),
                            increase_pct=increase,
                        )
                    )
        try:
            services.stated_figures_record(
                actor=actor, figures=figures, plan=plan, document=document
            )
        except ValidationError as exc:
            raise MtfsDataError(f"{name}: {_messages(exc)}") from None
        commitments = 0
        for c in data.get("reserve_commitments") or []:
            where = f"{name} reserve commitment {c.get('name', '?')}"
            source = document
            if c.get("document"):
                source = SourceDocument.objects.filter(key=str(c["document"])).first()
                if source is None:
                    raise MtfsDataError(f"{where}: there is no source document {c['document']}")
            try:
                services.reserve_commitment_create(
                    actor=actor,
                    data=services.CommitmentData(
                        name=str(c.get("name", "")),
                        reserve=str(c.get("reserve", "")),
                        purpose=str(c.get("purpose", "")),
                        amount=_value(c.get("amount"), f"{where} amount"),
                        first_year=str(c.get("first_year", "")),
                        last_year=str(c.get("last_year", "")),
                        document=source,
                        cite=str(c.get("cite") or ""),
                    ),
                )
            except ValidationError as exc:
                raise MtfsDataError(f"{where}: {_messages(exc)}") from None
            commitments += 1
        counts = {"MTFS scenarios": scenarios, "MTFS printed figures": len(figures)}
        if commitments:
            counts["reserve commitment" if commitments == 1 else "reserve commitments"] = (
                commitments
            )
        return counts
