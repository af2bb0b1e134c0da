"""Harm weights: the shipped ONS CSS table, harm with and without anti-social behaviour (worked
by hand, then on the real LLR year), and weights tables that must be refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commissioning.crime.harm import (
    DEFAULT_WEIGHTS_PATH,
    default_weights,
    harm_by_district,
    load_weights,
    weights_hash,
)
from commissioning.crime.police_uk import ASB, POLICE_UK_CRIME_TYPES, CrimeDataError
from commissioning.crime.store import CrimeStore

from .conftest import MONTHS

D = Decimal
BLABY, LEICESTER = "E07000129", "E06000016"


def write(tmp_path, text: str, name: str = "weights.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_weights_are_the_ons_css_means_as_printed():
    weights = default_weights()
    assert weights == load_weights() == load_weights(DEFAULT_WEIGHTS_PATH)
    assert set(weights) == set(POLICE_UK_CRIME_TYPES) - {ASB}
    assert all(isinstance(w, Decimal) for w in weights.values())
    assert weights["Burglary"] == D("377.075")
    assert weights["Other theft"] == D("42.15")
    assert str(weights["Robbery"]) == "799.629"


def test_harm_by_hand_with_and_without_asb(tmp_path):
    counts = {
        (BLABY, "Burglary"): 2,
        (BLABY, ASB): 5,
        (LEICESTER, "Robbery"): 1,
        (LEICESTER, "Shoplifting"): 3,
    }
    weights = default_weights()
    assert harm_by_district(counts, weights, include_asb=False) == {
        BLABY: D("754.150"),
        LEICESTER: D("799.629") + 3 * D("11.856"),
    }
    # ASB asked for but unweighted: refused, not silently left out.
    with pytest.raises(CrimeDataError, match="no weight for 'Anti-social behaviour'"):
        harm_by_district(counts, weights, include_asb=True)

    with_asb = load_weights(
        write(
            tmp_path,
            "crime_type,weight\nBurglary,377.075\nRobbery,799.629\n"
            "Shoplifting,11.856\nAnti-social behaviour,2.5\n",
        )
    )
    assert harm_by_district(counts, with_asb, include_asb=True) == {
        BLABY: D("754.150") + D("12.5"),
        LEICESTER: D("799.629") + 3 * D("11.856"),
    }
    # A weighted ASB still stays out when not asked for.
    assert harm_by_district(counts, with_asb, include_asb=False)[BLABY] == D("754.150")


def test_a_crime_type_without_a_weight_is_refused():
    counts = {(BLABY, "Burglary"): 1, (BLABY, "Made-up crime"): 2}
    with pytest.raises(CrimeDataError, match=r"'Made-up crime' \(2 crimes\)"):
        harm_by_district(counts, default_weights(), include_asb=False)
    partial = {"Burglary": D(1)}
    with pytest.raises(CrimeDataError, match="no weight for 'Robbery'"):
        harm_by_district({(BLABY, "Robbery"): 1}, partial, include_asb=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "crime_type,weight\nBurglary,1\nBurglery,2\n",
            r"line 3, column 1: 'Burglery' is not a police\.uk crime type",
        ),
        (
            "crime_type,weight\nBurglary,-1\n",
            r"line 2, column 2: weight '-1' for 'Burglary' is negative",
        ),
        (
            "crime_type,weight\nBurglary,lots\n",
            r"line 2, column 2: weight 'lots' for 'Burglary' is not a number",
        ),
        ("crime_type,weight\nBurglary,NaN\n", r"line 2, column 2: weight 'NaN'.* is not a number"),
        ("crime_type,weight\nBurglary,Infinity\n", r"is not a number"),
        (
            "crime_type,weight\nBurglary,\n",
            r"line 2, column 2: weight '' for 'Burglary' is not a number",
        ),
        (
            "crime_type,weight\nBurglary,1\nBurglary,2\n",
            r"line 3, column 1: 'Burglary' is given twice",
        ),
        ("crime_type,weight\nBurglary,1,2\n", r"line 2: expected 2 columns"),
        ("type,weight\nBurglary,1\n", r"line 1: header must be crime_type,weight"),
        ("", r"line 1: header must be"),
        ("crime_type,weight\n", r"no weights"),
    ],
    ids=[
        "unknown type",
        "negative",
        "not numeric",
        "NaN",
        "infinite",
        "blank",
        "duplicate",
        "extra column",
        "bad header",
        "empty file",
        "no rows",
    ],
)
def test_bad_weights_files_are_refused(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CrimeDataError, match=message) as caught:
        load_weights(path)
    assert str(path) in str(caught.value)


def test_weights_files_that_are_fine(tmp_path):
    path = write(
        tmp_path,
        "\ufeffcrime_type,weight\r\nBurglary, 10.50 \r\n\r\nAnti-social behaviour,0\r\n",
    )
    assert load_weights(path) == {"Burglary": D("10.50"), ASB: D(0)}
    with pytest.raises(CrimeDataError, match="cannot read"):
        load_weights(tmp_path / "missing.csv")


def test_weights_hash_is_canonical():
    weights = default_weights()
    assert weights_hash(weights) == weights_hash(dict(reversed(list(weights.items()))))
    assert weights_hash({"Burglary": D("1.5")}) == weights_hash({"Burglary": D("1.50")})
    assert weights_hash({"Burglary": D("100")}) == weights_hash({"Burglary": D("1E+2")})
    assert weights_hash({"Burglary": D("1.5")}) != weights_hash({"Burglary": D("1.6")})
    assert len(weights_hash(weights)) == 64


def test_harm_on_the_real_llr_year_with_and_without_asb(tmp_path, policeuk, llr_lookup):
    store = CrimeStore(tmp_path / "crime.duckdb")
    store.ingest([policeuk], llr_lookup)
    without = harm_by_district(
        store.counts(MONTHS, include_asb=False), default_weights(), include_asb=False
    )
    assert set(without) == llr_lookup.configured
    assert all(h > 0 for h in without.values())
    # Leicester city carries the most harm of the nine districts.
    assert max(without, key=without.__getitem__) == LEICESTER

    asb_weight = D("3.25")
    with_asb_weights = default_weights() | {ASB: asb_weight}
    counts = store.counts(MONTHS, include_asb=True)
    with_asb = harm_by_district(counts, with_asb_weights, include_asb=True)
    for district, harm in with_asb.items():
        assert harm - without[district] == asb_weight * counts[(district, ASB)]
    assert harm_by_district(counts, with_asb_weights, include_asb=False) == without
