"""Backup and restore of everything the product keeps: the database, the crime store and
the uploaded files, in one archive.

The archive is a gzipped tar with a `manifest.json` listing every member with its size and
sha256. A backup is consistent while the product runs: SQLite through its online backup
API, PostgreSQL through `pg_dump` (one snapshot), the DuckDB crime store copied from one
open handle (an ingest never writes the store file in place: it replaces it whole, so the
handle reads one complete version) and then opened read-only to check it. A restore checks every
member against the manifest before it writes anything, and writes only into an empty data
directory and an empty database, so nothing is ever half-restored over live data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.db import connection

from commissioning.crime.store import CrimeStore

FORMAT = 1
CRIME_STORE = "crime.duckdb"
# What in the data directory is not kept: the database (backed up through its own API), its
# journal, collected static files (made again by collectstatic) and test databases.
SKIPPED = {"static"}


class BackupError(Exception):
    """Something stops a backup or a restore; the message says what, in words."""


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    return connection.vendor


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _pg_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{db['NAME']}"


def _skipped(path: Path, data_dir: Path) -> bool:
    rel = path.relative_to(data_dir)
    if rel.parts[0] in SKIPPED or (rel.name == CRIME_STORE and len(rel.parts) == 1):
        return True
    if CrimeStore(data_dir / CRIME_STORE).is_working_file(data_dir / rel):
        return True  # its lock, or a copy an ingest is writing
    if _vendor() == "sqlite":
        db = _sqlite_path().resolve()
        if path.resolve() in {db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")}:
            return True
    return rel.name.startswith("test-") and ".sqlite3" in rel.name


def backup(target: Path) -> list[Member]:
    """Write the archive to `target` and return what it holds."""
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        files: list[tuple[str, Path]] = []
        if _vendor() == "sqlite":
            dump = staging / "database.sqlite3"
            source = sqlite3.connect(_sqlite_path())
            try:
                with sqlite3.connect(dump) as copy:
                    source.backup(copy)
            finally:
                source.close()
            files.append(("database.sqlite3", dump))
        elif _vendor() == "postgresql":
            dump = staging / "database.pgdump"
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _pg_url()])
            files.append(("database.pgdump", dump))
        else:
            raise BackupError(f"backups of a {_vendor()} database are not supported")
        store = data_dir / CRIME_STORE
        if store.exists():
            copy_path = staging / CRIME_STORE
            with store.open("rb") as source_file, copy_path.open("wb") as copy_file:
                shutil.copyfileobj(source_file, copy_file, 1 << 20)
            try:
                duckdb.connect(str(copy_path), read_only=True).close()
            except duckdb.Error as exc:
                raise BackupError(f"The crime store cannot be read: {exc}") from exc
            files.append((f"data/{CRIME_STORE}", copy_path))
        if data_dir.exists():
            for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
                if not _skipped(path, data_dir):
                    files.append((f"data/{path.relative_to(data_dir).as_posix()}", path))
        members = [Member(name, p.stat().st_size, _sha256(p)) for name, p in files]
        manifest = {
            "format": FORMAT,
            "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": _vendor(),
            "members": [m.__dict__ for m in members],
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
            for name, path in files:
                archive.add(path, arcname=name, recursive=False)
        partial.replace(target)
    return members


def _run(args: list[str], **kwargs: Any) -> None:
    try:
        subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"{args[0]} is not installed (Debian: postgresql-client)") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{args[0]} failed: {exc.stderr.strip()}") from exc


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        raise BackupError("This is not a backup of the product: it has no manifest") from None
    assert member is not None
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup is in format {manifest.get('format')}, not {FORMAT}")
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(source: Path) -> list[Member]:
    """Restore the archive into the configured data directory and database, both empty."""
    data_dir = Path(settings.DATA_DIR)
    try:
        archive = tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{source} cannot be read as a backup: {exc}") from exc
    with archive, tempfile.TemporaryDirectory() as tmp:
        manifest = _read_manifest(archive)
        if manifest["database"] != _vendor():
            raise BackupError(
                f"This backup holds a {manifest['database']} database; the product is "
                f"configured for {_vendor()}"
            )
        members = [Member(**m) for m in manifest["members"]]
        staging = Path(tmp)
        archive.extractall(staging, members=_safe_members(archive, members), filter="data")
        for m in members:
            path = staging / m.name
            if not path.is_file() or path.stat().st_size != m.size or _sha256(path) != m.sha256:
                raise BackupError(f"{m.name} in the backup is damaged (its checksum differs)")
        existing = [p for p in data_dir.rglob("*") if p.is_file() and not _skipped(p, data_dir)]
        if existing:
            raise BackupError(
                f"The data directory {data_dir} already holds files: restore into an empty one"
            )
        if not _database_is_empty():
            raise BackupError("The database already has tables: restore into an empty database")
        if _vendor() == "sqlite":
            connection.close()
            target = _sqlite_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            for journal in (Path(f"{target}-wal"), Path(f"{target}-shm")):
                journal.unlink(missing_ok=True)
            shutil.copyfile(staging / "database.sqlite3", target)
        else:
            dump = str(staging / "database.pgdump")
            _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_pg_url()}", dump])
        for m in members:
            if m.name.startswith("data/"):
                target = data_dir / m.name.removeprefix("data/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(staging / m.name, target)
        return members


def _safe_members(archive: tarfile.TarFile, members: list[Member]) -> list[tarfile.TarInfo]:
    wanted = {m.name for m in members}
    chosen = []
    for info in archive.getmembers():
        if info.name == "manifest.json":
            continue
        unsafe = os.path.isabs(info.name) or ".." in Path(info.name).parts
        if info.name not in wanted or not info.isfile() or unsafe:
            raise BackupError(f"The backup holds an unexpected member: {info.name}")
        chosen.append(info)
    return chosen
