"""The one way a page hands over a table or a file: CSV, XLSX and JSON from the same columns
and records, and any generated file (PDF, JSON) as a download. Amounts stay Decimal
throughout: CSV and JSON carry them as exact decimal strings, XLSX as numbers with a money
format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"
PDF = "application/pdf"
TABLE_FORMATS = ("csv", "xlsx", "json")
MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"


# A spreadsheet takes text that starts with one of these as a formula: text from people
# (an initiative, a comment, an organisation's name) could then run in the reader's
# spreadsheet. Such text is written as text: in CSV after an apostrophe, which spreadsheets
# take as "this is text" (OWASP's advice for CSV injection); in XLSX as a string cell.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if looks_like_formula(value):
        return "'" + value
    return str(value)


def csv_chunks(columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The table as CSV text in pieces of a thousand rows, written as `records` is read."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for n, record in enumerate(records, start=1):
        writer.writerow([_text(record.get(c, "")) for c in columns])
        if n % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def to_csv(columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> str:
    return "".join(csv_chunks(columns, records))


def _json_value(value: Any) -> Any:
    """Amounts as exact decimal strings, dates as ISO 8601; everything else as it is."""
    if isinstance(value, Decimal):
        return _text(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def json_chunks(
    columns: Sequence[str], records: Iterable[Mapping[str, Any]], **meta: Any
) -> Iterator[str]:
    """The text of `to_json`, in pieces of 500 rows, written as `records` is read."""
    head = {**meta, "columns": list(columns)}
    text = json.dumps({**head, "rows": [None]}, indent=2, ensure_ascii=False)
    before, after = text.rsplit("null", 1)  # the one null: where the rows go
    pieces = [before]
    count = 0
    for record in records:
        row = {c: _json_value(record.get(c, "")) for c in columns}
        # A row is two levels in: each of its lines four spaces further in (a JSON string
        # holds no raw newline, so every newline is the layout's).
        pieces.append(("" if count == 0 else ",\n    ") + _dumps_row(row))
        count += 1
        if count % 500 == 0:
            yield "".join(pieces)
            pieces = []
    if count == 0:
        yield json.dumps({**head, "rows": []}, indent=2, ensure_ascii=False)
        return
    pieces.append(after)
    yield "".join(pieces)


def _dumps_row(row: Mapping[str, Any]) -> str:
    return json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n    ")


def to_json(columns: Sequence[str], records: Iterable[Mapping[str, Any]], **meta: Any) -> str:
    return "".join(json_chunks(columns, records, **meta))


_SHEET_FORBIDDEN = str.maketrans({c: "-" for c in "\\/?*[]:"})


def sheet_title(title: str) -> str:
    """A title Excel accepts for a sheet: none of \\ / ? * [ ] :, at most 31 characters."""
    return title.translate(_SHEET_FORBIDDEN)[:31] or "Sheet"


BOLD_ROWS = {"subtotal", "total", "grand_total"}


def write_xlsx(
    columns: Sequence[str], records: Iterable[Mapping[str, Any]], *, title: str, file: IO[bytes]
) -> None:
    """The table as an XLSX workbook written to `file` row by row (core.xlsx): the header bold
    and frozen, numbers in the money format, subtotal and total rows bold, text always text."""
    from .xlsx import SheetWriter

    with SheetWriter(file, sheet_title(title), number_format=MONEY_FORMAT) as sheet:
        sheet.append(columns, bold=True)
        for record in records:
            sheet.append(
                [record.get(c, "") for c in columns], bold=record.get("row_type") in BOLD_ROWS
            )


def to_xlsx(columns: Sequence[str], records: Iterable[Mapping[str, Any]], title: str) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(columns, records, title=title, file=buffer)
    return buffer.getvalue()


def xlsx_file(
    columns: Sequence[str], records: Iterable[Mapping[str, Any]], *, title: str
) -> IO[bytes]:
    """`write_xlsx` to a temporary file, ready to be read from its start."""
    file = tempfile.TemporaryFile()
    write_xlsx(columns, records, title=title, file=file)
    file.seek(0)
    return file


def file_response(
    content: bytes | str | Iterable[bytes | str] | IO[bytes],
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
) -> HttpResponseBase:
    """A generated file: as a download, or `inline` for the browser to show (PDFs).

    `content` is the whole file (bytes or text); or an open file, sent as it is read and
    closed after; or an iterable of pieces (bytes or text), each sent as it is made, so a
    large export is never held whole."""
    response: HttpResponseBase
    if isinstance(content, bytes | str):
        response = HttpResponse(content, content_type=content_type)
    elif hasattr(content, "read"):
        response = FileResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def headings_of(columns: Sequence[str], **words: str) -> dict[str, str]:
    """Headings for people from column keys: "maximum_sum" reads "Maximum sum"; `words`
    gives any that need more than that ("rag" = "RAG rating")."""
    return {c: words.get(c) or c.replace("_", " ").capitalize() for c in columns}


def table_response(
    columns: Sequence[str],
    records: Iterable[Mapping[str, Any]],
    *,
    fmt: str,
    name: str,
    title: str,
    headings: Mapping[str, str] | None = None,
    **meta: Any,
) -> HttpResponseBase:
    """The table as `name.csv`, `name.xlsx` or `name.json`; any other format is a 404.

    Records given as a list make a response built whole; records given as an iterator
    (rows read from the database in chunks) make one written as they are read: CSV and JSON
    streamed, XLSX written to a temporary file and sent from it.

    `headings` gives the spreadsheet's column headings for people, by column key ("share_pct"
    to "Share of the pot"): CSV and XLSX carry them, JSON keeps the keys, for programs."""
    if fmt not in TABLE_FORMATS:
        raise Http404("No such format")
    whole = isinstance(records, Sequence)
    if headings and fmt != "json":
        named = dict(headings)
        keyed = records
        columns = [named.get(c, c) for c in columns]
        records = (
            [{named.get(k, k): v for k, v in r.items()} for r in keyed]
            if whole
            else ({named.get(k, k): v for k, v in r.items()} for r in keyed)
        )
    content: bytes | str | Iterable[str] | IO[bytes]
    if fmt == "csv":
        content = to_csv(columns, records) if whole else csv_chunks(columns, records)
        content_type = CSV
    elif fmt == "xlsx":
        content = (
            to_xlsx(columns, records, title=title)
            if whole
            else xlsx_file(columns, records, title=title)
        )
        content_type = XLSX
    else:
        content = (
            to_json(columns, records, title=title, **meta)
            if whole
            else json_chunks(columns, records, title=title, **meta)
        )
        content_type = JSON
    return file_response(content, filename=f"{name}.{fmt}", content_type=content_type)
