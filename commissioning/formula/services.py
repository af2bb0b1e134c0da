"""Writes for needs-based allocation: weight tables, indicator uploads, runs and adoption."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commissioning.budgets import services as budget_services
from commissioning.budgets.models import FinancialYear, Mechanism, Status
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.files import accept_upload
from commissioning.core.jobs import job_start
from commissioning.core.locks import locked
from commissioning.core.models import Job
from commissioning.core.money import money_text
from commissioning.core.permissions import require
from commissioning.core.templatetags.govuk import money
from commissioning.core.uploads import display_name
from commissioning.crime import harm as harm_lib
from commissioning.crime.police_uk import EXPECTED_COLUMNS, STREET_FILE_RE
from commissioning.crime.store import IngestReport
from commissioning.organisations.models import Area

from . import calc, engine, late, vli
from .errors import FormulaInputError
from .models import (
    CRIME_INGEST_JOB,
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

CRIME_UPLOADS = "uploads/crime"  # where uploaded police.uk files are kept, by content hash
_MB = 1024 * 1024


def crime_ingest(
    paths: Sequence[Path],
    *,
    actor,
    progress: bool = False,
    names: Mapping[str, str] | None = None,
    on_progress: Callable[[str, int, int], object] | None = None,
) -> IngestReport:
    """Load police.uk files into the crime store (all or nothing) and record that it happened.

    `progress` draws the command line's bar; `on_progress(stage, done, total)` reports to a
    job's page; `names` gives the names uploaded files are known by (see CrimeStore.ingest)."""
    require(actor, RUN)
    store = crime_store()
    report = store.ingest(
        list(paths), lookup=lsoa_lookup(), progress=progress, names=names, on_progress=on_progress
    )
    # The counts are committed and readable; now name the files read by their sha256, as a run
    # will (ADR 17). A file gone already is named when it is loaded again.
    store.hash_pending(loads=report.months, on_progress=on_progress)
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


def crime_ingest_start(*, actor, files: Sequence[tuple[str, bytes]]) -> Job:
    """Check and keep uploaded police.uk files (street-level CSVs, or zip archives of them)
    and start a background job that loads them (`formula.jobs`). The same files while their
    load is queued or running give back that job rather than a second one."""
    require(actor, RUN)
    if not files:
        raise FormulaInputError({"files": "Choose one or more police.uk files to load"})
    kept = []
    with transaction.atomic():
        for name, data in files:
            checked = accept_upload(
                name,
                data,
                field="files",
                folder=CRIME_UPLOADS,
                allowed={"csv", "zip"},
                max_bytes=settings.CRIME_UPLOAD_MAX_MB * _MB,
            )
            _check_police_uk_upload(checked.original_name, checked.extension, data)
            kept.append(
                {
                    "stored": f"{CRIME_UPLOADS}/{checked.safe_name}",
                    "name": name,
                    "sha256": checked.sha256,
                }
            )
        key = hashlib.sha256("\n".join(sorted(f["sha256"] for f in kept)).encode()).hexdigest()
        listed = ", ".join(f["name"] for f in kept[:3]) + (
            f" and {len(kept) - 3} more" if len(kept) > 3 else ""
        )
        return job_start(
            actor=actor,
            kind=CRIME_INGEST_JOB,
            key=key,
            title=f"Load police.uk crime data: {listed}"[:200],
            params={"files": kept},
            link=("crime-data", []),
        )


def _check_police_uk_upload(name: str, extension: str, data: bytes) -> None:
    """Refuse at once what cannot be police.uk street-level data, naming the problem."""
    example = "2024-03-leicestershire-street.csv"
    if extension == "csv":
        if not STREET_FILE_RE.match(name):
            raise FormulaInputError(
                {
                    "files": f"“{display_name(name)}” is not named as a police.uk street-level file: "
                    f"its name must look like {example} (the month, the force, then -street.csv)"
                }
            )
        header = data.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf").strip().decode("utf-8")
        if tuple(next(csv.reader([header]), [])) != EXPECTED_COLUMNS:
            raise FormulaInputError(
                {
                    "files": f"“{display_name(name)}” does not start with the police.uk street-level "
                    f"columns ({', '.join(EXPECTED_COLUMNS[:4])}, …)"
                }
            )
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [
            Path(n).name
            for n in archive.namelist()
            if n.endswith("-street.csv") and "__MACOSX" not in n
        ]
    if not any(STREET_FILE_RE.match(m) for m in members):
        raise FormulaInputError(
            {
                "files": f"“{display_name(name)}” holds no police.uk street-level files (named like "
                f"{example}): download the street-level crime data from police.uk"
            }
        )


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
    # The late-returns rule, applied when the run is adopted (late.py): "none", "hold" or
    # "reduce"; N returns late by more than D days; P% for a reduction.
    late_action: str = late.NONE
    late_returns: int = 1
    late_days: int = 0
    late_percent: Decimal | None = None


def build_snapshot(req: RunRequest, *, actor) -> dict[str, Any]:
    """Gather every input of a run into one JSON-ready record, checking it as we go (the
    default harm weights are stored for `actor` if this is the first run to need them)."""
    rule = late.late_rule(req.late_action, req.late_returns, req.late_days, req.late_percent)
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
    params: dict[str, Any] = {
        "pot": str(req.pot),
        "weights": {k: str(v) for k, v in req.weights.items()},
        "unit": str(req.unit),
        "minimum": str(req.minimum),
        "floor_pct": None if req.floor_pct is None else str(req.floor_pct),
        "cap_pct": None if req.cap_pct is None else str(req.cap_pct),
        "phase_in": None if req.phase_in is None else str(req.phase_in),
    }
    if rule is not None:
        # Only when a rule is set, so the inputs of runs without one stay as they were.
        params[late.PARAM] = rule.as_params()
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
        "params": params,
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
            title=req.title
            or f"Needs-based allocation of {money_text(req.pot)} on {req.year} data",
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
    *,
    actor,
    run: FormulaRun,
    year: FinancialYear,
    status: str = Status.INDICATIVE,
    today: dt.date | None = None,
) -> FormulaAdoption:
    """Record the run's allocations in the ledger as the year's Partnership Locality Fund.

    A run with a late-returns rule applies it here, area by area (late.py): an area whose
    partnership had the rule's number of returns late in the year before is held
    (recorded indicative whatever `status` asks) or reduced, its allocation's comment says
    so and why, and the adoption records each area's outcome with the returns that
    triggered it. `today` is the day lateness is judged on (today by default)."""
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
    on = today or timezone.localdate()
    rule = late.rule_of(run.inputs)
    before = late.year_before(run.inputs, year) if rule is not None else None
    base_comment = f"Needs-based formula run {run.reference}"  # its fingerprint: the run page
    with transaction.atomic():
        created = []
        outcomes: list[dict[str, Any]] = []
        for area in run.areas.all():
            organisation = organisation_for_area(area.area_code)
            reach = Area.objects.filter(code=area.area_code).first()
            amount, area_status, comment = area.allocation, status, base_comment
            outcome: dict[str, Any] | None = None
            if rule is not None and before is not None:
                found = late.late_returns_for(organisation, before, rule.days, on)
                if late.rule_applies(rule, found):
                    triggering = late.counted(rule, found)
                    amount, area_status, comment = _late_rule_applied(
                        rule, area.allocation, status, base_comment, triggering, before
                    )
                    outcome = {
                        "area_code": area.area_code,
                        "area": area.area_name,
                        "organisation": organisation.name if organisation else "",
                        "organisation_key": organisation.key if organisation else "",
                        "action": rule.action,
                        "percent": rule.as_params()["percent"],
                        "before": str(area.allocation),
                        "after": str(amount),
                        "status": area_status,
                        "year_before": before.label,
                        "days": rule.days,
                        "judged_on": on.isoformat(),
                        "returns": [r.as_record() for r in triggering],
                    }
            allocation = budget_services.allocation_create(
                actor=actor,
                year=year,
                amounts={"FY": amount},
                organisation=organisation,
                initiative=f"Partnership Locality Fund {year}: {area.area_name}",
                mechanism=Mechanism.PARTNERSHIP_LOCALITY_FUND,
                status=area_status,
                reach=reach,
                comment=comment,
                source=f"Formula run {run.reference}",
                reason=f"Adopted formula run {run.reference}"
                + (" (late-returns rule applied)" if outcome else ""),
                authority=RUN,
            )
            created.append(allocation)
            if outcome is not None:
                outcomes.append({**outcome, "allocation": allocation.reference})
        adoption = FormulaAdoption.objects.create(
            run=run, year=year, adopted_by=user_of(actor), late_returns=outcomes
        )
        adoption.allocations.set(created)
        after: dict[str, Any] = {
            "year": year.label,
            "allocations": [a.reference for a in created],
            "status": status,
        }
        if rule is not None and before is not None:
            after["late_rule"] = rule.as_params()
            after["late_returns_year"] = before.label
            after["late_returns_judged_on"] = on.isoformat()
            after["late_returns"] = outcomes
        audit_record(actor=actor, action="formula_run.adopt", obj=run, after=after)
        return adoption


def _late_rule_applied(
    rule: late.LateRule,
    amount: Decimal,
    status: str,
    comment: str,
    triggering: Sequence[late.LateReturn],
    year_before: FinancialYear,
) -> tuple[Decimal, str, str]:
    """An area's amount, status and comment once the late-returns rule has applied to it."""
    count = len(triggering)
    late_words = "late" if rule.days == 0 else f"late by more than {rule.days:,} days"
    why = (
        f"{count} monitoring return{'s' if count != 1 else ''} due in {year_before.label} "
        f"{late_words}: " + "; ".join(r.describe() for r in triggering)
    )
    if rule.action == late.HOLD:
        return (
            amount,
            Status.INDICATIVE,
            f"{comment}. Held under the run's late-returns rule (indicative until the returns "
            f"are in): {why}.",
        )
    assert rule.percent is not None
    after = late.reduced(amount, rule.percent)
    return (
        after,
        status,
        f"{comment}. Reduced by {rule.as_params()['percent']}% from {money(amount)} to "
        f"{money(after)} under the run's late-returns rule ({money(amount - after)} stays "
        f"unallocated in the fund): {why}.",
    )
