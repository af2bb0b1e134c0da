"""Changing a scenario: the CFO only, every wrong field named at once, nothing written on a
refusal, one audit event with before and after for each change; copies for what-ifs."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from commissioning.core.models import AuditEvent
from commissioning.mtfs import calc, services
from commissioning.mtfs.models import Scenario, ScenarioYear

pytestmark = pytest.mark.django_db


def _year(scenario, label="2014/15") -> ScenarioYear:
    return scenario.years.get(year=label)


def test_the_cfo_changes_a_years_precept_and_the_gap_follows(scenario, cfo):
    """+1% on the 2014/15 precept is 1% more council tax in every year from 2014/15, and the
    gap before savings is that much smaller."""
    before = calc.compute(services.inputs_of(scenario))
    services.scenario_year_update(
        actor=cfo,
        scenario_year=_year(scenario),
        values={"precept_change_pct": "1"},
        reason="What if",
    )
    after = calc.compute(services.inputs_of(Scenario.objects.get(pk=scenario.pk)))
    for b, a in zip(before.years, after.years, strict=True):
        assert a.council_tax.value == b.council_tax.value * D("1.01")
        assert a.gap_before_savings.value == b.gap_before_savings.value - (
            a.council_tax.value - b.council_tax.value
        )
    event = AuditEvent.objects.filter(action="mtfs.year_update").latest("id")
    assert event.before == {"precept_change_pct": "0.000"}
    assert event.after == {"precept_change_pct": "1.000"}
    assert event.reason == "What if"
    assert event.actor == cfo


def test_everything_wrong_is_named_at_once_and_nothing_is_written(scenario, cfo):
    row = _year(scenario)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.scenario_year_update(
            actor=cfo,
            scenario_year=row,
            values={
                "tax_base_growth_pct": "lots",
                "precept_change_pct": "2",
                "freeze_grant": "1,000",
                "savings_planned": "",
                "use_of_reserves": "-5",
            },
        )
    errors = exc.value.message_dict
    assert set(errors) == {
        "tax_base_growth_pct",
        "freeze_grant",
        "savings_planned",
        "use_of_reserves",
    }
    assert "2014/15 tax base growth" in errors["tax_base_growth_pct"][0]
    assert "a freeze grant is paid only for not raising the precept" in errors["freeze_grant"][0]
    assert errors["savings_planned"] == [
        "Enter the 2014/15 savings planned in pounds (0 if there is none)"
    ]
    assert errors["use_of_reserves"] == ["2014/15 use of reserves: cannot be negative"]
    row.refresh_from_db()
    assert row.precept_change_pct == D("0") and row.savings_planned == D("3116000")
    assert AuditEvent.objects.count() == events


def test_only_the_cfo_changes_a_scenario(scenario, officer):
    with pytest.raises(ValidationError, match="only the Chief Finance Officer"):
        services.scenario_year_update(
            actor=officer, scenario_year=_year(scenario), values={"precept_change_pct": "1"}
        )
    assert _year(scenario).precept_change_pct == D("0")


def test_the_base_figures_are_checked_against_each_other(scenario, cfo):
    with pytest.raises(ValidationError) as exc:
        services.scenario_update(
            actor=cfo,
            scenario=scenario,
            values={
                "base_council_tax_requirement": "200,000,000",
                "base_tax_base": "-1",
                "base_band_d": "173.87501",
                "pay_share_pct": "101",
            },
        )
    errors = exc.value.message_dict
    assert (
        "cannot be more than the base budget requirement"
        in errors["base_council_tax_requirement"][0]
    )
    assert errors["base_tax_base"] == ["Base tax base: cannot be negative"]
    assert "more than 4 decimal places" in errors["base_band_d"][0]
    assert errors["pay_share_pct"] == ["Pay share of the budget: must be between 0% and 100%"]
    services.scenario_update(
        actor=cfo, scenario=scenario, values={"pay_share_pct": "80", "title": "Renamed"}
    )
    scenario.refresh_from_db()
    assert scenario.pay_share_pct == D("80") and scenario.title == "Renamed"
    event = AuditEvent.objects.filter(action="mtfs.scenario_update").latest("id")
    assert event.before["pay_share_pct"] == "0.000" and event.after["pay_share_pct"] == "80.000"


def test_a_copy_keeps_the_original_as_it_was(scenario, cfo):
    copy = services.scenario_copy(
        actor=cfo, scenario=scenario, name="llr-2013-12-plus-1", title="Precept +1%"
    )
    services.scenario_year_update(
        actor=cfo, scenario_year=_year(copy), values={"precept_change_pct": "1"}
    )
    assert _year(scenario).precept_change_pct == D("0")
    assert _year(copy).precept_change_pct == D("1")
    assert services.inputs_of(copy).years[1:] == services.inputs_of(scenario).years[1:]
    assert copy.plan == scenario.plan and "A copy of llr-2013-12." in copy.notes
    with pytest.raises(ValidationError, match="already a scenario called llr-2013-12-plus-1"):
        services.scenario_copy(actor=cfo, scenario=scenario, name="llr-2013-12-plus-1", title="x")
    with pytest.raises(ValidationError, match="lower-case letters"):
        services.scenario_copy(actor=cfo, scenario=scenario, name="Not A Slug", title="x")
