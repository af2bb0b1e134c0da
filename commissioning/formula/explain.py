"""What a run means, in rows and sentences: for the run page, the partner view, the PDF and
the spreadsheet. Reads only the run's stored inputs and the recomputed result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from commissioning.core.money import money_text

from . import calc, late
from .engine import INDICATOR_LABELS

PERCENT = Decimal("0.01")


def pct(fraction: Decimal) -> Decimal:
    return (fraction * 100).quantize(PERCENT)


@dataclass(frozen=True)
class Component:
    name: str
    label: str
    weight: Decimal
    value: Decimal | None
    share_pct: Decimal
    pounds: Decimal


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    harm: Decimal | None
    crimes: Decimal | None
    rate: Decimal | None
    population: Decimal | None
    share_pct: Decimal
    allocation: Decimal
    previous: Decimal | None
    previous_share_pct: Decimal | None
    change: Decimal | None
    change_pct: Decimal | None
    components: tuple[Component, ...]
    low: Decimal | None
    high: Decimal | None
    notes: tuple[str, ...]


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(PERCENT)


def _month_name(month: str) -> str:
    return dt.date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")


def rows(
    snapshot: Mapping[str, Any],
    result: calc.Result,
    sensitivity: Mapping[str, tuple[Decimal, Decimal]] | None = None,
) -> list[AreaRow]:
    weights = {k: Decimal(v) for k, v in snapshot["params"]["weights"].items()}
    previous = {
        k: Decimal(v) for k, v in ((snapshot.get("previous") or {}).get("values") or {}).items()
    }
    crimes = {k: Decimal(v) for k, v in snapshot["crimes"].items()}
    for code, members in ((snapshot.get("join") or {}).get("groups") or {}).items():
        crimes[code] = sum((crimes[m] for m in members if m in crimes), Decimal(0))
    shown_previous = [
        a.previous if a.previous is not None else previous.get(a.code) for a in result.areas
    ]
    previous_total = sum((p for p in shown_previous if p is not None), Decimal(0))
    out = []
    for a in result.areas:
        prev = a.previous if a.previous is not None else previous.get(a.code)
        change = None if prev is None else a.allocation - prev
        change_pct = None if not prev else ((a.allocation - prev) / prev * 100).quantize(PERCENT)
        low_high = (sensitivity or {}).get(a.code)
        value = a.values.get
        out.append(
            AreaRow(
                code=a.code,
                name=a.name,
                harm=value("harm"),
                crimes=value("crimes") if value("crimes") is not None else crimes.get(a.code),
                rate=_rounded(value("rate")),
                population=value("population"),
                share_pct=pct(a.formula_share),
                allocation=a.allocation,
                previous=prev,
                previous_share_pct=pct(prev / previous_total)
                if prev is not None and previous_total
                else None,
                change=change,
                change_pct=change_pct,
                components=tuple(
                    Component(
                        name=name,
                        label=INDICATOR_LABELS.get(name, name),
                        weight=w,
                        value=a.values.get(name),
                        share_pct=pct(a.shares[name]),
                        pounds=a.components[name].quantize(PERCENT),
                    )
                    for name, w in weights.items()
                ),
                low=low_high[0] if low_high else None,
                high=low_high[1] if low_high else None,
                notes=tuple(a.notes),
            )
        )
    return out


def method(snapshot: Mapping[str, Any]) -> list[str]:
    """The method in plain words, from what the run stored."""
    p = snapshot["params"]
    weights = {k: Decimal(v) for k, v in p["weights"].items()}
    months = snapshot["months"]
    parts = ", ".join(
        f"{INDICATOR_LABELS.get(k, k).lower()} {w.normalize():f}%" for k, w in weights.items()
    )
    areas = len(snapshot["districts"])
    text = [
        f"The pot of {money_text(Decimal(p['pot']))} is shared between the areas by a needs-based formula: {parts}. "
        "Each area receives, for each indicator, the indicator's weight times the area's share of that "
        "indicator's total across all the areas; the allocation is the pot times the sum of those parts.",
        f"Crime is every street-level crime police.uk publishes for the {areas} districts from "
        f"{_month_name(months[0])} to {_month_name(months[-1])} ({len(months)} months), counted by the district of "
        "the neighbourhood (LSOA) where it was recorded; "
        + (
            "anti-social behaviour is included."
            if snapshot.get("include_asb")
            else "anti-social behaviour is not counted."
        ),
        f"Crime harm weights each crime type by “{snapshot['harm_weights']['name']}”. Population is the "
        f"{snapshot['population']['label']}; crimes per 1,000 people is crimes divided by that population.",
    ]
    join = snapshot.get("join") or {}
    for code, members in (join.get("groups") or {}).items():
        name = (join.get("names") or {}).get(code, code)
        how = (
            "their indicators are added together (and the rate recomputed) before shares are taken"
            if join.get("mode") == "merge"
            else "each district is computed on its own and the amounts are added"
        )
        text.append(f"{name} is one partnership ({len(members)} districts): {how}.")
    if snapshot.get("months_missing"):
        text.append("Months with no data loaded: " + ", ".join(snapshot["months_missing"]) + ".")
    extras = []
    if Decimal(p.get("minimum") or 0):
        extras.append(f"no area receives less than {money_text(Decimal(p['minimum']))}")
    if p.get("floor_pct"):
        extras.append(f"no area falls more than {p['floor_pct']}% below its previous allocation")
    if p.get("cap_pct"):
        extras.append(f"no area rises more than {p['cap_pct']}% above it")
    if p.get("phase_in"):
        extras.append(
            f"{Decimal(p['phase_in']) * 100:.0f}% of the move from the previous allocation is taken this year"
        )
    if extras:
        text.append("Adjustments: " + "; ".join(extras) + ".")
    previous = snapshot.get("previous")
    if previous and previous.get("values"):
        earlier = sum((Decimal(v) for v in previous["values"].values()), Decimal(0))
        text.append(
            f"The comparison is with the {previous['year']} {previous['source'].lower()}, which shared "
            f"{money_text(earlier)}; where the totals differ, compare each area's share as well as its pounds."
        )
    rule = late_rule_sentence(snapshot)
    if rule:
        text.append(rule)
    text.append(
        f"Amounts are rounded to the nearest {money_text(Decimal(p.get('unit') or 1))} by the largest-remainder method, "
        "so that they add up to the pot exactly."
    )
    text.append(
        "What police.uk data can only approximate: it is recorded crime, not all crime; locations are "
        "snapped to nearby points for privacy; crimes with no location are not counted; and it lags "
        "reclassification. The harm weights are averages per police.uk category, not per offence."
    )
    return text


def late_rule_sentence(snapshot: Mapping[str, Any]) -> str:
    """The run's late-returns rule in words, or "" when it has none."""
    rule = late.rule_of(snapshot)
    if rule is None:
        return ""
    count = (
        "a monitoring return"
        if rule.returns == 1
        else f"{rule.returns:,} or more monitoring returns"
    )
    previous = (snapshot.get("previous") or {}).get("year")
    when = previous or "the financial year before the one the run is adopted for"
    how = (
        "late"
        if rule.days == 0
        else f"late by more than {rule.days:,} day{'s' if rule.days != 1 else ''}"
    )
    if rule.action == late.HOLD:
        what = "has its allocation held (indicative) until the late returns are in"
    else:
        percent = rule.as_params()["percent"]
        what = (
            f"has its allocation reduced by {percent}%; the amount withheld stays unallocated "
            "in the fund"
        )
    return (
        f"Late returns: an area whose partnership had {count} {how}, of those due in {when} "
        "(a return counts if it was submitted late, or is still not in when the run is "
        f"adopted), {what}. The rule is applied when the run is adopted, and each area it "
        "changes is listed with the returns that triggered it."
    )


def inputs(snapshot: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a run used, in words (its fingerprints are `fingerprints`)."""
    prev = snapshot.get("previous")
    items = [
        ("Financial year of the crime data", snapshot["year"]),
        (
            "Months",
            f"{snapshot['months'][0]} to {snapshot['months'][-1]} ({len(snapshot['months'])})",
        ),
        ("Harm weights", snapshot["harm_weights"]["name"]),
        ("Population source", snapshot["population"]["label"]),
        ("Anti-social behaviour", "included" if snapshot.get("include_asb") else "not counted"),
        ("Formula version", snapshot["formula_version"]),
    ]
    for upload in snapshot.get("uploads", []):
        items.append((f"Indicator {upload['name']}", upload["title"]))
    if prev:
        items.append(("Compared with", f"{prev['year']}: {prev['source']}"))
    return items


def fingerprints(snapshot: Mapping[str, Any], run_hash: str = "") -> list[tuple[str, str]]:
    """The SHA-256 fingerprints of what a run used and of its output, whole: the technical
    details that prove a re-run used the same data and gave the same result."""
    items = [
        ("Crime data", snapshot["crime_data_hash"]),
        (f"Harm weights: {snapshot['harm_weights']['name']}", snapshot["harm_weights"]["hash"]),
    ]
    for upload in snapshot.get("uploads", []):
        items.append((f"Indicator {upload['name']}", upload["hash"]))
    if run_hash:
        items.append(("The run's output", run_hash))
    return items
