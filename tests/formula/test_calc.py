"""The needs-based funding formula: worked examples checked by hand, properties that hold for
any valid input, bad input refused with a message a person can act on, merging a joint
partnership against adding up its districts, and the shape of the LLR 2022 scheme.

No database: these tests use plain values only."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from commissioning.formula.calc import (
    FORMULA_VERSION,
    AreaInput,
    FormulaError,
    Indicator,
    Params,
    allocate,
    derive,
    merge,
    sensitivity,
)

D = Decimal

HARM = Indicator("harm")
CRIMES = Indicator("crimes")
POPULATION = Indicator("population")
RATE = Indicator("rate", kind="rate", numerator="crimes", denominator="population")
INDICATORS = [HARM, CRIMES, POPULATION, RATE]
LLR_WEIGHTS = {"harm": D(65), "rate": D(20), "population": D(15)}


def allocations(result) -> dict[str, Decimal]:
    return {area.code: area.allocation for area in result.areas}


# --- worked examples -----------------------------------------------------------------------


def three_areas() -> list[AreaInput]:
    """Three areas with round numbers so every share can be worked out by hand.

    rate = crimes / population × 1,000:
        A: 1,000 / 50,000 × 1,000 = 20
        B: 3,000 / 100,000 × 1,000 = 30
        C: 5,000 / 100,000 × 1,000 = 50          total 100
    Shares (value / total):
        harm        A 2,000/10,000 = 0.2   B 3,000/10,000 = 0.3   C 5,000/10,000 = 0.5
        rate        A 20/100 = 0.2         B 30/100 = 0.3         C 50/100 = 0.5
        population  A 50,000/250,000 = 0.2 B 100,000/250,000 = 0.4 C 0.4
    Formula share with harm 65%, rate 20%, population 15%:
        A 0.65×0.2 + 0.20×0.2 + 0.15×0.2 = 0.130 + 0.040 + 0.030 = 0.200
        B 0.65×0.3 + 0.20×0.3 + 0.15×0.4 = 0.195 + 0.060 + 0.060 = 0.315
        C 0.65×0.5 + 0.20×0.5 + 0.15×0.4 = 0.325 + 0.100 + 0.060 = 0.485   (sum 1.000)
    """
    return [
        AreaInput("A", "Area A", {"harm": D(2000), "crimes": D(1000), "population": D(50000)}),
        AreaInput("B", "Area B", {"harm": D(3000), "crimes": D(3000), "population": D(100000)}),
        AreaInput("C", "Area C", {"harm": D(5000), "crimes": D(5000), "population": D(100000)}),
    ]


def test_derive_adds_the_rate():
    derived = derive(three_areas(), INDICATORS)
    assert [area.values["rate"] for area in derived] == [D(20), D(30), D(50)]
    # Deriving again changes nothing; the inputs are untouched.
    assert derive(derived, INDICATORS) == derived
    assert "rate" not in three_areas()[0].values


def test_worked_example_llr_pot():
    """Pot £639,675:
        A 0.200 × 639,675 = 127,935.000
        B 0.315 × 639,675 = 191,902.5 + 9,595.125 = 201,497.625
        C 0.485 × 639,675 = 319,837.5 − 9,595.125 = 310,242.375
    Rounded down: 127,935 + 201,497 + 310,242 = 639,674, so £1 is left over; the largest
    remainder is B's 0.625, so B gets it: 127,935 / 201,498 / 310,242 (total 639,675).
    A's components: harm 0.65 × 0.2 × 639,675 = 83,157.75; rate 0.20 × 0.2 × 639,675 =
    25,587; population 0.15 × 0.2 × 639,675 = 19,190.25.
    """
    result = allocate(derive(three_areas(), INDICATORS), Params(D(639675), LLR_WEIGHTS))
    assert allocations(result) == {"A": D(127935), "B": D(201498), "C": D(310242)}
    assert result.total == result.pot == D(639675)
    a, b, c = result.areas
    assert a.components == {
        "harm": D("83157.75"),
        "rate": D("25587.00"),
        "population": D("19190.25"),
    }
    assert a.shares == {"harm": D("0.2"), "rate": D("0.2"), "population": D("0.2")}
    assert b.formula_share == D("0.315")
    assert b.formula_amount == D("201497.63")  # 201,497.625 shown to the penny
    assert c.formula_amount == D("310242.38")
    assert any("rounded up" in note for note in b.notes)
    assert result.version == FORMULA_VERSION


def test_worked_example_floor_and_cap():
    """Pot £100,000 → formula amounts A 20,000, B 31,500, C 48,500.
    Last year A 25,000, B 30,000, C 45,000. Floor 10%, cap 4%:
        A may not go below 25,000 × 0.90 = 22,500 (formula 20,000 is below): held at 22,500.
        C may not go above 45,000 × 1.04 = 46,800 (formula 48,500 is above): held at 46,800.
        B takes the rest: 100,000 − 22,500 − 46,800 = 30,700 (within 27,000 … 31,200).
    """
    params = Params(
        D(100000),
        LLR_WEIGHTS,
        previous={"A": D(25000), "B": D(30000), "C": D(45000)},
        floor_pct=D(10),
        cap_pct=D(4),
    )
    result = allocate(derive(three_areas(), INDICATORS), params)
    assert allocations(result) == {"A": D(22500), "B": D(30700), "C": D(46800)}
    a, b, c = result.areas
    assert "held at the floor of −10%" in a.notes[0]
    assert "held at the cap of +4%" in c.notes[0]
    assert (a.change, a.change_pct) == (D(-2500), D("-10.00"))
    assert b.change_pct == D("2.33")  # 700 / 30,000 = 2.333…%


def test_worked_example_floor_only_shares_the_rest_in_proportion():
    """As above without the cap. A is held at 22,500; B and C share 77,500 in the ratio of
    their formula amounts 31,500 : 48,500 = 63 : 97:
        B 77,500 × 63/160 = 30,515.625      C 77,500 × 97/160 = 46,984.375
    Rounded down 22,500 + 30,515 + 46,984 = 99,999; the £1 goes to B (remainder 0.625).
    """
    params = Params(
        D(100000),
        LLR_WEIGHTS,
        previous={"A": D(25000), "B": D(30000), "C": D(45000)},
        floor_pct=D(10),
    )
    result = allocate(derive(three_areas(), INDICATORS), params)
    assert allocations(result) == {"A": D(22500), "B": D(30516), "C": D(46984)}
    assert result.areas[1].adjusted_amount == D("30515.63")


def test_worked_example_minimum():
    """Pot £100,000, minimum £25,000. A's formula amount 20,000 is raised to 25,000; B and C
    pay for it in proportion 63 : 97 out of the 75,000 left:
        B 75,000 × 63/160 = 29,531.25       C 75,000 × 97/160 = 45,468.75
    Rounded down 25,000 + 29,531 + 45,468 = 99,999; the £1 goes to C (0.75 beats 0.25).
    """
    params = Params(D(100000), LLR_WEIGHTS, minimum=D(25000))
    result = allocate(derive(three_areas(), INDICATORS), params)
    assert allocations(result) == {"A": D(25000), "B": D(29531), "C": D(45469)}
    assert "raised to the minimum of £25,000" in result.areas[0].notes[0]


def test_worked_example_phase_in():
    """Half of the move from last year towards the formula:
    A 25,000 + 0.5 × (20,000 − 25,000) = 22,500
    B 30,000 + 0.5 × (31,500 − 30,000) = 30,750
    C 45,000 + 0.5 × (48,500 − 45,000) = 46,750      total 100,000, so no scaling.
    """
    params = Params(
        D(100000),
        LLR_WEIGHTS,
        previous={"A": D(25000), "B": D(30000), "C": D(45000)},
        phase_in=D("0.5"),
    )
    result = allocate(derive(three_areas(), INDICATORS), params)
    assert allocations(result) == {"A": D(22500), "B": D(30750), "C": D(46750)}


def test_ties_go_to_the_lower_code_whatever_the_order():
    """Three equal areas share £100: 33.33… each, so 33 each and £1 left over; the three
    remainders tie, so the lowest code (A) gets it: 34 / 33 / 33."""
    areas = [AreaInput(code, code, {"harm": D(7)}) for code in ("C", "A", "B")]
    result = allocate(areas, Params(D(100), {"harm": D(100)}))
    assert allocations(result) == {"C": D(33), "A": D(34), "B": D(33)}
    assert [area.code for area in result.areas] == ["C", "A", "B"]  # the order given


def test_rounding_to_fifty_pounds():
    """One indicator, values 1, 2, 4 (total 7), pot £1,000, unit £50:
        A 1000/7 = 142.857 → 100 (remainder 42.857)
        B 2000/7 = 285.714 → 250 (remainder 35.714)
        C 4000/7 = 571.429 → 550 (remainder 21.429)
    100 + 250 + 550 = 900, so two £50s are left: to A and B. 150 / 300 / 550.
    """
    areas = [AreaInput(c, c, {"harm": D(v)}) for c, v in (("A", 1), ("B", 2), ("C", 4))]
    result = allocate(areas, Params(D(1000), {"harm": D(100)}, unit=D(50)))
    assert allocations(result) == {"A": D(150), "B": D(300), "C": D(550)}


def test_same_figures_whatever_the_order_of_the_inputs():
    areas = derive(three_areas(), INDICATORS)
    weights = {"population": D(15), "harm": D(65), "rate": D(20)}
    forward = allocate(areas, Params(D(639675), LLR_WEIGHTS)).as_dict()
    backward = allocate(list(reversed(areas)), Params(D(639675), weights)).as_dict()
    by_code = {area["code"]: area for area in backward["areas"]}
    assert [by_code[area["code"]] for area in forward["areas"]] == forward["areas"]


def test_as_dict_is_plain_json_with_decimals_as_strings():
    result = allocate(derive(three_areas(), INDICATORS), Params(D(639675), LLR_WEIGHTS))
    data = result.as_dict()
    assert list(data) == ["version", "pot", "total", "notes", "areas"]
    assert data["total"] == "639675.00"
    assert data["areas"][1]["allocation"] == "201498.00"
    assert list(data["areas"][0]["shares"]) == ["harm", "population", "rate"]
    text = json.dumps(data)  # would fail on a Decimal
    assert json.loads(text) == data


def test_sensitivity():
    """A has a fifth of every indicator, so no choice of weights moves it from £20,000; B and
    C do move, and their base allocations lie within their ranges."""
    areas = derive(three_areas(), INDICATORS)
    params = Params(D(100000), LLR_WEIGHTS)
    base = allocations(allocate(areas, params))
    ranges = sensitivity(areas, params)
    assert ranges["A"] == (D(20000), D(20000))
    for code, (low, high) in ranges.items():
        assert low <= base[code] <= high
    assert ranges["B"][0] < ranges["B"][1]
    # One weight of 100% has nothing to trade with: only the base case.
    single = Params(D(100000), {"harm": D(100)})
    assert sensitivity(areas, single)["C"] == (D(50000), D(50000))


# --- properties ----------------------------------------------------------------------------

BASE_NAMES = ("harm", "crimes", "population", "score")
UNITS = (D(1), D(50), D(100))
amount = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


@st.composite
def weights_for(draw, names):
    """Integer weights adding up to 100: k − 1 cut points in 0…100."""
    cuts = sorted(
        draw(st.lists(st.integers(0, 100), min_size=len(names) - 1, max_size=len(names) - 1))
    )
    parts = [high - low for low, high in zip([0, *cuts], [*cuts, 100], strict=True)]
    return {name: D(part) for name, part in zip(names, parts, strict=True)}


@st.composite
def areas_and_weights(draw, with_rate=True):
    count = draw(st.integers(1, 12))
    codes = draw(st.permutations([f"E{index:04d}" for index in range(count)]))
    areas = [
        AreaInput(code, f"Area {code}", {name: draw(amount) for name in BASE_NAMES})
        for code in codes
    ]
    indicators = [Indicator(name) for name in BASE_NAMES]
    pool = [*BASE_NAMES, "rate"] if with_rate else list(BASE_NAMES)
    if with_rate:
        indicators.append(RATE)
        areas = list(derive(areas, indicators))
    names = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
    return areas, draw(weights_for(names))


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(data=areas_and_weights(), unit=st.sampled_from(UNITS), units=st.integers(1, 100_000))
def test_allocations_add_up_to_the_pot_in_whole_units(data, unit, units):
    areas, weights = data
    pot = unit * units
    result = allocate(areas, Params(pot, weights, unit=unit))
    assert sum(area.allocation for area in result.areas) == pot
    assert result.total == pot
    for area in result.areas:
        assert area.allocation % unit == 0
        assert area.allocation >= 0


@PROPERTY
@given(
    data=areas_and_weights(with_rate=False),
    unit=st.sampled_from(UNITS),
    units=st.integers(1, 100_000),
    which=st.integers(0, 11),
    rises=st.lists(
        st.decimals(min_value=D("0.01"), max_value=D("500000"), places=2), min_size=4, max_size=4
    ),
)
def test_an_area_whose_indicators_all_rise_never_loses(data, unit, units, which, rises):
    areas, weights = data
    which %= len(areas)
    pot = unit * units
    chosen = areas[which]
    raised_values = {
        name: value + rise for (name, value), rise in zip(chosen.values.items(), rises, strict=True)
    }
    raised = [
        *areas[:which],
        AreaInput(chosen.code, chosen.name, raised_values),
        *areas[which + 1 :],
    ]
    before = allocate(areas, Params(pot, weights, unit=unit)).by_code()[chosen.code]
    after = allocate(raised, Params(pot, weights, unit=unit)).by_code()[chosen.code]
    assert after.formula_share >= before.formula_share
    assert after.formula_amount >= before.formula_amount
    # Largest remainder can cost an area the unit it was rounded up by, never more.
    assert after.allocation >= before.allocation - unit


@st.composite
def damped(draw):
    areas, weights = draw(areas_and_weights())
    unit = draw(st.sampled_from(UNITS))
    previous = {area.code: D(draw(st.integers(1_000, 1_000_000))) for area in areas}
    floor_pct = draw(st.none() | st.decimals(min_value=0, max_value=50, places=1))
    cap_pct = draw(st.none() | st.decimals(min_value=0, max_value=50, places=1))
    assume(floor_pct is not None or cap_pct is not None)
    lowest = (
        sum(p * (100 - floor_pct) / 100 for p in previous.values())
        if floor_pct is not None
        else D(0)
    )
    fewest = max(1, math.ceil(lowest / unit))
    if cap_pct is None:
        most = fewest + 100_000
    else:
        most = math.floor(sum(p * (100 + cap_pct) / 100 for p in previous.values()) / unit)
    assume(fewest <= most)
    pot = unit * draw(st.integers(fewest, most))
    phase_in = draw(st.none() | st.sampled_from([D("0.25"), D("0.5"), D(1)]))
    return areas, Params(
        pot,
        weights,
        unit=unit,
        previous=previous,
        floor_pct=floor_pct,
        cap_pct=cap_pct,
        phase_in=phase_in,
    )


@PROPERTY
@given(case=damped())
def test_floor_and_cap_keep_every_change_within_bounds(case):
    areas, params = case
    result = allocate(areas, params)
    assert result.total == params.pot
    for area in result.areas:
        previous = params.previous[area.code]
        if params.floor_pct is not None:
            floor = previous * (100 - params.floor_pct) / 100
            assert area.allocation >= floor - params.unit
            assert area.adjusted_amount >= floor - D("0.01")
        if params.cap_pct is not None:
            cap = previous * (100 + params.cap_pct) / 100
            assert area.allocation <= cap + params.unit
            assert area.adjusted_amount <= cap + D("0.01")


@PROPERTY
@given(data=areas_and_weights(), pounds=st.integers(1, 1_000_000), fraction=st.fractions(0, 1))
def test_minimum_is_respected(data, pounds, fraction):
    areas, weights = data
    pot = D(pounds)
    minimum = D(math.floor(pounds // len(areas) * fraction))
    result = allocate(areas, Params(pot, weights, minimum=minimum))
    assert result.total == pot
    for area in result.areas:
        assert area.allocation >= minimum


# --- bad input -----------------------------------------------------------------------------


def refused(areas, params, match, **kwargs):
    with pytest.raises(FormulaError, match=match):
        allocate(areas, params, **kwargs)


@pytest.mark.parametrize(("population", "total"), [(14, "99"), (16, "101")])
def test_weights_must_add_up_to_100(population, total):
    weights = {"harm": D(65), "rate": D(20), "population": D(population)}
    refused(
        derive(three_areas(), INDICATORS),
        Params(D(1000), weights),
        rf"add up to {total}%, not 100%",
    )


def test_unknown_indicator_is_named():
    weights = {"harms": D(65), "rate": D(20), "population": D(15)}
    refused(
        derive(three_areas(), INDICATORS), Params(D(1000), weights), "“harms”.*no area has a value"
    )


def test_area_missing_a_value_is_named():
    areas = [
        *derive(three_areas(), INDICATORS),
        AreaInput("D", "Area D", {"harm": D(1), "population": D(9)}),
    ]
    refused(areas, Params(D(1000), LLR_WEIGHTS), r"Area D \(D\) has no value for “rate”")


def test_negative_value_is_refused():
    areas = [AreaInput("A", "Area A", {"harm": D(5)}), AreaInput("B", "Area B", {"harm": D(-5)})]
    refused(
        areas, Params(D(1000), {"harm": D(100)}), r"Area B \(B\) has a negative value for “harm”"
    )
    with pytest.raises(FormulaError, match="negative value for “crimes”"):
        derive(
            [AreaInput("A", "A", {"harm": D(1), "crimes": D(-1), "population": D(5)})], INDICATORS
        )


def test_indicator_with_zero_total_is_named():
    areas = [AreaInput(c, c, {"harm": D(5), "score": D(0)}) for c in "AB"]
    refused(
        areas, Params(D(1000), {"harm": D(50), "score": D(50)}), "“score” is 0, so its 50% weight"
    )


def test_pot_must_be_a_multiple_of_the_unit():
    refused(
        derive(three_areas(), INDICATORS),
        Params(D(639675), LLR_WEIGHTS, unit=D(50)),
        "pot of £639,675 is not a multiple of the rounding unit of £50",
    )


def test_duplicate_area_codes_are_refused():
    areas = [
        AreaInput("A", "Area A", {"harm": D(5)}),
        AreaInput("A", "Area A again", {"harm": D(5)}),
    ]
    refused(areas, Params(D(1000), {"harm": D(100)}), "area code A is used twice")


def test_other_bad_parameters_are_refused():
    areas = derive(three_areas(), INDICATORS)
    refused(areas, Params(D(0), LLR_WEIGHTS), "pot must be more than £0")
    refused(areas, Params(D(1000), LLR_WEIGHTS, unit=D(0)), "rounding unit must be more than £0")
    refused([], Params(D(1000), LLR_WEIGHTS), "no areas")
    refused(
        areas,
        Params(D(1000), LLR_WEIGHTS, minimum=D(400)),
        "minimum of £400 for each of the 3 areas",
    )
    refused(
        areas, Params(D(1000), LLR_WEIGHTS, floor_pct=D(5)), "floor needs last year's allocations"
    )
    refused(
        areas,
        Params(D(1000), LLR_WEIGHTS, previous={"Z": D(1)}),
        "Last year's allocations include Z, which is not one of the areas",
    )
    refused(
        areas,
        Params(
            D(1000), LLR_WEIGHTS, previous={"A": D(500), "B": D(500), "C": D(500)}, floor_pct=D(10)
        ),
        "floor cannot be met: .* needs £1,350, more than the pot of £1,000",
    )
    refused(
        areas,
        Params(
            D(1000), LLR_WEIGHTS, previous={"A": D(300), "B": D(300), "C": D(300)}, cap_pct=D(10)
        ),
        "cap cannot be met: .* at most £990 can be shared out",
    )
    refused(areas, Params(1000.0, LLR_WEIGHTS), "not the floating-point number 1000.0")  # type: ignore[arg-type]
    refused(
        areas, Params(D(1000), LLR_WEIGHTS, phase_in=D(2), previous={}), "phase-in fraction is 2"
    )


def test_bad_rates_are_refused():
    with pytest.raises(
        FormulaError, match="Cannot work out “rate” for Area A \\(A\\): its “population” is 0"
    ):
        derive(
            [AreaInput("A", "Area A", {"harm": D(1), "crimes": D(3), "population": D(0)})],
            INDICATORS,
        )
    odd = Indicator("rate", kind="rate", numerator="offences", denominator="population")
    with pytest.raises(
        FormulaError, match="numerator of the rate “rate” is “offences”, which is not one"
    ):
        derive(three_areas(), [HARM, CRIMES, POPULATION, odd])


# --- merging a joint partnership against adding up its districts ---------------------------


def joint_partnership() -> list[AreaInput]:
    return [
        AreaInput("D1", "District One", {"crimes": D(100), "population": D(10000)}),
        AreaInput("D2", "District Two", {"crimes": D(900), "population": D(10000)}),
        AreaInput("E", "Elsewhere", {"crimes": D(1000), "population": D(20000)}),
    ]


def test_merge_and_add_both_share_the_whole_pot_and_can_differ():
    """Weight: rate 100%, pot £900.
    Added up: the districts' rates are 10 and 90 and E's is 50 (total 150), so the joint
    partnership gets 900 × (10 + 90)/150 = 600 and E 900 × 50/150 = 300.
    Merged: the partnership has 1,000 crimes in 20,000 people, a rate of 50, the same as E's,
    so each gets 450.
    """
    indicators = [CRIMES, POPULATION, RATE]
    params = Params(D(900), {"rate": D(100)})
    groups = {"JOINT": ["D1", "D2"]}
    merged = merge(joint_partnership(), groups, indicators, {"JOINT": "Joint Partnership"})
    assert [(area.code, area.name) for area in merged] == [
        ("JOINT", "Joint Partnership"),
        ("E", "Elsewhere"),
    ]
    assert merged[0].values == {"crimes": D(1000), "population": D(20000), "rate": D(50)}
    by_merging = allocate(merged, params)
    by_adding = allocate(
        derive(joint_partnership(), indicators),
        params,
        {"D1": "JOINT", "D2": "JOINT"},
        group_names={"JOINT": "Joint Partnership"},
    )
    assert allocations(by_merging) == {"JOINT": D(450), "E": D(450)}
    assert allocations(by_adding) == {"JOINT": D(600), "E": D(300)}
    assert by_merging.total == by_adding.total == D(900)
    joint = by_adding.areas[0]
    assert joint.name == "Joint Partnership"
    assert joint.values["rate"] == D(100)  # the districts' rates added up
    assert joint.shares["rate"].quantize(D("1E-12")) == D("0.666666666667")  # 100 / 150
    assert "each worked out separately" in joint.notes[0]


def test_adding_districts_rounds_only_the_groups():
    """Three districts of equal need share £100: 33.333… each. A and B form a group, whose
    unrounded amount is 66.666…: rounded down, AB 66 (remainder 0.667) and C 33 (remainder
    0.333) make 99, and the £1 left goes to the larger remainder, AB: 67 / 33."""
    areas = [AreaInput(code, code, {"harm": D(1)}) for code in ("A", "B", "C")]
    result = allocate(areas, Params(D(100), {"harm": D(100)}), {"A": "AB", "B": "AB"})
    assert allocations(result) == {"AB": D(67), "C": D(33)}
    assert result.areas[0].name == "AB"


def test_merge_averages_an_index_by_population():
    """(10 × 10,000 + 40 × 30,000) / 40,000 = 1,300,000 / 40,000 = 32.5"""
    areas = [
        AreaInput("D1", "One", {"score": D(10), "population": D(10000)}),
        AreaInput("D2", "Two", {"score": D(40), "population": D(30000)}),
    ]
    merged = merge(areas, {"J": ["D1", "D2"]}, [POPULATION, Indicator("score", kind="index")], {})
    assert merged[0].values == {"population": D(40000), "score": D("32.5")}
    assert merged[0].name == "One + Two"


def test_merge_refuses_a_missing_or_doubled_district():
    indicators = [CRIMES, POPULATION, RATE]
    with pytest.raises(
        FormulaError, match="district D9 in the group JOINT is not one of the areas"
    ):
        merge(joint_partnership(), {"JOINT": ["D1", "D9"]}, indicators, {})
    with pytest.raises(FormulaError, match="district D2 is listed in J2 in J1 too"):
        merge(joint_partnership(), {"J1": ["D1", "D2"], "J2": ["D2"]}, indicators, {})


# --- the LLR 2022 scheme's shape -----------------------------------------------------------

# Made-up but realistic figures for the nine LLR community safety partnership areas.
LLR_AREAS = [
    ("E06000016", "Leicester", 19_850_000, 38_900, 368_600),
    ("E07000129", "Blaby", 2_310_000, 5_150, 102_900),
    ("E07000130", "Charnwood", 4_120_000, 9_870, 183_900),
    ("E07000131", "Harborough", 1_640_000, 3_880, 97_600),
    ("E07000132", "Hinckley and Bosworth", 2_270_000, 5_420, 113_600),
    ("E07000133", "Melton", 980_000, 2_310, 51_800),
    ("E07000134", "North West Leicestershire", 2_450_000, 5_960, 104_700),
    ("E07000135", "Oadby and Wigston", 1_060_000, 2_640, 57_700),
    ("E06000017", "Rutland", 520_000, 1_270, 41_000),
]


def llr_areas() -> tuple[AreaInput, ...]:
    return derive(
        [
            AreaInput(code, name, {"harm": D(harm), "crimes": D(crimes), "population": D(people)})
            for code, name, harm, crimes, people in LLR_AREAS
        ],
        INDICATORS,
    )


def test_llr_2022_scheme_shares_the_whole_pot():
    result = allocate(llr_areas(), Params(D(639675), LLR_WEIGHTS))
    assert len(result.areas) == 9
    assert sum(area.allocation for area in result.areas) == D(639675)
    assert all(area.allocation == area.allocation.to_integral_value() for area in result.areas)
    leicester = result.by_code()["E06000016"]
    assert leicester.allocation == max(area.allocation for area in result.areas)


def test_llr_joint_partnership_merged_or_added_shares_the_whole_pot():
    params = Params(D(639675), LLR_WEIGHTS)
    joint = {"LLR-JOINT-BHB": ["E07000129", "E07000132"]}
    merged = allocate(
        merge(llr_areas(), joint, INDICATORS, {"LLR-JOINT-BHB": "Blaby, Hinckley and Bosworth"}),
        params,
    )
    added = allocate(
        llr_areas(), params, {"E07000129": "LLR-JOINT-BHB", "E07000132": "LLR-JOINT-BHB"}
    )
    for result in (merged, added):
        assert len(result.areas) == 8
        assert result.total == D(639675)
    assert merged.areas[1].code == added.areas[1].code == "LLR-JOINT-BHB"
