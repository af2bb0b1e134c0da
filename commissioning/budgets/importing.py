"""Importing a user's own allocations from CSV or XLSX.

Every row is checked before anything is written; if any row is wrong the report names each
row and field and nothing is written. If every row is good, all are written in one
transaction (so a capped line refusing row 40 also leaves rows 1-39 unwritten).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.core.money import to_money
from commissioning.core.permissions import require
from commissioning.organisations.models import Area, Organisation
from commissioning.plans.models import StrategicPriority, Theme
from commissioning.plans.rules import priority_fits_theme

from . import services
from .exports import ALLOCATION_COLUMNS
from .models import FinancialYear, Funding, Mechanism, Status
from .periods import PERIODS, period_for_range
from .permissions import ALLOCATIONS_CHANGE
from .selectors import current_versions

MAX_ROWS = 5000
# The longest text a cell may hold (an initiative, a comment). Longer cells are refused by row
# and column. The CSV reader's own limit is raised to the upload limit so that it is this
# check, naming the cell, that refuses them, not the reader's error.
MAX_CELL = 2000
csv.field_size_limit(max(csv.field_size_limit(), 8 * 1024 * 1024))
REQUIRED = ("organisation", "initiative", "mechanism")
# An export can be imported again: the same columns, plus the row total it prints.
# Optional: "funding" (cash, the default, or "in kind") and, for support in kind, how it was
# valued ("valuation_basis").
KNOWN = {*ALLOCATION_COLUMNS, "total", "funding", "valuation_basis"}
FUNDING_WORDS = {"": Funding.CASH, "cash": Funding.CASH, "in kind": Funding.IN_KIND}
RANGE = re.compile(r"^(\d{4})-(\d{2})\s*(?:\.\.|/|to)\s*(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Problem:
    row: int  # spreadsheet row number (the header is row 1); 0 for the file as a whole
    field: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        return (
            f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportFileError(Exception):
    pass


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts of text, header names lower-cased."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError("the file is not UTF-8 text; save it as CSV UTF-8") from None
        reader = csv.reader(io.StringIO(text))
        rows = list(reader)
        return _as_dicts(rows)
    raise ImportFileError("choose a .csv or .xlsx file")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Spreadsheet numbers arrive as binary floats: take their shortest decimal spelling.
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(content: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError("the file could not be read as an Excel workbook (.xlsx)") from None
    ws = wb.worksheets[0]
    rows = [
        [_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True, max_row=MAX_ROWS + 2)
    ]
    return _as_dicts(rows)


def _as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    if not rows:
        raise ImportFileError("the file is empty")
    header = [h.strip().lower().replace(" ", "_") for h in rows[0]]
    out: list[dict[str, str]] = []
    for raw in rows[1:]:
        if not any(str(c).strip() for c in raw):
            out.append({})  # keep numbering: blank lines are reported if in the middle
            continue
        out.append(
            {header[i]: str(raw[i]).strip() for i in range(min(len(header), len(raw))) if header[i]}
        )
    while out and not out[-1]:
        out.pop()
    if len(out) > MAX_ROWS:
        raise ImportFileError(f"the file has more than {MAX_ROWS} rows; split it")
    return out


class _Lookups:
    def __init__(self, year: FinancialYear):
        self.orgs: dict[str, Organisation] = {}
        for org in Organisation.objects.prefetch_related("aliases"):
            for name in [org.name, org.key, *(a.name for a in org.aliases.all())]:
                self.orgs[name.lower()] = org
        self.themes: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            for name in [str(theme.number), theme.title, *theme.aliases]:
                self.themes[name.lower()] = theme
        self.priorities = {p.code.lower(): p for p in StrategicPriority.objects.all()}
        self.areas: dict[str, Area] = {}
        for area in Area.objects.all():
            self.areas[area.code.lower()] = area
            self.areas.setdefault(area.name.lower(), area)
        self.mechanisms = {code: code for code in Mechanism.values}
        self.mechanisms.update({label.lower(): code for code, label in Mechanism.choices})
        self.existing = {
            (v.organisation_id, v.initiative.strip().lower())
            for v in current_versions(year).exclude(status=Status.CANCELLED)
        }


def _period_columns(
    year: FinancialYear, header: set[str], problems: list[Problem]
) -> dict[str, str]:
    """Map each amount column of the file to a period code of the year."""
    columns: dict[str, str] = {}
    for name in sorted(header - KNOWN):
        code = name.upper()
        if code in PERIODS:
            columns[name] = code
            continue
        match = RANGE.match(name)
        if match:
            y1, m1, y2, m2 = (int(g) for g in match.groups())
            try:
                first, last = dt.date(y1, m1, 1), dt.date(y2, m2, 1)
            except ValueError:
                problems.append(Problem(1, name, "is not a month range like 2013-04..2013-09"))
                continue
            if first < year.starts or last > year.ends:
                problems.append(
                    Problem(
                        1,
                        name,
                        f"this period is outside the financial year {year} (April {year.starts.year} to March {year.ends.year})",
                    )
                )
                continue
            found = period_for_range(year.starts, first, last)
            if found is None:
                problems.append(Problem(1, name, "is not a whole quarter, half-year or year"))
                continue
            columns[name] = found
            continue
        problems.append(
            Problem(
                1,
                name,
                "is not a column this import knows (see the template); amounts go in FY, H1, H2 or Q1-Q4",
            )
        )
    if not columns and not problems:
        problems.append(Problem(1, "", "there is no amount column: add FY, H1 and H2, or Q1 to Q4"))
    return columns


def check_rows(
    year: FinancialYear, rows: list[dict[str, str]]
) -> tuple[list[Problem], list[dict[str, Any]]]:
    problems: list[Problem] = []
    if not rows:
        return [Problem(0, "", "there are no rows under the header")], []
    header: set[str] = set().union(*(r.keys() for r in rows))
    for column in REQUIRED:
        if column not in header:
            problems.append(Problem(1, column, "this column is missing"))
    periods = _period_columns(year, header, problems)
    if problems:
        return problems, []
    look = _Lookups(year)
    seen: dict[tuple[int, str], int] = {}
    clean_rows: list[dict[str, Any]] = []
    for index, row in enumerate(rows, start=2):
        if not row:
            problems.append(Problem(index, "", "the row is empty"))
            continue
        long_cells = [
            Problem(index, column, f"is {len(text):,} characters long; at most {MAX_CELL:,}")
            for column, text in row.items()
            if len(text) > MAX_CELL
        ]
        if long_cells:
            problems.extend(long_cells)
            continue
        errs: list[Problem] = []

        def bad(
            field_name: str, message: str, index: int = index, errs: list[Problem] = errs
        ) -> None:
            errs.append(Problem(index, field_name, message))

        if row.get("year") and row["year"].replace("-", "/") != year.label:
            bad("year", f"“{row['year']}” is not {year.label}, the year being imported")
        org = look.orgs.get(row.get("organisation", "").lower())
        if not row.get("organisation"):
            bad("organisation", "is blank")
        elif org is None:
            bad(
                "organisation", f"“{row['organisation']}” is not a known organisation; add it first"
            )
        initiative = row.get("initiative", "")
        if not initiative:
            bad("initiative", "is blank")
        mechanism = look.mechanisms.get(row.get("mechanism", "").lower())
        if mechanism is None:
            bad("mechanism", f"“{row.get('mechanism', '')}” is not a funding mechanism")
        theme = None
        if row.get("theme"):
            theme = look.themes.get(row["theme"].lower())
            if theme is None:
                bad("theme", f"“{row['theme']}” is not a theme of the plan")
        prios = {}
        for column in ("primary_priority", "secondary_priority"):
            if row.get(column):
                prio = look.priorities.get(row[column].lower())
                if prio is None:
                    bad(column, f"“{row[column]}” is not a strategic priority (SP1 to SP17)")
                prios[column] = prio
        primary = prios.get("primary_priority")
        if primary is not None and not priority_fits_theme(primary, theme):
            bad("primary_priority", f"{primary.code} belongs to another theme than {theme}")
        reach = None
        if row.get("reach"):
            reach = look.areas.get(row["reach"].lower())
            if reach is None:
                bad("reach", f"“{row['reach']}” is not a known area code or name")
        status = (row.get("status") or Status.INDICATIVE).lower()
        if status not in {Status.INDICATIVE, Status.COMMITTED}:
            bad("status", f"“{row.get('status')}” is not indicative or committed")
        funding = FUNDING_WORDS.get(
            " ".join(row.get("funding", "").lower().replace("_", " ").replace("-", " ").split())
        )
        if funding is None:
            bad("funding", f"“{row.get('funding')}” is not cash or in kind")
        valuation_basis = row.get("valuation_basis", "")
        if valuation_basis and funding is not None and funding != Funding.IN_KIND:
            bad("valuation_basis", "is only for support in kind: leave it blank for cash")
        amounts: dict[str, Decimal] = {}
        for column, code in periods.items():
            raw = row.get(column, "")
            if raw == "":
                continue
            try:
                value = to_money(raw)
            except ValueError as exc:
                bad(column, str(exc))
                continue
            if value < 0:
                bad(column, f"{raw} is negative; amounts must be zero or more")
                continue
            if code in amounts:
                bad(column, f"a second amount for {code}")
            amounts[code] = value
        if not amounts and not any(e.field in periods for e in errs):
            bad("amounts", "no amount in any period column")
        if row.get("total") and amounts:
            try:
                stated = to_money(row["total"])
                if stated != sum(amounts.values()):
                    bad(
                        "total",
                        f"{stated:,} is not the sum of the period amounts ({sum(amounts.values()):,})",
                    )
            except ValueError as exc:
                bad("total", str(exc))
        if org is not None and initiative:
            key = (org.pk, initiative.strip().lower())
            if key in seen:
                bad("initiative", f"duplicates row {seen[key]} (same organisation and initiative)")
            elif key in look.existing:
                bad(
                    "initiative",
                    f"{org.name} already has “{initiative}” in {year}; vary that allocation instead",
                )
            else:
                seen[key] = index
        if not errs:
            clean_rows.append(
                {
                    "row": index,
                    "organisation": org,
                    "initiative": initiative,
                    "mechanism": mechanism,
                    "theme": theme,
                    "primary_priority": prios.get("primary_priority"),
                    "secondary_priority": prios.get("secondary_priority"),
                    "reach": reach,
                    "status": status,
                    "comment": row.get("comment", ""),
                    "amounts": amounts,
                    "funding": funding,
                    "valuation_basis": valuation_basis,
                }
            )
        problems.extend(errs)
    return problems, clean_rows


def import_allocations(
    *, actor, year: FinancialYear, filename: str, content: bytes
) -> ImportReport:
    """Check every row of the file, then write all of them in one transaction, or none."""
    require(actor, ALLOCATIONS_CHANGE, year)
    report = ImportReport()
    try:
        rows = read_table(filename, content)
    except ImportFileError as exc:
        report.problems.append(Problem(0, "", str(exc)))
        return report
    report.rows = len(rows)
    problems, clean = check_rows(year, rows)
    if problems:
        report.problems = problems
        return report
    try:
        with transaction.atomic():
            for item in clean:
                row_number = item.pop("row")
                try:
                    allocation = services.allocation_create(
                        actor=actor,
                        year=year,
                        source=f"Import {filename}, row {row_number}",
                        reason=f"Imported from {filename}",
                        **item,
                    )
                except ValidationError as exc:
                    report.problems.append(Problem(row_number, "", " ".join(exc.messages)))
                    raise
                report.created.append(allocation.reference)
    except ValidationError:
        report.created = []
    return report
