"""`commissioning cohort measure FILE.csv --target 17 [--suppress-under 10] [--format csv|json]`:
the contract's columns, the hand-checked figures, blanks where suppressed, and an error exit
naming rows on standard error, with nothing stored."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from commissioning.cohorts.measures import COLUMNS
from commissioning.cohorts.models import CohortRecord, CohortUpload

from .conftest import HAND_CHECKED, csv_file

pytestmark = pytest.mark.django_db

CONTRACT = (
    "cohort,area_code,offenders,excluded,reduction_pct,meeting_target,meeting_target_pct,suppressed"
)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("cohort", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def hand_file(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_bytes(csv_file(HAND_CHECKED))
    return path


def test_csv_has_the_contract_columns_and_the_hand_checked_figures(hand_file):
    out, _ = run("measure", str(hand_file), "--target", "17", "--suppress-under", "0")
    lines = out.splitlines()
    assert lines[0] == CONTRACT
    assert lines[1:] == [
        "IOM,E06000016,4,2,19.17,2,50.00,false",
        "IOM,E06000017,2,0,40.00,1,50.00,false",
        "IOM,all,6,2,20.00,3,50.00,false",
        "PPO,E06000016,2,0,20.00,2,100.00,false",
        "PPO,all,2,0,20.00,2,100.00,false",
    ]
    assert CohortUpload.objects.filter(name__contains="cohort.csv").count() == 0


def test_rows_under_the_threshold_are_blank_and_suppressed(hand_file):
    out, _ = run("measure", str(hand_file), "--target", "17", "--suppress-under", "3")
    rows = {(r["cohort"], r["area_code"]): r for r in csv.DictReader(io.StringIO(out))}
    assert rows[("IOM", "E06000017")] == {
        "cohort": "IOM",
        "area_code": "E06000017",
        "offenders": "",
        "excluded": "",
        "reduction_pct": "",
        "meeting_target": "",
        "meeting_target_pct": "",
        "suppressed": "true",
    }
    assert rows[("IOM", "all")]["offenders"] == "6"
    assert rows[("PPO", "all")]["suppressed"] == "true"
    # By default (10) every row of this small file is withheld.
    out, _ = run("measure", str(hand_file), "--target", "17")
    assert all(r["suppressed"] == "true" for r in csv.DictReader(io.StringIO(out)))


def test_json_carries_numbers_decimal_strings_and_nulls(hand_file):
    out, _ = run(
        "measure", str(hand_file), "--target", "25", "--suppress-under", "3", "--format", "json"
    )
    data = json.loads(out)
    assert data["columns"] == list(COLUMNS)
    assert data["target_pct"] == "25.00" and data["suppress_under"] == 3
    assert data["reason"] == "too few to judge"
    rows = {(r["cohort"], r["area_code"]): r for r in data["rows"]}
    assert rows[("IOM", "all")] == {
        "cohort": "IOM",
        "area_code": "all",
        "offenders": 6,
        "excluded": 2,
        "reduction_pct": "20.00",
        "meeting_target": 2,
        "meeting_target_pct": "33.33",
        "suppressed": False,
    }
    assert rows[("IOM", "E06000017")]["offenders"] is None
    assert rows[("IOM", "E06000017")]["suppressed"] is True
    assert "P-00" not in out


def test_a_bad_file_exits_with_an_error_naming_each_row_and_stores_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file(["P-1,IOM,E06000016,no,-1,0", "P-2,IOM,E06000016,no,two,0"]))
    before = (CohortUpload.objects.count(), CohortRecord.objects.count())
    err = io.StringIO()
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 problems in the file"):
        call_command("cohort", "measure", str(path), "--target", "17", stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "Row 2, baseline_offences: -1 is negative: a count is 0 or more",
        "Row 3, baseline_offences: “two” is not a whole number",
    ]
    assert out.getvalue() == ""
    assert (CohortUpload.objects.count(), CohortRecord.objects.count()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "170"], "from 0 to 100"),
        (["--target", "lots"], "give a percentage"),
        (["--suppress-under", "-1"], "0 or more"),
    ],
)
def test_bad_options_are_refused(hand_file, args, message):
    with pytest.raises(CommandError, match=message):
        run("measure", str(hand_file), *args)


def test_a_missing_file_and_a_file_that_is_not_csv_are_refused(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("measure", str(tmp_path / "none.csv"))
    other = tmp_path / "cohort.txt"
    other.write_bytes(csv_file(HAND_CHECKED))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem in the file"):
        call_command("cohort", "measure", str(other), stdout=io.StringIO(), stderr=err)
    assert "are not accepted here" in err.getvalue()
