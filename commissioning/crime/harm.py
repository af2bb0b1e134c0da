"""Crime harm: police.uk counts weighted by a harm table (crime_type,weight).

The default table is the mean ONS Crime Severity Score weight per police.uk category, shipped
in ``data/harm_weights_ons_css.csv``. It has no weight for Anti-social behaviour (the CSS covers
notifiable offences only), so ASB only counts towards harm if the user's table weights it.

Weights are Decimals, never floats, so harm totals are exact and reproducible.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

from commissioning.crime.police_uk import ASB, DATA_DIR, POLICE_UK_CRIME_TYPES, CrimeDataError

DEFAULT_WEIGHTS_PATH = DATA_DIR / "harm_weights_ons_css.csv"
WEIGHTS_HEADER = ("crime_type", "weight")


def load_weights(path: Path | str | None = None) -> dict[str, Decimal]:
    """Read a ``crime_type,weight`` CSV. Refuses (CrimeDataError naming the line) a crime type
    that is not a police.uk category, a repeated one, and a weight that is not a finite,
    non-negative number."""
    path = Path(path) if path is not None else DEFAULT_WEIGHTS_PATH
    known = set(POLICE_UK_CRIME_TYPES)
    weights: dict[str, Decimal] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != WEIGHTS_HEADER:
                raise CrimeDataError(
                    f"{path}: line 1: header must be {','.join(WEIGHTS_HEADER)}, got "
                    f"{','.join(header or [])!r}"
                )
            for row in reader:
                line = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != 2:
                    raise CrimeDataError(
                        f"{path}: line {line}: expected 2 columns (crime_type,weight), got {len(row)}"
                    )
                crime_type, raw = row[0].strip(), row[1].strip()
                if crime_type not in known:
                    raise CrimeDataError(
                        f"{path}: line {line}, column 1: {crime_type!r} is not a police.uk crime "
                        f"type (expected one of: {', '.join(POLICE_UK_CRIME_TYPES)})"
                    )
                if crime_type in weights:
                    raise CrimeDataError(
                        f"{path}: line {line}, column 1: {crime_type!r} is given twice"
                    )
                try:
                    weight = Decimal(raw)
                except InvalidOperation:
                    weight = None
                if weight is None or not weight.is_finite():
                    raise CrimeDataError(
                        f"{path}: line {line}, column 2: weight {raw!r} for {crime_type!r} is not a number"
                    )
                if weight < 0:
                    raise CrimeDataError(
                        f"{path}: line {line}, column 2: weight {raw!r} for {crime_type!r} is negative"
                    )
                weights[crime_type] = weight
    except UnicodeDecodeError as exc:
        raise CrimeDataError(f"{path}: not UTF-8 text ({exc})") from exc
    except csv.Error as exc:
        raise CrimeDataError(f"{path}: malformed CSV ({exc})") from exc
    except OSError as exc:
        raise CrimeDataError(f"{path}: cannot read ({exc})") from exc
    if not weights:
        raise CrimeDataError(f"{path}: no weights")
    return weights


def default_weights() -> dict[str, Decimal]:
    """The shipped ONS Crime Severity Score weights (no weight for Anti-social behaviour)."""
    return load_weights(DEFAULT_WEIGHTS_PATH)


def harm_by_district(
    counts: Mapping[tuple[str, str], int],
    weights: Mapping[str, Decimal],
    include_asb: bool,
) -> dict[str, Decimal]:
    """district -> sum of count × weight over crime types.

    Anti-social behaviour counts only when ``include_asb`` and the table weights it. Any other
    crime type without a weight (and ASB when ``include_asb`` but unweighted) is an error, so
    harm is never silently understated."""
    harm: dict[str, Decimal] = {}
    missing: dict[str, int] = {}
    for (district, crime_type), n in counts.items():
        if crime_type == ASB and not include_asb:
            continue
        weight = weights.get(crime_type)
        if weight is None:
            missing[crime_type] = missing.get(crime_type, 0) + int(n)
            continue
        harm[district] = harm.get(district, Decimal(0)) + weight * int(n)
    if missing:
        listed = ", ".join(f"{name!r} ({n:,} crimes)" for name, n in sorted(missing.items()))
        hint = (
            " (add a weight for it, or leave Anti-social behaviour out)" if ASB in missing else ""
        )
        raise CrimeDataError(f"harm weights: no weight for {listed}{hint}")
    return dict(sorted(harm.items()))


def weights_hash(weights: Mapping[str, Decimal]) -> str:
    """sha256 of the table in a canonical form (sorted; 1.50 and 1.5 hash alike)."""
    lines = [
        f"{crime_type}\t{_canonical(weight)}\n" for crime_type, weight in sorted(weights.items())
    ]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _canonical(weight: Decimal) -> str:
    text = format(weight.normalize(), "f")
    return "0" if text in ("-0", "0") else text
