"""Reads for needs-based allocation: the crime store's coverage, the areas a run covers, the
runs, a run explained (for staff, for a partner, as a download) and the runs a partner's
area appears in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils.safestring import mark_safe

from commissioning.budgets.models import Account, FinancialYear, LedgerEntry, Mechanism, Status
from commissioning.budgets.periods import year_months, year_start_of_label
from commissioning.core.charts import bar_chart_svg
from commissioning.core.money import money_text, pounds
from commissioning.crime.police_uk import LsoaLookup
from commissioning.crime.store import CrimeStore
from commissioning.organisations.models import Area, AreaKind, Organisation, OrganisationKind

from . import calc, engine, explain, maps
from .errors import FormulaInputError
from .models import CrimeDataLoad, FormulaAdoption, FormulaRun, HarmWeightTable, IndicatorUpload

# --- the crime store and the areas ---


def crime_store_path() -> Path:
    return Path(settings.DATA_DIR) / "crime.duckdb"


def crime_store() -> CrimeStore:
    return CrimeStore(crime_store_path())


def fy_months(year: FinancialYear) -> list[str]:
    return year_months(year.starts)


def districts() -> list[Area]:
    return list(
        Area.objects.filter(kind__in=[AreaKind.UNITARY, AreaKind.DISTRICT]).order_by("code")
    )


def joint_partnerships() -> dict[str, tuple[str, list[str]]]:
    """Joint partnership code -> (name, member district codes)."""
    out = {}
    for area in Area.objects.filter(kind=AreaKind.JOINT_PARTNERSHIP).prefetch_related("districts"):
        out[area.code] = (area.name, sorted(d.code for d in area.districts.all()))
    return out


def lsoa_lookup() -> LsoaLookup:
    areas = districts()
    return LsoaLookup.default(
        configured=frozenset(a.code for a in areas), district_names={a.name: a.code for a in areas}
    )


def crime_summary(label: str, *, include_asb: bool = False) -> list[dict[str, Any]]:
    """Crimes by district and type in the financial year `label` ("2024/25"): a date range,
    summarised whenever police.uk data for it is loaded, with or without a budget for it."""
    try:
        months = year_months(year_start_of_label(label))
    except ValueError as exc:
        raise FormulaInputError(str(exc)) from exc
    if not crime_store_path().exists():
        raise FormulaInputError("No police.uk data has been loaded yet")
    store = crime_store()
    loaded = [m for m, n in store.coverage(months).items() if n]
    if not loaded:
        raise FormulaInputError(f"There is no police.uk data for {label}")
    names = {a.code: a.name for a in districts()}
    counts = store.counts(loaded, include_asb=include_asb)
    rows = [
        {"district_code": d, "district": names.get(d, d), "crime_type": t, "count": n}
        for (d, t), n in counts.items()
    ]
    return sorted(rows, key=lambda r: (r["district"], r["crime_type"]))


def crime_coverage() -> list[dict[str, Any]]:
    """For each financial year with police.uk data loaded: how many months, how many rows."""
    if not crime_store_path().exists():
        return []
    store = crime_store()
    coverage = []
    for year in FinancialYear.objects.all():
        cov = store.coverage(fy_months(year))
        loaded = sum(1 for n in cov.values() if n)
        if loaded:
            coverage.append({"year": year, "months": loaded, "rows": sum(cov.values())})
    return coverage


def crime_loads(limit: int) -> QuerySet[CrimeDataLoad]:
    return CrimeDataLoad.objects.all()[:limit]


def previous_plf(year: FinancialYear) -> dict[str, Decimal]:
    """A year's Partnership Locality Fund allocations by area, from the ledger (by reach)."""
    rows = (
        LedgerEntry.objects.filter(
            account=Account.COMMITTED,
            year=year,
            version__mechanism=Mechanism.PARTNERSHIP_LOCALITY_FUND,
            version__status__in=[Status.COMMITTED, Status.INDICATIVE],
        )
        .values("version__reach__code")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {
        r["version__reach__code"]: pounds(r["total"])
        for r in rows
        if r["total"] and r["version__reach__code"]
    }


def organisation_for_area(code: str) -> Organisation | None:
    """The Community Safety Partnership that serves an area (a district or a joint partnership)."""
    csps = Organisation.objects.filter(kind=OrganisationKind.CSP).select_related("area")
    for org in csps:
        if org.area and org.area.code == code:
            return org
    for org in csps.prefetch_related("area__districts"):
        if org.area and code in {d.code for d in org.area.districts.all()}:
            return org
    return None


def area_codes_of(organisation: Organisation | None) -> set[str]:
    """The codes of an organisation's area and of the districts in it."""
    if organisation is None or organisation.area is None:
        return set()
    return {organisation.area.code} | {d.code for d in organisation.area.districts.all()}


# --- runs ---


def run_get(uuid) -> FormulaRun:
    run = (
        FormulaRun.objects.select_related("year", "created_by", "adoption__year")
        .filter(uuid=uuid)
        .first()
    )
    if run is None:
        raise Http404("No such run")
    return run


def formula_run_recompute(run: FormulaRun) -> tuple[calc.Result, bool]:
    """Re-run from what the run stored; True when the output bytes are identical."""
    result = engine.compute(run.inputs)
    return result, engine.digest(engine.canonical(result)) == run.output_hash


def run_list() -> dict[str, Any]:
    """Everything the runs page lists: the runs, recent crime data loads, the harm weight
    tables, the uploaded indicators and the years."""
    return {
        "runs": FormulaRun.objects.select_related("year", "created_by", "adoption__year"),
        "loads": crime_loads(5),
        "tables": HarmWeightTable.objects.all(),
        "uploads": IndicatorUpload.objects.all(),
        "years": FinancialYear.objects.all(),
    }


def adopted_runs_for(organisation: Organisation | None) -> list[dict[str, Any]]:
    """Each adopted run that allocates to the organisation's area, with that area's row."""
    codes = area_codes_of(organisation)
    runs = []
    for adoption in FormulaAdoption.objects.select_related("run", "year").prefetch_related(
        "run__areas"
    ):
        mine = [a for a in adoption.run.areas.all() if a.area_code in codes]
        if mine:
            runs.append({"adoption": adoption, "area": mine[0]})
    return runs


def _groups(run: FormulaRun) -> dict[str, str]:
    """District code -> the joint partnership it is merged into."""
    return {
        member: code
        for code, members in ((run.inputs.get("join") or {}).get("groups") or {}).items()
        for member in members
    }


def _district_values(run: FormulaRun, rows) -> dict[str, Decimal]:
    groups = _groups(run)
    allocations = {r.code: r.allocation for r in rows}
    return {
        d["code"]: allocations.get(groups.get(d["code"], d["code"]), Decimal(0))
        for d in run.inputs["districts"]
    }


def _sensitivity_args(run: FormulaRun):
    join = run.inputs.get("join") or {}
    indicators = engine.indicators_of(run.inputs)
    areas = list(calc.derive(engine.areas_of(run.inputs), indicators))
    if join.get("mode") == "merge" and join.get("groups"):
        areas = list(calc.merge(areas, join["groups"], indicators, join.get("names") or {}))
    return areas, engine.params_of(run.inputs)


def run_context(run: FormulaRun, *, with_sensitivity: bool = True) -> dict[str, Any]:
    """A run explained: re-run from its inputs, area by area, with its map and chart."""
    result, identical = formula_run_recompute(run)
    sens = calc.sensitivity(*_sensitivity_args(run)) if with_sensitivity else None
    area_rows = explain.rows(run.inputs, result, sens)
    compare = [(r.name, r.previous) for r in area_rows if r.previous is not None]
    return {
        "run": run,
        "result": result,
        "identical": identical,
        "rows": area_rows,
        "method": explain.method(run.inputs),
        "inputs": explain.inputs(run.inputs),
        "fingerprints": explain.fingerprints(run.inputs, run.output_hash),
        "weights": run.inputs["params"]["weights"],
        # Whether moving a weight moves any allocation: not for a run with one indicator (the
        # Vulnerable Localities Index), whose range would only repeat each allocation.
        "weights_move": any(low != high for low, high in (sens or {}).values()),
        "previous": run.inputs.get("previous"),
        "total": sum((r.allocation for r in area_rows), Decimal(0)),
        "previous_total": sum(
            (r.previous for r in area_rows if r.previous is not None), Decimal(0)
        ),
        "map_svg": mark_safe(  # noqa: S308 - built from our own numbers by maps.py, which escapes text
            maps.choropleth_svg(
                _district_values(run, area_rows),
                title=f"Allocation by area, {run.reference}",
                value_label=money_text,
                groups=_groups(run),
            )
        ),
        "bar_svg": mark_safe(  # noqa: S308 - as above
            bar_chart_svg(
                [(r.name, r.allocation) for r in area_rows],
                title="Allocation by area",
                value_label=money_text,
                compare=compare if len(compare) == len(area_rows) else None,
                compare_label=f"{run.inputs['previous']['year']} Partnership Locality Fund"
                if compare
                else "",
            )
        ),
    }


def partner_context(run: FormulaRun, *, organisation: Organisation | None, area: str = ""):
    """What a partner reads of an adopted run: the method and their own area's row. Staff
    (who may look at any area) pass the `area` code they chose."""
    context = run_context(run, with_sensitivity=False)
    codes = area_codes_of(organisation)
    mine = next((r for r in context["rows"] if r.code in codes), None) if codes else None
    if mine is None and area:
        mine = next((r for r in context["rows"] if r.code == area), None)
    context["mine"] = mine
    return context


RUN_COLUMNS = [
    "area_code",
    "area",
    "harm",
    "crimes",
    "crimes_per_1000",
    "population",
    "share_pct",
    "allocation",
    "previous",
    "change",
    "change_pct",
]


# The run's columns as a person reads them in the CSV and XLSX.
RUN_HEADINGS = {
    "area_code": "Area code",
    "area": "Area",
    "harm": "Crime harm",
    "crimes": "Crimes",
    "crimes_per_1000": "Crimes per 1,000 people",
    "population": "Population",
    "share_pct": "Share of the pot (%)",
    "allocation": "Allocation",
    "previous": "Previous allocation",
    "change": "Change",
    "change_pct": "Change (%)",
}


def run_records(run: FormulaRun) -> list[dict[str, Any]]:
    """The run's areas, one record each, for CSV and XLSX."""
    return [
        {
            "area_code": r.code,
            "area": r.name,
            "harm": r.harm,
            "crimes": r.crimes,
            "crimes_per_1000": r.rate,
            "population": r.population,
            "share_pct": r.share_pct,
            "allocation": r.allocation,
            "previous": r.previous,
            "change": r.change,
            "change_pct": r.change_pct,
        }
        for r in run_context(run)["rows"]
    ]


def run_report_data(run: FormulaRun) -> dict[str, Any]:
    """What the run's PDF report prints."""
    context = run_context(run, with_sensitivity=False)
    rows = context["rows"]
    previous = context["previous"]
    table_rows = [
        [
            r.name,
            f"{r.harm:,.0f}" if r.harm is not None else "",
            f"{r.crimes:,.0f}" if r.crimes is not None else "",
            f"{r.rate:,.2f}" if r.rate is not None else "",
            f"{r.population:,.0f}" if r.population is not None else "",
            f"{r.share_pct}%",
            money_text(r.allocation),
        ]
        for r in rows
    ]
    data = {
        "title": run.title,
        "subtitle": f"Needs-based allocation, run {run.reference}",
        "organisation": "",
        "generated": dt.date.today().isoformat(),
        "method": context["method"],
        "parameters": [("Pot", money_text(run.pot))]
        + [(f"Weight: {k}", f"{v}%") for k, v in context["weights"].items()],
        "inputs": context["inputs"]
        + [(f"{label} (SHA-256)", value) for label, value in context["fingerprints"]],
        "table": {
            "columns": ["Area", "Harm", "Crimes", "Per 1,000", "Population", "Share", "Allocation"],
            "rows": table_rows,
            "total": ["Total", "", "", "", "", "100%", money_text(context["total"])],
        },
        "areas_geo_values": _district_values(run, rows),
        "groups": _groups(run),
        "notes": [
            f"Re-running this run from its stored inputs {'reproduces' if context['identical'] else 'does NOT reproduce'} its output exactly."
        ],
        "attribution": [
            "Contains public sector information licensed under the Open Government Licence v3.0 (police.uk, ONS).",
            "Contains OS data © Crown copyright and database right.",
        ],
    }
    if previous:
        data["comparison"] = {
            "title": f"Compared with {previous['year']} ({previous['source']})",
            "columns": ["Area", previous["year"], "This run", "Change", "Change %"],
            "rows": [
                [
                    r.name,
                    money_text(r.previous) if r.previous is not None else "",
                    money_text(r.allocation),
                    money_text(r.change) if r.change is not None else "",
                    f"{r.change_pct}%" if r.change_pct is not None else "",
                ]
                for r in rows
            ],
        }
    return data
