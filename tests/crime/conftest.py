"""Fixtures for the crime-data tests. No database.

The real-data tests read the police.uk year for Leicestershire from the shared data folder next
to the repository (shared/data beside the project folder); a clone without it skips them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from commissioning.crime.police_uk import LsoaLookup

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
POLICEUK = SHARED_DATA / "policeuk"
LLR_REFERENCE = SHARED_DATA / "population" / "llr_lad_reference.csv"
MONTHS = [f"2023-{m:02d}" for m in range(4, 13)] + [f"2024-{m:02d}" for m in range(1, 4)]


def street_file(month: str) -> Path:
    return POLICEUK / month / f"{month}-leicestershire-street.csv"


@pytest.fixture
def policeuk() -> Path:
    """The real police.uk folder, or skip."""
    if not SHARED_DATA.is_dir() or not all(street_file(m).is_file() for m in MONTHS):
        pytest.skip(f"shared police.uk data not available at {POLICEUK}")
    return POLICEUK


def llr_reference() -> list[dict[str, str]]:
    with LLR_REFERENCE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def llr_lookup(policeuk: Path) -> LsoaLookup:
    """The LLR deployment: its nine districts, named as they prefix LSOA names."""
    ref = llr_reference()
    assert len(ref) == 9
    return LsoaLookup.default(
        {r["lad_code"] for r in ref}, {r["lad_name"]: r["lad_code"] for r in ref}
    )
