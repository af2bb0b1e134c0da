"""Cost of the crime-data layer on a national year of police.uk files, side by side.

Generates (or reuses, --data DIR) a national-scale year with
../shared/tools/make_policeuk_national.py (~6.5M rows, 480 files, ~1.5 GB) and times, each
--repeats times in turn (report: median):

  (a) floor:        DuckDB bare read_csv (sniffing the files) + GROUP BY LSOA-name prefix,
                    crime type;
  (a') typed floor: the same GROUP BY over read_csv as the store reads (explicit VARCHAR
                    columns, no sniffing, strict): the real floor for ours;
  (b) ours:         CrimeStore.ingest into a fresh store + counts for every district +
                    harm_by_district + an allocation per district; then, apart, the sha256
                    that the product's load takes after the commit (CrimeStore.hash_pending);
  (c) pandas:       read_csv every file, map LSOA -> district, group, harm, allocate.

Beside each median time: CPU seconds (all threads) and the peak resident memory of this
process during the step above what it held before (sampled every 10 ms).

The allocation is a simple weighted share: harm 65%, crimes per 1,000 residents 20%,
population 15%, with Census 2011 population summed from LSOAs to districts. Then the real
Leicestershire year end to end (ingest 12 files + sha256 + harm + allocation).

    .venv/bin/python bench/crime_formula.py [--data DIR] [--repeats 3] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from commissioning.crime.harm import default_weights, harm_by_district
from commissioning.crime.police_uk import ASB, LSOA11_TO_LAD_PATH, LsoaLookup
from commissioning.crime.store import _READ_CSV, CrimeStore

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"
GENERATOR = SHARED / "tools" / "make_policeuk_national.py"
CENSUS = DATA / "population" / "census2011_population_by_lsoa11.csv"
LLR_REFERENCE = DATA / "population" / "llr_lad_reference.csv"
LLR_POLICEUK = DATA / "policeuk"

BUDGET = Decimal("10000000")  # £10m, shared out by the formula
SHARES = {"harm": Decimal("0.65"), "rate": Decimal("0.20"), "population": Decimal("0.15")}
NEED_FREE_BYTES = 4 * 1024**3  # data ~1.5 GB + stores + headroom

FLOOR_SQL = """
SELECT regexp_replace("LSOA name", ' [0-9]{3}[A-Z]$', '') AS district, "Crime type" AS crime_type,
       count(*) AS n
FROM read_csv($paths)
GROUP BY ALL
"""
# The same over the store's own read_csv (typed, no sniffing): what ours cannot beat.
TYPED_FLOOR_SQL = f"""
SELECT regexp_replace("LSOA name", ' [0-9]{{3}}[A-Z]$', '') AS district, "Crime type" AS crime_type,
       count(*) AS n
FROM {_READ_CSV}
GROUP BY ALL
"""  # noqa: S608 (constants only)


# --------------------------------------------------------------------------------------------
# Inputs


def population_by_district() -> dict[str, int]:
    """Census 2011 usual residents (the first of the three 'Persons' columns) summed per LAD."""
    pop: dict[str, int] = {}
    with CENSUS.open(encoding="latin-1", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        lad_col, persons_col = header.index("Local authority code"), header.index("Persons")
        for row in reader:
            if len(row) <= persons_col or not row[lad_col]:
                continue
            try:
                n = int(row[persons_col].replace(",", ""))
            except ValueError:
                continue
            pop[row[lad_col]] = pop.get(row[lad_col], 0) + n
    return pop


def street_files(data_dir: Path, links_dir: Path) -> list[Path]:
    """All *-street.csv files under data_dir. The generator writes the LSOAs that have no police
    force in the lookup as YYYY-MM--street.csv (an empty force name, which police.uk never
    publishes and the store refuses); they are linked as YYYY-MM-no-force-street.csv so that
    every implementation reads the same rows."""
    out = []
    for path in sorted(data_dir.rglob("*-street.csv")):
        if path.name.endswith("--street.csv"):
            link = links_dir / path.name.replace("--street.csv", "-no-force-street.csv")
            if not link.exists():
                link.symlink_to(path.resolve())
            out.append(link)
        else:
            out.append(path)
    return out


# --------------------------------------------------------------------------------------------
# Allocation (Decimal for ours, float for pandas)


def allocate(
    harm: Mapping[str, Decimal], crimes: Mapping[str, int], population: Mapping[str, int]
) -> dict[str, Decimal]:
    districts = sorted(d for d in harm if population.get(d))
    rate = {d: Decimal(crimes.get(d, 0)) * 1000 / population[d] for d in districts}
    totals = {
        "harm": sum((harm[d] for d in districts), Decimal(0)),
        "rate": sum(rate.values(), Decimal(0)),
        "population": Decimal(sum(population[d] for d in districts)),
    }
    return {
        d: BUDGET
        * (
            SHARES["harm"] * harm[d] / totals["harm"]
            + SHARES["rate"] * rate[d] / totals["rate"]
            + SHARES["population"] * population[d] / totals["population"]
        )
        for d in districts
    }


# --------------------------------------------------------------------------------------------
# The three implementations


def run_floor(paths: list[Path], sql: str = FLOOR_SQL) -> int:
    con = duckdb.connect()
    rows = con.execute(sql, {"paths": [str(p) for p in paths]}).fetchall()
    con.close()
    return sum(int(r[2]) for r in rows)


def run_ours(
    paths: list[Path], store_path: Path, lookup: LsoaLookup, population: Mapping[str, int]
) -> tuple[dict[str, Decimal], Any]:
    store_path.unlink(missing_ok=True)
    store = CrimeStore(store_path)
    report = store.ingest(paths, lookup)
    counts = store.counts(store.months(), include_asb=False)
    harm = harm_by_district(counts, default_weights(), include_asb=False)
    crimes: dict[str, int] = {}
    for (district, _), n in counts.items():
        crimes[district] = crimes.get(district, 0) + n
    return allocate(harm, crimes, population), report


def run_pandas(paths: list[Path], population: Mapping[str, int]) -> dict[str, float]:
    frames = [
        pd.read_csv(p, usecols=["Month", "LSOA code", "LSOA name", "Crime type"], dtype=str)
        for p in paths
    ]
    df = pd.concat(frames, ignore_index=True)
    lookup = pd.read_csv(LSOA11_TO_LAD_PATH, dtype=str)
    names = pd.read_csv(LSOA11_TO_LAD_PATH.parent / "lad11_names.csv", dtype=str)
    df = df[df["LSOA code"].notna() & (df["Crime type"] != ASB)]
    df = df.merge(lookup, how="left", left_on="LSOA code", right_on="lsoa11_code")
    missing = df["lad_code"].isna()
    if missing.any():
        prefix = df.loc[missing, "LSOA name"].str.replace(r" \d{3}[A-Z]$", "", regex=True)
        by_name = dict(zip(names["lad_name"], names["lad_code"], strict=True))
        df.loc[missing, "lad_code"] = prefix.map(by_name)
    grouped = df.groupby(["lad_code", "Crime type"]).size().rename("n").reset_index()
    weights = {k: float(v) for k, v in default_weights().items()}
    grouped["harm"] = grouped["n"] * grouped["Crime type"].map(weights)
    per = grouped.groupby("lad_code").agg(harm=("harm", "sum"), crimes=("n", "sum"))
    per["population"] = per.index.map(population).astype(float)
    per = per[per["population"] > 0]
    per["rate"] = per["crimes"] * 1000 / per["population"]
    share = (
        float(SHARES["harm"]) * per["harm"] / per["harm"].sum()
        + float(SHARES["rate"]) * per["rate"] / per["rate"].sum()
        + float(SHARES["population"]) * per["population"] / per["population"].sum()
    )
    return {str(k): float(v) for k, v in (share * float(BUDGET)).items()}


def run_llr(store_path: Path, population: Mapping[str, int]) -> tuple[dict[str, Decimal], Any]:
    with LLR_REFERENCE.open(encoding="utf-8", newline="") as fh:
        ref = list(csv.DictReader(fh))
    lookup = LsoaLookup.default(
        {r["lad_code"] for r in ref}, {r["lad_name"]: r["lad_code"] for r in ref}
    )
    result = run_ours([LLR_POLICEUK], store_path, lookup, population)
    assert CrimeStore(store_path).hash_pending() == []  # as the product's load does
    return result


# --------------------------------------------------------------------------------------------


CPU: dict[str, list[float]] = {}
PEAK: dict[str, list[int]] = {}
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE


class _PeakMemory:
    """The largest resident set size seen every 10 ms while the block runs, less the size
    before it (Linux /proc; 0 elsewhere)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> _PeakMemory:
        try:
            self._base = _rss()
        except OSError:
            return self
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss() - self._base)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if hasattr(self, "_thread"):
            self._thread.join()
            self.peak = max(self.peak, _rss() - self._base)


def timed(fn: Callable[[], Any], label: str = "") -> tuple[float, Any]:
    """Wall seconds (and, under label, CPU seconds of all this process's threads and the peak
    memory above the start)."""
    start, cpu = time.perf_counter(), time.process_time()
    with _PeakMemory() as memory:
        result = fn()
    if label:
        CPU.setdefault(label, []).append(time.process_time() - cpu)
        PEAK.setdefault(label, []).append(memory.peak)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="reuse a generated national year here")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, help="rows to generate (default: the generator's)")
    parser.add_argument("--keep", action="store_true", help="keep generated data and stores")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()

    if not DATA.is_dir():
        print(f"no shared data at {DATA}", file=sys.stderr)
        return 2
    free = shutil.disk_usage(args.tmp).free
    print(f"free space in {args.tmp}: {free / 1024**3:.1f} GB")
    if args.data is None and free < NEED_FREE_BYTES:
        print(f"need {NEED_FREE_BYTES / 1024**3:.0f} GB free to generate the data", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="crime-bench-", dir=args.tmp))
    try:
        if args.data is None:
            data_dir = work / "policeuk"
            cmd = [sys.executable, str(GENERATOR), str(data_dir)]
            if args.rows:
                cmd.append(str(args.rows))
            elapsed, _ = timed(lambda: subprocess.run(cmd, check=True))
            print(f"generated {data_dir} in {elapsed:.0f} s")
        else:
            data_dir = args.data
        links = work / "links"
        links.mkdir()
        paths = street_files(data_dir, links)
        size = sum(p.stat().st_size for p in paths)
        print(f"{len(paths)} files, {size / 1024**3:.2f} GB; {os.cpu_count()} CPUs")

        population = population_by_district()
        everywhere = LsoaLookup.default(set(LsoaLookup.default(()).lsoa11.values()))
        # Warm the page cache and the shipped lookups once, untimed.
        run_floor(paths)
        default_weights()

        steps = ("floor", "typed", "ours", "hash", "pandas")
        times: dict[str, list[float]] = {k: [] for k in steps}
        ours_result: dict[str, Decimal] = {}
        pandas_result: dict[str, float] = {}
        report: Any = None
        floor_rows = typed_rows = 0
        national = work / "national.duckdb"
        for i in range(args.repeats):
            t, floor_rows = timed(lambda: run_floor(paths), "floor")
            times["floor"].append(t)
            t, typed_rows = timed(lambda: run_floor(paths, TYPED_FLOOR_SQL), "typed")
            times["typed"].append(t)
            t, (ours_result, report) = timed(
                lambda: run_ours(paths, national, everywhere, population), "ours"
            )
            times["ours"].append(t)
            t, lost = timed(lambda: CrimeStore(national).hash_pending(), "hash")
            assert lost == [], lost
            times["hash"].append(t)
            t, pandas_result = timed(lambda: run_pandas(paths, population), "pandas")
            times["pandas"].append(t)
            print(
                f"run {i + 1}: "
                + ", ".join(f"{k} {times[k][-1]:.2f} s" for k in steps)
                + f"; load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )

        # They must agree before their times mean anything.
        assert report.rows == floor_rows == typed_rows, (report.rows, floor_rows, typed_rows)
        assert set(ours_result) == set(pandas_result), "ours and pandas allocate to other districts"
        worst = max(abs(float(ours_result[d]) - pandas_result[d]) for d in ours_result)
        assert worst < 0.01, f"ours and pandas disagree by £{worst:.4f}"
        print(f"national: {report.rows:,} rows; {len(ours_result)} districts allocated;")
        print(
            f"  ours and pandas agree to £{worst:.6f}; the shares sum to "
            f"£{sum(ours_result.values()):,.2f}"
        )
        print("  " + report.summary().replace("\n", "\n  "))

        llr_times = []
        llr_report: Any = None
        for _ in range(args.repeats):
            t, (_, llr_report) = timed(lambda: run_llr(work / "llr.duckdb", population), "llr")
            llr_times.append(t)
        print("LLR year: " + llr_report.summary().replace("\n", "\n  "))

        med = {k: statistics.median(v) for k, v in times.items()}
        cpu = {k: statistics.median(v) for k, v in CPU.items()}
        mem = {k: max(v) / 1024**2 for k, v in PEAK.items()}
        llr = statistics.median(llr_times)
        typed = med["typed"]
        print()
        print(
            f"| step (median of {args.repeats}) | wall s | CPU s | peak MB |"
            " ÷ typed floor | ÷ bench floor |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        rows = [
            ("floor", "(a) bench floor: DuckDB read_csv, sniffing + GROUP BY"),
            ("typed", "(a') typed floor: read_csv as the store reads + GROUP BY"),
            ("ours", "(b) ours: ingest + counts + harm + allocation"),
            ("pandas", "(c) pandas: read, map, group, harm, allocate"),
        ]
        for key, label in rows:
            print(
                f"| {label} | {med[key]:.2f} | {cpu[key]:.2f} | {mem[key]:.0f} |"
                f" {med[key] / typed:.2f} | {med[key] / med['floor']:.2f} |"
            )
        print(
            f"| (b) then sha256 of the files read, after the commit (hash_pending) |"
            f" {med['hash']:.2f} | {cpu['hash']:.2f} | {mem['hash']:.0f} |"
            f" {(med['ours'] + med['hash']) / typed:.2f} with (b) |"
            f" {(med['ours'] + med['hash']) / med['floor']:.2f} with (b) |"
        )
        print(
            f"| LLR year end to end (12 files, {llr_report.rows:,} rows) | {llr:.2f} |"
            f" {cpu['llr']:.2f} | {mem['llr']:.0f} | | |"
        )
        goal = med["ours"] / typed
        print(
            f"\nours ÷ typed floor: {goal:.2f} (goal ≤ 1.2: {'met' if goal <= 1.2 else 'not met'});"
            f" pandas ÷ ours: {med['pandas'] / med['ours']:.1f}"
        )
        print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
        runs = {k: [round(t, 2) for t in v] for k, v in times.items()}
        print(f"all runs, wall s: {runs}; LLR {[round(t, 2) for t in llr_times]}")
        return 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
