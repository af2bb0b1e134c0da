"""The crime store: a real police.uk year for Leicestershire checked against the files
themselves (read here with the csv module, independently of DuckDB), re-ingest, zip archives,
malformed files refused with nothing loaded, and the LSOA -> district rule on a tiny fixture."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from commissioning.crime import store as store_module
from commissioning.crime.police_uk import (
    ASB,
    DATA_DIR,
    EXPECTED_COLUMNS,
    POLICE_UK_CRIME_TYPES,
    CrimeDataError,
    LsoaLookup,
)
from commissioning.crime.store import CrimeStore, IngestReport

from .conftest import MONTHS, llr_reference, street_file

HEADER = ",".join(EXPECTED_COLUMNS)
BLABY, LEICESTER, BARNSLEY = "E07000129", "E06000016", "E08000016"


# --------------------------------------------------------------------------------------------
# Independent expectations, from the files and the shipped lookup, with the csv module only


def shipped_lsoa11() -> dict[str, str]:
    with (DATA_DIR / "lsoa11_to_lad.csv").open(newline="") as fh:
        return {r["lsoa11_code"]: r["lad_code"] for r in csv.DictReader(fh)}


def expected_from_files(months: list[str]) -> dict:
    lsoa11 = shipped_lsoa11()
    ref = llr_reference()
    llr = {r["lad_code"] for r in ref}
    names = {r["lad_name"]: r["lad_code"] for r in ref}
    rows = without = outside = by_name = 0
    per_file: dict[str, int] = {}
    inside: Counter[tuple[str, str]] = Counter()
    shas = []
    for month in months:
        path = street_file(month)
        shas.append(hashlib.sha256(path.read_bytes()).hexdigest())
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert tuple(reader.fieldnames or ()) == EXPECTED_COLUMNS
            n = 0
            for row in reader:
                n += 1
                code, name = row["LSOA code"], row["LSOA name"]
                if not code:
                    without += 1
                    continue
                district = lsoa11.get(code)
                if district is None:
                    district = names.get(re.sub(r" \d{3}[A-Z]$", "", name))
                    by_name += district is not None
                if district in llr:
                    inside[(district, row["Crime type"])] += 1
                else:
                    outside += 1
            per_file[month] = n
            rows += n
    return {
        "rows": rows,
        "without": without,
        "outside": outside,
        "inside": inside,
        "per_file": per_file,
        "by_name": by_name,
        "content_hash": hashlib.sha256("\n".join(sorted(shas)).encode()).hexdigest(),
    }


def snapshot(store: CrimeStore) -> tuple:
    months = store.months()
    return (
        months,
        store.counts(months, include_asb=True),
        store.coverage(months),
        store.content_hash(months),
    )


# --------------------------------------------------------------------------------------------
# The real LLR year


def test_llr_year_ingests_and_report_matches_the_files(tmp_path, policeuk, llr_lookup):
    store = CrimeStore(tmp_path / "crime.duckdb")
    report = store.ingest([policeuk], llr_lookup)
    expected = expected_from_files(MONTHS)

    assert report.files == 12
    assert report.months == [("leicestershire", m) for m in MONTHS]
    assert report.rows == expected["rows"] > 100_000
    assert report.rows_without_lsoa == expected["without"] > 0
    assert report.rows_outside_areas == expected["outside"] > 0
    assert report.unknown_crime_types == {}
    assert report.replaced == []
    assert sum(report.outside_by_district.values()) == report.rows_outside_areas
    assert "Rugby" in report.outside_by_district  # the largest neighbour in the real data
    assert expected["by_name"] > 0  # 2021 LSOAs new since 2011 are found by their name

    assert store.months() == MONTHS
    assert store.months("leicestershire") == MONTHS
    assert store.months("metropolitan") == []
    assert store.coverage(MONTHS) == expected["per_file"]
    assert store.content_hash(MONTHS) == expected["content_hash"]

    with_asb = store.counts(MONTHS, include_asb=True)
    assert with_asb == dict(expected["inside"])
    assert (
        sum(with_asb.values()) == report.rows - report.rows_without_lsoa - report.rows_outside_areas
    )
    assert {d for d, _ in with_asb} == llr_lookup.configured
    without_asb = store.counts(MONTHS, include_asb=False)
    assert without_asb == {k: n for k, n in with_asb.items() if k[1] != ASB}
    assert any(t == ASB for _, t in with_asb)

    one_month = store.counts(["2023-04"], include_asb=True)
    assert sum(one_month.values()) < sum(with_asb.values())
    assert store.counts([], include_asb=True) == {}
    assert store.counts(MONTHS, include_asb=True, districts=[BLABY]) == {
        k: n for k, n in with_asb.items() if k[0] == BLABY
    }

    summary = report.summary()
    assert f"{report.rows:,}" in summary
    assert f"{report.rows_without_lsoa:,}" in summary
    assert f"{report.rows_outside_areas:,}" in summary


def test_reingest_replaces_a_month(tmp_path, policeuk, llr_lookup):
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([policeuk], llr_lookup)
    before = snapshot(store)

    # The same file as another file (a copy elsewhere) is read again and replaces the month.
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    copy = shutil.copy(street_file("2023-04"), copy_dir)
    again = store.ingest([copy], llr_lookup)
    assert again.replaced == [("leicestershire", "2023-04")]
    assert again.files == 1
    assert snapshot(store) == before

    # The month is replaced, not added to: a different file for 2023-04 replaces its counts.
    smaller = tmp_path / "2023-04-leicestershire-street.csv"
    lines = street_file("2023-04").read_text(encoding="utf-8").splitlines(keepends=True)
    smaller.write_text("".join(lines[:101]), encoding="utf-8")
    store.ingest([smaller], llr_lookup)
    assert store.coverage(["2023-04"]) == {"2023-04": 100}
    assert store.content_hash(MONTHS) != before[3]


def test_zip_of_two_months(tmp_path, policeuk, llr_lookup):
    archive = tmp_path / "police-uk.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for month in ("2023-04", "2023-05"):
            zf.write(street_file(month), f"{month}/{month}-leicestershire-street.csv")
        zf.writestr("2023-04/2023-04-leicestershire-outcomes.csv", "ignored")
        zf.writestr("__MACOSX/2023-04/._2023-04-leicestershire-street.csv", "junk")

    zipped = CrimeStore(tmp_path / "zipped.duckdb")
    report = zipped.ingest([archive], llr_lookup)
    assert report.months == [("leicestershire", "2023-04"), ("leicestershire", "2023-05")]
    expected = expected_from_files(["2023-04", "2023-05"])
    assert report.rows == expected["rows"]

    direct = CrimeStore(tmp_path / "direct.duckdb")
    direct.ingest([street_file("2023-04"), street_file("2023-05")], llr_lookup)
    assert snapshot(zipped) == snapshot(direct)  # same counts and the same content hash
    assert zipped.content_hash(["2023-04", "2023-05"]) == expected["content_hash"]


def bad_copy(tmp_path: Path, month: str, edit) -> Path:
    """A copy of a real month with one line changed: edit(lines) mutates the list."""
    lines = street_file(month).read_text(encoding="utf-8").splitlines(keepends=True)
    edit(lines)
    folder = tmp_path / "bad"
    folder.mkdir(exist_ok=True)
    path = folder / f"{month}-leicestershire-street.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_bad_header_is_refused_and_nothing_loads(tmp_path, policeuk, llr_lookup):
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([street_file("2023-04")], llr_lookup)
    before = snapshot(store)

    def rename_column(lines):
        lines[0] = lines[0].replace("Reported by", "Reported By")

    bad = bad_copy(tmp_path, "2023-06", rename_column)
    with pytest.raises(
        CrimeDataError, match=r"2023-06-leicestershire-street\.csv: line 1, column 3"
    ):
        store.ingest([street_file("2023-05"), bad], llr_lookup)
    assert snapshot(store) == before

    def drop_column(lines):
        lines[0] = lines[0].replace(",Context", "")

    short = bad_copy(tmp_path, "2023-07", drop_column)
    with pytest.raises(CrimeDataError, match=r"line 1: header has 11 columns, expected 12"):
        store.ingest([short], llr_lookup)
    assert snapshot(store) == before


def test_month_that_disagrees_is_refused_and_nothing_loads(tmp_path, policeuk, llr_lookup):
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([street_file("2023-04")], llr_lookup)
    before = snapshot(store)

    def wrong_month(lines):
        assert ",2023-06," in lines[99]
        lines[99] = lines[99].replace(",2023-06,", ",2023-07,", 1)

    bad = bad_copy(tmp_path, "2023-06", wrong_month)
    with pytest.raises(CrimeDataError) as caught:
        store.ingest([street_file("2023-04"), street_file("2023-05"), bad], llr_lookup)
    message = str(caught.value)
    assert "2023-06-leicestershire-street.csv" in message
    assert "line 100, column 2 (Month)" in message
    assert "'2023-07'" in message
    assert snapshot(store) == before  # 2023-04 not replaced, 2023-05 not added


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda lines: lines.insert(50, lines[50].rstrip("\r\n") + ",extra\n"), "Columns"),
        (lambda lines: lines.insert(50, "a,2023-06,b\n"), "Columns"),
        (lambda lines: lines.insert(50, 'x,2023-06,"unclosed,' + lines[50]), "quote"),
    ],
    ids=["extra column", "missing columns", "unterminated quote"],
)
def test_malformed_csv_is_refused_and_nothing_loads(tmp_path, policeuk, llr_lookup, edit, reason):
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([street_file("2023-04")], llr_lookup)
    before = snapshot(store)
    bad = bad_copy(tmp_path, "2023-06", edit)
    with pytest.raises(
        CrimeDataError, match=r"2023-06-leicestershire-street\.csv: line \d+"
    ) as caught:
        store.ingest([street_file("2023-05"), bad], llr_lookup)
    assert reason in str(caught.value)
    assert snapshot(store) == before


def test_a_failed_first_ingest_leaves_no_store(tmp_path, policeuk, llr_lookup):
    def wrong_month(lines):
        lines[2] = lines[2].replace(",2023-06,", ",2023-05,", 1)

    bad = bad_copy(tmp_path, "2023-06", wrong_month)
    path = tmp_path / "new.duckdb"
    with pytest.raises(CrimeDataError, match="line 3"):
        CrimeStore(path).ingest([bad], llr_lookup)
    assert not path.exists()


def test_the_progress_bar_goes_to_stderr(tmp_path, policeuk, llr_lookup, capsys, monkeypatch):
    monkeypatch.setattr(store_module, "PROGRESS_MIN_FILES", 2)
    CrimeStore(tmp_path / "crime.duckdb").ingest(
        [street_file("2023-04"), street_file("2023-05")], llr_lookup, progress=True
    )
    captured = capsys.readouterr()
    assert "Reading 2 police.uk files" in captured.err
    assert captured.out == ""


# --------------------------------------------------------------------------------------------
# The LSOA -> district rule, on a tiny fixture (no shared data needed)


def a_2011_code(district: str) -> str:
    return next(code for code, lad in shipped_lsoa11().items() if lad == district)


def write_street(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=EXPECTED_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" for c in EXPECTED_COLUMNS} | {"Month": "2023-04"} | row)
    return path


@pytest.fixture
def tiny_lookup() -> LsoaLookup:
    return LsoaLookup.default(
        {BLABY, LEICESTER},
        {"Blaby": BLABY, "Leicester": LEICESTER, "Hinckley and Bosworth": "E07000132"},
    )


def test_lsoa_mapping_by_2011_code_then_by_2021_name(tmp_path, tiny_lookup):
    blaby_2011 = a_2011_code(BLABY)
    barnsley_2011 = a_2011_code(BARNSLEY)
    rows = [
        # A 2011 code maps by code, whatever its name says.
        {"LSOA code": blaby_2011, "LSOA name": "Leicester 001A", "Crime type": "Burglary"},
        {"LSOA code": blaby_2011, "LSOA name": "Leicester 001A", "Crime type": "Burglary"},
        # A code the 2011 lookup lacks (a 2021 LSOA) maps by the district part of its name.
        {"LSOA code": "E01099999", "LSOA name": "Leicester 099Z", "Crime type": "Robbery"},
        {"LSOA code": "E01099998", "LSOA name": "Leicester 098Y", "Crime type": ASB},
        # Outside the configured districts: a known district, and one nobody knows.
        {"LSOA code": barnsley_2011, "LSOA name": "Barnsley 014F", "Crime type": "Drugs"},
        {"LSOA code": "E01099997", "LSOA name": "Nowhere Special 001A", "Crime type": "Drugs"},
        # No LSOA at all.
        {"LSOA code": "", "LSOA name": "", "Crime type": "Drugs"},
        # A crime type police.uk does not use: kept, and reported.
        {"LSOA code": blaby_2011, "LSOA name": "Blaby 001A", "Crime type": "Made-up crime"},
    ]
    path = write_street(tmp_path / "2023-04-testshire-street.csv", rows)
    store = CrimeStore(tmp_path / "crime.duckdb")
    report = store.ingest([path], tiny_lookup)

    assert report.rows == 8
    assert report.rows_without_lsoa == 1
    assert report.rows_outside_areas == 2
    assert report.unmapped_rows == 1
    assert report.outside_by_district == {"Barnsley": 1, "Nowhere Special": 1}
    assert report.unknown_crime_types == {"Made-up crime": 1}
    assert store.counts(["2023-04"], include_asb=True) == {
        (BLABY, "Burglary"): 2,
        (BLABY, "Made-up crime"): 1,
        (LEICESTER, ASB): 1,
        (LEICESTER, "Robbery"): 1,
    }
    assert store.counts(["2023-04"], include_asb=False) == {
        (BLABY, "Burglary"): 2,
        (BLABY, "Made-up crime"): 1,
        (LEICESTER, "Robbery"): 1,
    }
    assert store.configured() == {BLABY, LEICESTER}

    # The same rule in Python.
    assert tiny_lookup.district_for(blaby_2011, "Leicester 001A") == BLABY
    assert tiny_lookup.district_for("E01099999", "Hinckley and Bosworth 004C") == "E07000132"
    assert tiny_lookup.district_for("E01099997", "Nowhere Special 001A") is None
    assert tiny_lookup.district_for(None, None) is None
    assert tiny_lookup.name_of(BARNSLEY) == "Barnsley"


def test_the_shipped_lookup_covers_england_and_wales():
    lookup = LsoaLookup.default(set())
    assert len(lookup.lsoa11) == 34_753  # 32,844 English + 1,909 Welsh 2011 LSOAs
    assert {code[:3] for code in lookup.lsoa11} == {"E01", "W01"}
    assert lookup.district_names["Hinckley and Bosworth"] == "E07000132"
    assert lookup.district_names["Cardiff"] == "W06000015"
    districts = set(lookup.lsoa11.values())
    assert len(districts) == 348  # 326 English and 22 Welsh districts, as of 2011
    assert {BLABY, LEICESTER, "E07000132", "E06000017"} <= districts


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("2023-04-leicestershire-outcomes.csv", "file name must be YYYY-MM-<force>-street.csv"),
        ("2023-13-leicestershire-street.csv", "file name must be"),
        ("2023-04--street.csv", "file name must be"),
    ],
)
def test_file_names_must_be_police_uk_street_files(tmp_path, tiny_lookup, name, message):
    path = write_street(tmp_path / name, [{"Crime type": "Drugs"}])
    with pytest.raises(CrimeDataError, match=message):
        CrimeStore(tmp_path / "crime.duckdb").ingest([path], tiny_lookup)


def test_the_same_month_twice_with_different_contents_is_refused(tmp_path, tiny_lookup):
    one = write_street(tmp_path / "2023-04-testshire-street.csv", [{"Crime type": "Drugs"}])
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    two = write_street(other_dir / "2023-04-testshire-street.csv", [{"Crime type": "Robbery"}])
    store = CrimeStore(tmp_path / "crime.duckdb")
    with pytest.raises(CrimeDataError, match="given twice with different contents"):
        store.ingest([one, two], tiny_lookup)
    same = other_dir / "copy"
    same.mkdir()
    shutil.copy(one, same / one.name)
    assert store.ingest([one, same / one.name], tiny_lookup).files == 1


def test_an_empty_or_missing_store_answers_empty(tmp_path):
    store = CrimeStore(tmp_path / "none.duckdb")
    assert store.months() == []
    assert store.counts(["2023-04"], include_asb=True) == {}
    assert store.coverage(["2023-04"]) == {"2023-04": 0}
    assert store.content_hash(["2023-04"]) == hashlib.sha256(b"").hexdigest()
    assert not store.path.exists()


def test_constants():
    assert len(POLICE_UK_CRIME_TYPES) == 14
    assert ASB in POLICE_UK_CRIME_TYPES
    assert HEADER.count(",") == 11
    assert isinstance(IngestReport(0, 0, [], 0, 0, {}, {}).summary(), str)
