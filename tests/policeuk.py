"""Tiny police.uk street-level files for tests that load crime data without the real year:
a header exactly as police.uk writes it, and one row per crime, each in a real 2011 LSOA of
the district asked for (from the shipped lookup), so it counts for that district."""

from __future__ import annotations

import csv
import io
import zipfile
from functools import cache

from commissioning.crime.police_uk import DATA_DIR, EXPECTED_COLUMNS, LsoaLookup

BLABY, LEICESTER = "E07000129", "E06000016"


@cache
def lsoa_of(district: str) -> str:
    with (DATA_DIR / "lsoa11_to_lad.csv").open(newline="") as fh:
        return next(r["lsoa11_code"] for r in csv.DictReader(fh) if r["lad_code"] == district)


def street_csv(month: str, crimes: int = 3, district: str = BLABY, *, row_month: str = "") -> bytes:
    """`crimes` burglaries in `district` in `month` (each row's Month is `row_month` if given:
    a file that disagrees with its name)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPECTED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for i in range(crimes):
        writer.writerow(
            {c: "" for c in EXPECTED_COLUMNS}
            | {
                "Crime ID": f"test-{month}-{i}",
                "Month": row_month or month,
                "Reported by": "Testshire Police",
                "LSOA code": lsoa_of(district),
                "LSOA name": "Blaby 001A",
                "Crime type": "Burglary",
            }
        )
    return out.getvalue().encode()


def street_name(month: str) -> str:
    return f"{month}-testshire-street.csv"


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def tiny_lookup() -> LsoaLookup:
    return LsoaLookup.default({BLABY, LEICESTER}, {"Blaby": BLABY, "Leicester": LEICESTER})
