"""The real thing: the database task backend and a `commissioning worker` process. An officer
uploads police.uk files (twice: one job), the job waits in the task table, the worker runs it
once, and the job has succeeded with its progress, its audit trail and the data loaded. On a
SQLite file, and on a fresh PostgreSQL database when the suite runs on PostgreSQL."""

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

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(tmp_path):
    """A database of its own, of the kind the suite runs on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        return
    import psycopg

    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    server = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"commissioning_worker_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_worker_runs_a_queued_crime_ingest_once(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMISSIONING_")}
    env.update(COMMISSIONING_DATA_DIR=str(tmp_path / "data"), DATABASE_URL=database_url)

    started = json.loads(run(["tests.core.worker_journey", "start"], env).splitlines()[-1])
    assert started["again"] == started["job"]  # the same files twice: one job
    before = json.loads(run(["tests.core.worker_journey", "report"], env).splitlines()[-1])
    assert before["vendor"] == connection.vendor
    [job] = before["jobs"]
    assert job["status"] == "queued" and job["audit"] == ["job.queued"]
    assert before["tasks"] == [{"id": job["task"], "status": "READY"}]
    assert before["months"] == []

    run(["commissioning", "worker", "--once"], env)

    after = json.loads(run(["tests.core.worker_journey", "report"], env).splitlines()[-1])
    [job] = after["jobs"]
    assert job["status"] == "succeeded", job
    assert job["audit"] == ["job.queued", "job.running", "job.succeeded"]
    assert (job["done"], job["total"]) == (2, 2)
    assert job["stage"] == "Saving the crime store"
    assert "Loaded 7 rows from 2 file(s)." in job["outcome"]
    assert after["tasks"] == [{"id": job["task"], "status": "SUCCESSFUL"}]
    assert after["months"] == ["2023-04", "2023-05"]
    assert after["coverage"] == {"2023-04": 3, "2023-05": 4}

    # Run again: nothing is left to do, and nothing runs twice.
    run(["commissioning", "worker", "--once"], env)
    again = json.loads(run(["tests.core.worker_journey", "report"], env).splitlines()[-1])
    assert again["jobs"] == after["jobs"] and again["tasks"] == after["tasks"]
