"""Every formula result is as it was before the crime store's fast path (ADR 17): the demo's
2022 scheme run and its Vulnerable Localities Index run, made through the product's services on
the real Leicestershire year, give the outputs, inputs and indicator recorded with the code
before the change (2 December 2026)."""

import hashlib

import pytest

from commissioning.budgets.models import FinancialYear
from commissioning.examples.formula_demo import scheme_run_ensure, vli_run_ensure
from commissioning.formula import selectors
from commissioning.formula.models import IndicatorUpload

pytestmark = pytest.mark.django_db

SCHEME_OUTPUT_HASH = "809e109f3de2dd960dfa02d6319b533fc750d38c7d7abc889e14280df58f39ff"
CRIME_DATA_HASH = "f175c78993de213198d01bf2e3f61883cf0a637c9c4fbe9ac22d2c5abdee6863"
SCHEME_CRIMES = {
    "E06000016": "45836",
    "E06000017": "1739",
    "E07000129": "6987",
    "E07000130": "13894",
    "E07000131": "4837",
    "E07000132": "7469",
    "E07000133": "3314",
    "E07000134": "7944",
    "E07000135": "3853",
}
SCHEME_HARM = {
    "E06000016": "7050098.603",
    "E06000017": "269258.8",
    "E07000129": "1015567.761",
    "E07000130": "2005003.634",
    "E07000131": "746814.248",
    "E07000132": "1142323.092",
    "E07000133": "516001.625",
    "E07000134": "1184828.388",
    "E07000135": "621659.356",
}
VLI_OUTPUT_HASH = "09d27043f8d01aaf019bb3d3dfa197dd42e6951f89f32f83d4f3fc8418346f3f"
VLI_INDICATOR_HASH = "f7a4b8755b3eaea3d04464f42ac9169d1738645d55984f03164791808aa3ac0d"
VLI_UNMATCHED = "74 codes with 1,385 crimes are not among the neighbourhoods"
VLI_SOURCE_SHA256 = "cabc3de5b1adfe4a94a50bc8318f58235bad712890e9abecdf3fa25280209e8e"  # the indicator's description, with every count in it


def test_the_scheme_run_is_as_before():
    run = scheme_run_ensure()
    assert run.inputs["crime_data_hash"] == CRIME_DATA_HASH
    assert run.inputs["crimes"] == SCHEME_CRIMES
    assert run.inputs["harm"] == SCHEME_HARM
    assert run.output_hash == SCHEME_OUTPUT_HASH
    assert selectors.formula_run_recompute(run)[1]


def test_the_vli_run_is_as_before():
    if not selectors.crime_store().lsoa_counts(
        selectors.fy_months(FinancialYear.objects.get(label="2023/24")), ["Burglary"]
    ):
        pytest.skip("the crime store holds only the district-level extract (no shared police.uk)")
    run = vli_run_ensure()
    assert run is not None
    indicator = IndicatorUpload.objects.get(name=run.inputs["uploads"][0]["name"])
    assert indicator.content_hash == VLI_INDICATOR_HASH
    assert VLI_UNMATCHED in indicator.source
    assert hashlib.sha256(indicator.source.encode()).hexdigest() == VLI_SOURCE_SHA256
    assert run.inputs["crime_data_hash"] == CRIME_DATA_HASH
    assert run.output_hash == VLI_OUTPUT_HASH
