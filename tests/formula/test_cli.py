"""The formula and crime CLI contract."""

import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_formula_run_on_stored_data():
    text = run(
        "formula",
        "run",
        "--year",
        "2023/24",
        "--pot",
        "639675",
        "--weights",
        "harm=65,rate=20,population=15",
        "--join",
        "E07000129,E07000132",
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 8
    assert sum(D(r["allocation"]) for r in rows) == D("639675.00")
    assert "LLR-JOINT-BHB" in {r["area_code"] for r in rows}


def test_formula_run_on_an_indicators_file(tmp_path):
    path = tmp_path / "ind.csv"
    path.write_text(
        "area_code,area_name,harm,population\nA,Alpha,100,10\nB,Beta,300,30\nC,Gamma,600,60\n"
    )
    data = json.loads(
        run(
            "formula",
            "run",
            "--indicators",
            str(path),
            "--pot",
            "1000",
            "--weights",
            "harm=50,population=50",
            "--format",
            "json",
        )
    )
    assert [a["allocation"] for a in data["areas"]] == ["100.00", "300.00", "600.00"]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ("harm=65,rate=20,population=14", "100"),
        ("harm=65,rate=20,colour=15", "colour"),
        ("harm65", "name=number"),
    ],
)
def test_formula_run_bad_input(weights, message):
    with pytest.raises(CommandError, match=message):
        run("formula", "run", "--year", "2023/24", "--pot", "639675", "--weights", weights)


def test_year_without_crime_data():
    with pytest.raises(CommandError, match="no police.uk data for 2013/14"):
        run("formula", "run", "--year", "2013/14", "--pot", "1000", "--weights", "harm=100")


def test_crime_summary_csv_and_json():
    rows = list(
        csv.DictReader(io.StringIO(run("crime", "summary", "--year", "2023/24", "--format", "csv")))
    )
    assert {r["district"] for r in rows} >= {"Leicester", "Rutland", "Charnwood"}
    assert all(r["crime_type"] != "Anti-social behaviour" for r in rows)
    data = json.loads(
        run("crime", "summary", "--year", "2023/24", "--format", "json", "--include-asb")
    )
    assert any(r["crime_type"] == "Anti-social behaviour" for r in data["rows"])


def test_crime_ingest_refuses_a_malformed_file(tmp_path):
    bad = tmp_path / "2023-04-leicestershire-street.csv"
    bad.write_text("Crime ID,Month\nx,2023-04\n")
    with pytest.raises(CommandError, match="nothing was loaded"):
        run("crime", "ingest", str(bad), "--no-progress")


def test_crime_summary_of_a_year_with_police_uk_data_but_no_budget(tmp_path, settings):
    """A financial year is a date range: 2024/25 is summarised once its months are loaded,
    though the product holds no budget for it (once refused: "No financial year 2024/25")."""
    from commissioning.budgets.models import FinancialYear
    from tests.crime.conftest import street_file

    source = street_file("2023-04")
    if not source.is_file():
        pytest.skip("shared police.uk data not available")
    month = tmp_path / "2024-04-leicestershire-street.csv"
    month.write_text(source.read_text(encoding="utf-8").replace("2023-04", "2024-04"))
    settings.DATA_DIR = tmp_path / "data"
    run("crime", "ingest", str(month), "--no-progress")
    assert not FinancialYear.objects.filter(label="2024/25").exists()
    data = json.loads(run("crime", "summary", "--year", "2024/25", "--format", "json"))
    assert data["year"] == "2024/25"
    assert sum(r["count"] for r in data["rows"]) > 1000
    with pytest.raises(CommandError, match="no police.uk data for 2025/26"):
        run("crime", "summary", "--year", "2025/26")
    with pytest.raises(CommandError, match="not a financial year"):
        run("crime", "summary", "--year", "2024/26")
