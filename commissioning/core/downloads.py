"""The one way a page hands over a table or a file: CSV, XLSX and JSON from the same columns
and records, and any generated file (PDF, JSON) as a download. Amounts stay Decimal
throughout: CSV and JSON carry them as exact decimal strings, XLSX as numbers with a money
format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"
PDF = "application/pdf"
TABLE_FORMATS = ("csv", "xlsx", "json")
MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"


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


def _json_value(value: Any) -> Any:
    """Amounts as exact decimal strings, dates as ISO 8601; everything else as it is."""
    if isinstance(value, Decimal):
        return _text(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def to_json(columns: Sequence[str], records: Sequence[dict[str, Any]], **meta: Any) -> str:
    rows = [{c: _json_value(r.get(c, "")) for c in columns} for r in records]
    return json.dumps(
        {**meta, "columns": list(columns), "rows": rows}, indent=2, ensure_ascii=False
    )


_SHEET_FORBIDDEN = str.maketrans({c: "-" for c in "\\/?*[]:"})


def sheet_title(title: str) -> str:
    """A title Excel accepts for a sheet: none of \\ / ? * [ ] :, at most 31 characters."""
    return title.translate(_SHEET_FORBIDDEN)[:31] or "Sheet"


def to_xlsx(columns: Sequence[str], records: Sequence[dict[str, Any]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title(title)
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


def file_response(
    content: bytes | str, *, filename: str, content_type: str, inline: bool = False
) -> HttpResponse:
    """A generated file: as a download, or `inline` for the browser to show (PDFs)."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def table_response(
    columns: Sequence[str],
    records: Sequence[dict[str, Any]],
    *,
    fmt: str,
    name: str,
    title: str,
    **meta: Any,
) -> HttpResponse:
    """The table as `name.csv`, `name.xlsx` or `name.json`; any other format is a 404."""
    if fmt == "csv":
        return file_response(to_csv(columns, records), filename=f"{name}.csv", content_type=CSV)
    if fmt == "xlsx":
        return file_response(
            to_xlsx(columns, records, title=title), filename=f"{name}.xlsx", content_type=XLSX
        )
    if fmt == "json":
        return file_response(
            to_json(columns, records, title=title, **meta),
            filename=f"{name}.json",
            content_type=JSON,
        )
    raise Http404("No such format")
