"""A 360Giving grants package flattened to the standard's spreadsheet: one row a grant, the
standard's column titles ("Recipient Org:Identifier"), as rows, CSV text or an XLSX workbook.
Amounts stay exact: Decimal in the workbook's cells with a money format, digits as they are in
CSV."""

from __future__ import annotations

import csv
import io
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import IO, Any

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


#: Values that are certainly scalars, by exact type: no need to look inside.
_SCALAR = frozenset({str, int, Decimal, float, bool, type(None)})


def _leaves(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Any]]:
    """Every scalar in a grant with its path; a list of scalars is one cell, joined by ";"
    as flatten-tool does."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if type(item) in _SCALAR:
                yield (*path, key), item
            else:
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


class _Spool:
    """Grants flattened to cells, kept on disk until the header is known: each grant as the
    number of its shape (the paths of its cells, in order) and the tuple of its values.
    Grants of one shape (most of them) share the work of placing their columns."""

    BATCH = 1000

    def __init__(self, grants: Iterable[Mapping[str, Any]]) -> None:
        self.shapes: dict[tuple[JsonPath, ...], int] = {}
        self.first_seen: dict[JsonPath, int] = {}
        self.lengths: dict[str, int] = {}
        self.file: IO[bytes] = tempfile.TemporaryFile()
        batch: list[tuple[int, tuple[Any, ...]]] = []
        for grant in grants:
            cells = dict(_leaves(grant))
            shape = tuple(cells)
            number = self.shapes.get(shape)
            if number is None:
                number = self.shapes[shape] = len(self.shapes)
                self._learn(shape)
            batch.append((number, tuple(cells.values())))
            if len(batch) == self.BATCH:
                pickle.dump(batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        if batch:
            pickle.dump(batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.file.seek(0)

    def _learn(self, shape: tuple[JsonPath, ...]) -> None:
        for path in shape:
            self.first_seen.setdefault(path, len(self.first_seen))
            for n, part in enumerate(path):
                if isinstance(part, int):
                    key = _array_key(path, n)
                    self.lengths[key] = max(self.lengths.get(key, 0), part + 1)

    def table(self) -> tuple[list[str], Iterator[list[Any]]]:
        numbered = {key for key, length in self.lengths.items() if length > 1}
        unknown = len(COLUMN_TITLES)
        first_seen = self.first_seen

        def order(path: JsonPath) -> tuple[int, int, tuple[int, ...], int]:
            """Standard columns in the standard's order, the columns of one list item
            together (all of location 0, then all of location 1); other fields after, as
            first met."""
            own = _POSITION_OF.get(_generic(path))
            if own is None:
                return (1, unknown + first_seen[path], (), 0)
            indices = tuple(p for p in path if isinstance(p, int))
            return (0, _GROUP_OF[str(path[0])], indices, own)

        paths = sorted(first_seen, key=order)
        headers = [_title(p, numbered) for p in paths]
        placing: dict[int, list[int]] = {}
        for shape, number in self.shapes.items():
            where = {path: n for n, path in enumerate(shape)}
            placing[number] = [where.get(p, -1) for p in paths]
        return headers, self._rows(placing)

    def _rows(self, placing: dict[int, list[int]]) -> Iterator[list[Any]]:
        with self.file:
            while True:
                try:
                    batch = pickle.load(self.file)  # noqa: S301 (our own temporary file)
                except EOFError:
                    return
                for number, values in batch:
                    yield [values[i] if i >= 0 else "" for i in placing[number]]


def table(grants: Iterable[Mapping[str, Any]]) -> tuple[list[str], Iterator[list[Any]]]:
    """:func:`rows` for grants read one at a time (the package's ``grants``, or
    :func:`~commissioning.opendata.giving360.grant_dicts`): the header, once every grant has
    been read, and the rows, read back from a temporary file as they are taken, so that no
    more than a thousand grants are held at once."""
    return _Spool(grants).table()


def rows(package: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The package's grants as a table, one row a grant, headed by the standard's column
    titles in the standard's order. A list that some grant holds more than one of (two
    beneficiary districts, three plan priorities) gets numbered columns as flatten-tool
    writes them: ``Beneficiary Location:0:Name``, ``Beneficiary Location:1:Name``. Fields
    outside the standard come last, headed by their JSON name (``decisionReference``).
    Amounts stay numbers (``int`` or ``Decimal``)."""
    headers, found = table(package.get("grants", []))
    return headers, list(found)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def csv_chunks(grants: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The spreadsheet of :func:`table` as CSV text, in pieces of a thousand rows."""
    headers, found = table(grants)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for n, row in enumerate(found, start=1):
        writer.writerow([_cell_text(v) for v in row])
        if n % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_text(package: Mapping[str, Any]) -> str:
    """The spreadsheet of :func:`rows` as CSV text (amounts as their exact digits)."""
    return "".join(csv_chunks(package.get("grants", [])))


AMOUNT_FORMAT = "#,##0.00"


def write_workbook(grants: Iterable[Mapping[str, Any]], file: IO[bytes]) -> None:
    """The spreadsheet of :func:`table` as an XLSX workbook with one sheet, ``grants`` (the
    sheet name 360Giving's tools expect), written to ``file`` row by row (core.xlsx). Amounts
    are number cells; text is always text, even when it begins with ``=``."""
    from commissioning.core.xlsx import SheetWriter

    headers, found = table(grants)
    amount_columns = {n for n, h in enumerate(headers) if h.startswith("Amount ")}
    with SheetWriter(file, "grants", number_format=AMOUNT_FORMAT) as sheet:
        sheet.append(headers, bold=True)
        for row in found:
            sheet.append(row, formatted=amount_columns)


def workbook(package: Mapping[str, Any]) -> bytes:
    """The spreadsheet of :func:`rows` as XLSX bytes (see :func:`write_workbook`)."""
    buffer = io.BytesIO()
    write_workbook(package.get("grants", []), buffer)
    return buffer.getvalue()


__all__ = [
    "COLUMN_TITLES",
    "csv_chunks",
    "csv_text",
    "rows",
    "table",
    "workbook",
    "write_workbook",
]
