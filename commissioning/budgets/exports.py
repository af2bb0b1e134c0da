"""The columns and records of allocation lists, tables and the budget position, for CSV,
XLSX and JSON (written by `core.downloads`). Amounts stay Decimal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from commissioning.core.money import ZERO, percent_text

from .periods import PERIODS, ordered
from .reconcile import KIND_LABELS, Finding
from .selectors import PoolReport, Position, PositionRow
from .tables import Line, line_record

# What describes an allocation, in every export of allocations and tables.
DIMENSION_COLUMNS = [
    "organisation",
    "initiative",
    "mechanism",
    "theme",
    "primary_priority",
    "secondary_priority",
    "reach",
    "status",
]
# `funding` says whose money: cash from the pot, support in kind (valued, not cash), or an
# award from a pooled budget (the pool's money).
ALLOCATION_COLUMNS = ["year", "reference", *DIMENSION_COLUMNS, "funding", "comment"]


def allocation_records(
    year_label: str, lines: Sequence[Line]
) -> tuple[list[str], list[dict[str, Any]]]:
    periods = ordered(p for line in lines for p in line.amounts)
    columns = [*ALLOCATION_COLUMNS, *periods, "total"]
    records = []
    for line in lines:
        record: dict[str, Any] = {
            "year": year_label,
            **line_record(line, coded=True),
            "funding": line.funding,
            "comment": line.comment,
        }
        for p in periods:
            record[p] = line.amounts.get(p, ZERO)
        record["total"] = line.total
        records.append(record)
    return columns, records


def table_columns(periods: Sequence[str]) -> list[str]:
    return ["row_type", "group", "reference", *DIMENSION_COLUMNS, *periods, "total"]


# The year tables' columns as a person reads them, in the CSV and XLSX (the JSON keeps the keys).
TABLE_HEADINGS: dict[str, str] = {
    "row_type": "Row",
    "group": "Group",
    "reference": "Reference",
    "organisation": "Organisation",
    "initiative": "Initiative",
    "mechanism": "Funding mechanism",
    "theme": "Plan theme",
    "primary_priority": "Strategic priority",
    "secondary_priority": "Second priority",
    "reach": "Where",
    "status": "Status",
    **{code: f"{spec.label} ({code})" for code, spec in PERIODS.items() if code != "FY"},
    "FY": "Whole year",
    "total": "Total",
}


def position_record(pos: Position) -> dict[str, Any]:
    """The year's position as JSON-ready data, amounts as exact decimal strings."""

    def row(r: PositionRow) -> dict[str, Any]:
        return {
            "key": r.key,
            "label": r.label,
            "budget": None if r.budget is None else str(r.budget),
            "capped": r.capped,
            "committed": str(r.committed),
            "indicative": str(r.indicative),
            "available": None if r.available is None else str(r.available),
        }

    return {
        "year": pos.year.label,
        "pot": str(pos.pot),
        "streams": [
            {
                "name": s.name,
                "amount": str(s.amount),
                "kind": s.kind,
                "source_body": s.source_body,
                "ring_fenced": s.ring_fenced,
            }
            for s in pos.streams
        ],
        "committed": str(pos.committed),
        "indicative": str(pos.indicative),
        "reserve": str(pos.reserve),
        "carried": str(pos.carried),
        "available": str(pos.available),
        "uncommitted": str(pos.uncommitted),
        "by_mechanism": [row(r) for r in pos.by_mechanism],
        "by_theme": [row(r) for r in pos.by_theme],
        "by_priority": [row(r) for r in pos.by_priority],
        "by_stream": [row(r) for r in pos.by_stream],
        "notes": pos.notes,
    }


# The reconciliation as a table, with human headings; amounts stay Decimal (blank for a
# finding about words), the explanation is the latest.
FINDING_COLUMNS = [
    "Finding",
    "Where",
    "Stated",
    "Printed as",
    "Computed",
    "Difference",
    "Note",
    "Explained",
    "Explanation",
    "Explained by",
    "Explained on",
    "Key",
]


def finding_records(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    records = []
    for f in findings:
        e = f.explanation
        records.append(
            {
                "Finding": KIND_LABELS.get(f.kind, f.kind),
                "Where": f.where,
                "Stated": f.stated,
                "Printed as": f.stated_as,
                "Computed": f.computed,
                "Difference": f.difference,
                "Note": f.note,
                "Explained": "Yes"
                if f.explained
                else ("Figures changed since" if f.figures_changed else "No"),
                "Explanation": e.note if e else "",
                "Explained by": e.by if e else "",
                "Explained on": timezone.localdate(e.on) if e else None,
                "Key": f.key,
            }
        )
    return records


# --- Pooled budgets ---

POOL_COLUMNS = [
    "Partner",
    "Status",
    "Part of the year",
    "Contribution",
    "Share of committed contributions",
    "Share of awards",
    "Share paid",
    "Share unspent",
    "Conditions",
    "Illustrative",
    "Source",
]


def pool_records(report: PoolReport) -> list[dict[str, Any]]:
    """A pool's shares as rows of `POOL_COLUMNS`, and the total committed."""
    rows = []
    for c in report.contributions:
        rows.append(
            {
                "Partner": c.contributor,
                "Status": c.status.capitalize(),
                "Part of the year": c.period,
                "Contribution": c.amount,
                "Share of committed contributions": ""
                if c.share_pct is None
                else percent_text(c.share_pct),
                "Share of awards": "" if c.awarded is None else c.awarded,
                "Share paid": "" if c.paid is None else c.paid,
                "Share unspent": "" if c.unspent is None else c.unspent,
                "Conditions": c.conditions,
                "Illustrative": "Yes" if c.illustrative else "No",
                "Source": c.cite,
            }
        )
    rows.append(
        {
            "Partner": "Total committed",
            "Contribution": report.committed,
            "Share of awards": report.awarded,
            "Share paid": report.paid,
            "Share unspent": report.unspent,
        }
    )
    return rows
