"""A compact extract of the crime store: counts by month, district and crime type, with the
record of which police.uk files they came from (their sha256), so a store rebuilt from the
extract gives the same counts and the same content hash as one built from the files.

The LLR demo ships such an extract for 2023/24 (derived from police.uk data, Open Government
Licence v3.0), so it runs where the raw police.uk files are not at hand.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from .store import _SCHEMA, CrimeStore

COUNT_COLUMNS = ["force", "month", "district_code", "crime_type", "n"]
INGEST_COLUMNS = ["force", "month", "source_file", "sha256", "rows"]


def export_extract(
    store: CrimeStore, months: Sequence[str], counts_path: Path, ingests_path: Path
) -> int:
    store.require_hashes(months)  # the extract names each file by its sha256
    with store._connect(read_only=True) as con:
        if con is None:
            raise FileNotFoundError(store.path)
        counts = con.execute(
            "SELECT force, month, district_code, crime_type, sum(n)::BIGINT FROM crime_counts"
            " WHERE month IN (SELECT unnest($m)) AND district_code IN"
            " (SELECT district_code FROM configured_districts)"
            " GROUP BY ALL ORDER BY ALL",
            {"m": list(months)},
        ).fetchall()
        ingests = con.execute(
            "SELECT force, month, source_file, sha256, rows FROM ingests"
            " WHERE month IN (SELECT unnest($m)) ORDER BY ALL",
            {"m": list(months)},
        ).fetchall()
    # File names only: where the files sat on the machine that made the extract is no one's business.
    ingests = [
        (force, month, Path(source).name, sha, rows) for force, month, source, sha, rows in ingests
    ]
    for path, columns, rows in (
        (counts_path, COUNT_COLUMNS, counts),
        (ingests_path, INGEST_COLUMNS, ingests),
    ):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
    return len(counts)


def import_extract(
    store: CrimeStore, counts_path: Path, ingests_path: Path, configured: Iterable[str]
) -> int:
    """Replace the extract's (force, month)s in the store with its counts, in one transaction
    on a copy of the store that then replaces it (as an ingest does)."""
    with counts_path.open(newline="", encoding="utf-8") as handle:
        counts = [
            (r["force"], r["month"], "", r["district_code"], r["crime_type"], int(r["n"]))
            for r in csv.DictReader(handle)
        ]
    with ingests_path.open(newline="", encoding="utf-8") as handle:
        now = datetime.now(UTC).replace(tzinfo=None)
        ingests = [
            (r["force"], r["month"], r["source_file"], r["sha256"], int(r["rows"]), now)
            for r in csv.DictReader(handle)
        ]
    with store._writing() as con:
        con.execute(_SCHEMA)
        con.execute("BEGIN TRANSACTION")
        try:
            for force, month in sorted({(i[0], i[1]) for i in ingests}):
                for table in ("crime_counts", "ingests"):
                    sql = f"DELETE FROM {table} WHERE force = ? AND month = ?"  # noqa: S608 fixed names
                    con.execute(sql, [force, month])
            con.executemany("INSERT INTO crime_counts VALUES (?, ?, ?, ?, ?, ?)", counts)
            con.executemany(
                "INSERT INTO ingests (force, month, source_file, sha256, rows, loaded_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                ingests,
            )
            con.execute("DELETE FROM configured_districts")
            con.executemany(
                "INSERT INTO configured_districts VALUES (?)",
                [(c,) for c in sorted(set(configured))],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return len(counts)
