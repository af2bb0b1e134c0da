"""The Vulnerable Localities Index: a tiny example worked by hand, the shipped LLR inputs, crime
counts for codes outside the inputs, the priority threshold, district summaries weighted by
population, bad input refused, and the property that every input's indices average 100.

No database: these tests use plain values and files only."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commissioning.formula.vli import (
    DEFAULT_INPUTS_PATH,
    INPUT_NAMES,
    LsoaInputs,
    by_district,
    compute,
    load_inputs,
)

D = Decimal
TWENTY_PLACES = D("1E-20")
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
POLICEUK = SHARED_DATA / "policeuk"


def lsoa(
    code: str,
    population: int,
    youth: int,
    income: str,
    employment: str,
    education: str,
    district: str = "E07000001",
) -> LsoaInputs:
    return LsoaInputs(
        code=code,
        name=f"Area {code}",
        district_code=district,
        district_name=f"District {district}",
        population=population,
        population_15_24=youth,
        income_deprived=D(income),
        employment_deprived=D(employment),
        education=D(education),
    )


def mean(values: list[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return sum(values, D(0)) / len(values)


# Three LSOAs chosen so that every figure can be checked by hand:
#
#            pop  burglary  damage  income  employment  aged 15-24  education
#   A       1000     10       20      100      100          200        0.6
#   B       2000     20       20      400      200          200        0.2
#   C       1000      —       30      300      100          300        0.4
#
# Rates:     burglary/1,000: 10, 10, 0 (mean 20/3); damage/1,000: 20, 10, 30 (mean 20);
#            income: .1, .2, .3 (mean .2); employment: .1, .1, .1 (mean .1);
#            youth: .2, .1, .3 (mean .2); education: .6, .2, .4 (mean .4).
# Indices:   burglary 150, 150, 0; damage 100, 50, 150; income 50, 100, 150;
#            employment 100, 100, 100; youth 100, 50, 150; education 150, 50, 100.
# Composite: A = ((150+100)/2 + (50+100)/2 + 100 + 150) / 4 = (125 + 75 + 100 + 150) / 4 = 112.5
#            B = ((150+50)/2 + (100+100)/2 + 50 + 50) / 4 = (100 + 100 + 50 + 50) / 4 = 75
#            C = ((0+150)/2 + (150+100)/2 + 150 + 100) / 4 = (75 + 125 + 150 + 100) / 4 = 112.5
HAND = [
    lsoa("A", 1000, 200, "100", "100", "0.6", district="E07000001"),
    lsoa("B", 2000, 200, "400", "200", "0.2", district="E07000001"),
    lsoa("C", 1000, 300, "300", "100", "0.4", district="E07000002"),
]
HAND_BURGLARY = {"A": 10, "B": 20}
HAND_DAMAGE = {"A": 20, "B": 20, "C": 30}


def test_hand_example_rates_indices_and_composite():
    results, report = compute(HAND, HAND_BURGLARY, HAND_DAMAGE)
    by_code = {r.code: r for r in results}
    assert [r.code for r in results] == ["A", "B", "C"]

    a, b, c = by_code["A"], by_code["B"], by_code["C"]
    assert (a.burglary_rate, b.burglary_rate, c.burglary_rate) == (10, 10, 0)
    assert (a.damage_rate, b.damage_rate, c.damage_rate) == (20, 10, 30)
    assert (a.income_rate, b.income_rate, c.income_rate) == (D("0.1"), D("0.2"), D("0.3"))
    assert (a.employment_rate, b.employment_rate, c.employment_rate) == (D("0.1"),) * 3
    assert (a.youth_share, b.youth_share, c.youth_share) == (D("0.2"), D("0.1"), D("0.3"))
    assert (a.education, b.education, c.education) == (D("0.6"), D("0.2"), D("0.4"))

    expected = {
        "burglary": (150, 150, 0),
        "damage": (100, 50, 150),
        "income": (50, 100, 150),
        "employment": (100, 100, 100),
        "youth": (100, 50, 150),
        "education": (150, 50, 100),
    }
    for name, want in expected.items():
        got = tuple(r.indices[name] for r in (a, b, c))
        assert got == want, name
        assert mean(list(got)) == 100, name
    assert set(a.indices) == set(INPUT_NAMES)

    assert (a.vli, b.vli, c.vli) == (D("112.5"), D(75), D("112.5"))
    assert mean([a.vli, b.vli, c.vli]) == 100
    assert not any(r.priority for r in results)
    for r in results:
        assert isinstance(r.vli, Decimal)
        assert all(isinstance(v, Decimal) for v in r.indices.values())

    assert report.lsoas == 3
    assert report.unmatched_codes == 0
    assert report.unmatched_crimes == 0
    assert report.priority_lsoas == 0


def test_results_do_not_depend_on_the_order_of_the_inputs():
    forward, _ = compute(HAND, HAND_BURGLARY, HAND_DAMAGE)
    backward, _ = compute(list(reversed(HAND)), HAND_BURGLARY, HAND_DAMAGE)
    assert forward == backward


def test_indices_are_read_only():
    results, _ = compute(HAND, HAND_BURGLARY, HAND_DAMAGE)
    with pytest.raises(TypeError):
        results[0].indices["burglary"] = D(0)  # type: ignore[index]


def test_method_says_what_police_uk_can_only_approximate():
    _, report = compute(HAND, HAND_BURGLARY, HAND_DAMAGE)
    text = " ".join(report.method)
    assert "approximate" in text
    assert "dwelling" in text
    assert "Chainey" in text
    assert "not a reproduction" in text
    assert all(isinstance(s, str) and s.endswith(".") for s in report.method)


def test_counts_for_codes_not_in_the_inputs_are_reported_and_not_used():
    burglary = {**HAND_BURGLARY, "E01099999": 5}
    damage = {**HAND_DAMAGE, "E01099999": 2, "E01088888": 3}
    results, report = compute(HAND, burglary, damage)
    assert report.unmatched_codes == 2
    assert report.unmatched_crimes == 10
    assert {r.code for r in results} == {"A", "B", "C"}
    # The figures are those of the hand example: the extra counts were not used.
    plain, _ = compute(HAND, HAND_BURGLARY, HAND_DAMAGE)
    assert results == plain
    assert any("2 codes with 10 crimes" in s for s in report.method)


def test_lsoa_with_no_count_has_zero():
    results, _ = compute(HAND, HAND_BURGLARY, HAND_DAMAGE)
    c = next(r for r in results if r.code == "C")
    assert c.burglary_rate == 0
    assert c.indices["burglary"] == 0


def test_priority_is_above_200_not_at_it():
    # Two LSOAs, one with nothing: the other's indices are all exactly 200: not a priority.
    busy = lsoa("P", 1000, 100, "100", "100", "0.5")
    empty = lsoa("Q", 1000, 0, "0", "0", "0")
    results, report = compute([busy, empty], {"P": 10}, {"P": 10})
    p = next(r for r in results if r.code == "P")
    assert all(v == 200 for v in p.indices.values())
    assert p.vli == 200
    assert not p.priority
    assert report.priority_lsoas == 0

    # Three LSOAs, two with nothing: 300, a priority.
    results, report = compute(
        [busy, empty, lsoa("R", 1000, 0, "0", "0", "0")], {"P": 10}, {"P": 10}
    )
    p = next(r for r in results if r.code == "P")
    assert p.vli == 300
    assert p.priority
    assert report.priority_lsoas == 1


def test_by_district_weights_by_population():
    results, _ = compute(HAND, HAND_BURGLARY, HAND_DAMAGE)
    summary = by_district(results, HAND)
    assert list(summary) == ["E07000001", "E07000002"]
    first = summary["E07000001"]
    # (1000 × 112.5 + 2000 × 75) / 3000 = 87.5; the unweighted mean would be 93.75.
    assert first["vli"] == D("87.5")
    assert first["population"] == 3000
    assert first["lsoas"] == 2
    assert first["name"] == "District E07000001"
    assert first["priority_lsoas"] == 0
    assert first["priority_share"] == 0
    assert first["priority_population"] == 0
    assert summary["E07000002"]["vli"] == D("112.5")


def test_by_district_counts_priority_lsoas_and_their_population():
    high = lsoa("H", 3000, 900, "900", "600", "0.9", district="E1")
    lows = [lsoa(f"L{i}", 1000, 10, "1", "1", "0.01", district="E1") for i in range(3)]
    other = lsoa("O", 500, 5, "1", "1", "0.01", district="E2")
    inputs = [high, *lows, other]
    results, report = compute(inputs, {"H": 90}, {"H": 90})
    assert report.priority_lsoas == 1
    summary = by_district(results, inputs)
    e1 = summary["E1"]
    assert e1["lsoas"] == 4
    assert e1["priority_lsoas"] == 1
    assert e1["priority_share"] == D("0.25")
    assert e1["priority_population"] == 3000
    assert e1["population"] == 6000
    vlis = {r.code: r.vli for r in results}
    with localcontext() as ctx:
        ctx.prec = 50
        want = (3000 * vlis["H"] + sum(1000 * vlis[f"L{i}"] for i in range(3))) / 6000
    assert abs(e1["vli"] - want) < D("1E-30")
    assert e1["vli"] != mean([vlis["H"], *(vlis[f"L{i}"] for i in range(3))])
    assert summary["E2"]["priority_lsoas"] == 0


def test_by_district_refuses_lsoa_not_in_inputs():
    results, _ = compute(HAND, HAND_BURGLARY, HAND_DAMAGE)
    with pytest.raises(ValueError, match="LSOA A is not in the inputs"):
        by_district(results, HAND[1:])


def test_zero_study_area_mean_names_the_input():
    with pytest.raises(ValueError, match="burglary"):
        compute(HAND, {}, HAND_DAMAGE)
    with pytest.raises(ValueError, match="damage"):
        compute(HAND, HAND_BURGLARY, {"A": 0})
    no_education = [lsoa(i.code, i.population, i.population_15_24, "1", "1", "0") for i in HAND]
    with pytest.raises(ValueError, match="education"):
        compute(no_education, HAND_BURGLARY, HAND_DAMAGE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"population": 0}, "population must be more than 0"),
        ({"population_15_24": 5000}, "more than the population"),
        ({"income_deprived": 1.5}, "must be a Decimal"),
        ({"education": D("NaN")}, "finite"),
        ({"employment_deprived": D(-1)}, "negative"),
        ({"code": " "}, "code must be non-empty"),
    ],
)
def test_bad_inputs_refused(change, message):
    fields = {
        "code": "A",
        "name": "Area A",
        "district_code": "E1",
        "district_name": "One",
        "population": 1000,
        "population_15_24": 100,
        "income_deprived": D(1),
        "employment_deprived": D(1),
        "education": D("0.1"),
    }
    with pytest.raises(ValueError, match=message):
        LsoaInputs(**{**fields, **change})


def test_bad_counts_and_repeated_codes_refused():
    with pytest.raises(ValueError, match="whole number"):
        compute(HAND, {"A": 1.0}, HAND_DAMAGE)  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="negative"):
        compute(HAND, {"A": -1, "B": 3}, HAND_DAMAGE)
    with pytest.raises(ValueError, match="repeated"):
        compute([*HAND, HAND[0]], HAND_BURGLARY, HAND_DAMAGE)
    with pytest.raises(ValueError, match="no LSOAs"):
        compute([], HAND_BURGLARY, HAND_DAMAGE)


# The shipped LLR inputs.


def test_shipped_file_loads():
    inputs = load_inputs()
    assert len(inputs) == 611
    assert len({i.code for i in inputs}) == 611
    districts = {i.district_code: i.district_name for i in inputs}
    assert len(districts) == 9
    assert districts["E06000016"] == "Leicester"
    assert districts["E06000017"] == "Rutland"
    first = inputs[0]
    assert first == LsoaInputs(
        code="E01013600",
        name="Leicester 003A",
        district_code="E06000016",
        district_name="Leicester",
        population=1995,
        population_15_24=220,
        income_deprived=D("655.0"),
        employment_deprived=D("220.0"),
        education=D("0.553"),
    )
    assert all(isinstance(i.education, Decimal) for i in inputs)
    assert load_inputs(DEFAULT_INPUTS_PATH) == inputs


def write_inputs(path: Path, rows: list[list[str]]) -> Path:
    with DEFAULT_INPUTS_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        good = next(reader)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow(good)
        for row in rows:
            writer.writerow(row if row else good)
    return path


def shipped_row(**changes: str) -> list[str]:
    with DEFAULT_INPUTS_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        row = next(reader)
        row = {**row, "lsoa11_code": "E01099999", **changes}
        return list(row.values())


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (shipped_row(pop_mye2019="12.5"), r"line 3: pop_mye2019 '12.5' is not a whole number"),
        (shipped_row(pop_mye2019=""), r"line 3: pop_mye2019 is empty"),
        (shipped_row(income_domain_numerator="many"), r"line 3: income_domain_numerator"),
        (shipped_row(pop_15_24_mye2019="99999"), r"line 3 \(E01099999\): .*more than"),
        (shipped_row(adult_skills_and_english_proficiency="-0.1"), r"line 3 .*negative"),
        (shipped_row(lsoa11_code="E01013600"), r"line 3: LSOA E01013600 is repeated"),
        (["E01099999", "too", "short"], r"line 3: 3 fields"),
    ],
)
def test_malformed_rows_refused_naming_the_line(tmp_path, row, message):
    path = write_inputs(tmp_path / "inputs.csv", [row])
    with pytest.raises(ValueError, match=message):
        load_inputs(path)


def test_missing_column_refused(tmp_path):
    path = tmp_path / "inputs.csv"
    path.write_text("lsoa11_code,lsoa11_name\nE01000001,Somewhere 001A\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column.*lad_code"):
        load_inputs(path)


def policeuk_counts() -> tuple[Counter[str], Counter[str]]:
    burglary: Counter[str] = Counter()
    damage: Counter[str] = Counter()
    for path in sorted(POLICEUK.glob("*/*-street.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = row["LSOA code"]
                if not code:
                    continue
                if row["Crime type"] == "Burglary":
                    burglary[code] += 1
                elif row["Crime type"] == "Criminal damage and arson":
                    damage[code] += 1
    return burglary, damage


def test_shipped_inputs_with_real_policeuk_year():
    """The real Leicestershire police.uk year (2023/24) against the shipped inputs."""
    if not POLICEUK.is_dir():
        pytest.skip(f"shared police.uk data not available at {POLICEUK}")
    inputs = load_inputs()
    burglary, damage = policeuk_counts()
    results, report = compute(inputs, burglary, damage)
    assert report.lsoas == 611
    # police.uk uses 2021 codes; some are new 2021 LSOAs or lie outside LLR.
    assert report.unmatched_codes > 0
    assert 0 < report.unmatched_crimes < sum(burglary.values()) + sum(damage.values())
    assert mean([r.vli for r in results]).quantize(TWENTY_PLACES) == 100
    assert report.priority_lsoas == sum(r.priority for r in results) > 0
    summary = by_district(results, inputs)
    assert len(summary) == 9
    assert sum(d["lsoas"] for d in summary.values()) == 611
    assert sum(d["priority_lsoas"] for d in summary.values()) == report.priority_lsoas
    assert sum(d["population"] for d in summary.values()) == sum(i.population for i in inputs)


# For any positive inputs, each input's indices average exactly 100 (to 20 decimal places).


@st.composite
def study_areas(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    amounts = st.decimals(
        min_value=D("0.001"),
        max_value=D("1000000"),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    )
    inputs = []
    burglary = {}
    damage = {}
    for k in range(n):
        population = draw(st.integers(min_value=1, max_value=20000))
        code = f"E01{k:06d}"
        inputs.append(
            LsoaInputs(
                code=code,
                name=f"Area {k}",
                district_code=f"E0700000{k % 3}",
                district_name=f"District {k % 3}",
                population=population,
                population_15_24=draw(st.integers(min_value=1, max_value=population)),
                income_deprived=draw(amounts),
                employment_deprived=draw(amounts),
                education=draw(amounts),
            )
        )
        burglary[code] = draw(st.integers(min_value=1, max_value=100000))
        damage[code] = draw(st.integers(min_value=1, max_value=100000))
    return inputs, burglary, damage


@settings(max_examples=200, deadline=None)
@given(study_areas())
def test_each_input_index_averages_exactly_100(area):
    inputs, burglary, damage = area
    results, report = compute(inputs, burglary, damage)
    assert report.lsoas == len(inputs)
    for name in INPUT_NAMES:
        assert mean([r.indices[name] for r in results]).quantize(TWENTY_PLACES) == 100, name
    assert mean([r.vli for r in results]).quantize(TWENTY_PLACES) == 100
    assert all(r.priority == (r.vli > 200) for r in results)
