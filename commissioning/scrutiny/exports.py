"""The outcomes pack as JSON, XLSX and (in `pdf`) a PDF for a Panel meeting: the same figures
as the page, from one `selectors.OutcomesPack`. Nothing about a person is in any of them: the
pack holds only figures by theme, priority and intention, and the reoffending cohorts' aggregate
measures with small counts withheld (no organisation's contact, no return's narrative, no
cohort record or pseudonym)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from commissioning.cohorts.measures import Measure as CohortMeasure
from commissioning.core.downloads import sheet_title

from .format import (
    COHORT_METHOD,
    COHORTS_TITLE,
    NOTES,
    SYNTHETIC,
    TITLE,
    cohorts_none,
    cohorts_withheld,
    withheld_reason,
)
from .rollup import COUNT, PERCENT, POUNDS, RAGS, Figures, IntentionRow, IntentionTable
from .selectors import CohortSection, OutcomesPack

MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
PERCENT_FORMAT = "0.0"
COHORT_PERCENT_FORMAT = "0.00"


def pack_filename(pack: OutcomesPack, fmt: str) -> str:
    return f"panel-pack-{pack.year.slug}.{fmt}"


def pack_file(pack: OutcomesPack, fmt: str) -> bytes | str:
    if fmt == "xlsx":
        return pack_xlsx(pack)
    if fmt == "pdf":
        from .pdf import pack_pdf

        return pack_pdf(pack)
    if fmt == "json":
        return pack_json_text(pack)
    raise ValueError(f"the pack is xlsx, pdf or json, not {fmt!r}")


# --- JSON ---------------------------------------------------------------------------------


def _intention(row: IntentionRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "intention": row.description,
        "estimate": row.estimate,
        "committed": row.money.committed,
        "indicative": row.money.indicative,
        "paid": row.money.paid,
        "committed_less_estimate": row.difference,
    }


def _intentions(table: IntentionTable) -> dict[str, Any]:
    return {
        "rows": [_intention(r) for r in table.rows],
        "all_intentions": _intention(table.subtotal),
        "not_linked": _intention(table.not_linked),
        "total": _intention(table.total),
    }


def _cohort_row(m: CohortMeasure) -> dict[str, Any]:
    """A cohort row: counts as numbers, percentages as Decimals (written as decimal strings);
    a withheld row has no figure at all, only nulls, `suppressed` and its reason."""
    shown = not m.suppressed
    return {
        "cohort": m.cohort,
        "area_code": m.area_code,
        "area_name": m.area_name,
        "offenders": m.offenders,
        "excluded": m.excluded,
        "reduction_pct": m.reduction_pct,
        "target_pct": m.target_pct if shown else None,
        "meeting_target": m.meeting_target,
        "meeting_target_pct": m.meeting_target_pct,
        "suppressed": m.suppressed,
        "reason": m.reason,
    }


def _cohort_section(section: CohortSection) -> dict[str, Any]:
    return {
        "title": section.title,
        "name": section.name,
        "period": section.period_label,
        "synthetic": section.synthetic,
        "target_pct": section.target_pct,
        "rows": [_cohort_row(m) for m in section.rows],
    }


def cohorts_json(pack: OutcomesPack) -> dict[str, Any]:
    """The reoffending cohorts measured for the pack's year, small counts withheld."""
    return {
        "year": pack.year.label,
        "method": COHORT_METHOD,
        "withheld": cohorts_withheld(pack.cohort_threshold),
        "suppress_under": pack.cohort_threshold,
        "message": None if pack.cohorts else cohorts_none(pack.year.label),
        "uploads": [_cohort_section(s) for s in pack.cohorts],
    }


def pack_json(pack: OutcomesPack) -> dict[str, Any]:
    """The pack as plain data (amounts as Decimals: `pack_json_text` writes them exactly)."""
    rollup = pack.rollup
    return {
        "title": TITLE,
        "year": pack.year.label,
        "plan": pack.plan,
        "agreements": pack.agreements,
        "returns_accepted": pack.returns_accepted,
        "themes": [
            {
                "theme": g.theme.number,
                "title": g.theme.title,
                "priorities": [
                    {"code": r.key, "priority": r.label, **r.figures.as_dict()} for r in g.rows
                ],
                "total": g.subtotal.as_dict(),
            }
            for g in rollup.groups
        ],
        "not_linked_to_a_priority": rollup.not_linked.figures.as_dict(),
        "total": rollup.total.as_dict(),
        "year_on_year": {
            "years": pack.years,
            "rows": [
                {
                    "kind": row.kind,
                    "label": row.label,
                    "years": {y: f.as_dict() for y, f in row.by_year.items()},
                }
                for row in pack.year_on_year
            ],
        },
        "intentions": {"year": pack.year.label, **_intentions(pack.intentions)},
        "intentions_by_year": {
            label: _intentions(pack.intentions_by_year[label]) for label in pack.intention_years
        },
        "cohorts": cohorts_json(pack),
        "notes": list(NOTES),
    }


def _exact(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def pack_json_text(pack: OutcomesPack) -> str:
    return json.dumps(pack_json(pack), indent=2, ensure_ascii=False, default=_exact) + "\n"


# --- XLSX ---------------------------------------------------------------------------------

UNIT_COLUMNS = (
    (COUNT, "Number"),
    (POUNDS, "Pounds"),
    (PERCENT, "Percentage (mean)"),
)
OUTCOME_COLUMNS = (
    "Theme",
    "Priority",
    "Measures",
    *[
        f"{label}: {what}"
        for _, label in UNIT_COLUMNS
        for what in ("target for the year", "target for returns accepted", "actual")
    ],
    "Achieved (numbers) %",
    "Returns rated green",
    "Returns rated amber",
    "Returns rated red",
    "Budget for the year",
    "Profile for returns accepted",
    "Spent (returns accepted)",
    "Spent of profile %",
)


COHORT_COLUMNS = (
    "Cohort",
    "Area",
    "Area code",
    "Offenders measured",
    "Excluded",
    "Cohort reduction %",
    "Target %",
    "Offenders meeting the target",
    "Offenders meeting the target %",
    "Withheld",
)
COHORT_PERCENT_COLUMNS = {
    COHORT_COLUMNS.index(c) + 1
    for c in ("Cohort reduction %", "Target %", "Offenders meeting the target %")
}


def _cohort_cells(m: CohortMeasure) -> list[Any]:
    """A cohort row's cells: figures as numbers; a withheld row none, only why."""
    if m.suppressed:
        return [m.cohort, m.area_name, m.area_code, *[None] * 6, withheld_reason(m.reason)]
    return [
        m.cohort,
        m.area_name,
        m.area_code,
        m.offenders,
        m.excluded,
        m.reduction_pct,
        m.target_pct,
        m.meeting_target,
        m.meeting_target_pct,
        None,
    ]


def _figure_cells(f: Figures) -> list[Any]:
    cells: list[Any] = [f.measures]
    for unit, _ in UNIT_COLUMNS:
        u = f.units.get(unit)
        if u is None:
            cells += [None, None, None]
        else:
            cells += [u.target_shown, u.reported_target_shown, u.actual_shown]
    cells += [f.achieved, *[f.rag[r] for r in RAGS], f.budget, f.profiled, f.spent]
    cells.append(f.spent_of_profile)
    return cells


def pack_xlsx(pack: OutcomesPack) -> bytes:
    """The pack as a workbook: the outcomes by theme and priority, the years side by side,
    the intentions of the year and by year, the reoffending cohorts and the notes on how it
    is counted."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wb = Workbook()

    def sheet(title: str, heading: str, columns: list[str] | tuple[str, ...]):
        ws = wb.create_sheet(sheet_title(title))
        ws.append([heading])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([f"{pack.plan}. Financial year {pack.year.label}."])
        ws.append([])
        ws.append(list(columns))
        for cell in ws[ws.max_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=3)
        return ws

    def row(ws, values: list[Any], *, strong: bool = False, money_from: int = 0, pct=()):
        ws.append(values)
        for i, cell in enumerate(ws[ws.max_row], start=1):
            if strong:
                cell.font = bold
            if isinstance(cell.value, Decimal):
                if i in pct:
                    cell.number_format = PERCENT_FORMAT
                elif money_from and i >= money_from:
                    cell.number_format = MONEY_FORMAT

    first = wb.active
    assert first is not None
    wb.remove(first)

    # Outcomes by theme and priority
    ws = sheet(f"Outcomes {pack.year.slug}", f"{TITLE}: {pack.year.label}", OUTCOME_COLUMNS)
    money_cols = {OUTCOME_COLUMNS.index(c) + 1 for c in OUTCOME_COLUMNS if c.startswith("Pounds")}
    money_cols |= {OUTCOME_COLUMNS.index(c) + 1 for c in OUTCOME_COLUMNS[-4:-1]}
    pct_cols = {OUTCOME_COLUMNS.index("Achieved (numbers) %") + 1, len(OUTCOME_COLUMNS)}

    def outcome_row(theme: str, label: str, f: Figures, strong: bool = False) -> None:
        ws.append([theme, label, *_figure_cells(f)])
        for i, cell in enumerate(ws[ws.max_row], start=1):
            if strong:
                cell.font = bold
            if isinstance(cell.value, Decimal) and i in pct_cols:
                cell.number_format = PERCENT_FORMAT
            elif isinstance(cell.value, Decimal) and i in money_cols:
                cell.number_format = MONEY_FORMAT

    for g in pack.rollup.groups:
        for r in g.rows:
            outcome_row(g.label, r.label, r.figures)
        outcome_row(g.label, f"Total {g.label}", g.subtotal, strong=True)
    outcome_row("", pack.rollup.not_linked.label, pack.rollup.not_linked.figures)
    outcome_row("", "Total", pack.rollup.total, strong=True)

    # Year on year
    per_year = ("Measures", "Achieved (numbers) %", "Budget", "Spent", "Green", "Amber", "Red")
    ws = sheet(
        "Year on year",
        f"{TITLE}: year on year",
        ["Kind", "Theme or priority", *[f"{y} {c}" for y in pack.years for c in per_year]],
    )
    n = len(per_year)
    for yoy in pack.year_on_year:
        cells: list[Any] = [yoy.kind, yoy.label]
        for y in pack.years:
            f = yoy.by_year[y]
            cells += [f.measures, f.achieved, f.budget, f.spent, *[f.rag[r] for r in RAGS]]
        row(
            ws,
            cells,
            strong=yoy.kind in ("theme", "total"),
            money_from=3,
            pct={3 + i * n + 1 for i in range(len(pack.years))},
        )

    # Commissioning intentions of the year
    ws = sheet(
        f"Intentions {pack.year.slug}",
        f"Commissioning intentions: {pack.year.label}",
        [
            "Code",
            "Intention",
            "Estimate",
            "Committed",
            "Indicative",
            "Paid",
            "Committed less estimate",
        ],
    )
    table = pack.intentions
    for line in table.every_row():
        m = line.money
        cells = [line.code, line.description, line.estimate, m.committed, m.indicative, m.paid]
        cells.append(line.difference)
        row(
            ws,
            cells,
            strong=line in (table.subtotal, table.total),
            money_from=3,
        )
    ws.column_dimensions["B"].width = 60

    # Commissioning intentions by year
    ws = sheet(
        "Intentions by year",
        "Commissioning intentions: estimates and the ledger, year by year",
        [
            "Code",
            "Intention",
            *[f"{y} {c}" for y in pack.intention_years for c in ("estimate", "committed", "paid")],
        ],
    )
    for entry in pack.intentions_side_by_side():
        cells = [entry["code"], entry["description"]]
        for cell in entry["years"]:
            cells += [cell["estimate"], cell["committed"], cell["paid"]]
        row(ws, cells, strong=entry["kind"] in ("subtotal", "total"), money_from=3)
    ws.column_dimensions["B"].width = 60

    # Reoffending cohorts
    ws = wb.create_sheet(COHORTS_TITLE)
    ws.append([f"{COHORTS_TITLE}, {pack.year.label}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([COHORT_METHOD])
    ws.append([cohorts_withheld(pack.cohort_threshold)])
    if not pack.cohorts:
        ws.append([])
        ws.append([cohorts_none(pack.year.label)])
    for section in pack.cohorts:
        ws.append([])
        ws.append([section.title])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=12)
        if section.synthetic:
            ws.append([f"{SYNTHETIC}."])
            ws.cell(row=ws.max_row, column=1).font = bold
        ws.append([f"Period measured: {section.period_label}"])
        ws.append(list(COHORT_COLUMNS))
        for cell in ws[ws.max_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for group in section.groups:
            for measure in group.rows:
                ws.append(_cohort_cells(measure))
                for i, cell in enumerate(ws[ws.max_row], start=1):
                    if measure.is_all:
                        cell.font = bold
                    if isinstance(cell.value, Decimal) and i in COHORT_PERCENT_COLUMNS:
                        cell.number_format = COHORT_PERCENT_FORMAT
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 28

    # Notes
    ws = wb.create_sheet("Notes")
    ws.append([f"{TITLE}: how the pack counts"])
    ws["A1"].font = Font(bold=True, size=14)
    for note in NOTES:
        ws.append([note])
    ws.column_dimensions["A"].width = 120

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
