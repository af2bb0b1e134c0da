"""The LLR needs-based allocation for the demo: FY2023/24 police.uk crime, the default harm
weights, and the 2022 scheme (£639,675; harm 65%, crime rate 20%, population 15%) compared with
the 2016/17 Partnership Locality Fund split."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings

from commissioning.budgets.models import FinancialYear
from commissioning.core.actors import COMMAND_LINE
from commissioning.crime.extract import import_extract
from commissioning.formula import selectors, services
from commissioning.formula.errors import FormulaInputError
from commissioning.formula.models import FormulaRun

LLR_DIR = Path(__file__).resolve().parent / "llr"
SHARED_POLICEUK = Path(settings.PACKAGE_DIR).parent.parent / "shared" / "data" / "policeuk"
SCHEME_TITLE = (
    "The 2022 LLR scheme (harm 65%, crime rate 20%, population 15%) on 2023/24 police.uk data"
)


def crime_data_ensure(year_label: str = "2023/24") -> str:
    """Load the year's police.uk data if the crime store lacks it: the real files when they are
    beside the project (../shared/data/policeuk), else the shipped extract of the same files."""
    year = FinancialYear.objects.get(label=year_label)
    months = selectors.fy_months(year)
    if selectors.crime_store_path().exists() and all(
        selectors.crime_store().coverage(months).values()
    ):
        return "already loaded"
    if SHARED_POLICEUK.is_dir():
        report = services.crime_ingest(
            [SHARED_POLICEUK / m for m in months if (SHARED_POLICEUK / m).is_dir()],
            actor=COMMAND_LINE,
        )
        return f"ingested police.uk files: {report.rows:,} rows"
    n = import_extract(
        selectors.crime_store(),
        LLR_DIR / "policeuk_2023_24_counts.csv",
        LLR_DIR / "policeuk_2023_24_files.csv",
        configured=[a.code for a in selectors.districts()],
    )
    return f"loaded the shipped extract: {n:,} counts"


def scheme_run_ensure() -> FormulaRun:
    existing = FormulaRun.objects.filter(title=SCHEME_TITLE).first()
    if existing:
        return existing
    services.harm_table_default(actor=COMMAND_LINE)
    req = services.RunRequest(
        year=FinancialYear.objects.get(label="2023/24"),
        pot=Decimal("639675"),
        weights={"harm": Decimal(65), "rate": Decimal(20), "population": Decimal(15)},
        population_source="census2021",
        join="merge",
        previous_year=FinancialYear.objects.get(label="2016/17"),
        title=SCHEME_TITLE,
    )
    return services.formula_run_create(actor=COMMAND_LINE, req=req)


VLI_TITLE = (
    "The Vulnerable Localities Index on 2023/24 police.uk data, sharing £450,000 as in 2016/17"
)


def vli_run_ensure() -> FormulaRun | None:
    """The 2016/17 Partnership Locality Fund was split by the Vulnerable Localities Index:
    the same method on 2023/24 data, for comparison. Needs neighbourhood-level crime data."""
    existing = FormulaRun.objects.filter(title=VLI_TITLE).first()
    if existing:
        return existing
    year = FinancialYear.objects.get(label="2023/24")
    try:
        indicator = services.vli_indicator_create(actor=COMMAND_LINE, year=year)
    except FormulaInputError:
        return None
    req = services.RunRequest(
        year=year,
        pot=Decimal("450000"),
        weights={indicator.name: Decimal(100)},
        uploads=[indicator],
        join="none",
        unit=Decimal(50),
        previous_year=FinancialYear.objects.get(label="2016/17"),
        title=VLI_TITLE,
    )
    return services.formula_run_create(actor=COMMAND_LINE, req=req)
