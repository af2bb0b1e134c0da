"""Police.uk street-level crime, aggregated into a DuckDB file.

The store keeps counts, not raw rows: one row per (force, month, district, crime type), and for
the crime types the Vulnerable Localities Index reads (``LSOA_LEVEL_CRIME_TYPES``) one row per
(force, month, LSOA, crime type) with the district the LSOA maps to; plus one row per loaded
file with its sha256, path, size and modification time. Ingest reads every file of a call in
one DuckDB ``read_csv`` query (typed columns, only the columns needed, no per-row Python) that
counts by file, Month, LSOA and crime type; the counts are then mapped to districts (by 2011
code, else by the district part of the LSOA name), each Month is checked against its file's,
and they are summed to the kept grain and inserted, inside one transaction (ADR 6, ADR 17).

A file whose path, size and modification time are those recorded when it was loaded (with the
same LSOA lookup) is not read again. The sha256 of a file that is read is taken after the
counts are committed (``hash_pending``, which the product's load calls at once; a run's
``content_hash`` takes any still missing), so the load's one pass over the files has both
cores to itself. A file copied out of a zip archive is hashed during the load, while its copy
exists.

Nothing ever writes the store file in place, so reading never waits for, nor fails because
of, a load. DuckDB lets one process hold a file for writing and refuses a read-only open from
any other process meanwhile, so a write (an ingest, an extract import) works on a copy:
under an exclusive lock on ``<store>.lock`` beside the store (``fcntl.flock``; two loads take
turns, so neither loses the other's months) it copies the store to
``<store>.<random>.writing`` in the same folder (or starts a new file), writes the copy,
checkpoints it (folding its write-ahead log ``.wal`` into the file) and closes it, then moves
it over the store with one ``os.replace``. A reader that had opened the old file keeps reading
it until it closes; the next one opens the new file. A failed or interrupted write leaves the
store as it was (the next write removes the leftover copy). Reads open ``read_only=True``.

Pure Python and DuckDB, no Django: the web side calls it with paths.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .police_uk import (
    ASB,
    EXPECTED_COLUMNS,
    LSOA_LEVEL_CRIME_TYPES,
    LSOA_SUFFIX_SQL,
    POLICE_UK_CRIME_TYPES,
    STREET_FILE_RE,
    CrimeDataError,
    LsoaLookup,
    district_prefix,
)

if TYPE_CHECKING:
    import duckdb  # imported where used: every command's start-up loads this module

# A progress bar is only worth drawing for a large load (a national year is 480 files).
PROGRESS_MIN_FILES = 24
# Districts named in IngestReport.outside_by_district; the rest are summed under "other".
OUTSIDE_TOP = 10

_HASH_CHUNK = 1 << 20
_HASH_THREADS = max(1, min(4, os.cpu_count() or 1))
_PROGRESS_POLL_S = 0.1
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class IngestReport:
    files: int
    rows: int
    months: list[tuple[str, str]]  # sorted (force, month)
    rows_without_lsoa: int  # no LSOA code at all: cannot be placed
    rows_outside_areas: int  # has an LSOA, but in a district not configured, or unmappable
    outside_by_district: dict[str, int]  # district name (or code) -> rows, largest first
    unknown_crime_types: dict[str, int]  # kept in the store, but reported
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (force, month) reloaded
    unmapped_rows: int = 0  # of rows_outside_areas: LSOA not found by code nor by name
    # (force, month) given but not read: the same file (path, size, modification time) as
    # when it was loaded, with the same LSOA lookup. Not counted in files, rows or months.
    unchanged: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"Loaded {self.rows:,} rows from {self.files} file(s)."]
        forces = sorted({force for force, _ in self.months})
        months = sorted({month for _, month in self.months})
        if months:
            span = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
            lines.append(f"Forces: {', '.join(forces)}; months: {span} ({len(months)}).")
        if self.replaced:
            lines.append(f"Replaced {len(self.replaced)} (force, month) already loaded.")
        if self.unchanged:
            lines.append(
                f"Not read again: {len(self.unchanged)} file(s) unchanged since they were loaded."
            )
        lines.append(f"Rows without an LSOA (not counted): {self.rows_without_lsoa:,}.")
        outside = f"Rows outside the configured areas (not counted): {self.rows_outside_areas:,}"
        if self.unmapped_rows:
            outside += f", of which {self.unmapped_rows:,} in an LSOA not in the lookup"
        lines.append(outside + ".")
        if self.outside_by_district:
            top = ", ".join(f"{name} {n:,}" for name, n in self.outside_by_district.items())
            lines.append(f"  by district: {top}.")
        if self.unknown_crime_types:
            unknown = ", ".join(f"{name!r} {n:,}" for name, n in self.unknown_crime_types.items())
            lines.append(f"Unknown crime types (kept, not weighted by default): {unknown}.")
        return "\n".join(lines)


# What an ingest tells its caller as it goes: (stage in plain words, done, total); total 0
# when there is nothing to count. Called from the thread that called `ingest`.
Progress = Callable[[str, int, int], object]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


# --------------------------------------------------------------------------------------------
# Finding and checking files


@dataclass
class _File:
    path: Path  # readable path (a temporary copy for a zip member)
    source: str  # as the user knows it: path, or "archive.zip!member"
    force: str
    month: str
    size: int
    mtime_ns: int = 0
    # Where the file stays after the load (its resolved path), so that a later load can tell
    # it is unchanged and its sha256 can be taken after the commit; "" for a temporary copy.
    stays_at: str = ""
    sha256: str = ""

    @classmethod
    def at(cls, path: Path, source: str, force: str, month: str) -> _File:
        st = path.stat()
        return cls(path, source, force, month, st.st_size, st.st_mtime_ns, str(path.resolve()))


def _parse_name(name: str, source: str) -> tuple[str, str]:
    m = STREET_FILE_RE.match(name)
    if not m:
        raise CrimeDataError(
            f"{source}: file name must be YYYY-MM-<force>-street.csv (police.uk street-level), "
            f"got {name!r}"
        )
    return m["force"], m["month"]


def _is_junk(name: str) -> bool:
    # macOS archive debris: __MACOSX/ folders and ._ AppleDouble files.
    return name.startswith("._") or "__MACOSX" in name


def _collect(
    paths: Sequence[Path | str],
    stack: ExitStack,
    names: Mapping[str, str],
    progress: Progress,
) -> list[_File]:
    files: list[_File] = []
    for raw in paths:
        path = Path(raw)
        known = names.get(str(path), str(path))  # how the person who gave the file knows it
        if path.is_dir():
            found = sorted(p for p in path.rglob("*-street.csv") if not _is_junk(p.name))
            if not found:
                raise CrimeDataError(f"{known}: no police.uk *-street.csv files in this folder")
            for p in found:
                force, month = _parse_name(p.name, str(p))
                files.append(_File.at(p, str(p), force, month))
        elif path.is_file() and path.suffix.lower() == ".zip":
            files.extend(_extract_zip(path, stack, known, progress))
        elif path.is_file():
            force, month = _parse_name(path.name, known)
            files.append(_File.at(path, known, force, month))
        else:
            raise CrimeDataError(f"{known}: no such file or folder")
    return files


def _extract_zip(archive: Path, stack: ExitStack, known: str, progress: Progress) -> list[_File]:
    try:
        zf = stack.enter_context(zipfile.ZipFile(archive))
    except (zipfile.BadZipFile, OSError) as exc:
        raise CrimeDataError(f"{known}: not a readable zip archive ({exc})") from exc
    members = [
        info
        for info in zf.infolist()
        if not info.is_dir()
        and info.filename.endswith("-street.csv")
        and not _is_junk(Path(info.filename).name)
        and "__MACOSX" not in info.filename
    ]
    if not members:
        raise CrimeDataError(f"{known}: no police.uk *-street.csv files in this archive")
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="crime-zip-")))
    out: list[_File] = []
    for i, info in enumerate(sorted(members, key=lambda m: m.filename)):
        progress(
            f"Unpacking {i + 1} of {len(members)} files from {Path(known).name}", i, len(members)
        )
        name = Path(info.filename).name  # never trust member paths (no ../ escapes)
        source = f"{known}!{info.filename}"
        force, month = _parse_name(name, source)
        target = tmp / str(i) / name
        target.parent.mkdir()
        try:
            with zf.open(info) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, _HASH_CHUNK)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CrimeDataError(f"{source}: cannot extract ({exc})") from exc
        out.append(_File(target, source, force, month, target.stat().st_size))
    return out


def _sha256(path: Path, on_bytes: Callable[[int], object] | None = None) -> str:
    digest = hashlib.sha256()
    buf = bytearray(_HASH_CHUNK)
    view = memoryview(buf)
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(view[:n])
            if on_bytes is not None:
                on_bytes(n)
    return digest.hexdigest()


def _dedupe(files: list[_File]) -> list[_File]:
    """One file per (force, month): the same content given twice is fine, two different files
    for one (force, month) are an error."""
    by_key: dict[tuple[str, str], list[_File]] = {}
    for f in files:
        by_key.setdefault((f.force, f.month), []).append(f)
    out = []
    for (force, month), group in sorted(by_key.items()):
        if len(group) > 1:
            shas = {_sha256(f.path) for f in group}
            if len(shas) > 1:
                sources = "; ".join(f.source for f in group)
                raise CrimeDataError(
                    f"{force} {month} is given twice with different contents: {sources}"
                )
            group[0].sha256 = shas.pop()
        out.append(group[0])
    return out


def _check_header(f: _File) -> None:
    with f.path.open("rb") as fh:
        first = fh.readline(1 << 16)
    if first.startswith(_UTF8_BOM):
        first = first[len(_UTF8_BOM) :]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CrimeDataError(f"{f.source}: line 1: header is not UTF-8 ({exc})") from exc
    if not text.strip():
        raise CrimeDataError(f"{f.source}: line 1: empty file, expected the police.uk header")
    header = next(csv.reader(io.StringIO(text)))
    if tuple(header) == EXPECTED_COLUMNS:
        return
    for i, (got, want) in enumerate(zip(header, EXPECTED_COLUMNS, strict=False), start=1):
        if got != want:
            raise CrimeDataError(
                f"{f.source}: line 1, column {i}: header is {got!r}, expected {want!r}"
            )
    raise CrimeDataError(
        f"{f.source}: line 1: header has {len(header)} columns, expected "
        f"{len(EXPECTED_COLUMNS)} ({', '.join(EXPECTED_COLUMNS)})"
    )


def _first_month_mismatch(f: _File) -> tuple[int, str]:
    """Error path only: the line and value of the first row whose Month is not the file's."""
    with f.path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            if len(row) > 1 and row[1] != f.month:
                return reader.line_num, row[1]
    return 0, ""


_DUCK_LINE_RE = re.compile(r"CSV Error on Line: (\d+)")
_DUCK_FILE_RE = re.compile(r"^\s*file = (.+?)\s*$", re.MULTILINE)
_DUCK_REASONS = (
    "Expected Number of Columns",
    "unterminated quote",
    "Invalid unicode",
    "Value with",
    "Maximum line size",
)


def _duck_csv_error(exc: duckdb.Error, files: Sequence[_File]) -> CrimeDataError:
    message = str(exc)
    line = _DUCK_LINE_RE.search(message)
    path = _DUCK_FILE_RE.search(message)
    source = "police.uk CSV"
    if path:
        by_path = {str(f.path): f.source for f in files}
        source = by_path.get(path[1], path[1])
    reason = next(
        (
            part.strip()
            for part in message.splitlines()
            if any(key in part for key in _DUCK_REASONS)
        ),
        message.splitlines()[0] if message else type(exc).__name__,
    )
    where = f"{source}: line {line[1]}" if line else source
    return CrimeDataError(f"{where}: malformed CSV: {reason}")


# --------------------------------------------------------------------------------------------
# The store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS crime_counts (
    force TEXT NOT NULL,
    month TEXT NOT NULL,            -- YYYY-MM
    lsoa_code TEXT NOT NULL,        -- '' when police.uk gives none or the row is by district
    district_code TEXT,             -- NULL when the LSOA cannot be mapped
    crime_type TEXT NOT NULL,
    n BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingests (
    force TEXT NOT NULL,
    month TEXT NOT NULL,
    source_file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS configured_districts (district_code TEXT NOT NULL);
-- Since ADR 17: where a file was read from, its size and modification time (nanoseconds) and
-- the LSOA lookup it was mapped with, so that loading it again unchanged reads nothing; NULL
-- in rows loaded before, from an extract, or from a temporary copy (a zip member). sha256 is
-- '' from the commit until hash_pending takes it.
ALTER TABLE ingests ADD COLUMN IF NOT EXISTS read_path TEXT;
ALTER TABLE ingests ADD COLUMN IF NOT EXISTS size BIGINT;
ALTER TABLE ingests ADD COLUMN IF NOT EXISTS mtime_ns BIGINT;
ALTER TABLE ingests ADD COLUMN IF NOT EXISTS lookup_sha256 TEXT;
"""


def _columns_sql() -> str:
    return "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in EXPECTED_COLUMNS) + "}"


_READ_CSV = (
    "read_csv($paths, header = true, columns = "
    + _columns_sql()
    + ", auto_detect = false, delim = ',', quote = '\"', escape = '\"', strict_mode = true,"
    " null_padding = false, ignore_errors = false, encoding = 'utf-8')"
)


class CrimeStore:
    """Aggregated police.uk counts in a DuckDB file at ``path``.

    Each read opens and closes its own read-only connection, so the file is not held open;
    each write works on a copy under the store's lock and replaces the file whole (see the
    module's docstring), so a read never meets a writer."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def is_working_file(self, path: Path) -> bool:
        """True for the files beside the store that are not the store: its lock, a copy being
        written (or left by an interrupted write) and a write-ahead log."""
        name = path.name
        return path.parent == self.path.parent and (
            name == self.lock_path.name
            or name == self.path.name + ".wal"
            or (name.startswith(self.path.name + ".") and ".writing" in name)
        )

    @contextmanager
    def _connect(self, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A read-only connection to the store, or None when there is no store yet."""
        if not read_only:
            raise ValueError("the store is never opened for writing: use _writing()")
        if not self.path.exists():
            yield None
            return
        import duckdb

        con = duckdb.connect(str(self.path), read_only=True)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def _locked(self, progress: Progress = _quiet, count: int = 0) -> Iterator[None]:
        """Hold the store's write lock (waiting for another write to finish first)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                progress("Waiting for another load of crime data to finish", 0, count)
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _writing(
        self, progress: Progress = _quiet, count: int = 0
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to a copy of the store; when the block ends without an
        error the copy is checkpointed, closed and moved over the store in one rename.
        `count` is the number of files being loaded, for `progress`."""
        import duckdb

        with self._locked(progress, count):
            for leftover in self.path.parent.glob(self.path.name + ".*.writing*"):
                leftover.unlink(missing_ok=True)  # from a write that was killed
            working = self.path.with_name(f"{self.path.name}.{uuid.uuid4().hex[:12]}.writing")
            working_wal = Path(f"{working}.wal")
            store_wal = Path(f"{self.path}.wal")  # only from a writer killed before this design
            try:
                if self.path.exists():
                    shutil.copyfile(self.path, working)
                    if store_wal.exists():
                        shutil.copyfile(store_wal, working_wal)
                con = duckdb.connect(str(working))
                try:
                    yield con
                    progress("Saving the crime store", count, count)
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
                if working_wal.exists():
                    raise RuntimeError(f"{working}: DuckDB left a write-ahead log after CHECKPOINT")
                _fsync(working)
                store_wal.unlink(missing_ok=True)
                os.replace(working, self.path)
                _fsync(self.path.parent)
            finally:
                working.unlink(missing_ok=True)
                working_wal.unlink(missing_ok=True)

    # ---------------------------------------------------------------------------- ingest

    def ingest(
        self,
        paths: Sequence[Path | str],
        lookup: LsoaLookup,
        progress: bool = False,
        *,
        names: Mapping[str, str] | None = None,
        on_progress: Progress | None = None,
    ) -> IngestReport:
        """Load police.uk street-level files, folders of them, or zip archives of them.

        Everything in one call loads, or nothing does. A (force, month) already in the store is
        replaced. Raises CrimeDataError for a malformed file (wrong name or header, a Month
        that is not the file's month, bad CSV, wrong column count).

        `progress` draws a bar on stderr (the command line); `on_progress(stage, done, total)`
        is told each stage and file as it goes (a job's page). `names` maps a given path to
        the name its owner knows it by (an uploaded file kept under its hash), for messages
        and the record of loaded files."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        if not paths:
            raise CrimeDataError("nothing to ingest: no files given")
        report_progress = on_progress or _quiet
        with ExitStack() as stack:
            files = _dedupe(_collect(paths, stack, names or {}, report_progress))
            for i, f in enumerate(files):
                report_progress(f"Checking {i + 1} of {len(files)} files", i, len(files))
                _check_header(f)
            with self._writing(report_progress, count=len(files)) as con:
                return self._ingest(con, files, lookup, progress, report_progress)
        raise AssertionError("unreachable")  # pragma: no cover (ExitStack may swallow, to mypy)

    def _ingest(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[_File],
        lookup: LsoaLookup,
        progress: bool,
        report_progress: Progress,
    ) -> IngestReport:
        import duckdb
        from tqdm import tqdm

        con.execute(_SCHEMA)
        fingerprint = _lookup_fingerprint(lookup)
        files, unchanged = _unchanged(con, files, fingerprint)
        _lookup_tables(con, files, lookup)
        bar = tqdm(
            total=sum(f.size for f in files),
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=f"Reading {len(files)} police.uk files",
            file=sys.stderr,
            disable=not progress or len(files) < PROGRESS_MIN_FILES,
        )
        reading: Future | None = None
        with bar, ThreadPoolExecutor(max_workers=1, thread_name_prefix="crime-read") as pool:
            con.execute("BEGIN TRANSACTION")
            try:
                replaced = con.execute(
                    "SELECT DISTINCT i.force, i.month FROM ingests i JOIN _files f"
                    " ON i.force = f.force AND i.month = f.month ORDER BY 1, 2"
                ).fetchall()
                for table in ("crime_counts", "ingests"):
                    con.execute(
                        f"DELETE FROM {table} USING _files f"  # noqa: S608 (fixed table names)
                        f" WHERE {table}.force = f.force AND {table}.month = f.month"
                    )
                if files:
                    # The one pass over the CSVs, in a second thread, while this one tells how
                    # far it has got and hashes any temporary copies (of zip members), whose
                    # sha256 cannot be taken after the load (hashlib and DuckDB both release
                    # the GIL). Files that stay where they are are hashed after the commit.
                    con.execute("SET enable_progress_bar = true")
                    con.execute("SET enable_progress_bar_print = false")
                    reading = pool.submit(
                        con.execute, _AGGREGATE, {"paths": [str(f.path) for f in files]}
                    )
                    try:
                        _while_reading(con, files, reading, bar.update, report_progress)
                    except OSError as exc:
                        raise CrimeDataError(f"cannot read a police.uk file: {exc}") from exc
                    try:
                        reading.result()
                    except duckdb.Error as exc:
                        raise _duck_csv_error(exc, files) from exc
                    report_progress(f"Counting {len(files)} files", len(files), len(files))
                    _name_unmapped(con)
                    _check_months(con, files)
                    con.execute(_STORE_COUNTS)
                report, rows = _report(con, files, lookup)
                report.replaced = [(str(a), str(b)) for a, b in replaced]
                report.unchanged = unchanged
                con.execute(
                    "INSERT INTO ingests (force, month, source_file, sha256, rows, loaded_at,"
                    " read_path, size, mtime_ns, lookup_sha256)"
                    " SELECT unnest($force::VARCHAR[]), unnest($month::VARCHAR[]),"
                    " unnest($source::VARCHAR[]), unnest($sha::VARCHAR[]), unnest($rows::BIGINT[]),"
                    " $now::TIMESTAMP, unnest($path::VARCHAR[]), unnest($size::BIGINT[]),"
                    " unnest($mtime::BIGINT[]), $lookup",
                    {
                        "force": [f.force for f in files],
                        "month": [f.month for f in files],
                        "source": [f.source for f in files],
                        "sha": [f.sha256 for f in files],
                        "rows": [int(rows.get(i, 0)) for i in range(len(files))],
                        "now": datetime.now(UTC).replace(tzinfo=None),
                        "path": [f.stays_at or None for f in files],
                        "size": [f.size for f in files],
                        "mtime": [f.mtime_ns for f in files],
                        "lookup": fingerprint,
                    },
                )
                con.execute("DELETE FROM configured_districts")
                con.execute("INSERT INTO configured_districts SELECT code FROM _conf")
                con.execute("COMMIT")
            except BaseException:
                if reading is not None:
                    wait([reading])  # the connection is DuckDB's until the read has ended
                con.execute("ROLLBACK")
                raise
        return report

    def hash_pending(
        self,
        *,
        loads: Sequence[tuple[str, str]] | None = None,
        months: Sequence[str] | None = None,
        on_progress: Progress | None = None,
    ) -> list[str]:
        """Take and record the sha256 of each loaded file that has none yet (a load commits its
        counts first): all of them, or those of the given (force, month) ``loads`` or
        ``months``. Return the files, by the name they were loaded under, that could not be
        hashed because they are gone or have changed (size or modification time) since they
        were loaded; they keep no sha256. Takes the store's write lock only when there is
        something to hash."""
        report_progress = on_progress or _quiet
        where, params = _pending_where(loads, months)
        count = len(self._pending(loads, months))
        if not count:
            return []
        with self._writing(report_progress, count) as con:
            pending = [
                (str(force), str(month), str(source), path, size, mtime_ns)
                for force, month, source, path, size, mtime_ns in con.execute(
                    f"SELECT force, month, source_file, read_path, size, mtime_ns FROM ingests WHERE {where} ORDER BY force, month",  # noqa: S608 (fixed fragments; values are bound)
                    params,
                ).fetchall()
            ]

            def unchanged(path: str | None, size: int, mtime_ns: int) -> bool:
                try:
                    st = os.stat(path) if path else None
                except OSError:
                    return False
                return st is not None and (st.st_size, st.st_mtime_ns) == (size, mtime_ns)

            hashable = [p for p in pending if unchanged(*p[3:])]
            lost = [p[2] for p in pending if p not in hashable]
            with ThreadPoolExecutor(_HASH_THREADS, thread_name_prefix="crime-hash") as pool:
                shas = pool.map(lambda p: _sha256(Path(p[3])), hashable)
                for i, (p, sha) in enumerate(zip(hashable, shas, strict=True)):
                    report_progress(f"Taking the sha256 of {i + 1} of {count} files", i, count)
                    force, month, source, path, size, mtime_ns = p
                    if not unchanged(path, size, mtime_ns):
                        lost.append(source)  # written to while it was being hashed
                        continue
                    con.execute(
                        "UPDATE ingests SET sha256 = ? WHERE force = ? AND month = ?"
                        " AND read_path = ? AND sha256 = ''",
                        [sha, force, month, path],
                    )
        return sorted(lost)

    def _pending(
        self,
        loads: Sequence[tuple[str, str]] | None = None,
        months: Sequence[str] | None = None,
    ) -> list[str]:
        """The loaded files (as they were named) whose sha256 is still to be taken."""
        where, params = _pending_where(loads, months)
        with self._connect(read_only=True) as con:
            if con is None or not _has_schema(con):
                return []
            sql = f"SELECT source_file FROM ingests WHERE {where} ORDER BY 1"  # noqa: S608
            return sorted(str(s) for (s,) in con.execute(sql, params).fetchall())

    def require_hashes(self, months: Sequence[str]) -> None:
        """Make sure every file loaded for ``months`` has its sha256 recorded (taking those
        still missing); raise CrimeDataError naming any file that is gone or has changed since
        it was loaded, which must be loaded again before a run can name it."""
        if not self._pending(months=months):
            return
        self.hash_pending(months=months)
        missing = self._pending(months=months)
        if missing:
            raise CrimeDataError(
                "These police.uk files are gone or have changed since they were loaded, so"
                " they cannot be named by their sha256: load them again: " + "; ".join(missing)
            )

    # ---------------------------------------------------------------------------- queries

    def months(self, force: str | None = None) -> list[str]:
        """Months loaded (for one force, or any), sorted."""
        with self._connect(read_only=True) as con:
            if con is None or not _has_schema(con):
                return []
            sql = "SELECT DISTINCT month FROM ingests"
            params: list[str] = []
            if force is not None:
                sql += " WHERE force = ?"
                params.append(force)
            return [str(m) for (m,) in con.execute(sql + " ORDER BY month", params).fetchall()]

    def configured(self) -> frozenset[str]:
        """The district codes configured at the last ingest."""
        with self._connect(read_only=True) as con:
            if con is None or not _has_schema(con):
                return frozenset()
            rows = con.execute("SELECT district_code FROM configured_districts").fetchall()
            return frozenset(str(c) for (c,) in rows)

    def counts(
        self,
        months: Sequence[str],
        include_asb: bool,
        districts: Iterable[str] | None = None,
    ) -> dict[tuple[str, str], int]:
        """(district code, crime type) -> count over ``months``, for the configured districts
        (as at the last ingest) or the given ``districts``. ASB only when ``include_asb``."""
        months = list(months)
        if not months:
            return {}
        with self._connect(read_only=True) as con:
            if con is None or not _has_schema(con):
                return {}
            where = ["month IN (SELECT unnest($months))"]
            params: dict[str, object] = {"months": months}
            if districts is None:
                where.append("district_code IN (SELECT district_code FROM configured_districts)")
            else:
                where.append("district_code IN (SELECT unnest($districts::VARCHAR[]))")
                params["districts"] = sorted(set(districts))
            if not include_asb:
                where.append("crime_type <> $asb")
                params["asb"] = ASB
            sql = f"SELECT district_code, crime_type, sum(n)::BIGINT FROM crime_counts WHERE {' AND '.join(where)} GROUP BY ALL ORDER BY 1, 2"  # noqa: S608 (fixed fragments; values are bound)
            rows = con.execute(sql, params).fetchall()
        return {(str(d), str(t)): int(n) for d, t, n in rows}

    def lsoa_counts(self, months: Sequence[str], crime_types: Sequence[str]) -> dict[str, int]:
        """LSOA code -> count of the given crime types over ``months`` (rows with an LSOA only).
        Empty when the store holds no LSOA-level rows (a district-level extract). Only the
        types in ``LSOA_LEVEL_CRIME_TYPES`` are kept by LSOA: any other is a ValueError."""
        other = sorted(set(crime_types) - set(LSOA_LEVEL_CRIME_TYPES))
        if other:
            raise ValueError(
                f"the crime store keeps only {', '.join(LSOA_LEVEL_CRIME_TYPES)} by LSOA,"
                f" not {', '.join(other)}"
            )
        months = list(months)
        if not months or not crime_types:
            return {}
        with self._connect(read_only=True) as con:
            if con is None or not _has_schema(con):
                return {}
            rows = con.execute(
                "SELECT lsoa_code, sum(n)::BIGINT FROM crime_counts WHERE lsoa_code <> ''"
                " AND month IN (SELECT unnest($m)) AND crime_type IN (SELECT unnest($t))"
                " GROUP BY lsoa_code ORDER BY lsoa_code",
                {"m": months, "t": list(crime_types)},
            ).fetchall()
        return {str(code): int(n) for code, n in rows}

    def content_hash(self, months: Sequence[str]) -> str:
        """sha256 over the sorted sha256s of the files loaded for ``months`` (all forces):
        the same files give the same hash, wherever and whenever they were loaded. Takes the
        sha256 of any of those files loaded since the last ``hash_pending`` first (see
        ``require_hashes``)."""
        shas: list[str] = []
        months = list(months)
        self.require_hashes(months)
        with self._connect(read_only=True) as con:
            if con is not None and months and _has_schema(con):
                shas = [
                    str(s)
                    for (s,) in con.execute(
                        "SELECT sha256 FROM ingests WHERE month IN (SELECT unnest($m))",
                        {"m": months},
                    ).fetchall()
                ]
        return hashlib.sha256("\n".join(sorted(shas)).encode("ascii")).hexdigest()

    def coverage(self, months: Sequence[str]) -> dict[str, int]:
        """month -> rows loaded (all forces); 0 for a month not loaded."""
        out = dict.fromkeys(sorted(set(months)), 0)
        if not out:
            return out
        with self._connect(read_only=True) as con:
            if con is None or not _has_schema(con):
                return out
            for month, rows in con.execute(
                "SELECT month, sum(rows)::BIGINT FROM ingests WHERE month IN (SELECT unnest($m))"
                " GROUP BY month",
                {"m": list(out)},
            ).fetchall():
                out[str(month)] = int(rows)
        return out


_LSOA_TYPES_SQL = (
    "(" + ", ".join("'" + t.replace("'", "''") + "'" for t in LSOA_LEVEL_CRIME_TYPES) + ")"
)

# Every file in one read_csv, counted by file, Month, LSOA code and crime type, with one LSOA
# name for each count (the name places an LSOA the 2011 lookup lacks: in the real
# Leicestershire year, 12% of rows, in every file). Each count is then mapped to its district
# by 2011 code and summed to what is kept: the LSOA code stays only for the crime types kept
# by LSOA, and for a code the lookup lacks, with its name. Carrying the name through a per-row
# join instead costs more; dropping it would mean reading again every file that holds such a
# code (ADR 17).
_AGGREGATE = f"""
CREATE TEMP TABLE _raw AS
SELECT file_index AS fi, "Month" AS month, "LSOA code" AS code, "Crime type" AS crime_type,
       count(*) AS n, any_value("LSOA name") AS name
FROM {_READ_CSV}
GROUP BY ALL
"""  # noqa: S608 (constants only; values are bound parameters)

_MAP_COUNTS = f"""
CREATE TEMP TABLE _agg AS
SELECT r.fi, r.month, l.lad,
       CASE WHEN l.lad IS NULL OR r.crime_type IN {_LSOA_TYPES_SQL} THEN r.code END AS code,
       r.crime_type, sum(r.n)::BIGINT AS n,
       any_value(CASE WHEN l.lad IS NULL THEN r.name END) AS name
FROM _raw r LEFT JOIN _l11 l ON l.code = r.code
GROUP BY ALL
"""  # noqa: S608 (constants only)

# The name of each (file, LSOA code) the 2011 lookup lacks, and the district its prefix gives.
_UNMAPPED_NAMES = f"""
CREATE TEMP TABLE _unm AS
SELECT u.fi, u.code, u.name, dn.code AS lad
FROM (
    SELECT fi, code, any_value(name) AS name FROM _agg
    WHERE lad IS NULL AND code IS NOT NULL
    GROUP BY ALL
) u
LEFT JOIN _names dn ON dn.name = regexp_replace(trim(u.name), '{LSOA_SUFFIX_SQL}', '')
"""  # noqa: S608 (constants only)

# What is kept: counts by (force, month, district, crime type), and by LSOA as well for the
# crime types kept by LSOA. lsoa_code is '' for a row by district and for a row police.uk gave
# no LSOA (whose district is NULL, as it is for an LSOA neither its code nor its name places).
_STORE_COUNTS = f"""
INSERT INTO crime_counts (force, month, lsoa_code, district_code, crime_type, n)
SELECT f.force, f.month,
       CASE WHEN a.crime_type IN {_LSOA_TYPES_SQL} THEN coalesce(a.code, '') ELSE '' END,
       coalesce(a.lad, u.lad),
       coalesce(a.crime_type, ''),
       sum(a.n)::BIGINT
FROM _agg a
JOIN _files f ON f.fi = a.fi
LEFT JOIN _unm u ON a.lad IS NULL AND u.fi = a.fi AND u.code = a.code
GROUP BY ALL
"""  # noqa: S608 (constants only)


def _lookup_tables(
    con: duckdb.DuckDBPyConnection, files: Sequence[_File], lookup: LsoaLookup
) -> None:
    con.execute(
        "CREATE TEMP TABLE _files AS SELECT unnest($fi) AS fi, unnest($force::VARCHAR[]) AS force,"
        " unnest($month::VARCHAR[]) AS month",
        {
            "fi": list(range(len(files))),
            "force": [f.force for f in files],
            "month": [f.month for f in files],
        },
    )
    con.execute(
        "CREATE TEMP TABLE _l11 AS SELECT unnest($code::VARCHAR[]) AS code,"
        " unnest($lad::VARCHAR[]) AS lad",
        {"code": list(lookup.lsoa11), "lad": list(lookup.lsoa11.values())},
    )
    con.execute(
        "CREATE TEMP TABLE _names AS SELECT unnest($name::VARCHAR[]) AS name,"
        " unnest($code::VARCHAR[]) AS code",
        {"name": list(lookup.district_names), "code": list(lookup.district_names.values())},
    )
    con.execute(
        "CREATE TEMP TABLE _conf AS SELECT unnest($c::VARCHAR[]) AS code",
        {"c": sorted(lookup.configured)},
    )


def _pending_where(
    loads: Sequence[tuple[str, str]] | None, months: Sequence[str] | None
) -> tuple[str, dict[str, object]]:
    """The condition on ingests for files still to hash, of some loads or months, if given."""
    where: list[str] = ["sha256 = ''"]
    params: dict[str, object] = {}
    if loads is not None:
        where.append("(force, month) IN (SELECT (unnest($f::VARCHAR[]), unnest($m::VARCHAR[])))")
        params |= {"f": [f for f, _ in loads], "m": [m for _, m in loads]}
    if months is not None:
        where.append("month IN (SELECT unnest($months::VARCHAR[]))")
        params["months"] = list(months)
    return " AND ".join(where), params


def _lookup_fingerprint(lookup: LsoaLookup) -> str:
    """sha256 of what maps an LSOA to its district (the 2011 codes and the district names; not
    the configured districts, which only say which districts count): the same fingerprint maps
    every row of a file alike."""
    digest = hashlib.sha256()
    for pairs in (lookup.lsoa11, lookup.district_names):
        digest.update("\n".join(f"{a}\t{b}" for a, b in sorted(pairs.items())).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _unchanged(
    con: duckdb.DuckDBPyConnection, files: list[_File], fingerprint: str
) -> tuple[list[_File], list[tuple[str, str]]]:
    """Split the files into those to read and the (force, month)s whose recorded load is of
    this very file: the same path, size and modification time, mapped with the same lookup."""
    recorded: dict[tuple[str, str], list[tuple[object, ...]]] = {}
    for force, month, *load in con.execute(
        "SELECT force, month, read_path, size, mtime_ns, lookup_sha256 FROM ingests"
    ).fetchall():
        recorded.setdefault((str(force), str(month)), []).append(tuple(load))
    read, unchanged = [], []
    for f in files:
        same = (f.stays_at, f.size, f.mtime_ns, fingerprint)
        if f.stays_at and recorded.get((f.force, f.month)) == [same]:
            unchanged.append((f.force, f.month))
        else:
            read.append(f)
    return read, unchanged


def _check_months(con: duckdb.DuckDBPyConnection, files: Sequence[_File]) -> None:
    """Every row's Month must be its file's month (police.uk files are one month each)."""
    bad = con.execute(
        "SELECT a.fi, a.month FROM _agg a JOIN _files f ON f.fi = a.fi"
        " WHERE a.month IS DISTINCT FROM f.month ORDER BY a.fi LIMIT 1"
    ).fetchone()
    if bad is None:
        return
    f = files[int(bad[0])]
    line, value = _first_month_mismatch(f)
    where = f"line {line}, column 2 (Month)" if line else "column 2 (Month)"
    shown = value or ("" if bad[1] is None else str(bad[1]))
    raise CrimeDataError(f"{f.source}: {where}: Month is {shown!r}, but the file is for {f.month}")


def _name_unmapped(con: duckdb.DuckDBPyConnection) -> None:
    """Map the counts just read (_raw, then dropped) to districts by 2011 code (_agg), and name
    the LSOAs the 2011 lookup lacks and find their districts (_unm)."""
    con.execute(_MAP_COUNTS)
    con.execute("DROP TABLE _raw")
    con.execute(_UNMAPPED_NAMES)


def _report(
    con: duckdb.DuckDBPyConnection, files: Sequence[_File], lookup: LsoaLookup
) -> tuple[IngestReport, dict[int, int]]:
    """What was just read (the aggregate, inside the ingest transaction), in one pass; also
    the rows per file."""
    groups = []
    if files:
        groups = con.execute(
            """
            WITH placed AS (
                SELECT a.fi, a.crime_type, a.n, a.code, u.name,
                       a.lad IS NULL AND coalesce(a.code, '') = '' AS no_lsoa,
                       coalesce(a.lad, u.lad) AS district
                FROM _agg a LEFT JOIN _unm u ON a.lad IS NULL AND u.fi = a.fi AND u.code = a.code
            )
            SELECT fi,
                   CASE WHEN no_lsoa THEN 'none'
                        WHEN district IN (SELECT code FROM _conf) THEN 'in'
                        WHEN district IS NULL THEN 'unmapped'
                        ELSE 'out' END AS place,
                   CASE WHEN NOT no_lsoa AND district NOT IN (SELECT code FROM _conf)
                        THEN district END AS outside,
                   CASE WHEN coalesce(crime_type, '') NOT IN (SELECT unnest($known::VARCHAR[]))
                        THEN coalesce(crime_type, '') END AS unknown,
                   CASE WHEN NOT no_lsoa AND district IS NULL THEN code END AS unmapped_code,
                   CASE WHEN NOT no_lsoa AND district IS NULL THEN name END AS unmapped_name,
                   sum(n)::BIGINT
            FROM placed
            GROUP BY ALL
            """,
            {"known": list(POLICE_UK_CRIME_TYPES)},
        ).fetchall()
    names = {code: name for name, code in lookup.district_names.items()}
    rows_by_file: dict[int, int] = {}
    by_place: dict[str, int] = {}
    outside_by: dict[str, int] = {}
    unknown: dict[str, int] = {}
    for fi, place, outside, unknown_type, unmapped_code, unmapped_name, n in groups:
        n = int(n)
        rows_by_file[int(fi)] = rows_by_file.get(int(fi), 0) + n
        by_place[place] = by_place.get(place, 0) + n
        if outside is not None:
            label = names.get(outside) or str(outside)
            outside_by[label] = outside_by.get(label, 0) + n
        if unknown_type is not None:
            unknown[str(unknown_type)] = unknown.get(str(unknown_type), 0) + n
        if place == "unmapped":
            label = district_prefix(unmapped_name) or str(unmapped_code)
            outside_by[label] = outside_by.get(label, 0) + n
    unmapped = by_place.get("unmapped", 0)
    ranked = sorted(outside_by.items(), key=lambda kv: (-kv[1], kv[0]))
    top = dict(ranked[:OUTSIDE_TOP])
    if len(ranked) > OUTSIDE_TOP:
        top[f"other ({len(ranked) - OUTSIDE_TOP} districts)"] = sum(
            n for _, n in ranked[OUTSIDE_TOP:]
        )
    report = IngestReport(
        files=len(files),
        rows=sum(by_place.values()),
        months=sorted((f.force, f.month) for f in files),
        rows_without_lsoa=by_place.get("none", 0),
        rows_outside_areas=by_place.get("out", 0) + unmapped,
        outside_by_district=top,
        unknown_crime_types=dict(sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))),
        unmapped_rows=unmapped,
    )
    return report, rows_by_file


def _has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ingests' AND NOT temporary"
    ).fetchone()
    return bool(row and row[0])


def _while_reading(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[_File],
    reading: Future,
    on_bytes: Callable[[int], object],
    progress: Progress,
) -> None:
    """While the read runs in the other thread: hash the temporary copies (zip members), then
    tell `progress` (and the bar, by bytes) how far the read has got, from DuckDB's own
    measure, until it ends. Stops early if the read has failed (its error is the one to
    report)."""
    for f in files:
        if reading.done() and reading.exception() is not None:
            return
        if not f.stays_at and not f.sha256:
            f.sha256 = _sha256(f.path)
    count, total = len(files), sum(f.size for f in files)
    shown_files, shown_bytes = -1, 0
    while True:
        finished = bool(wait([reading], timeout=_PROGRESS_POLL_S).done)
        percent = 100.0 if finished else con.query_progress()
        if percent >= 0:
            done_files = min(count, int(count * percent / 100))
            done_bytes = min(total, int(total * percent / 100))
            if done_bytes > shown_bytes:
                on_bytes(done_bytes - shown_bytes)
                shown_bytes = done_bytes
            if done_files != shown_files:
                progress(f"Reading {done_files} of {count} files", done_files, count)
                shown_files = done_files
        if finished:
            return


def _fsync(path: Path) -> None:
    """Make a file's (or a folder's) contents durable before it is renamed or relied on."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
