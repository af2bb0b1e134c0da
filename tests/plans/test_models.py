"""The Police and Crime Plan: themes, strategic priorities SP1-SP17 under them, and
commissioning intentions CI001-CI011 with their estimates."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from commissioning.plans.models import (
    CommissioningIntention,
    EstimateKind,
    IntentionEstimate,
    Plan,
    StrategicPriority,
    Theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Plan.objects.get(title="Police and Crime Plan 2013-17")


def test_the_plan_runs_four_years(plan):
    assert (plan.starts, plan.ends) == (dt.date(2013, 4, 1), dt.date(2017, 3, 31))
    assert str(plan) == "Police and Crime Plan 2013-17"


def test_the_plan_has_seventeen_priorities_each_under_one_of_its_themes(plan):
    priorities = list(plan.priorities.all())
    assert [p.code for p in priorities] == [f"SP{n}" for n in range(1, 18)]
    assert [p.number for p in priorities] == list(range(1, 18))
    assert all(p.theme.plan_id == plan.pk for p in priorities)
    themes = list(plan.themes.all())
    assert [t.number for t in themes] == list(range(1, len(themes) + 1))
    assert all(t.priorities.exists() for t in themes)
    assert themes[0].title == "Reducing offending and re-offending"
    assert "Reducing Offending and Reoffending" in themes[0].aliases


def test_the_plan_has_eleven_commissioning_intentions_citing_its_priorities(plan):
    intentions = list(plan.intentions.all())
    assert [ci.code for ci in intentions] == [f"CI{n:03d}" for n in range(1, 12)]
    first = intentions[0]
    assert {p.code for p in first.priorities.all()} == {"SP1", "SP2", "SP3", "SP4"}
    assert first.purchasing_systems == ["co_commissioning"]
    assert CommissioningIntention.objects.get(code="CI002").earlier_codes == ["CI201"]


def test_estimates_are_money_by_year(plan):
    estimates = IntentionEstimate.objects.filter(intention__plan=plan)
    assert estimates.exists()
    assert all(isinstance(e.amount, D) and e.amount >= 0 for e in estimates)
    assert {e.kind for e in estimates} <= set(EstimateKind.values)


def test_a_plan_must_end_after_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(title="Backwards", starts=dt.date(2020, 4, 1), ends=dt.date(2020, 4, 1))


def test_theme_numbers_and_priority_codes_are_unique_within_a_plan(plan):
    theme = plan.themes.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(plan=plan, number=theme.number, title="Again")
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategicPriority.objects.create(plan=plan, code="SP1", number=99, title="x", theme=theme)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissioningIntention.objects.create(plan=plan, code="CI001", description="x")


def test_another_plan_numbers_its_own_themes():
    later = Plan.objects.create(
        title="Plan 2021-25", starts=dt.date(2021, 4, 1), ends=dt.date(2025, 3, 31)
    )
    theme = Theme.objects.create(plan=later, number=1, title="Safer streets")
    sp = StrategicPriority.objects.create(
        plan=later, code="SP1", number=1, title="Fewer burglaries", theme=theme
    )
    assert str(sp) == "SP1 Fewer burglaries" and str(theme) == "Safer streets"
    assert Plan.objects.first() == later  # newest first


def test_an_estimate_cannot_be_negative(plan):
    ci = plan.intentions.first()
    year = IntentionEstimate.objects.first().year
    with pytest.raises(IntegrityError), transaction.atomic():
        IntentionEstimate.objects.create(
            intention=ci, year=year, kind=EstimateKind.TOTAL, amount=D("-1.00")
        )
