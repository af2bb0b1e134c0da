"""MTFS fixtures: 004's printed inputs as calc inputs (no database), 004's printed precept
table and gaps as stated figures, and the scenario the LLR example loads."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from commissioning.mtfs import calc, reconcile

YEARS = ("2014/15", "2015/16", "2016/17")

# 004 Financial Update para 21, in £'000, as printed.
PRINTED_PRECEPT = {
    "0.5": (248, 255, 262),
    "1.0": (496, 510, 524),
    "1.5": (744, 765, 786),
    "2.0": (992, 1020, 1049),
}
# paras 7 and 10, in £m, as printed.
PRINTED_GAPS = {
    "gap-2013-01": ("6.085", "12.820", "20.260"),
    "gap-2013-08": ("4.420", "8.631", "19.878"),
}


def inputs_004(**base_changes) -> calc.ScenarioInputs:
    """The December 2013 MTFS as 004 prints it: para 4's base figures (the tax base is the
    council tax requirement divided by Band D, to 2 places), 0.8% growth (para 6a), precept
    0%, 2%, 2% (para 21), grant -3.3%, -3.2% (para 9) and -5% (para 6d), savings £3.116m in
    2014/15 (para 14)."""
    years = (
        calc.YearAssumptions("2014/15", D("0.8"), D("0"), D("-3.3"), savings_planned=D("3116000")),
        calc.YearAssumptions("2015/16", D("0.8"), D("2"), D("-3.2")),
        calc.YearAssumptions("2016/17", D("0.8"), D("2"), D("-5")),
    )
    fields = {
        "name": "llr-2013-12",
        "base_year": "2013/14",
        "base_budget_requirement": D("173466000"),
        "base_council_tax_requirement": D("49153000"),
        "base_tax_base": D("282691.59"),
        "base_band_d": D("173.8750"),
        "pay_share_pct": D("0"),
        "years": years,
        **base_changes,
    }
    return calc.ScenarioInputs(**fields)


def printed_precept() -> list[reconcile.StatedPrecept]:
    return [
        reconcile.StatedPrecept(
            year=year,
            increase_pct=D(pct),
            amount=D(value) * 1000,
            precision=D(1000),
            stated_as=f"{value:,}",
            cite="004 Financial Update para 21",
            document="004",
        )
        for pct, values in PRINTED_PRECEPT.items()
        for year, value in zip(YEARS, values, strict=True)
    ]


def printed_gaps() -> list[reconcile.StatedGap]:
    return [
        reconcile.StatedGap(
            series=series,
            label=series,
            year=year,
            amount=D(value) * 1_000_000,
            precision=D(1000),
            stated_as=f"£{value}m",
            cite="004",
            document="004",
        )
        for series, values in PRINTED_GAPS.items()
        for year, value in zip(YEARS, values, strict=True)
    ]


@pytest.fixture
def scenario(db):
    from commissioning.mtfs.models import Scenario

    return Scenario.objects.get(name="llr-2013-12")
