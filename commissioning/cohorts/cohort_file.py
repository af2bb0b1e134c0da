"""Reading a cohort file: all rows or none, every problem named by its row and column.

The file is CSV (UTF-8) with exactly the columns
`pseudonym,cohort,area_code,in_custody,baseline_offences,current_offences`, in any order:

- `pseudonym`: the offender's pseudonym, never a name: letters, digits and `- _ . / :`, no
  spaces, at most 64 characters. The same pseudonym may stand in several cohorts, once in
  each;
- `cohort`: the cohort's name (PPO, IOM, DYO, 16-24, Troubled Families...), spelt the same
  way on every row;
- `area_code`: the ONS code of an area the product knows (such as E06000016 for Leicester);
- `in_custody`: yes or no: in custody throughout the current period;
- `baseline_offences`, `current_offences`: whole numbers, 0 or more.

Pure: the codes of the known areas are passed in. `read_cohort_file` returns the rows or
raises `CohortFileRefused` with every problem (rows are numbered as in a spreadsheet, the
header being row 1); `shown_problems` caps the list for a page or a terminal.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass

from .measures import Offender

COLUMNS = (
    "pseudonym",
    "cohort",
    "area_code",
    "in_custody",
    "baseline_offences",
    "current_offences",
)
MAX_ROWS = 100_000
MAX_COUNT = 10_000  # offences by one person in one period; more is a mistake in the file
MAX_PSEUDONYM = 64
MAX_COHORT = 60
MAX_SHOWN = 50  # problems listed; the rest are counted
PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./:-]*$")
YES = "yes"
NO = "no"

csv.field_size_limit(max(csv.field_size_limit(), 1024 * 1024))


@dataclass(frozen=True)
class Problem:
    row: int  # the header is row 1; 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


class CohortFileRefused(ValueError):
    """The file was not read: every problem in `problems`."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the cohort file")


def shown_problems(problems: list[Problem], limit: int = MAX_SHOWN) -> list[str]:
    """The first `limit` problems as sentences, and a line counting the rest."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        rest = len(problems) - limit
        lines.append(f"… and {rest:,} more problem{'s' if rest != 1 else ''} not listed")
    return lines


@dataclass(frozen=True)
class Row:
    row: int
    pseudonym: str
    cohort: str
    area_code: str
    in_custody: bool
    baseline: int
    current: int

    def offender(self) -> Offender:
        return Offender(
            cohort=self.cohort,
            area_code=self.area_code,
            in_custody=self.in_custody,
            baseline=self.baseline,
            current=self.current,
        )


def _count(text: str, row: int, column: str, problems: list[Problem]) -> int | None:
    if text == "":
        problems.append(Problem(row, column, "is blank: give the number of offences, 0 or more"))
        return None
    if re.fullmatch(r"-\s*\d+", text):
        problems.append(Problem(row, column, f"{text} is negative: a count is 0 or more"))
        return None
    if not text.isascii() or not text.isdigit():
        problems.append(Problem(row, column, f"“{text[:30]}” is not a whole number"))
        return None
    value = int(text)
    if value > MAX_COUNT:
        problems.append(
            Problem(row, column, f"{value:,} is more than {MAX_COUNT:,} offences: check it")
        )
        return None
    return value


def _header(cells: list[str]) -> tuple[list[str], list[Problem]]:
    names = [c.strip().lower().lstrip("\ufeff") for c in cells]
    problems = [Problem(1, c, "this column is missing") for c in COLUMNS if c not in names]
    seen: set[str] = set()
    for name in names:
        if name in seen and name:
            problems.append(Problem(1, name, "this column is in the file twice"))
        seen.add(name)
    unknown = [n for n in names if n not in COLUMNS]
    for name in unknown:
        label = name[:40] if name else "(a column with no name)"
        problems.append(
            Problem(1, "", f"{label} is not a column of a cohort file ({', '.join(COLUMNS)})")
        )
    return names, problems


def read_cohort_file(content: bytes, *, area_codes: Collection[str]) -> list[Row]:
    """The file's rows, each checked; `CohortFileRefused` with every problem otherwise."""
    if b"\x00" in content:
        raise CohortFileRefused([Problem(0, "", "it is not text (it contains NUL bytes)")])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CohortFileRefused(
            [Problem(0, "", "it is not UTF-8 text: save it as “CSV UTF-8”")]
        ) from None
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise CohortFileRefused([Problem(0, "", f"it cannot be read as CSV ({exc})")]) from None
    while lines and not any(c.strip() for c in lines[-1]):
        lines.pop()
    if not lines:
        raise CohortFileRefused([Problem(0, "", "it is empty")])
    names, problems = _header(lines[0])
    if problems:
        raise CohortFileRefused(problems)
    body = lines[1:]
    if not body:
        raise CohortFileRefused([Problem(0, "", "there are no rows under the header")])
    if len(body) > MAX_ROWS:
        raise CohortFileRefused(
            [Problem(0, "", f"it has more than {MAX_ROWS:,} rows: split it into several files")]
        )
    known = {code.upper() for code in area_codes}
    spelling: dict[str, tuple[str, int]] = {}  # cohort, folded -> (as first spelt, its row)
    first_row: dict[tuple[str, str], int] = {}  # (pseudonym, cohort folded) -> row
    out: list[Row] = []
    for number, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            problems.append(Problem(number, "", "the row is empty: remove it"))
            continue
        if len(cells) != len(names):
            problems.append(
                Problem(
                    number,
                    "",
                    f"it has {len(cells)} cell{'s' if len(cells) != 1 else ''}; "
                    f"the header has {len(names)}",
                )
            )
            continue
        row = {name: cell.strip() for name, cell in zip(names, cells, strict=True)}
        errs: list[Problem] = []
        pseudonym = row["pseudonym"]
        if not pseudonym:
            errs.append(Problem(number, "pseudonym", "is blank"))
        elif len(pseudonym) > MAX_PSEUDONYM:
            errs.append(Problem(number, "pseudonym", f"is longer than {MAX_PSEUDONYM} characters"))
        elif not PSEUDONYM.match(pseudonym):
            errs.append(
                Problem(
                    number,
                    "pseudonym",
                    "must be letters, digits and - _ . / : only, with no spaces (is it a "
                    "name? the file must hold pseudonyms, never names)",
                )
            )
        cohort = row["cohort"]
        if not cohort:
            errs.append(Problem(number, "cohort", "is blank: name the cohort, such as IOM"))
        elif len(cohort) > MAX_COHORT:
            errs.append(Problem(number, "cohort", f"is longer than {MAX_COHORT} characters"))
        else:
            first = spelling.setdefault(cohort.casefold(), (cohort, number))
            if first[0] != cohort:
                errs.append(
                    Problem(
                        number,
                        "cohort",
                        f"“{cohort}” is spelt differently from “{first[0]}” on row {first[1]}: "
                        "spell a cohort the same way on every row",
                    )
                )
        code = row["area_code"].upper()
        if not code:
            errs.append(Problem(number, "area_code", "is blank: give the area's ONS code"))
        elif code not in known:
            errs.append(
                Problem(
                    number,
                    "area_code",
                    f"“{row['area_code'][:20]}” is not an area the product knows "
                    "(give an ONS code such as E06000016)",
                )
            )
        flag = row["in_custody"].lower()
        if flag not in (YES, NO):
            shown = row["in_custody"][:20]
            errs.append(
                Problem(
                    number,
                    "in_custody",
                    f"“{shown}” is not yes or no" if shown else "is blank: yes or no",
                )
            )
        baseline = _count(row["baseline_offences"], number, "baseline_offences", errs)
        current = _count(row["current_offences"], number, "current_offences", errs)
        if pseudonym and cohort and not any(e.column in ("pseudonym", "cohort") for e in errs):
            key = (pseudonym, cohort.casefold())
            earlier = first_row.setdefault(key, number)
            if earlier != number:
                errs.append(
                    Problem(
                        number,
                        "pseudonym",
                        f"this offender is already in the {cohort} cohort on row {earlier}: "
                        "each offender stands once in a cohort",
                    )
                )
        if errs:
            problems += errs
            continue
        assert baseline is not None and current is not None
        out.append(
            Row(
                row=number,
                pseudonym=pseudonym,
                cohort=cohort,
                area_code=code,
                in_custody=flag == YES,
                baseline=baseline,
                current=current,
            )
        )
    if problems:
        raise CohortFileRefused(problems)
    return out
