"""20 simultaneous commitments against a capped line that can afford 10 commit exactly 10.

Each run is a separate process with 20 threads, each on its own database connection, against
a database made for the run: a SQLite file (IMMEDIATE transactions), and PostgreSQL (row lock
on the budget line) when the suite runs on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

WORKER = Path(__file__).with_name("capped_worker.py")
pytestmark = pytest.mark.concurrency


def run_worker(mode: str, env: dict[str, str], n: int = 20, affordable: int = 10) -> dict:
    result = subprocess.run(
        [sys.executable, str(WORKER), mode, str(n), str(affordable)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def check(outcome: dict, vendor: str) -> None:
    assert outcome["vendor"] == vendor
    assert outcome["errors"] == []
    assert (outcome["committed"], outcome["refused"]) == (10, 10)
    assert outcome["committed_total"] == outcome["cap"] == "100000.00"


@pytest.mark.parametrize("mode", ["commit", "create"])
def test_sqlite_capped_line_under_concurrency(tmp_path, mode):
    env = {"COMMISSIONING_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    check(run_worker(mode, env), "sqlite")


@pytest.fixture
def postgres_database():
    if connection.vendor != "postgresql":
        pytest.skip("the suite is running on SQLite; PostgreSQL is covered by the PostgreSQL run")
    import psycopg

    db = settings.DATABASES["default"]
    name = f"commissioning_race_{uuid.uuid4().hex[:8]}"
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    yield f"postgres://{db['USER']}{password}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("mode", ["commit", "create"])
def test_postgresql_capped_line_under_concurrency(postgres_database, tmp_path, mode):
    env = {"COMMISSIONING_DATA_DIR": str(tmp_path), "DATABASE_URL": postgres_database}
    check(run_worker(mode, env), "postgresql")


def check_approvals(outcome: dict, vendor: str) -> None:
    assert outcome["vendor"] == vendor and outcome["errors"] == []
    assert (outcome["committed"], outcome["refused"]) == (1, 1)
    assert outcome["committed_total"] == outcome["cap"] == "10000.00"


def test_sqlite_two_approvals_of_the_last_affordable_award(tmp_path):
    """Two PCC approvals at the same moment when the pot can take one more award: one is
    committed, the other refused, the pot never overspent."""
    env = {"COMMISSIONING_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    check_approvals(run_worker("approve", env, n=2, affordable=1), "sqlite")


def test_postgresql_two_approvals_of_the_last_affordable_award(postgres_database, tmp_path):
    env = {"COMMISSIONING_DATA_DIR": str(tmp_path), "DATABASE_URL": postgres_database}
    check_approvals(run_worker("approve", env, n=2, affordable=1), "postgresql")


def test_sqlite_two_approvals_of_the_last_affordable_instalment(tmp_path):
    """Two CFOs approve, at the same moment, two instalments of one agreement when its
    maximum sum has room for one more: one is approved, the other refused."""
    env = {"COMMISSIONING_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    check_approvals(run_worker("pay", env, n=2, affordable=1), "sqlite")


def test_postgresql_two_approvals_of_the_last_affordable_instalment(postgres_database, tmp_path):
    env = {"COMMISSIONING_DATA_DIR": str(tmp_path), "DATABASE_URL": postgres_database}
    check_approvals(run_worker("pay", env, n=2, affordable=1), "postgresql")
