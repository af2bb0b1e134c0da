"""A 360Giving grants package flattened to the standard's spreadsheet: one row a grant, the
standard's column titles ("Recipient Org:Identifier"), as rows, CSV text or an XLSX workbook.
Amounts stay exact: Decimal in the workbook's cells with a money format, digits as they are in
CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

_ORGANISATION_COLUMNS = (
    ("id", "Identifier"),
    ("name", "Name"),
    ("charityNumber", "Charity Number"),
    ("companyNumber", "Company Number"),
    ("streetAddress", "Street Address"),
    ("addressLocality", "City"),
    ("addressRegion", "County"),
    ("addressCountry", "Country"),
    ("postalCode", "Postal Code"),
    ("organisationType", "Organisation Type"),
    ("url", "Web Address"),
    ("location/0/name", "Location:Name"),
    ("location/0/countryCode", "Location:Country Code"),
    ("location/0/geoCode", "Location:Geographic Code"),
    ("location/0/geoCodeType", "Location:Geographic Code Type"),
)


def _organisation_columns(role: str, title: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (f"{role}/0/{path}", f"{title}:{column}") for path, column in _ORGANISATION_COLUMNS
    )


#: The standard's column titles for the fields this module writes, in the standard's order
#: (from 360giving_grant_columns.csv; the index 0 stands for any position in a list).
COLUMN_TITLES: tuple[tuple[str, str], ...] = (
    ("id", "Identifier"),
    ("title", "Title"),
    ("description", "Description"),
    ("currency", "Currency"),
    ("amountAppliedFor", "Amount Applied For"),
    ("amountAwarded", "Amount Awarded"),
    ("amountDisbursed", "Amount Disbursed"),
    ("awardDate", "Award Date"),
    ("url", "URL"),
    ("plannedDates/0/startDate", "Planned Dates:Start Date"),
    ("plannedDates/0/endDate", "Planned Dates:End Date"),
    ("plannedDates/0/duration", "Planned Dates:Duration (months)"),
    *_organisation_columns("recipientOrganization", "Recipient Org"),
    ("beneficiaryLocation/0/name", "Beneficiary Location:Name"),
    ("beneficiaryLocation/0/countryCode", "Beneficiary Location:Country Code"),
    ("beneficiaryLocation/0/geoCode", "Beneficiary Location:Geographic Code"),
    ("beneficiaryLocation/0/geoCodeType", "Beneficiary Location:Geographic Code Type"),
    *_organisation_columns("fundingOrganization", "Funding Org"),
    ("grantProgramme/0/code", "Grant Programme:Code"),
    ("grantProgramme/0/title", "Grant Programme:Title"),
    ("grantProgramme/0/url", "Grant Programme:URL"),
    ("fromOpenCall", "From An Open Call?"),
    ("classifications/0/vocabulary", "Classifications:Vocabulary"),
    ("classifications/0/code", "Classifications:Code"),
    ("classifications/0/title", "Classifications:Title"),
    ("relatedDocument/0/id", "Related Document:Identifier"),
    ("relatedDocument/0/title", "Related Document:Title"),
    ("relatedDocument/0/url", "Related Document:Web Address"),
    ("relatedDocument/0/documentType", "Related Document:Document Type"),
    ("relatedActivity", "Related Activity"),
    ("dateModified", "Last Modified"),
    ("dataSource", "Data Source"),
)

_TITLE_OF = dict(COLUMN_TITLES)
_POSITION_OF = {path: n for n, (path, _) in enumerate(COLUMN_TITLES)}
#: The position of the first column of each top-level field, so that a list's columns stay
#: together: ``{"beneficiaryLocation": 27, ...}``.
_GROUP_OF: dict[str, int] = {}
for _position, (_path, _) in enumerate(COLUMN_TITLES):
    _GROUP_OF.setdefault(_path.split("/")[0], _position)

JsonPath = tuple[str | int, ...]


def _leaves(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Any]]:
    """Every scalar in a grant with its path; a list of scalars is one cell, joined by ";"
    as flatten-tool does."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in value):
            yield path, ";".join(str(item) for item in value)
        else:
            for n, item in enumerate(value):
                yield from _leaves(item, (*path, n))
    else:
        yield path, value


def _generic(path: JsonPath) -> str:
    return "/".join("0" if isinstance(p, int) else p for p in path)


def _array_key(path: JsonPath, upto: int) -> str:
    return _generic(path[:upto])


def _title(path: JsonPath, numbered: set[str]) -> str:
    """flatten-tool's title for ``path``: the standard's title, with the position after a
    list's title only where some grant has more than one item in that list
    (``Beneficiary Location:1:Name``)."""
    generic = _generic(path)
    names = [p for p in path if isinstance(p, str)]
    titled = _TITLE_OF.get(generic)
    segments = titled.split(":") if titled else names
    if len(segments) != len(names):  # a title that does not follow the path: leave it whole
        return titled or ":".join(names)
    out: list[str] = []
    name_no = 0
    for n, part in enumerate(path):
        if isinstance(part, int):
            if _array_key(path, n) in numbered:
                out.append(str(part))
        else:
            out.append(segments[name_no])
            name_no += 1
    return ":".join(out)


def rows(package: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The package's grants as a table, one row a grant, headed by the standard's column
    titles in the standard's order. A list that some grant holds more than one of (two
    beneficiary districts, three plan priorities) gets numbered columns as flatten-tool
    writes them: ``Beneficiary Location:0:Name``, ``Beneficiary Location:1:Name``. Fields
    outside the standard come last, headed by their JSON name (``decisionReference``).
    Amounts stay numbers (``int`` or ``Decimal``)."""
    grants = [dict(_leaves(g)) for g in package.get("grants", [])]
    lengths: dict[str, int] = {}
    first_seen: dict[JsonPath, int] = {}
    for cells in grants:
        for path in cells:
            first_seen.setdefault(path, len(first_seen))
            for n, part in enumerate(path):
                if isinstance(part, int):
                    key = _array_key(path, n)
                    lengths[key] = max(lengths.get(key, 0), part + 1)
    numbered = {key for key, length in lengths.items() if length > 1}
    unknown = len(COLUMN_TITLES)

    def order(path: JsonPath) -> tuple[int, int, tuple[int, ...], int]:
        """Standard columns in the standard's order, the columns of one list item together
        (all of location 0, then all of location 1); other fields after, as first met."""
        own = _POSITION_OF.get(_generic(path))
        if own is None:
            return (1, unknown + first_seen[path], (), 0)
        indices = tuple(p for p in path if isinstance(p, int))
        return (0, _GROUP_OF[str(path[0])], indices, own)

    paths = sorted(first_seen, key=order)
    headers = [_title(p, numbered) for p in paths]
    table = [[cells.get(p, "") for p in paths] for cells in grants]
    return headers, table


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def csv_text(package: Mapping[str, Any]) -> str:
    """The spreadsheet of :func:`rows` as CSV text (amounts as their exact digits)."""
    headers, table = rows(package)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in table:
        writer.writerow([_cell_text(v) for v in row])
    return out.getvalue()


AMOUNT_FORMAT = "#,##0.00"


def workbook(package: Mapping[str, Any]) -> bytes:
    """The spreadsheet of :func:`rows` as an XLSX workbook with one sheet, ``grants`` (the
    sheet name 360Giving's tools expect). Amounts are number cells; text is always text,
    even when it begins with ``=``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    headers, table = rows(package)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "grants"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    amount_columns = {n for n, h in enumerate(headers) if h.startswith("Amount ")}
    for r, row in enumerate(table, start=2):
        for c, value in enumerate(row):
            cell = sheet.cell(row=r, column=c + 1)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # never a formula
            else:
                cell.value = value
                if c in amount_columns:
                    cell.number_format = AMOUNT_FORMAT
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


__all__ = ["COLUMN_TITLES", "csv_text", "rows", "workbook"]
