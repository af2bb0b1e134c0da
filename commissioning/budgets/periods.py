"""Periods within a financial year (1 April to 31 March)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodSpec:
    code: str
    label: str
    first_month: int  # 0 = April
    months: int
    granularity: str


PERIODS: dict[str, PeriodSpec] = {
    "FY": PeriodSpec("FY", "Whole year", 0, 12, "year"),
    "H1": PeriodSpec("H1", "April to September", 0, 6, "half"),
    "H2": PeriodSpec("H2", "October to March", 6, 6, "half"),
    "Q1": PeriodSpec("Q1", "April to June", 0, 3, "quarter"),
    "Q2": PeriodSpec("Q2", "July to September", 3, 3, "quarter"),
    "Q3": PeriodSpec("Q3", "October to December", 6, 3, "quarter"),
    "Q4": PeriodSpec("Q4", "January to March", 9, 3, "quarter"),
}
PERIOD_ORDER = ["H1", "H2", "Q1", "Q2", "Q3", "Q4", "FY"]
PERIOD_CHOICES = [(code, PERIODS[code].label) for code in PERIOD_ORDER]


def first_year_of(day: dt.date) -> int:
    """The calendar year a day's financial year starts in: 2013 for 27 August 2013 and for
    5 March 2014."""
    return day.year if day.month >= 4 else day.year - 1


def year_label_of(day: dt.date) -> str:
    """The label of a day's financial year, like "2013/14"."""
    first = first_year_of(day)
    return f"{first}/{(first + 1) % 100:02d}"


YEAR_LABEL = re.compile(r"^(\d{4})[/-](\d{2})$")


def year_start_of_label(label: str) -> dt.date:
    """1 April of a financial year named like "2024/25" (or "2024-25"), whether or not the
    product holds a budget for it; ValueError in words for anything else."""
    match = YEAR_LABEL.match(label.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"“{label}” is not a financial year: write it like 2024/25")
    return dt.date(int(match[1]), 4, 1)


def year_months(year_start: dt.date) -> list[str]:
    """The twelve months of the financial year starting on `year_start`, as "YYYY-MM"."""
    return [month_start(year_start, n).strftime("%Y-%m") for n in range(12)]


def ordered(codes) -> list[str]:
    return sorted(set(codes), key=PERIOD_ORDER.index)


def month_start(year_start: dt.date, offset: int) -> dt.date:
    month = (year_start.month - 1 + offset) % 12 + 1
    year = year_start.year + (year_start.month - 1 + offset) // 12
    return dt.date(year, month, 1)


def period_dates(year_start: dt.date, code: str) -> tuple[dt.date, dt.date]:
    spec = PERIODS[code]
    start = month_start(year_start, spec.first_month)
    end = month_start(year_start, spec.first_month + spec.months) - dt.timedelta(days=1)
    return start, end


def period_for_range(year_start: dt.date, first: dt.date, last: dt.date) -> str | None:
    """The period code whose months are exactly first..last within the year, or None."""
    for code in PERIOD_ORDER:
        start, end = period_dates(year_start, code)
        if start == first and end.replace(day=1) == last.replace(day=1):
            return code
    return None


def check_granularity(codes) -> str | None:
    """An allocation's amounts are all whole-year, all halves or all quarters."""
    kinds = {PERIODS[c].granularity for c in codes}
    if len(kinds) > 1:
        return "amounts must be all by half-year, all by quarter, or for the whole year, not a mix"
    return None
