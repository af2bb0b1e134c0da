"""Formula services check the formula rule themselves: a partner (or anyone without it) is
refused with nothing stored; the command line passes."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from commissioning.budgets.models import LedgerEntry
from commissioning.budgets.selectors import year_get
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.examples.formula_demo import scheme_run_ensure
from commissioning.formula import services
from commissioning.formula.models import (
    CrimeDataLoad,
    FormulaAdoption,
    FormulaRun,
    HarmWeightTable,
    IndicatorUpload,
)

pytestmark = pytest.mark.django_db

REFUSED = "only commissioning officers and the Chief Finance Officer run the formula"


def stored():
    return (
        FormulaRun.objects.count(),
        FormulaAdoption.objects.count(),
        IndicatorUpload.objects.count(),
        HarmWeightTable.objects.count(),
        CrimeDataLoad.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def partner(user_with):
    return user_with(Role.PARTNER)


def test_every_formula_write_is_refused_without_the_rule(partner, tmp_path):
    run = scheme_run_ensure()
    year = year_get("2023/24")
    before = stored()
    writes = [
        lambda: services.crime_ingest([tmp_path], actor=partner),
        lambda: services.indicator_upload(
            actor=partner,
            name="x",
            title="X",
            kind="count",
            filename="x.csv",
            content=b"area_code,value\n",
        ),
        lambda: services.harm_table_upload(
            actor=partner, name="mine", filename="w.csv", content=b"crime_type,weight\n"
        ),
        lambda: services.vli_indicator_create(actor=partner, year=year),
        lambda: services.formula_run_create(
            actor=partner,
            req=services.RunRequest(
                year=year, pot=D("1000"), weights={"harm": D(100)}, title="Not mine"
            ),
        ),
        lambda: services.formula_run_adopt(actor=partner, run=run, year=year),
    ]
    for write in writes:
        with pytest.raises(ValidationError, match=REFUSED):
            write()
    assert stored() == before


def test_crime_ingest_names_who_loads():
    with pytest.raises(TypeError):
        services.crime_ingest([])  # type: ignore[call-arg]


def test_the_command_line_runs_the_formula():
    run = services.formula_run_create(
        actor=COMMAND_LINE,
        req=services.RunRequest(
            year=year_get("2023/24"),
            pot=D("1000"),
            weights={"harm": D(100)},
            title="From the command line",
        ),
    )
    assert run.created_by is None
    event = AuditEvent.objects.filter(action="formula_run.create").latest("id")
    assert event.actor_label == "command line"
