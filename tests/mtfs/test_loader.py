"""`load-example llr` loads 004's MTFS: the scenario llr-2013-12 (and January's llr-2013-01)
with para 4's base figures, and every printed gap and precept figure as printed; and a file
that is wrong in any way loads nothing and says where."""

from __future__ import annotations

import textwrap
from decimal import Decimal as D

import pytest

from commissioning.core.models import AuditEvent
from commissioning.mtfs.loader import MtfsDataError, load_file, printed_amount
from commissioning.mtfs.models import Scenario, ScenarioYear, StatedFigure

from .conftest import PRINTED_GAPS, PRINTED_PRECEPT, YEARS

pytestmark = pytest.mark.django_db


def test_the_december_scenario_has_004s_printed_inputs(scenario):
    assert scenario.title.startswith("MTFS as the December 2013 Financial Update")
    assert scenario.plan.title == "Police and Crime Plan 2013-17"
    assert scenario.document.key == "004"
    assert scenario.base_year == "2013/14"
    assert scenario.base_budget_requirement == D("173466000")  # para 4: £173.466M
    assert scenario.base_council_tax_requirement == D("49153000")  # para 4: £49.153M
    assert scenario.base_band_d == D("173.8750")  # para 4
    assert scenario.base_tax_base == D("282691.59")  # not printed: 49,153,000 / 173.875
    years = {y.year: y for y in scenario.years.all()}
    assert list(years) == list(YEARS)
    assert [years[y].tax_base_growth_pct for y in YEARS] == [D("0.8")] * 3  # para 6a
    assert [years[y].precept_change_pct for y in YEARS] == [D("0"), D("2"), D("2")]  # para 21
    assert [years[y].grant_change_pct for y in YEARS] == [D("-3.3"), D("-3.2"), D("-5")]
    assert years["2014/15"].savings_planned == D("3116000")  # para 14
    assert "not printed" in scenario.notes.lower()


def test_the_january_scenario_has_paragraph_6s_grant_reductions():
    january = Scenario.objects.get(name="llr-2013-01")
    assert [y.grant_change_pct for y in january.years.order_by("year")] == [
        D("-3.7"),
        D("-3"),
        D("-5"),
    ]


def test_every_printed_figure_is_kept_as_printed():
    figures = StatedFigure.objects.filter(document__key="004")
    assert figures.count() == 18
    for series, values in PRINTED_GAPS.items():
        got = {f.year: f for f in figures.filter(series=series)}
        for year, printed in zip(YEARS, values, strict=True):
            assert got[year].amount == D(printed) * 1_000_000
            assert got[year].stated_as == f"£{printed}m"
            assert got[year].precision == 1000
    assert figures.get(series="gap-2013-01", year="2014/15").cite == "004 Financial Update para 7"
    assert figures.get(series="gap-2013-08", year="2014/15").cite == "004 Financial Update para 10"
    for pct, values in PRINTED_PRECEPT.items():
        for year, printed in zip(YEARS, values, strict=True):
            f = figures.get(series="precept-2013-12", increase_pct=D(pct), year=year)
            assert (f.amount, f.precision, f.stated_as) == (D(printed) * 1000, 1000, f"{printed:,}")
            assert f.cite == "004 Financial Update para 21"


def test_printed_amounts_are_read_exactly_with_their_precision():
    assert printed_amount("6.085", "£m", "x") == (D("6085000"), 1000, "£6.085m")
    assert printed_amount("12.820", "£m", "x") == (D("12820000"), 1000, "£12.820m")
    assert printed_amount("1,049", "£'000", "x") == (D("1049000"), 1000, "1,049")
    assert printed_amount("173.466", "£m", "x")[0] == D("173466000")
    with pytest.raises(MtfsDataError, match="unit"):
        printed_amount("1", "£bn", "x")
    with pytest.raises(MtfsDataError, match="not a number"):
        printed_amount("six", "£m", "x")


FILE = """
plan: "Police and Crime Plan 2013-17"
document: "004"
scenarios:
  - name: test-good
    title: "A good one"
    base_year: "2013/14"
    base:
      base_budget_requirement: {{printed: "173.466", unit: "£m"}}
      base_council_tax_requirement: "49153000"
      base_band_d: "173.8750"
      base_tax_base: "{tax_base}"
    years:
      - {{year: "2014/15", tax_base_growth_pct: "{growth}", precept_change_pct: "0"}}
      - {{year: "{second_year}", tax_base_growth_pct: "0.8", precept_change_pct: "2"}}
stated:
  - series: test-gap
    kind: funding_gap
    label: "A gap"
    unit: "£m"
    figures: {{"2014/15": "1.000"}}
"""


def _file(tmp_path, **kw):
    values = {"tax_base": "282691.59", "growth": "0.8", "second_year": "2015/16", **kw}
    path = tmp_path / "mtfs.yaml"
    path.write_text(textwrap.dedent(FILE.format(**values)), encoding="utf-8")
    return path


def _counts():
    return (
        Scenario.objects.count(),
        ScenarioYear.objects.count(),
        StatedFigure.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_good_file_loads_with_its_audit(tmp_path):
    before = _counts()
    assert load_file(_file(tmp_path)) == {"MTFS scenarios": 1, "MTFS printed figures": 1}
    after = _counts()
    assert after[:3] == (before[0] + 1, before[1] + 2, before[2] + 1)
    assert (
        AuditEvent.objects.filter(action="mtfs.scenario_create")
        .latest("id")
        .object_repr.startswith("test-good")
    )


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"second_year": "2017/18"}, "2017/18 year: is outside Police and Crime Plan 2013-17"),
        ({"tax_base": "-5"}, "Base tax base: cannot be negative"),
        ({"growth": "lots"}, "“lots” is not a number: write the 2014/15 tax base growth"),
        ({"second_year": "2015/17"}, "not a financial year"),
    ],
)
def test_a_wrong_file_loads_nothing_and_names_the_field(tmp_path, change, named):
    before = _counts()
    with pytest.raises(MtfsDataError) as exc:
        load_file(_file(tmp_path, **change))
    assert named in str(exc.value)
    assert "test-good" in str(exc.value)
    assert _counts() == before


def test_a_second_scenario_that_is_wrong_undoes_the_first(tmp_path):
    path = _file(tmp_path)
    text = path.read_text(encoding="utf-8")
    second = text.split("scenarios:\n", 1)[1].split("stated:")[0]
    second = second.replace("test-good", "test-bad").replace('"0.8"', '"0.8.8"', 1)
    path.write_text(text.replace("stated:", second + "stated:"), encoding="utf-8")
    before = _counts()
    with pytest.raises(MtfsDataError, match="test-bad"):
        load_file(path)
    assert _counts() == before
    assert not Scenario.objects.filter(name="test-good").exists()


def test_loading_the_same_names_twice_is_refused(tmp_path):
    path = _file(tmp_path)
    load_file(path)
    with pytest.raises(MtfsDataError, match="there is already a scenario called test-good"):
        load_file(path)
