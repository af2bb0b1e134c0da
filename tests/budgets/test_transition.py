"""Transition rules: 50% of each partner's prior-year funding, previewed then applied."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from commissioning.budgets.models import Status
from commissioning.budgets.selectors import allocation_lines, year_get
from commissioning.budgets.transition import (
    TransitionRule,
    fingerprint,
    transition_apply,
    transition_preview,
)

pytestmark = pytest.mark.django_db


def rule(target, pct="50"):
    return TransitionRule(
        source_year=year_get("2013/14"),
        target_year=target,
        percentage=D(pct),
        period="H1",
        status=Status.INDICATIVE,
    )


def test_preview_halves_each_committed_allocation_and_writes_nothing(year):
    proposals = transition_preview(rule(year))
    # Every committed allocation of the PCC's; not the pooled budget's award (the pool's).
    prior = [line for line in allocation_lines(year_get("2013/14")) if not line.pooled]
    assert len(proposals) == len(prior)
    assert sum(p.prior_total for p in proposals) == D("3240231.00")
    for p in proposals:
        assert p.amount == (p.prior_total / 2).quantize(D("0.01"))
    assert allocation_lines(year) == []


def test_apply_creates_what_the_preview_showed(year, officer):
    r = rule(year)
    proposals = transition_preview(r)
    created = transition_apply(actor=officer, rule=r, expected=fingerprint(r, proposals))
    assert len(created) == len(proposals)
    lines = allocation_lines(year)
    assert sum(l.total for l in lines) == sum(p.amount for p in proposals)
    assert {tuple(l.amounts) for l in lines} == {("H1",)}
    assert all(l.status == Status.INDICATIVE for l in lines)


def test_apply_refuses_a_stale_preview(year, officer):
    r = rule(year)
    with pytest.raises(ValidationError, match="changed since the preview"):
        transition_apply(actor=officer, rule=r, expected="stale")
    assert allocation_lines(year) == []


def test_rounding_to_the_penny(year):
    proposals = transition_preview(rule(year, pct="33.33"))
    assert all(p.amount == p.amount.quantize(D("0.01")) for p in proposals)
