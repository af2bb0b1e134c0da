"""The load's fast path (ADR 17): a file loaded before and unchanged is not read again; the
sha256 of a file that is read is taken after the counts are committed, and a run cannot name a
file by it once the file is gone or changed; counts by LSOA are kept only for the crime types
the Vulnerable Localities Index reads; a store written before all this still works."""

from __future__ import annotations

import hashlib
import os
import zipfile

import duckdb
import pytest

from commissioning.crime.police_uk import LSOA_LEVEL_CRIME_TYPES, CrimeDataError
from commissioning.crime.store import CrimeStore
from tests.policeuk import BLABY, LEICESTER, street_csv, street_name, tiny_lookup

from .conftest import MONTHS


def write(folder, month: str, crimes: int = 3):
    path = folder / street_name(month)
    path.write_bytes(street_csv(month, crimes))
    return path


def recorded_shas(store: CrimeStore) -> dict[str, str]:
    with duckdb.connect(str(store.path), read_only=True) as con:
        return {
            str(m): str(s) for m, s in con.execute("SELECT month, sha256 FROM ingests").fetchall()
        }


def test_an_unchanged_file_is_not_read_again(tmp_path):
    """Loading the same files again reads none of them: a file rewritten with the same size
    and modification time keeps the counts first loaded (which shows it was not read); a
    touched file, or a changed lookup, is read again."""
    april, may = write(tmp_path, "2023-04"), write(tmp_path, "2023-05")
    store = CrimeStore(tmp_path / "crime.duckdb")
    first = store.ingest([april, may], tiny_lookup())
    assert (first.files, first.rows, first.unchanged) == (2, 6, [])

    stat = april.stat()
    april.write_bytes(street_csv("2023-04", 3, LEICESTER))  # other LSOA codes, as long
    assert april.stat().st_size == stat.st_size
    os.utime(april, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = store.ingest([april, may], tiny_lookup())
    assert again.unchanged == [("testshire", "2023-04"), ("testshire", "2023-05")]
    assert (again.files, again.rows, again.months, again.replaced) == (0, 0, [], [])
    assert "Not read again: 2 file(s) unchanged" in again.summary()
    assert store.counts(["2023-04"], include_asb=True) == {(BLABY, "Burglary"): 3}

    os.utime(april, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    touched = store.ingest([april, may], tiny_lookup())
    assert touched.replaced == [("testshire", "2023-04")]
    assert touched.unchanged == [("testshire", "2023-05")]
    assert store.counts(["2023-04"], include_asb=True) == {(LEICESTER, "Burglary"): 3}

    other_lookup = tiny_lookup()
    other_lookup.district_names["Blaby"] = "E07000999"
    relookup = store.ingest([april, may], other_lookup)
    assert relookup.files == 2 and relookup.unchanged == []


def test_sha256_is_taken_after_the_commit(tmp_path):
    """A load commits its counts before the files are hashed; hash_pending (which the
    product's load calls at once) then records each file's sha256, the one sha256sum gives."""
    april, may = write(tmp_path, "2023-04"), write(tmp_path, "2023-05", crimes=5)
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([april, may], tiny_lookup())
    assert recorded_shas(store) == {"2023-04": "", "2023-05": ""}
    assert store.coverage(["2023-04", "2023-05"]) == {"2023-04": 3, "2023-05": 5}

    assert store.hash_pending() == []
    shas = {
        m: hashlib.sha256(p.read_bytes()).hexdigest()
        for m, p in (("2023-04", april), ("2023-05", may))
    }
    assert recorded_shas(store) == shas
    assert (
        store.content_hash(["2023-04", "2023-05"])
        == hashlib.sha256("\n".join(sorted(shas.values())).encode()).hexdigest()
    )
    assert store.hash_pending() == []  # nothing left to do


def test_content_hash_takes_missing_hashes_and_refuses_a_file_gone_or_changed(tmp_path):
    """A run names its files by sha256: one still to hash is hashed when the run asks; one
    deleted or changed since it was loaded cannot be named, and the run is told to load it
    again (which then names it)."""
    april, may, june = (write(tmp_path, m) for m in ("2023-04", "2023-05", "2023-06"))
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([april, may, june], tiny_lookup())
    may.unlink()
    june.write_bytes(street_csv("2023-06", 4))
    expected_april = hashlib.sha256(april.read_bytes()).hexdigest()
    assert store.content_hash(["2023-04"]) == hashlib.sha256(expected_april.encode()).hexdigest()
    assert recorded_shas(store)["2023-04"] == expected_april  # recorded, not only computed
    with pytest.raises(CrimeDataError, match="gone or have changed.*2023-05.*2023-06"):
        store.content_hash(["2023-05", "2023-06"])
    assert store.hash_pending() == sorted([str(may), str(june)])

    write(tmp_path, "2023-05")
    store.ingest([tmp_path / street_name("2023-05"), june], tiny_lookup())
    assert len(store.content_hash(["2023-05", "2023-06"])) == 64
    assert "" not in recorded_shas(store).values()


def test_zip_members_are_hashed_during_the_load(tmp_path):
    """A file copied out of a zip archive is gone after the load, so it is hashed before."""
    data = street_csv("2023-04", 2)
    archive = tmp_path / "police.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"2023-04/{street_name('2023-04')}", data)
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([archive], tiny_lookup())
    assert recorded_shas(store) == {"2023-04": hashlib.sha256(data).hexdigest()}
    assert store.hash_pending() == []


def test_counts_by_lsoa_are_kept_only_for_the_vli_crime_types(tmp_path, policeuk, llr_lookup):
    """The store keeps LSOA-level rows for burglary and criminal damage only, and by district
    for every type; asking for another type by LSOA is an error, not a silent zero."""
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([policeuk], llr_lookup)
    with duckdb.connect(str(store.path), read_only=True) as con:
        by_lsoa = {
            t
            for (t,) in con.execute(
                "SELECT DISTINCT crime_type FROM crime_counts WHERE lsoa_code <> ''"
            ).fetchall()
        }
        rows = con.execute("SELECT count(*) FROM crime_counts").fetchone()
    assert by_lsoa == set(LSOA_LEVEL_CRIME_TYPES)
    assert rows is not None and rows[0] < 10_000  # about 60,000 with every type by LSOA
    assert sum(store.lsoa_counts(MONTHS, ["Burglary"]).values()) > 0
    with pytest.raises(ValueError, match="not Robbery"):
        store.lsoa_counts(MONTHS, ["Burglary", "Robbery"])


OLD_SCHEMA = """
CREATE TABLE crime_counts (force TEXT NOT NULL, month TEXT NOT NULL, lsoa_code TEXT NOT NULL,
    district_code TEXT, crime_type TEXT NOT NULL, n BIGINT NOT NULL);
CREATE TABLE ingests (force TEXT NOT NULL, month TEXT NOT NULL, source_file TEXT NOT NULL,
    sha256 TEXT NOT NULL, rows BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL);
CREATE TABLE configured_districts (district_code TEXT NOT NULL);
"""


def test_a_store_written_before_adr_17_reads_and_loads(tmp_path):
    """A store from before (every type by LSOA, no path, size or time recorded) answers as it
    did, and takes a new load beside its months; its old months are read again if given."""
    path = tmp_path / "crime.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(OLD_SCHEMA)
        con.execute(
            "INSERT INTO crime_counts VALUES ('testshire', '2023-04', 'E01025600', ?, 'Robbery', 2),"
            " ('testshire', '2023-04', 'E01025600', ?, 'Burglary', 1)",
            [BLABY, BLABY],
        )
        con.execute(
            "INSERT INTO ingests VALUES ('testshire', '2023-04', 'old.csv', 'ab', 3, now())"
        )
        con.execute("INSERT INTO configured_districts VALUES (?)", [BLABY])
    store = CrimeStore(path)
    assert store.counts(["2023-04"], include_asb=False) == {
        (BLABY, "Burglary"): 1,
        (BLABY, "Robbery"): 2,
    }
    assert store.content_hash(["2023-04"]) == hashlib.sha256(b"ab").hexdigest()

    store.ingest([write(tmp_path, "2023-05")], tiny_lookup())
    assert store.coverage(["2023-04", "2023-05"]) == {"2023-04": 3, "2023-05": 3}
    assert store.counts(["2023-04", "2023-05"], include_asb=False) == {
        (BLABY, "Burglary"): 4,
        (BLABY, "Robbery"): 2,
    }
    again = store.ingest([write(tmp_path, "2023-04")], tiny_lookup())
    assert again.replaced == [("testshire", "2023-04")] and again.unchanged == []
