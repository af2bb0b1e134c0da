"""A backup restored into a fresh data directory and a fresh database holds every allocation,
decision and uploaded file of the original, and a damaged or misdirected restore writes
nothing."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from commissioning.budgets.models import Allocation, LedgerEntry
from commissioning.decisions.models import DecisionRecord

COMMAND = [sys.executable, "-m", "commissioning"]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMISSIONING_")}
    env.update(COMMISSIONING_DATA_DIR=str(data_dir), DATABASE_URL=database_url)
    return env


def _run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'commissioning.sqlite3'}"
        return
    import psycopg

    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = _database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _count(database_url: str, table: str) -> int:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as con:
            return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.django_db
def test_a_backup_restores_every_allocation_decision_and_upload(tmp_path, fresh_database):
    # What the session committed: the LLR example (a test's own writes are never committed).
    allocations, entries = Allocation.objects.count(), LedgerEntry.objects.count()
    decisions = DecisionRecord.objects.count()
    assert allocations > 90 and decisions >= 2
    data_dir = Path(settings.DATA_DIR)
    upload = data_dir / "attachments" / f"{uuid.uuid4().hex}.pdf"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"%PDF-1.4 a budget " + os.urandom(64))
    archive = tmp_path / "backup.tar.gz"

    made = _run(["backup", str(archive)], _env(data_dir, _database_url()))
    assert made.returncode == 0, made.stderr
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    names = {m["name"] for m in manifest["members"]}
    assert f"data/attachments/{upload.name}" in names
    assert "data/crime.duckdb" in names

    restored_dir = tmp_path / "restored"
    done = _run(["restore", str(archive)], _env(restored_dir, fresh_database))
    assert done.returncode == 0, done.stderr
    assert "every checksum matched" in done.stdout
    assert _count(fresh_database, "budgets_allocation") == allocations
    assert _count(fresh_database, "budgets_ledgerentry") == entries
    assert _count(fresh_database, "decisions_decisionrecord") == decisions
    copy = restored_dir / "attachments" / upload.name
    assert (
        hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(upload.read_bytes()).digest()
    )
    assert (restored_dir / "crime.duckdb").stat().st_size == (
        data_dir / "crime.duckdb"
    ).stat().st_size

    # Restoring again over what is now there is refused, and changes nothing.
    again = _run(["restore", str(archive)], _env(restored_dir, fresh_database))
    assert again.returncode != 0
    assert "restore into an empty one" in again.stderr
    assert _count(fresh_database, "budgets_allocation") == allocations


@pytest.mark.django_db
def test_a_damaged_backup_writes_nothing(tmp_path, fresh_database):
    archive = tmp_path / "backup.tar.gz"
    assert (
        _run(["backup", str(archive)], _env(Path(settings.DATA_DIR), _database_url())).returncode
        == 0
    )
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name == "data/crime.duckdb":
                data = data[:-1] + bytes([data[-1] ^ 1])
            info.size = len(data)
            import io

            dst.addfile(info, io.BytesIO(data))
    restored_dir = tmp_path / "restored"
    result = _run(["restore", str(damaged)], _env(restored_dir, fresh_database))
    assert result.returncode != 0
    assert "data/crime.duckdb in the backup is damaged" in result.stderr
    assert not any(
        p.is_file() for p in restored_dir.rglob("*") if p.name != "commissioning.sqlite3"
    )
    if fresh_database.startswith("sqlite:///"):
        with sqlite3.connect(fresh_database.removeprefix("sqlite:///")) as con:
            assert (
                con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
                == 0
            )
