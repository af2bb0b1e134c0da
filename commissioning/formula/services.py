"""Writes for needs-based allocation: weight tables, indicator uploads, runs and adoption."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from commissioning.budgets import services as budget_services
from commissioning.budgets.models import FinancialYear, Mechanism, Status
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.locks import locked
from commissioning.core.permissions import require
from commissioning.crime import harm as harm_lib
from commissioning.crime.store import IngestReport
from commissioning.organisations.models import Area

from . import calc, engine, vli
from .errors import FormulaInputError
from .models import (
    CrimeDataLoad,
    FormulaAdoption,
    FormulaRun,
    FormulaRunArea,
    HarmWeight,
    HarmWeightTable,
    IndicatorUpload,
    IndicatorValue,
    PopulationFigure,
)
from .permissions import RUN
from .selectors import (
    crime_store,
    crime_store_path,
    districts,
    formula_run_recompute,
    fy_months,
    joint_partnerships,
    lsoa_lookup,
    organisation_for_area,
    previous_plf,
)

POPULATION_SOURCES = {
    "census2021": "Census 2021 usual residents",
    "census2011": "Census 2011 usual residents",
    "mye2020": "ONS mid-2020 population estimate",
    "mye2019": "ONS mid-2019 population estimate",
}


# --- crime data ---


def crime_ingest(paths: Sequence[Path], *, actor, progress: bool = False) -> IngestReport:
    """Load police.uk files into the crime store (all or nothing) and record that it happened."""
    require(actor, RUN)
    report = crime_store().ingest(list(paths), lookup=lsoa_lookup(), progress=progress)
    with transaction.atomic():
        load = CrimeDataLoad.objects.create(
            months=[list(m) for m in report.months],
            files=report.files,
            rows=report.rows,
            report=report.summary(),
            loaded_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="crime.ingest",
            obj=load,
            after={"files": report.files, "rows": report.rows},
        )
    return report


# --- weights and uploads ---


def _harm_table_create(
    *, actor, name: str, weights: Mapping[str, Decimal], source: str, is_default=False
) -> HarmWeightTable:
    with transaction.atomic():
        table = HarmWeightTable.objects.create(
            name=name,
            source=source,
            content_hash=harm_lib.weights_hash(dict(weights)),
            is_default=is_default,
        )
        HarmWeight.objects.bulk_create(
            [HarmWeight(table=table, crime_type=t, weight=w) for t, w in sorted(weights.items())]
        )
        audit_record(
            actor=actor,
            action="harm_weights.create",
            obj=table,
            after={"name": name, "weights": {k: str(v) for k, v in weights.items()}},
        )
        return table


def harm_table_upload(
    *, actor, name: str, filename: str, content: bytes, source: str = ""
) -> HarmWeightTable:
    """A user's own harm weights (CSV crime_type,weight), e.g. Cambridge Crime Harm Index days."""
    require(actor, RUN)
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    target = path / f"harm-{hashlib.sha256(content).hexdigest()[:16]}.csv"
    target.write_bytes(content)
    try:
        weights = harm_lib.load_weights(target)
    except harm_lib.CrimeDataError as exc:
        raise FormulaInputError(str(exc)) from exc
    if HarmWeightTable.objects.filter(name=name).exists():
        raise FormulaInputError(
            {"name": f"A weights table named “{name}” exists; choose another name"}
        )
    return _harm_table_create(
        actor=actor, name=name, weights=weights, source=source or f"Uploaded {filename}"
    )


def harm_table_default(*, actor) -> HarmWeightTable:
    """The shipped default weights, stored the first time a run needs them."""
    table = HarmWeightTable.objects.filter(is_default=True).first()
    if table:
        return table
    require(actor, RUN)
    return _harm_table_create(
        actor=actor,
        name="ONS Crime Severity Score (mean weight per police.uk category, Leicestershire 2017/18 mix)",
        weights=harm_lib.default_weights(),
        source="Derived from the ONS Crime Severity Score weights, weighted by Leicestershire's 2017/18 "
        "offence mix. Contains public sector information licensed under the Open Government Licence v3.0.",
        is_default=True,
    )


def indicator_upload(
    *, actor, name: str, title: str, kind: str, filename: str, content: bytes, source: str = ""
) -> IndicatorUpload:
    """An indicator from a CSV of area_code,value. Every row checked; all or nothing."""
    require(actor, RUN)
    errors: list[str] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormulaInputError("The file is not UTF-8 text; save it as CSV UTF-8") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"area_code", "value"} <= set(rows[0]):
        raise FormulaInputError("The file needs the columns area_code and value")
    areas = {a.code: a for a in Area.objects.all()}
    values: dict[str, Decimal] = {}
    for i, row in enumerate(rows, start=2):
        code = (row.get("area_code") or "").strip()
        raw = (row.get("value") or "").strip()
        if code not in areas:
            errors.append(f"Row {i}, area_code: “{code}” is not a known area")
            continue
        try:
            value = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            errors.append(f"Row {i}, value: “{raw}” is not a number")
            continue
        if not value.is_finite() or value < 0:
            errors.append(f"Row {i}, value: {raw} must be zero or more")
            continue
        if code in values:
            errors.append(f"Row {i}, area_code: {code} appears twice")
        values[code] = value
    if errors:
        raise FormulaInputError(errors)
    with transaction.atomic():
        upload = IndicatorUpload.objects.create(
            name=name,
            title=title,
            kind=kind,
            source=source or f"Uploaded {filename}",
            content_hash=hashlib.sha256(content).hexdigest(),
            created_by=user_of(actor),
        )
        IndicatorValue.objects.bulk_create(
            [IndicatorValue(upload=upload, area=areas[c], value=v) for c, v in values.items()]
        )
        audit_record(
            actor=actor,
            action="indicator.upload",
            obj=upload,
            after={"name": name, "rows": len(values)},
        )
        return upload


# --- the Vulnerable Localities Index ---


def vli_indicator_create(*, actor, year: FinancialYear) -> IndicatorUpload:
    """Build the Vulnerable Localities Index from the shipped LSOA inputs and the year's
    police.uk burglary and criminal damage, and store it per district as an indicator "vli":
    the district's residents, each weighted by their neighbourhood's index over 100."""
    require(actor, RUN)
    months = (
        [m for m, n in crime_store().coverage(fy_months(year)).items() if n]
        if crime_store_path().exists()
        else []
    )
    if not months:
        raise FormulaInputError(f"There is no police.uk data for {year}")
    store = crime_store()
    burglary = store.lsoa_counts(months, ["Burglary"])
    damage = store.lsoa_counts(months, ["Criminal damage and arson"])
    if not burglary and not damage:
        raise FormulaInputError(
            "The crime store has no neighbourhood (LSOA) counts for this year: load the police.uk files "
            "with `commissioning crime ingest` (a district-level extract is not enough for the VLI)"
        )
    inputs = vli.load_inputs()
    lsoas, report = vli.compute(inputs, burglary, damage)
    districts_vli = vli.by_district(lsoas, inputs)
    # Each district's residents weighted by their neighbourhood's index (VLI / 100): a count,
    # so a district's share grows with both how many people live there and how vulnerable
    # their neighbourhoods are. (Shares of a bare average index would flatten the differences.)
    rows = "area_code,value\n" + "".join(
        f"{code},{(data['vli'] * data['population'] / 100).quantize(Decimal('0.000001'))}\n"
        for code, data in sorted(districts_vli.items())
    )
    source = " ".join(report.method) + (
        f" Built from police.uk data for {months[0]} to {months[-1]}: {report.lsoas} neighbourhoods, "
        f"{report.priority_lsoas} above 200 (priority); {report.unmatched_codes} police.uk neighbourhood codes "
        f"({report.unmatched_crimes} crimes) are not among the 2011 neighbourhoods of the inputs and are not used."
    )
    name = "vli"
    existing = IndicatorUpload.objects.filter(name=name).count()
    return indicator_upload(
        actor=actor,
        name=name if not existing else f"vli{existing + 1}",
        title=f"Residents weighted by the Vulnerable Localities Index, {year}",
        kind="count",
        filename=f"vli-{year.slug}.csv",
        content=rows.encode(),
        source=source,
    )


# --- runs ---


@dataclass(frozen=True)
class RunRequest:
    year: FinancialYear
    pot: Decimal
    weights: Mapping[str, Decimal]
    population_source: str = "census2021"
    harm_table: HarmWeightTable | None = None
    include_asb: bool = False
    join: str = "merge"  # merge | add | none
    unit: Decimal = Decimal(1)
    minimum: Decimal = Decimal(0)
    previous_year: FinancialYear | None = None
    floor_pct: Decimal | None = None
    cap_pct: Decimal | None = None
    phase_in: Decimal | None = None
    uploads: Sequence[IndicatorUpload] = ()
    title: str = ""


def build_snapshot(req: RunRequest, *, actor) -> dict[str, Any]:
    """Gather every input of a run into one JSON-ready record, checking it as we go (the
    default harm weights are stored for `actor` if this is the first run to need them)."""
    if req.population_source not in POPULATION_SOURCES:
        raise FormulaInputError(
            {"population_source": f"Unknown population source {req.population_source}"}
        )
    months = fy_months(req.year)
    if not crime_store_path().exists():
        raise FormulaInputError(
            f"No police.uk data has been loaded: run `commissioning crime ingest` for {req.year}"
        )
    store = crime_store()
    coverage = store.coverage(months)
    loaded = sorted(m for m, rows in coverage.items() if rows)
    if not loaded:
        raise FormulaInputError(
            {
                "year": f"There is no police.uk data for {req.year} (months {months[0]} to {months[-1]})"
            }
        )
    table = req.harm_table or harm_table_default(actor=actor)
    weights = {w.crime_type: w.weight for w in table.weights.all()}
    counts = store.counts(loaded, include_asb=req.include_asb)
    try:
        harm = harm_lib.harm_by_district(counts, weights, include_asb=req.include_asb)
    except harm_lib.CrimeDataError as exc:
        raise FormulaInputError(str(exc)) from exc
    crimes: dict[str, int] = {}
    for (district, _crime_type), n in counts.items():
        crimes[district] = crimes.get(district, 0) + n
    areas = districts()
    pops = {
        p.area.code: p.value
        for p in PopulationFigure.objects.filter(source=req.population_source).select_related(
            "area"
        )
    }
    problems = []
    for area in areas:
        if area.code not in pops:
            problems.append(
                f"{area.name} has no {POPULATION_SOURCES[req.population_source]} figure"
            )
        if not crimes.get(area.code):
            problems.append(f"{area.name} has no recorded crime in the loaded months")
    uploads = []
    for upload in req.uploads:
        # Plain decimal text, the same whichever database stored it (PostgreSQL keeps the
        # column's six places, SQLite does not): a run's inputs must not depend on the backend.
        values = {
            v.area.code: format(v.value.normalize(), "f")
            for v in upload.values.select_related("area")
        }
        missing = [a.name for a in areas if a.code not in values]
        if missing:
            problems.append(f"Indicator {upload.name} has no value for {', '.join(missing)}")
        uploads.append(
            {
                "name": upload.name,
                "title": upload.title,
                "kind": upload.kind,
                "hash": upload.content_hash,
                "values": values,
            }
        )
    if problems:
        raise FormulaInputError(problems)
    known: set[str] = set(engine.BASE_INDICATORS) | {str(u["name"]) for u in uploads}
    unknown = sorted(set(req.weights) - known)
    if unknown:
        raise FormulaInputError(
            {
                "weights": f"Unknown indicator {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            }
        )
    join: dict[str, Any] = {"mode": "none"}
    if req.join in ("merge", "add"):
        joints = joint_partnerships()
        join = {
            "mode": req.join,
            "groups": {code: members for code, (_, members) in joints.items()},
            "names": {code: name for code, (name, _) in joints.items()},
        }
    previous = None
    if req.previous_year is not None:
        earlier = previous_plf(req.previous_year)
        groups = join.get("groups") or {}
        for code, members in groups.items():
            if code not in earlier and all(m in earlier for m in members):
                earlier[code] = sum((earlier[m] for m in members), Decimal(0))
        # Keep the figures for the areas the formula computes: the partnerships when merged,
        # the districts otherwise.
        members_of = {m for members in groups.values() for m in members}
        if join.get("mode") == "merge":
            final = {a.code for a in areas if a.code not in members_of} | set(groups)
        else:
            final = {a.code for a in areas}
        earlier = {k: v for k, v in earlier.items() if k in final}
        previous = {
            "year": req.previous_year.label,
            "source": "Partnership Locality Fund in the ledger",
            "values": {k: str(v) for k, v in sorted(earlier.items())},
        }
    return {
        "formula_version": calc.FORMULA_VERSION,
        "year": req.year.label,
        "months": loaded,
        "months_missing": [m for m in months if m not in loaded],
        "crime_data_hash": store.content_hash(loaded),
        "include_asb": req.include_asb,
        "harm_weights": {
            "name": table.name,
            "hash": table.content_hash,
            "weights": {k: format(v.normalize(), "f") for k, v in sorted(weights.items())},
        },
        "population": {
            "source": req.population_source,
            "label": POPULATION_SOURCES[req.population_source],
            "values": {a.code: str(pops[a.code]) for a in areas},
        },
        "districts": [{"code": a.code, "name": a.name} for a in areas],
        "crimes": {a.code: str(crimes.get(a.code, 0)) for a in areas},
        "harm": {a.code: format(harm.get(a.code, Decimal(0)).normalize(), "f") for a in areas},
        "uploads": uploads,
        "join": join,
        "previous": previous,
        "params": {
            "pot": str(req.pot),
            "weights": {k: str(v) for k, v in req.weights.items()},
            "unit": str(req.unit),
            "minimum": str(req.minimum),
            "floor_pct": None if req.floor_pct is None else str(req.floor_pct),
            "cap_pct": None if req.cap_pct is None else str(req.cap_pct),
            "phase_in": None if req.phase_in is None else str(req.phase_in),
        },
    }


def _next_reference(year: FinancialYear) -> str:
    count = FormulaRun.objects.filter(year=year).count()
    return f"F{year.label}-{count + 1:03d}"


def formula_run_create(*, actor, req: RunRequest) -> FormulaRun:
    """Compute and store a run with everything it used. Refuses bad input; stores nothing then."""
    require(actor, RUN)
    snapshot = build_snapshot(req, actor=actor)
    try:
        result = engine.compute(snapshot)
    except calc.FormulaError as exc:
        raise FormulaInputError(str(exc)) from exc
    data = engine.canonical(result)
    with transaction.atomic():
        locked(FinancialYear.objects.filter(pk=req.year.pk))
        run = FormulaRun.objects.create(
            reference=_next_reference(req.year),
            year=req.year,
            title=req.title or f"Needs-based allocation of £{req.pot:,} on {req.year} data",
            formula_version=calc.FORMULA_VERSION,
            inputs=snapshot,
            outputs=json.loads(data),
            output_hash=engine.digest(data),
            pot=req.pot,
            created_by=user_of(actor),
        )
        FormulaRunArea.objects.bulk_create(
            [
                FormulaRunArea(run=run, area_code=a.code, area_name=a.name, allocation=a.allocation)
                for a in result.areas
            ]
        )
        audit_record(
            actor=actor,
            action="formula_run.create",
            obj=run,
            after={
                "reference": run.reference,
                "output_hash": run.output_hash,
                "params": snapshot["params"],
            },
        )
        return run


def formula_run_adopt(
    *, actor, run: FormulaRun, year: FinancialYear, status: str = Status.INDICATIVE
) -> FormulaAdoption:
    """Record the run's allocations in the ledger as the year's Partnership Locality Fund."""
    require(actor, RUN, run)
    if FormulaAdoption.objects.filter(run=run).exists():
        raise FormulaInputError("This run has already been adopted")
    _result, identical = formula_run_recompute(run)
    if not identical:
        raise FormulaInputError(
            "Re-running this run does not reproduce its stored output; it cannot be adopted"
        )
    missing = [a.area_name for a in run.areas.all() if organisation_for_area(a.area_code) is None]
    if missing:
        raise FormulaInputError(
            f"No Community Safety Partnership is recorded for {', '.join(missing)}"
        )
    with transaction.atomic():
        adoption = FormulaAdoption.objects.create(run=run, year=year, adopted_by=user_of(actor))
        created = []
        for area in run.areas.all():
            reach = Area.objects.filter(code=area.area_code).first()
            created.append(
                budget_services.allocation_create(
                    actor=actor,
                    year=year,
                    amounts={"FY": area.allocation},
                    organisation=organisation_for_area(area.area_code),
                    initiative=f"Partnership Locality Fund {year}: {area.area_name}",
                    mechanism=Mechanism.PARTNERSHIP_LOCALITY_FUND,
                    status=status,
                    reach=reach,
                    comment=f"Needs-based formula run {run.reference} (output {run.output_hash[:12]})",
                    source=f"Formula run {run.reference}",
                    reason=f"Adopted formula run {run.reference}",
                    authority=RUN,
                )
            )
        adoption.allocations.set(created)
        audit_record(
            actor=actor,
            action="formula_run.adopt",
            obj=run,
            after={
                "year": year.label,
                "allocations": [a.reference for a in created],
                "status": status,
            },
        )
        return adoption
