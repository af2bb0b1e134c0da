"""From stored inputs to a result, purely: the same inputs always give the same bytes.

`snapshot` is the JSON-ready record of everything a run uses (see services.build_snapshot);
`compute(snapshot)` turns it into a `calc.Result`. Nothing here reads the database or the
crime store, which is what makes a stored run reproducible.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import calc

BASE_INDICATORS = {
    "harm": calc.Indicator("harm", "count"),
    "crimes": calc.Indicator("crimes", "count"),
    "population": calc.Indicator("population", "count"),
    "rate": calc.Indicator(
        "rate", "rate", numerator="crimes", denominator="population", per=Decimal(1000)
    ),
}
INDICATOR_LABELS = {
    "harm": "Crime harm (sum of crimes × harm weight)",
    "crimes": "Recorded crimes",
    "population": "Population",
    "rate": "Crimes per 1,000 people",
}


def indicators_of(snapshot: Mapping[str, Any]) -> list[calc.Indicator]:
    found = list(BASE_INDICATORS.values())
    for upload in snapshot.get("uploads", []):
        kind = upload.get("kind", "index")
        found.append(
            calc.Indicator(
                upload["name"], kind, denominator="population" if kind == "index" else ""
            )
        )
    return found


def areas_of(snapshot: Mapping[str, Any]) -> list[calc.AreaInput]:
    areas = []
    for district in snapshot["districts"]:
        code = district["code"]
        values = {
            "harm": Decimal(snapshot["harm"][code]),
            "crimes": Decimal(snapshot["crimes"][code]),
            "population": Decimal(snapshot["population"]["values"][code]),
        }
        for upload in snapshot.get("uploads", []):
            values[upload["name"]] = Decimal(upload["values"][code])
        areas.append(calc.AreaInput(code=code, name=district["name"], values=values))
    return areas


def params_of(snapshot: Mapping[str, Any]) -> calc.Params:
    p = snapshot["params"]

    def dec(key: str) -> Decimal | None:
        return None if p.get(key) in (None, "") else Decimal(p[key])

    previous = snapshot.get("previous")
    return calc.Params(
        pot=Decimal(p["pot"]),
        weights={k: Decimal(v) for k, v in p["weights"].items()},
        unit=Decimal(p.get("unit") or "1"),
        minimum=Decimal(p.get("minimum") or "0"),
        previous={k: Decimal(v) for k, v in previous["values"].items()} if previous else None,
        floor_pct=dec("floor_pct"),
        cap_pct=dec("cap_pct"),
        phase_in=dec("phase_in"),
    )


def compute(snapshot: Mapping[str, Any]) -> calc.Result:
    """The run's result from its stored inputs alone."""
    indicators = indicators_of(snapshot)
    areas = list(calc.derive(areas_of(snapshot), indicators))
    join = snapshot.get("join") or {}
    groups: dict[str, list[str]] = join.get("groups") or {}
    names: dict[str, str] = join.get("names") or {}
    params = params_of(snapshot)
    if groups and join.get("mode") == "merge":
        merged = calc.merge(areas, groups, indicators, names)
        return calc.allocate(merged, params)
    if groups and join.get("mode") == "add":
        by_district = {d: g for g, members in groups.items() for d in members}
        return calc.allocate(areas, params, groups=by_district, group_names=names)
    return calc.allocate(areas, params)


def canonical(result: calc.Result) -> bytes:
    """The stored form of a result: sorted keys, no spaces, exact decimal strings."""
    return json.dumps(
        result.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
