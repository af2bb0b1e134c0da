"""`commissioning mtfs precept|gap|reconcile|set|load`: the CLI contract, and bad input
refused naming the field with nothing written."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commissioning.core.models import AuditEvent
from commissioning.mtfs import calc, services
from commissioning.mtfs.models import Scenario, ScenarioYear

from .conftest import YEARS

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("mtfs", *args, stdout=out)
    return out.getvalue()


def test_precept_csv_is_one_row_per_increase_and_year(scenario):
    text = run("precept", "--scenario", "llr-2013-12", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == "increase_pct,year,additional_income"
    assert [(r["increase_pct"], r["year"]) for r in rows] == [
        (pct, year) for pct in ("0.5", "1", "1.5", "2") for year in YEARS
    ]
    # 0.5% of 2014/15's £49,546,224.21294 of council tax (see test_calc)
    assert rows[0]["additional_income"] == "247731.12"
    projection = calc.compute(services.inputs_of(scenario))
    for row in rows:
        option = calc.precept_option(projection.year(row["year"]), D(row["increase_pct"]))
        assert D(row["additional_income"]) == option.additional_income.pounds


def test_precept_json_with_chosen_increases():
    data = json.loads(
        run("precept", "--scenario", "llr-2013-12", "--increases", "1,2.5", "--format", "json")
    )
    assert data["columns"] == ["increase_pct", "year", "additional_income"]
    assert [r["increase_pct"] for r in data["rows"]] == ["1"] * 3 + ["2.5"] * 3
    assert data["rows"][0] == {
        "increase_pct": "1",
        "year": "2014/15",
        "additional_income": "495462.24",
    }
    assert data["scenario"] == "llr-2013-12" and len(data["how"]) == 6


def test_gap_csv_and_json():
    rows = list(csv.DictReader(io.StringIO(run("gap", "--scenario", "llr-2013-12"))))
    assert [r["year"] for r in rows] == list(YEARS)
    first = rows[0]
    assert first["council_tax_income"] == "49546224.21"
    assert first["grant_income"] == "120210671.00"
    assert first["income"] == "169756895.21"
    assert first["expenditure"] == "170350000.00"
    assert first["gap_before_savings"] == "3709104.79"
    assert first["gap"] == "593104.79"
    data = json.loads(run("gap", "--scenario", "llr-2013-12", "--format", "json"))
    assert data["columns"] == list(calc.GAP_COLUMNS)
    assert data["rows"][0]["gap"] == "593104.79"
    assert "49,546,224.21" in data["how"]["2014/15"]["income"]


def test_reconcile_says_what_agrees():
    data = json.loads(run("reconcile", "--scenario", "llr-2013-12", "--format", "json"))
    assert data["precept"] == {"printed": 12, "agreeing": 5}
    assert data["gaps"] == {"printed": 6, "agreeing": 0}
    text = run("reconcile", "--scenario", "llr-2013-12")
    assert "5 of 12 printed precept figures and 0 of 6 printed gaps agree" in text


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("precept", "--scenario", "nope"), "--scenario: there is no scenario called nope"),
        (("precept", "--scenario", "llr-2013-12", "--increases", "1,x"), "--increases"),
        (("precept", "--scenario", "llr-2013-12", "--increases", "-1"), "--increases"),
        (("gap", "--scenario", "nope"), "--scenario"),
        (
            ("set", "--scenario", "llr-2013-12", "--year", "2017/18", "--precept-change", "1"),
            "--year",
        ),
        (("set", "--scenario", "llr-2013-12", "--year", "2014/15"), "give at least one"),
    ],
)
def test_bad_arguments_are_refused_naming_them(args, named):
    with pytest.raises(CommandError, match=re.escape(named)):
        run(*args)


def test_set_changes_a_year_or_nothing(scenario):
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError) as exc:
        run(
            "set",
            "--scenario",
            "llr-2013-12",
            "--year",
            "2015/16",
            "--precept-change",
            "3",
            "--tax-base-growth",
            "fast",
        )
    assert "nothing was changed" in str(exc.value)
    assert "2015/16 tax base growth" in str(exc.value)
    row = ScenarioYear.objects.get(scenario=scenario, year="2015/16")
    assert row.precept_change_pct == D("2")
    assert AuditEvent.objects.count() == events
    assert "changed precept_change_pct" in run(
        "set", "--scenario", "llr-2013-12", "--year", "2015/16", "--precept-change", "3"
    )
    row.refresh_from_db()
    assert row.precept_change_pct == D("3")
    assert (
        AuditEvent.objects.filter(action="mtfs.year_update").latest("id").actor_label
        == "command line"
    )


def test_load_a_file_or_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "scenarios:\n"
        "  - name: cli-test\n"
        "    title: CLI\n"
        "    base_year: '2013/14'\n"
        "    base: {base_budget_requirement: '100', base_council_tax_requirement: '10',"
        " base_band_d: '100', base_tax_base: '-1'}\n"
        "    years: [{year: '2014/15'}]\n",
        encoding="utf-8",
    )
    with pytest.raises(
        CommandError,
        match=re.escape(
            "nothing was loaded: bad.yaml scenario cli-test: Base tax base: cannot be negative"
        ),
    ):
        run("load", str(path))
    assert not Scenario.objects.filter(name="cli-test").exists()
    path.write_text(path.read_text(encoding="utf-8").replace("'-1'", "'1'"), encoding="utf-8")
    assert "Loaded 1 MTFS scenarios" in run("load", str(path))
    assert Scenario.objects.get(name="cli-test").plan is None
