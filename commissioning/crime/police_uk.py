"""What police.uk publishes and how its places map to districts: the crime types, a street
file's columns and name, the error for a file that cannot be loaded as it stands, and the
LSOA to district lookup. Pure Python, no Django."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LSOA11_TO_LAD_PATH = DATA_DIR / "lsoa11_to_lad.csv"
LAD11_NAMES_PATH = DATA_DIR / "lad11_names.csv"

ASB = "Anti-social behaviour"

POLICE_UK_CRIME_TYPES: tuple[str, ...] = (
    ASB,
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

# The crime types the store keeps by neighbourhood (LSOA) as well as by district: the two crime
# inputs of the Vulnerable Localities Index (formula/vli.py). Every other type is kept by
# district only: nothing reads it at a finer grain, and a national year has 2.8 million
# (month, LSOA, crime type) groups against about 50,000 by district (ADR 17).
LSOA_LEVEL_CRIME_TYPES: tuple[str, ...] = ("Burglary", "Criminal damage and arson")

EXPECTED_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)

# "2023-04-leicestershire-street.csv" -> month 2023-04, force "leicestershire".
STREET_FILE_RE = re.compile(
    r"^(?P<month>\d{4}-(?:0[1-9]|1[0-2]))-(?P<force>[a-z0-9]+(?:-[a-z0-9]+)*)-street\.csv$"
)
# "Blaby 002A" -> "Blaby": the district is the LSOA name minus its trailing " 000X".
LSOA_SUFFIX_RE = re.compile(r" \d{3}[A-Z]$")
LSOA_SUFFIX_SQL = r" [0-9]{3}[A-Z]$"


class CrimeDataError(Exception):
    """A crime data file (or harm weights table) that cannot be loaded as it stands.

    The message names the file and, where known, the line and column."""


# --------------------------------------------------------------------------------------------
# LSOA -> district


@functools.cache
def _shipped_lsoa11() -> dict[str, str]:
    return _read_pairs(LSOA11_TO_LAD_PATH, ("lsoa11_code", "lad_code"))


@functools.cache
def _shipped_lad_names() -> dict[str, str]:
    return _read_pairs(LAD11_NAMES_PATH, ("lad_code", "lad_name"))


def _read_pairs(path: Path, header: tuple[str, str]) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        if tuple(next(reader, ())) != header:
            raise CrimeDataError(f"{path}: line 1: header must be {','.join(header)}")
        return {row[0]: row[1] for row in reader if row}


def district_prefix(lsoa_name: str | None) -> str | None:
    """The district part of an LSOA name: "Hinckley and Bosworth 004C" -> "Hinckley and Bosworth"."""
    if not lsoa_name:
        return None
    return LSOA_SUFFIX_RE.sub("", lsoa_name.strip()) or None


@dataclass
class LsoaLookup:
    """Maps an LSOA to its district (local authority) code.

    A code found in ``lsoa11`` (2011 LSOA -> district) maps there; otherwise the district is
    the LSOA name minus its trailing " 000X", looked up in ``district_names`` (name -> code).
    Police.uk publishes 2021 LSOAs: most kept their 2011 codes; the new ones are found by name.
    ``configured`` is the set of district codes the deployment covers; anything else is
    "outside the configured areas"."""

    lsoa11: dict[str, str]
    district_names: dict[str, str]
    configured: frozenset[str]

    @classmethod
    def default(
        cls, configured: Iterable[str], district_names: Mapping[str, str] | None = None
    ) -> LsoaLookup:
        """The shipped 2011 LSOA lookup for England and Wales. District names are the shipped
        ones (each district's 2011 LSOA-name prefix), overlaid with ``district_names`` (e.g. the
        deployment's own list, which may hold post-2011 names)."""
        names = {name: code for code, name in _shipped_lad_names().items()}
        names.update(district_names or {})
        return cls(
            lsoa11=dict(_shipped_lsoa11()),
            district_names=names,
            configured=frozenset(configured),
        )

    def district_for(self, lsoa_code: str | None, lsoa_name: str | None) -> str | None:
        """The rule, in Python (ingest applies the same rule in SQL)."""
        if lsoa_code and lsoa_code in self.lsoa11:
            return self.lsoa11[lsoa_code]
        prefix = district_prefix(lsoa_name)
        return self.district_names.get(prefix) if prefix else None

    def name_of(self, district_code: str) -> str | None:
        """A district's name, if the lookup knows one (the last name given for the code wins,
        so in ``default`` the deployment's own names take precedence)."""
        found = None
        for name, code in self.district_names.items():
            if code == district_code:
                found = name
        return found


# --------------------------------------------------------------------------------------------
# Reports
