"""An ingest never locks a reader out of the crime store: while a load is in progress in
another process (DuckDB would refuse any other process a read-only open of a file that
process holds for writing), reads answer with the data as it was, and see the new data once
the load has finished; two loads at once take turns and both land."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from commissioning.crime.store import CrimeStore
from tests.policeuk import street_csv, street_name, tiny_lookup

ROOT = Path(__file__).resolve().parents[2]


def write(folder: Path, month: str, crimes: int = 3) -> Path:
    path = folder / street_name(month)
    path.write_bytes(street_csv(month, crimes))
    return path


class HeldIngest:
    """`tests/crime/hold_ingest.py` in a process of its own, held at its last step."""

    def __init__(self, store: Path, tmp_path: Path, *files: Path) -> None:
        self.ready, self.release = tmp_path / "ready", tmp_path / "release"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "tests.crime.hold_ingest"),
                *(str(store), str(self.ready), str(self.release)),
                *map(str, files),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not self.ready.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"the held ingest did not start: {self.process.stderr.read()}")
            time.sleep(0.02)

    def finish(self) -> list:
        self.release.touch()
        out, err = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, err
        return json.loads(out)


@pytest.fixture
def store(tmp_path) -> CrimeStore:
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([write(tmp_path, "2023-04")], tiny_lookup())
    return store


def test_a_read_during_an_ingest_sees_the_old_data_then_the_new(store, tmp_path):
    held = HeldIngest(store.path, tmp_path, write(tmp_path, "2023-05", crimes=5))
    try:
        # The other process has written everything and holds its lock: reading still works.
        assert store.months() == ["2023-04"]
        assert store.coverage(["2023-04", "2023-05"]) == {"2023-04": 3, "2023-05": 0}
        duckdb.connect(str(store.path), read_only=True).close()
        assert store.lock_path.exists()
    finally:
        loaded = held.finish()
    assert loaded == [["testshire", "2023-05"]]
    assert store.months() == ["2023-04", "2023-05"]
    assert store.coverage(["2023-04", "2023-05"]) == {"2023-04": 3, "2023-05": 5}
    # Only the store and its lock are left beside it: no copy, no write-ahead log.
    assert sorted(p.name for p in store.path.parent.glob("crime.duckdb*")) == [
        "crime.duckdb",
        "crime.duckdb.lock",
    ]


def test_a_reader_that_opened_the_old_file_keeps_reading_it(store, tmp_path):
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        store.ingest([write(tmp_path, "2023-05")], tiny_lookup())
        assert con.execute("SELECT DISTINCT month FROM ingests").fetchall() == [("2023-04",)]
    finally:
        con.close()
    assert store.months() == ["2023-04", "2023-05"]


def test_two_ingests_at_once_take_turns_and_both_land(store, tmp_path):
    held = HeldIngest(store.path, tmp_path, write(tmp_path, "2023-05"))
    second: dict = {}

    def load_june() -> None:
        try:
            second["report"] = store.ingest(
                [write(tmp_path, "2023-06")],
                tiny_lookup(),
                on_progress=lambda stage, done, total: second.setdefault("stages", []).append(
                    stage
                ),
            )
        except BaseException as exc:  # reported below
            second["error"] = exc

    thread = threading.Thread(target=load_june)
    try:
        thread.start()
        deadline = time.monotonic() + 30
        while "Waiting for another load of crime data to finish" not in second.get("stages", []):
            assert time.monotonic() < deadline, second
            time.sleep(0.02)
        assert "report" not in second  # it waits for the lock
    finally:
        held.finish()
        thread.join(timeout=60)
    assert "error" not in second, second.get("error")
    assert store.months() == ["2023-04", "2023-05", "2023-06"]


def test_a_failed_ingest_leaves_the_store_as_it_was(store, tmp_path):
    before = store.path.read_bytes()
    bad = tmp_path / "bad" / street_name("2023-05")
    bad.parent.mkdir()
    bad.write_bytes(street_csv("2023-05", row_month="2023-06"))
    with pytest.raises(Exception, match="Month is '2023-06'"):
        store.ingest([bad], tiny_lookup())
    assert store.path.read_bytes() == before
    assert [p.name for p in tmp_path.glob("crime.duckdb.*.writing*")] == []


def test_a_copy_left_by_a_killed_ingest_is_cleared_by_the_next(store, tmp_path):
    leftover = tmp_path / "crime.duckdb.0123456789ab.writing"
    leftover.write_bytes(b"half a store")
    store.ingest([write(tmp_path, "2023-05")], tiny_lookup())
    assert not leftover.exists()
    assert store.is_working_file(store.lock_path) and not store.is_working_file(store.path)
