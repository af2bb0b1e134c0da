"""Load the LLR example: the papers' plan, budgets and allocation tables, written as data
files in `llr/` (see docs/dev/example-data-format.md), into the database through the same
services an officer uses, so every allocation has its ledger entries and audit events.

One transaction: if any row is wrong, nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.budgets import services as budget_services
from commissioning.budgets.models import (
    Allocation,
    FinancialYear,
    Scope,
    SourceDocument,
    SourceRow,
    SourceRowAmount,
    SourceTable,
    StatedFigure,
)
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.audit import audit_record
from commissioning.core.money import to_money
from commissioning.formula.models import PopulationFigure
from commissioning.formula.services import POPULATION_SOURCES, harm_table_default
from commissioning.mtfs import loader as mtfs_loader
from commissioning.organisations.models import Area, Organisation, OrganisationAlias
from commissioning.plans.models import (
    CommissioningIntention,
    IntentionEstimate,
    Plan,
    StrategicPriority,
    Theme,
)

LLR_DIR = Path(__file__).resolve().parent / "llr"


class ExampleDataError(Exception):
    pass


def _csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}


def _yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _money(value: Any, where: str) -> Decimal:
    try:
        return to_money(str(value))
    except ValueError as exc:
        raise ExampleDataError(f"{where}: {exc}") from None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def is_loaded() -> bool:
    return SourceDocument.objects.filter(key="000").exists()


def load_llr(*, actor=COMMAND_LINE, directory: Path = LLR_DIR) -> dict[str, int]:
    """Load the example (on the command line, unless another actor is given); returns counts.
    Does nothing if it is already loaded."""
    if is_loaded():
        return {}
    with transaction.atomic():
        loader = _Loader(actor, directory)
        counts = loader.run()
        marker = SourceDocument.objects.get(key="000")
        audit_record(
            actor=actor, action="example.load", obj=marker, after=counts, reason="LLR example"
        )
        return counts


class _Loader:
    def __init__(self, actor, directory: Path):
        self.actor = actor
        self.dir = directory
        self.areas: dict[str, Area] = {}
        self.orgs: dict[str, Organisation] = {}
        self.themes: dict[int, Theme] = {}
        self.priorities: dict[str, StrategicPriority] = {}
        self.intentions: dict[str, CommissioningIntention] = {}
        self.years: dict[str, FinancialYear] = {}
        self.documents: dict[str, SourceDocument] = {}
        self.streams: dict[tuple[str, str], Any] = {}
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        self.load_sources()
        self.load_areas()
        self.load_organisations()
        self.load_plan()
        self.load_years()
        self.load_intentions()
        self.load_tables()
        self.load_pools()
        self.load_population()
        self.load_mtfs()
        return self.counts

    def load_mtfs(self) -> None:
        try:
            self.counts.update(mtfs_loader.load_file(self.dir / "mtfs.yaml", actor=self.actor))
        except mtfs_loader.MtfsDataError as exc:
            raise ExampleDataError(str(exc)) from None

    def _count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def load_sources(self) -> None:
        for doc in _yaml(self.dir / "sources.yaml")["documents"]:
            self.documents[str(doc["key"])] = SourceDocument.objects.create(
                key=str(doc["key"]),
                file=doc.get("file", ""),
                title=doc["title"],
                reference=doc.get("reference") or "",
                date=_date(doc.get("date")),
                description=doc.get("description") or "",
            )
        self._count("documents", len(self.documents))

    def load_areas(self) -> None:
        rows = list(_csv(self.dir / "areas.csv"))
        for row in rows:
            self.areas[row["code"]] = Area.objects.create(
                code=row["code"], name=row["name"], kind=row["kind"]
            )
        for row in rows:
            members = _split(row.get("member_codes", ""))
            try:
                self.areas[row["code"]].districts.set([self.areas[c] for c in members])
            except KeyError as exc:
                raise ExampleDataError(f"areas.csv {row['code']}: unknown member {exc}") from None
        self._count("areas", len(rows))

    def area(self, code: str, where: str) -> Area | None:
        if not code:
            return None
        try:
            return self.areas[code]
        except KeyError:
            raise ExampleDataError(f"{where}: unknown area code {code}") from None

    def load_organisations(self) -> None:
        for row in _csv(self.dir / "organisations.csv"):
            org = Organisation.objects.create(
                key=row["key"],
                name=row["name"],
                kind=row["kind"],
                charity_number=row.get("charity_number", ""),
                company_number=row.get("company_number", ""),
                org_id=row.get("org_id", ""),
                area=self.area(row.get("area_code", ""), f"organisations.csv {row['key']}"),
                notes=row.get("notes", ""),
            )
            for alias in _split(row.get("aliases", "")):
                if alias.lower() != org.name.lower():
                    OrganisationAlias.objects.create(organisation=org, name=alias)
            self.orgs[org.key] = org
        self._count("organisations", len(self.orgs))

    def load_plan(self) -> None:
        data = _yaml(self.dir / "plan.yaml")
        p = data["plan"]
        starts, ends = _date(p["starts"]), _date(p["ends"])
        if starts is None or ends is None:
            raise ExampleDataError("plan.yaml: the plan needs starts and ends dates")
        plan = Plan.objects.create(
            title=p["title"],
            starts=starts,
            ends=ends,
            source=p.get("source", ""),
        )
        for t in data["themes"]:
            self.themes[int(t["number"])] = Theme.objects.create(
                plan=plan, number=int(t["number"]), title=t["title"], aliases=t.get("aliases") or []
            )
        for sp in data["priorities"]:
            code = sp["code"]
            self.priorities[code] = StrategicPriority.objects.create(
                plan=plan,
                code=code,
                number=int(code.removeprefix("SP")),
                title=sp["title"],
                theme=self.themes[int(sp["theme"])],
            )
        self.plan = plan
        self._count("priorities", len(self.priorities))

    def year(self, label: str) -> FinancialYear:
        if label not in self.years:
            self.years[label] = budget_services.financial_year_get_or_create(
                actor=self.actor, label=label
            )
        return self.years[label]

    def load_years(self) -> None:
        data = _yaml(self.dir / "years.yaml")
        years = data["years"] if isinstance(data, dict) and "years" in data else data
        for y in years:
            year = self.year(str(y["label"]))
            for s in y.get("streams") or []:
                stream = budget_services.funding_stream_create(
                    actor=self.actor,
                    year=year,
                    name=s["name"],
                    amount=_money(s["amount"], f"years.yaml {year} stream {s['name']}"),
                    kind=s["kind"],
                    source_body=s.get("source_body") or "",
                    ring_fenced=bool(s.get("ring_fenced")),
                    conditions=s.get("conditions") or "",
                    reserve_name=s.get("reserve") or "",
                    cite=s.get("cite") or "",
                )
                self.streams[(year.label, stream.name)] = stream
                self._count("funding streams")
            for b in y.get("budget_lines") or []:
                reserve_name = (
                    (b.get("reserve") or b["name"])
                    if (b.get("reserve") or b.get("is_reserve"))
                    else ""
                )
                budget_services.budget_line_create(
                    actor=self.actor,
                    year=year,
                    name=b["name"],
                    mechanism="" if b.get("is_reserve") else b["mechanism"],
                    amount=_money(b["amount"], f"years.yaml {year} line {b['name']}"),
                    capped=bool(b.get("capped")),
                    is_reserve=bool(b.get("is_reserve")),
                    reserve_name=reserve_name,
                    stated_as=str(b.get("stated_as") or ""),
                    cite=b.get("cite") or "",
                )
                self._count("budget lines")
            for f in y.get("stated") or []:
                StatedFigure.objects.create(
                    year=year,
                    label=f.get("label") or f["measure"],
                    scope=Scope.MEASURE,
                    measure=f["measure"],
                    amount=_money(f["amount"], f"years.yaml {year} stated {f.get('label')}"),
                    precision=int(f.get("precision") or 1),
                    stated_as=str(f.get("stated_as") or ""),
                    cite=f.get("cite") or "",
                )
                self._count("stated figures")

    def load_population(self) -> None:
        """ONS population figures for the nine districts (population.csv, from the ONS reference)."""
        harm_table_default(actor=self.actor)

        columns = {
            "census2021": "pop_census2021",
            "census2011": "pop_census2011",
            "mye2020": "pop_mye2020",
            "mye2019": "pop_mye2019",
        }
        for row in _csv(self.dir / "population.csv"):
            area = self.area(row["lad_code"], "population.csv")
            if area is None:
                raise ExampleDataError("population.csv: a row has no lad_code")
            for source, column in columns.items():
                PopulationFigure.objects.create(
                    area=area,
                    source=source,
                    label=POPULATION_SOURCES[source],
                    value=int(row[column]),
                )
                self._count("population figures")

    def load_intentions(self) -> None:
        for row in _csv(self.dir / "intentions.csv"):
            ci = CommissioningIntention.objects.create(
                plan=self.plan,
                code=row["code"],
                earlier_codes=_split(row.get("earlier_codes", "")),
                description=row["description"],
                purchasing_systems=_split(row.get("purchasing_systems", "")),
                current_provider=row.get("current_provider", ""),
                comment=row.get("comment", ""),
                source=row.get("source", ""),
            )
            codes = _split(row["priorities"])
            ci.priorities.set(
                [p for c in codes if (p := self.priority(c, f"intentions.csv {ci.code}"))]
            )
            self.intentions[ci.code] = ci
        for i, row in enumerate(_csv(self.dir / "intention_estimates.csv"), start=2):
            where = f"intention_estimates.csv line {i}"
            IntentionEstimate.objects.create(
                intention=self.intentions[row["code"]],
                year=self.year(row["year"]),
                kind=row["kind"],
                mechanism=row.get("mechanism", ""),
                area=self.area(row.get("area_code", ""), where),
                provider_as_stated=row.get("provider_as_stated", ""),
                amount=_money(row["amount"], where),
                source=row.get("source", ""),
            )
            self._count("intention estimates")
        self._count("intentions", len(self.intentions))

    def priority(self, code: str, where: str) -> StrategicPriority | None:
        if not code:
            return None
        try:
            return self.priorities[code]
        except KeyError:
            raise ExampleDataError(f"{where}: unknown strategic priority {code}") from None

    def load_tables(self) -> None:
        tables = []
        for meta_path in sorted((self.dir / "tables").glob("*.yaml")):
            meta = _yaml(meta_path)
            rows = list(_csv(meta_path.with_suffix(".csv")))
            tables.append((meta, rows))
        allocations: dict[tuple[str, str], Allocation] = {}
        # First every defining row, so citing rows in any table find their allocation.
        for meta, rows in tables:
            year = self.year(str(meta["year"]))
            doc = self.documents.get(str(meta.get("document")))
            for row in rows:
                amounts = {p: row.get(f"amount_{p}", "") for p in meta["periods"]}
                if not any(amounts.values()):
                    continue
                key = (year.label, row["allocation_key"])
                where = f"{meta['key']} row {row['row']}"
                if key in allocations:
                    raise ExampleDataError(f"{where}: {row['allocation_key']} is defined twice")
                allocations[key] = self.allocation(year, doc, meta, row, amounts, where)
        for meta, rows in tables:
            year = self.year(str(meta["year"]))
            table = SourceTable.objects.create(
                key=meta["key"],
                year=year,
                document=self.documents.get(str(meta.get("document"))),
                name=meta["name"],
                periods=meta["periods"],
                period_labels=meta.get("period_labels") or {},
            )
            for row in rows:
                where = f"{meta['key']} row {row['row']}"
                key = (year.label, row.get("allocation_key", ""))
                allocation = allocations.get(key) if row.get("allocation_key") else None
                if row.get("allocation_key") and allocation is None:
                    raise ExampleDataError(
                        f"{where}: cites {row['allocation_key']}, defined nowhere"
                    )
                source_row = SourceRow.objects.create(
                    table=table,
                    row=int(row["row"]),
                    group=row.get("group", ""),
                    allocation=allocation,
                    defines=any(row.get(f"amount_{p}") for p in meta["periods"]),
                    organisation_as_stated=row.get("organisation_as_stated", ""),
                    initiative_as_stated=row.get("initiative", ""),
                    theme_as_stated=row.get("theme_as_stated", ""),
                    priorities_as_stated=row.get("priorities_as_stated", ""),
                    reach_as_stated=row.get("reach_as_stated", ""),
                    note=row.get("note", ""),
                )
                for period in [*meta["periods"], ""]:
                    value = row.get(f"stated_{period}" if period else "stated_total", "")
                    if value:
                        SourceRowAmount.objects.create(
                            row=source_row,
                            period=period,
                            amount=_money(value, f"{where} stated {period}"),
                        )
                self._count("source rows")
            for total in meta.get("totals") or []:
                for period in [*meta["periods"], "total"]:
                    if total.get(period) in (None, ""):
                        continue
                    StatedFigure.objects.create(
                        year=year,
                        table=table,
                        label=total["label"],
                        scope=total["scope"],
                        group=total.get("group") or "",
                        period="" if period == "total" else period,
                        amount=_money(total[period], f"{meta['key']} total {total['label']}"),
                        precision=int(total.get("precision") or 1),
                        stated_as=str(total.get("stated_as") or ""),
                        cite=total.get("cite") or "",
                    )
                    self._count("stated figures")
            self._count("tables")
        self._count("allocations", len(allocations))

    def load_pools(self) -> None:
        """Co-commissioning pools, their contributions and awards (pools.yaml)."""
        path = self.dir / "pools.yaml"
        if not path.exists():
            return
        for entry in _yaml(path).get("pools") or []:
            where = f"pools.yaml {entry.get('slug')}"
            year = self.year(str(entry["year"]))
            try:
                pool = budget_services.pool_create(
                    actor=self.actor,
                    year=year,
                    slug=entry["slug"],
                    name=entry["name"],
                    host=self.orgs.get(entry["host"]),
                    purpose=entry["purpose"],
                    agreed_total=entry["agreed_total"],
                    cite=entry.get("cite") or "",
                )
                for c in entry.get("contributions") or []:
                    allocation = None
                    if c.get("allocation"):
                        allocation = Allocation.objects.get(year=year, example_key=c["allocation"])
                    budget_services.pool_contribute(
                        actor=self.actor,
                        pool=pool,
                        contributor=self.orgs.get(c["contributor"]),
                        amount=c["amount"],
                        status=c["status"],
                        period=c.get("period") or "FY",
                        conditions=c.get("conditions") or "",
                        allocation=allocation,
                        illustrative=bool(c.get("illustrative")),
                        cite=c.get("cite") or "",
                    )
                    self._count("pool contributions")
                for a in entry.get("awards") or []:
                    budget_services.allocation_create(
                        actor=self.actor,
                        year=year,
                        amounts={a.get("period") or "FY": a["amount"]},
                        funding="pooled",
                        pool=pool,
                        organisation=self.orgs[a["organisation"]],
                        initiative=a["initiative"],
                        mechanism=a["mechanism"],
                        theme=self.themes[int(a["theme"])] if a.get("theme") else None,
                        primary_priority=self.priority(a.get("primary_sp", ""), where),
                        intention=self.intentions.get(a.get("intention", "")),
                        status="committed",
                        comment="Illustrative: the papers do not give the pool's awards"
                        if a.get("illustrative")
                        else "",
                        source=where,
                        reason="Loaded from the LLR example (pools.yaml)",
                    )
                    self._count("pool awards")
            except (ValidationError, KeyError, Allocation.DoesNotExist) as exc:
                raise ExampleDataError(f"{where}: {exc}") from exc
            self._count("pools")

    def allocation(self, year, doc, meta, row, amounts, where) -> Allocation:
        try:
            org = self.orgs[row["organisation_key"]]
        except KeyError:
            raise ExampleDataError(
                f"{where}: unknown organisation {row['organisation_key']}"
            ) from None
        theme = self.themes[int(row["theme"])] if row.get("theme") else None
        intention = self.intentions.get(row["intention"]) if row.get("intention") else None
        if row.get("intention") and intention is None:
            raise ExampleDataError(f"{where}: unknown intention {row['intention']}")
        stream = None
        if row.get("funding_stream"):
            stream = self.streams.get((year.label, row["funding_stream"]))
            if stream is None:
                raise ExampleDataError(f"{where}: unknown funding stream {row['funding_stream']}")
        comment = row.get("comment", "")
        source = f"{doc.key if doc else ''} {meta['name']}, row {row['row']}".strip()
        try:
            return budget_services.allocation_create(
                actor=self.actor,
                year=year,
                amounts={p: v for p, v in amounts.items() if v},
                example_key=row["allocation_key"],
                organisation=org,
                initiative=row["initiative"] or row.get("organisation_as_stated") or org.name,
                mechanism=row["mechanism"],
                theme=theme,
                primary_priority=self.priority(row.get("primary_sp", ""), where),
                secondary_priority=self.priority(row.get("secondary_sp", ""), where),
                intention=intention,
                reach=self.area(row.get("reach", ""), where),
                reach_as_stated=row.get("reach_as_stated", ""),
                funding_stream=stream,
                status=row.get("status") or "committed",
                comment=comment,
                source=source,
                funding=row.get("funding") or "cash",
                valuation_basis=row.get("valuation_basis", ""),
                reason="Loaded from the papers (LLR example)",
            )
        except Exception as exc:
            raise ExampleDataError(f"{where}: {exc}") from exc
