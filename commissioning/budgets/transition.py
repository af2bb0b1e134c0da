"""Transition rules: allocations made from a share of each partner's prior-year funding,
e.g. "50% of each partner's 2012/13 funding for the first six months of 2013/14" (the
panel report of 30 January 2013, para 18). Previewed first; applied in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.core.money import PENNY, ZERO, money_text
from commissioning.core.permissions import require

from . import services
from .models import Allocation, AllocationVersion, FinancialYear, Status
from .permissions import ALLOCATIONS_CHANGE
from .selectors import allocation_lines


@dataclass(frozen=True)
class TransitionRule:
    source_year: FinancialYear
    target_year: FinancialYear
    percentage: Decimal
    period: str
    status: str
    mechanism: str = ""

    def describe(self) -> str:
        return (
            f"{self.percentage.normalize():f}% of each partner's {self.source_year} funding "
            f"for {self.period} of {self.target_year}"
        )


@dataclass(frozen=True)
class Proposal:
    source_reference: str
    source_uuid: str
    organisation: str
    initiative: str
    mechanism: str
    prior_total: Decimal
    amount: Decimal


def transition_preview(rule: TransitionRule) -> list[Proposal]:
    if rule.source_year.pk == rule.target_year.pk:
        raise ValidationError(
            {"source_year": "The prior year must differ from the year being funded"}
        )
    proposals = []
    for line in allocation_lines(rule.source_year):
        if line.status != Status.COMMITTED or line.pooled:
            continue  # a pool's award is the pool's to renew, not the PCC's
        amount = (line.total * rule.percentage / Decimal(100)).quantize(
            PENNY, rounding=ROUND_HALF_UP
        )
        if amount == ZERO:
            continue
        proposals.append(
            Proposal(
                source_reference=line.reference,
                source_uuid=line.uuid,
                organisation=line.organisation,
                initiative=line.initiative,
                mechanism=rule.mechanism or line.mechanism,
                prior_total=line.total,
                amount=amount,
            )
        )
    return sorted(proposals, key=lambda p: (p.organisation.lower(), p.source_reference))


@dataclass(frozen=True)
class Preview:
    """What applying a rule would create, as the officer sees it before confirming."""

    rule: TransitionRule
    proposals: list[Proposal]
    by_org: list[tuple[str, Decimal]]
    total: Decimal
    prior_total: Decimal
    fingerprint: str


def transition_summary(rule: TransitionRule) -> Preview:
    proposals = transition_preview(rule)
    by_org: dict[str, Decimal] = {}
    for p in proposals:
        by_org[p.organisation] = by_org.get(p.organisation, ZERO) + p.amount
    return Preview(
        rule=rule,
        proposals=proposals,
        by_org=sorted(by_org.items()),
        total=sum((p.amount for p in proposals), ZERO),
        prior_total=sum((p.prior_total for p in proposals), ZERO),
        fingerprint=fingerprint(rule, proposals),
    )


def fingerprint(rule: TransitionRule, proposals: list[Proposal]) -> str:
    """Ties a confirmation to the preview the officer saw: if the ledger changed since,
    the fingerprint differs and the officer is shown the new preview instead."""
    text = (
        rule.describe()
        + rule.status
        + "|".join(f"{p.source_reference}:{p.amount}:{p.mechanism}" for p in proposals)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def transition_apply(*, actor, rule: TransitionRule, expected: str) -> list[Allocation]:
    """Create the allocations of the preview the officer confirmed (`expected` is its
    fingerprint), all in one transaction."""
    require(actor, ALLOCATIONS_CHANGE)
    with transaction.atomic():
        proposals = transition_preview(rule)
        if fingerprint(rule, proposals) != expected:
            raise ValidationError(
                "The prior year's allocations changed since the preview; check it again"
            )
        sources = {
            v.allocation.reference: v
            for v in AllocationVersion.objects.filter(
                allocation__reference__in=[p.source_reference for p in proposals]
            )
            .select_related("allocation")
            .order_by("allocation", "number")
        }
        created = []
        for p in proposals:
            v = sources[p.source_reference]
            created.append(
                services.allocation_create(
                    actor=actor,
                    year=rule.target_year,
                    amounts={rule.period: p.amount},
                    organisation=v.organisation,
                    initiative=v.initiative,
                    mechanism=p.mechanism,
                    theme=v.theme,
                    primary_priority=v.primary_priority,
                    secondary_priority=v.secondary_priority,
                    intention=v.intention,
                    reach=v.reach,
                    reach_as_stated=v.reach_as_stated,
                    status=rule.status,
                    comment=f"Transition rule: {rule.describe()} (from {p.source_reference}, {money_text(p.prior_total)})",
                    source=f"Transition rule from {p.source_reference}",
                    reason=rule.describe(),
                )
            )
        return created
