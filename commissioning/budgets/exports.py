"""Tables and allocation lists as CSV, XLSX and JSON. Amounts stay Decimal throughout:
CSV and JSON carry them as exact decimal strings, XLSX as numbers with a money format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from .periods import ordered
from .tables import ACROSS_ALL_THEMES, Line

ALLOCATION_COLUMNS = [
    "year",
    "reference",
    "organisation",
    "initiative",
    "mechanism",
    "theme",
    "primary_priority",
    "secondary_priority",
    "reach",
    "status",
    "comment",
]


def allocation_records(
    year_label: str, lines: Sequence[Line]
) -> tuple[list[str], list[dict[str, Any]]]:
    periods = ordered(p for line in lines for p in line.amounts)
    columns = [*ALLOCATION_COLUMNS, *periods, "total"]
    records = []
    for line in lines:
        record: dict[str, Any] = {
            "year": year_label,
            "reference": line.reference,
            "organisation": line.organisation,
            "initiative": line.initiative,
            "mechanism": line.mechanism,
            "theme": line.theme or ACROSS_ALL_THEMES,
            "primary_priority": line.primary_priority.split(" ")[0]
            if line.primary_priority
            else "",
            "secondary_priority": line.secondary_priority.split(" ")[0]
            if line.secondary_priority
            else "",
            "reach": line.reach_code or line.reach,
            "status": line.status,
            "comment": line.comment,
        }
        for p in periods:
            record[p] = line.amounts.get(p, Decimal("0.00"))
        record["total"] = line.total
        records.append(record)
    return columns, records


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def to_csv(columns: Sequence[str], records: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_text(record.get(c, "")) for c in columns])
    return out.getvalue()


def to_json(columns: Sequence[str], records: Sequence[dict[str, Any]], **meta: Any) -> str:
    rows = [
        {c: (_text(r[c]) if isinstance(r.get(c), Decimal) else r.get(c, "")) for c in columns}
        for r in records
    ]
    return json.dumps(
        {**meta, "columns": list(columns), "rows": rows}, indent=2, ensure_ascii=False
    )


MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"


def to_xlsx(columns: Sequence[str], records: Sequence[dict[str, Any]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for record in records:
        ws.append([record.get(c, "") for c in columns])
        bold = record.get("row_type") in {"subtotal", "total", "grand_total"}
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal | int | float):
                cell.number_format = MONEY_FORMAT
            if bold:
                cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def table_columns(periods: Sequence[str]) -> list[str]:
    return [
        "row_type",
        "group",
        "reference",
        "organisation",
        "initiative",
        "mechanism",
        "theme",
        "primary_priority",
        "secondary_priority",
        "reach",
        "status",
        *periods,
        "total",
    ]
