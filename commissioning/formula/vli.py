"""Vulnerable Localities Index (VLI) for small areas: which neighbourhoods most need attention.

The Vulnerable Localities Index was devised by Spencer Chainey at the UCL Jill Dando Institute
(Chainey, S. (2008) "Identifying priority neighbourhoods using the Vulnerable Localities
Index", *Policing* 2(2)). It takes six inputs for each neighbourhood — burglary dwelling,
criminal damage to a dwelling, income deprivation, employment deprivation, the population aged
15-24 and educational attainment — indexes each so that the average over the study area is
100, and combines the indices into one composite score. A neighbourhood scoring above 200 is
a priority neighbourhood.

The product's stated method
---------------------------
This module follows that structure (six inputs, each indexed to a study-area average of 100,
combined into a composite, above 200 a priority). The way the indices are combined below is
the product's own stated method; it is not a reproduction of the weights of the original
index.

1. **Inputs**, for each 2011 LSOA in the study area:

   * burglary: police.uk "Burglary" crimes per 1,000 residents;
   * damage: police.uk "Criminal damage and arson" crimes per 1,000 residents;
   * income: the IMD 2019 income domain numerator (people income-deprived) ÷ residents;
   * employment: the IMD 2019 employment domain numerator (people employment-deprived) ÷
     residents;
   * youth: residents aged 15-24 ÷ residents;
   * education: the IMD 2019 "adult skills and English language proficiency" indicator, as
     given (higher is worse).

   Residents are the ONS mid-2019 estimate. police.uk does not say whether a burglary or a
   criminal damage was to a dwelling, so the two crime inputs use all burglary and all
   criminal damage and arson: they approximate the dwelling-only inputs of the original index.

2. **Indices**: each input's value ÷ the mean of that input over every LSOA in the study area
   (a plain mean: each LSOA counts once, whatever its population) × 100. So each input's
   indices average exactly 100 over the study area.

3. **Composite**: the mean of four domain indices, each counting a quarter —

   * crime = mean(burglary index, damage index);
   * deprivation = mean(income index, employment index);
   * young people = youth index;
   * education = education index.

   The composite also averages 100 over the study area. Above 200 is a priority LSOA.

Crime counts come from police.uk keyed by 2021 LSOA code; most equal the 2011 codes of the
inputs. Counts for codes that are not among the inputs (2021 LSOAs made by splitting or
merging 2011 ones, and crimes just outside the study area) are not used and are reported; an
LSOA with no count has 0.

Numbers are ``Decimal`` only (a float anywhere is refused), worked out in a local decimal
context of 40 significant digits, so nothing depends on the caller's context. Results are
kept at full precision; round only for display. No Django and no database.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "DEFAULT_INPUTS_PATH",
    "INPUT_NAMES",
    "PRIORITY_THRESHOLD",
    "LsoaInputs",
    "LsoaVli",
    "VliReport",
    "by_district",
    "compute",
    "load_inputs",
]

PRECISION = 40
PRIORITY_THRESHOLD = Decimal(200)
#: The six inputs, by the names used as keys of :attr:`LsoaVli.indices`.
INPUT_NAMES: tuple[str, ...] = ("burglary", "damage", "income", "employment", "youth", "education")
DEFAULT_INPUTS_PATH = Path(__file__).resolve().parent / "data" / "llr_lsoa11_vli_inputs.csv"

_ZERO = Decimal(0)
_TWO = Decimal(2)
_FOUR = Decimal(4)
_HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)

# The columns of the inputs file this module reads (others in the file are ignored).
_COLUMNS = {
    "code": "lsoa11_code",
    "name": "lsoa11_name",
    "district_code": "lad_code",
    "district_name": "lad_name",
    "population": "pop_mye2019",
    "population_15_24": "pop_15_24_mye2019",
    "income_deprived": "income_domain_numerator",
    "employment_deprived": "employment_domain_numerator",
    "education": "adult_skills_and_english_proficiency",
}


def _context() -> Context:
    return Context(
        prec=PRECISION,
        rounding=ROUND_HALF_EVEN,
        Emax=999999,
        Emin=-999999,
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative (got {value})")
    return value


def _amount(value: Any, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValueError(f"{what} must be a Decimal, not {type(value).__name__} {value!r}")
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number (got {value})")
    if value < 0:
        raise ValueError(f"{what} must not be negative (got {value})")
    return value


@dataclass(frozen=True)
class LsoaInputs:
    """One 2011 LSOA's non-crime inputs, as in the shipped file.

    ``population`` and ``population_15_24`` are ONS mid-2019 estimates. ``income_deprived``
    and ``employment_deprived`` are the IMD 2019 income and employment domain numerators
    (people, not rates). ``education`` is the IMD 2019 "adult skills and English language
    proficiency" indicator: a proportion (0 to 1) of working-age adults with no or low
    qualifications or who cannot speak English well, so **higher is worse** (more
    vulnerable), the same direction as every other input. The direction was checked on the
    shipped file: across its 611 LSOAs the indicator rises as the IMD 2019 education,
    skills and training rank falls towards 1, the most deprived (Spearman correlation
    −0.94), so it is used as given, not inverted.

    Invalid values (empty text, a population of 0, more people aged 15-24 than residents, a
    negative or non-finite number, a float) raise ``ValueError``.
    """

    code: str
    name: str
    district_code: str
    district_name: str
    population: int
    population_15_24: int
    income_deprived: Decimal
    employment_deprived: Decimal
    education: Decimal

    def __post_init__(self) -> None:
        for attr in ("code", "name", "district_code", "district_name"):
            value = getattr(self, attr)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{attr} must be non-empty text (got {value!r})")
        if _count(self.population, "population") == 0:
            raise ValueError("population must be more than 0")
        if _count(self.population_15_24, "population_15_24") > self.population:
            raise ValueError(
                f"population_15_24 ({self.population_15_24}) is more than the population "
                f"({self.population})"
            )
        _amount(self.income_deprived, "income_deprived")
        _amount(self.employment_deprived, "employment_deprived")
        _amount(self.education, "education")


@dataclass(frozen=True)
class LsoaVli:
    """One LSOA's VLI: its input values, each input's index and the composite.

    Rates: ``burglary_rate`` and ``damage_rate`` per 1,000 residents; ``income_rate`` and
    ``employment_rate`` deprived people per resident; ``youth_share`` residents aged 15-24
    per resident; ``education`` as given. ``indices`` maps each name in :data:`INPUT_NAMES`
    to value ÷ study-area mean × 100. ``vli`` is the composite; ``priority`` is
    ``vli > 200``. All figures are at full precision (40 significant digits).
    """

    code: str
    name: str
    district_code: str
    burglary_rate: Decimal
    damage_rate: Decimal
    income_rate: Decimal
    employment_rate: Decimal
    youth_share: Decimal
    education: Decimal
    indices: Mapping[str, Decimal]
    vli: Decimal
    priority: bool


@dataclass
class VliReport:
    """What a run used and left out, in figures and in plain English.

    ``unmatched_codes`` is how many distinct LSOA codes in the crime counts are not among the
    inputs; ``unmatched_crimes`` how many burglary and criminal damage crimes they hold (not
    used). ``method`` is sentences fit to show a person beside the results.
    """

    lsoas: int
    unmatched_codes: int
    unmatched_crimes: int
    priority_lsoas: int
    method: list[str] = field(default_factory=list)


def load_inputs(path: str | os.PathLike[str] | None = None) -> list[LsoaInputs]:
    """Read the LSOA inputs file (by default the shipped LLR file), one LSOA a row.

    Reads the columns ``lsoa11_code``, ``lsoa11_name``, ``lad_code``, ``lad_name``,
    ``pop_mye2019``, ``pop_15_24_mye2019``, ``income_domain_numerator``,
    ``employment_domain_numerator`` and ``adult_skills_and_english_proficiency``; other
    columns are ignored. A missing column, a malformed row or a repeated LSOA code raises
    ``ValueError`` naming the file and line.
    """
    source = Path(path) if path is not None else DEFAULT_INPUTS_PATH
    with source.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{source.name}: the file is empty")
        header = [h.strip() for h in header]
        missing = [c for c in _COLUMNS.values() if c not in header]
        if missing:
            raise ValueError(f"{source.name} line 1: missing column(s) {', '.join(missing)}")
        position = {c: header.index(c) for c in _COLUMNS.values()}
        result: list[LsoaInputs] = []
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            where = f"{source.name} line {line}"
            if len(row) != len(header):
                raise ValueError(f"{where}: {len(row)} fields, expected {len(header)}")
            raw = {attr: row[position[col]].strip() for attr, col in _COLUMNS.items()}
            values: dict[str, Any] = {}
            for attr, text in raw.items():
                column = _COLUMNS[attr]
                if not text:
                    raise ValueError(f"{where}: {column} is empty")
                if attr in ("population", "population_15_24"):
                    try:
                        values[attr] = int(text)
                    except ValueError:
                        raise ValueError(
                            f"{where}: {column} {text!r} is not a whole number"
                        ) from None
                elif attr in ("income_deprived", "employment_deprived", "education"):
                    try:
                        values[attr] = Decimal(text)
                    except InvalidOperation:
                        raise ValueError(f"{where}: {column} {text!r} is not a number") from None
                else:
                    values[attr] = text
            try:
                item = LsoaInputs(**values)
            except ValueError as exc:
                raise ValueError(f"{where} ({raw['code']}): {exc}") from None
            if item.code in seen:
                raise ValueError(
                    f"{where}: LSOA {item.code} is repeated (first on line {seen[item.code]})"
                )
            seen[item.code] = line
            result.append(item)
    if not result:
        raise ValueError(f"{source.name}: no LSOAs")
    return result


def _counts(counts: Mapping[str, int], what: str) -> dict[str, int]:
    return {str(code): _count(n, f"{what} count for {code}") for code, n in counts.items()}


def compute(
    inputs: Sequence[LsoaInputs],
    burglary: Mapping[str, int],
    damage: Mapping[str, int],
) -> tuple[list[LsoaVli], VliReport]:
    """Work out the VLI of every LSOA in ``inputs`` (the study area), in order of LSOA code.

    ``burglary`` and ``damage`` are police.uk counts of "Burglary" and "Criminal damage and
    arson" crimes by LSOA code. Counts for codes not in ``inputs`` are not used and are
    reported; an LSOA without a count has 0. Raises ``ValueError`` for no inputs, a
    repeated LSOA code, a negative or non-whole count, or an input whose study-area mean is
    0 (the message names the input).
    """
    if not inputs:
        raise ValueError("no LSOAs: the study area needs at least one")
    for item in inputs:
        if not isinstance(item, LsoaInputs):
            raise ValueError(f"inputs must be LsoaInputs, not {type(item).__name__}")
    ordered = sorted(inputs, key=lambda i: i.code)
    codes = [i.code for i in ordered]
    repeated = sorted({c for c, n in Counter(codes).items() if n > 1})
    if repeated:
        raise ValueError(f"LSOA code(s) repeated in the inputs: {', '.join(repeated)}")
    known = set(codes)
    b_counts = _counts(burglary, "burglary")
    d_counts = _counts(damage, "damage")
    unmatched = (set(b_counts) | set(d_counts)) - known
    unmatched_crimes = sum(b_counts.get(c, 0) + d_counts.get(c, 0) for c in unmatched)

    with localcontext(_context()):
        values: dict[str, list[Decimal]] = {name: [] for name in INPUT_NAMES}
        for item in ordered:
            people = Decimal(item.population)
            values["burglary"].append(Decimal(b_counts.get(item.code, 0)) * _THOUSAND / people)
            values["damage"].append(Decimal(d_counts.get(item.code, 0)) * _THOUSAND / people)
            values["income"].append(item.income_deprived / people)
            values["employment"].append(item.employment_deprived / people)
            values["youth"].append(Decimal(item.population_15_24) / people)
            values["education"].append(+item.education)

        n = Decimal(len(ordered))
        means: dict[str, Decimal] = {}
        for name in INPUT_NAMES:
            mean = sum(values[name], _ZERO) / n
            if mean == 0:
                raise ValueError(
                    f"the study-area mean of {name} is 0, so it cannot be indexed "
                    f"(every LSOA has {name} 0)"
                )
            means[name] = mean

        results: list[LsoaVli] = []
        for k, item in enumerate(ordered):
            idx = {name: values[name][k] / means[name] * _HUNDRED for name in INPUT_NAMES}
            crime = (idx["burglary"] + idx["damage"]) / _TWO
            deprivation = (idx["income"] + idx["employment"]) / _TWO
            vli = (crime + deprivation + idx["youth"] + idx["education"]) / _FOUR
            results.append(
                LsoaVli(
                    code=item.code,
                    name=item.name,
                    district_code=item.district_code,
                    burglary_rate=values["burglary"][k],
                    damage_rate=values["damage"][k],
                    income_rate=values["income"][k],
                    employment_rate=values["employment"][k],
                    youth_share=values["youth"][k],
                    education=values["education"][k],
                    indices=MappingProxyType(idx),
                    vli=vli,
                    priority=vli > PRIORITY_THRESHOLD,
                )
            )

    priority = sum(1 for r in results if r.priority)
    used = sum(b_counts.get(c, 0) + d_counts.get(c, 0) for c in known)
    method = [
        "This is a Vulnerable Localities Index (Chainey 2008, UCL Jill Dando Institute): six "
        "inputs for each neighbourhood, each indexed so that the average over the study area "
        "is 100, combined into one score; above 200 marks a priority neighbourhood.",
        "police.uk does not say whether a burglary or a criminal damage was to a dwelling, so "
        "the two crime inputs use all burglary and all criminal damage and arson; they can "
        "only approximate the dwelling burglary and dwelling criminal damage of the original "
        "index.",
        "Crime inputs are police.uk crimes per 1,000 residents (ONS mid-2019 estimates). "
        "Income and employment deprivation are the IMD 2019 domain numerators per resident; "
        "young people are the share of residents aged 15-24; education is the IMD 2019 adult "
        "skills and English language proficiency indicator (higher is worse).",
        "Each input's index is the neighbourhood's value divided by the plain average over "
        f"the {len(ordered)} neighbourhoods, times 100.",
        "The score is the average of four parts counted equally: crime (the average of the "
        "burglary and criminal damage indices), deprivation (the average of the income and "
        "employment indices), young people and education. This combination is the product's "
        "stated method following the structure Chainey describes, not a reproduction of the "
        "original index's weights.",
        f"{used:,} crimes were matched to the neighbourhoods. police.uk uses 2021 LSOA codes "
        "and these inputs 2011 codes; most are the same. "
        f"{len(unmatched):,} codes with {unmatched_crimes:,} crimes are not among the "
        "neighbourhoods (new or changed 2021 areas, or places outside the study area) and "
        "were not used; a neighbourhood with no recorded crime counts 0.",
        f"{priority:,} of {len(ordered):,} neighbourhoods score above 200.",
    ]
    report = VliReport(
        lsoas=len(ordered),
        unmatched_codes=len(unmatched),
        unmatched_crimes=unmatched_crimes,
        priority_lsoas=priority,
        method=method,
    )
    return results, report


def by_district(
    lsoas: Sequence[LsoaVli], inputs: Sequence[LsoaInputs]
) -> dict[str, dict[str, Any]]:
    """Summarise LSOA results by district, in order of district code.

    Each district's entry holds ``name`` (from the inputs), ``lsoas`` (how many),
    ``population``, ``vli`` (the mean VLI weighted by population, full precision),
    ``priority_lsoas`` (how many score above 200), ``priority_share`` (that number ÷
    ``lsoas``, a fraction from 0 to 1) and ``priority_population`` (residents of the
    priority LSOAs). Every LSOA must be in ``inputs`` (for its population), else
    ``ValueError``.
    """
    by_code = {i.code: i for i in inputs}
    groups: dict[str, list[tuple[LsoaVli, LsoaInputs]]] = {}
    for result in lsoas:
        item = by_code.get(result.code)
        if item is None:
            raise ValueError(f"LSOA {result.code} is not in the inputs, so has no population")
        groups.setdefault(result.district_code, []).append((result, item))

    summary: dict[str, dict[str, Any]] = {}
    with localcontext(_context()):
        for district in sorted(groups):
            members = sorted(groups[district], key=lambda pair: pair[0].code)
            population = sum(item.population for _, item in members)
            weighted = sum((Decimal(item.population) * r.vli for r, item in members), _ZERO)
            priority = [(r, item) for r, item in members if r.priority]
            summary[district] = {
                "name": members[0][1].district_name,
                "lsoas": len(members),
                "population": population,
                "vli": weighted / Decimal(population),
                "priority_lsoas": len(priority),
                "priority_share": Decimal(len(priority)) / Decimal(len(members)),
                "priority_population": sum(item.population for _, item in priority),
            }
    return summary
