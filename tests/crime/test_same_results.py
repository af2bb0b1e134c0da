"""The fast path of ADR 17 changes how the store is built, not what it answers: on the real
Leicestershire year, the load's report, every count the formula reads, the LSOA counts and the
Vulnerable Localities Index built from them are exactly those recorded with the code before
the change (`llr_2023_24_before_adr17.json`, written by the load as it was on 2 December
2026)."""

from __future__ import annotations

import json
from pathlib import Path

from commissioning.crime.store import CrimeStore
from commissioning.formula import vli

BEFORE = json.loads((Path(__file__).parent / "llr_2023_24_before_adr17.json").read_text())


def keyed(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    return {f"{district}|{crime_type}": n for (district, crime_type), n in sorted(counts.items())}


def test_store_and_vli_answer_as_before_on_the_llr_year(tmp_path, policeuk, llr_lookup):
    store = CrimeStore(tmp_path / "crime.duckdb")
    report = store.ingest([policeuk], llr_lookup)
    months = store.months()
    assert {
        "files": report.files,
        "rows": report.rows,
        "rows_without_lsoa": report.rows_without_lsoa,
        "rows_outside_areas": report.rows_outside_areas,
        "unmapped_rows": report.unmapped_rows,
        "outside_by_district": report.outside_by_district,
        "unknown_crime_types": report.unknown_crime_types,
    } == BEFORE["report"]
    assert report.summary() == BEFORE["summary"]
    assert months == BEFORE["months"]
    assert store.coverage(months) == BEFORE["coverage"]
    assert store.content_hash(months) == BEFORE["content_hash"]
    assert keyed(store.counts(months, include_asb=True)) == BEFORE["counts_with_asb"]
    assert keyed(store.counts(months, include_asb=False)) == BEFORE["counts_without_asb"]

    burglary = store.lsoa_counts(months, ["Burglary"])
    damage = store.lsoa_counts(months, ["Criminal damage and arson"])
    assert burglary == BEFORE["lsoa_burglary"]
    assert damage == BEFORE["lsoa_damage"]
    both = store.lsoa_counts(months, ["Burglary", "Criminal damage and arson"])
    assert both == BEFORE["lsoa_both"]

    inputs = vli.load_inputs()
    lsoas, vli_report = vli.compute(inputs, burglary, damage)
    assert {
        "lsoas": vli_report.lsoas,
        "priority_lsoas": vli_report.priority_lsoas,
        "unmatched_codes": vli_report.unmatched_codes,
        "unmatched_crimes": vli_report.unmatched_crimes,
        "method": list(vli_report.method),
    } == BEFORE["vli_report"]
    assert {r.code: str(r.vli) for r in lsoas} == BEFORE["vli_lsoas"]
    by_district = vli.by_district(lsoas, inputs)
    assert {
        code: {k: str(v) for k, v in d.items()} for code, d in sorted(by_district.items())
    } == BEFORE["vli_by_district"]
