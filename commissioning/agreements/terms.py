"""An agreement's terms as one plain document: what is frozen when it is issued (with its
sha256), what the partner accepts, what the PDF prints and what a variation is compared
against. Amounts are strings of pounds and pence, dates ISO, so the document is exact JSON."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def terms_document(agreement) -> dict[str, Any]:
    periods = list(agreement.periods.all())
    number_of = {p.pk: p.number for p in periods}
    return {
        "reference": agreement.reference,
        "funder": "Office of the Police and Crime Commissioner",
        "partner": agreement.organisation.name,
        "allocation": agreement.allocation.reference,
        "decision": agreement.decision.reference if agreement.decision_id else None,
        "title": agreement.title,
        "purpose": agreement.purpose,
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "maximum_sum": str(agreement.maximum_sum),
        "retention_percent": str(agreement.retention_percent),
        "quality_standards": agreement.quality_standards,
        "underperformance": agreement.underperformance,
        "outcomes": [
            {
                "title": outcome.title,
                "measures": [
                    {
                        "name": m.name,
                        "unit": m.unit,
                        "baseline": None if m.baseline is None else str(m.baseline),
                        "priority": m.priority.code if m.priority_id else None,
                        "proposed_by_partner": m.proposed_by_partner,
                        "targets": {
                            str(number_of[t.period_id]): str(t.target)
                            for t in sorted(m.targets.all(), key=lambda t: number_of[t.period_id])
                        },
                    }
                    for m in outcome.measures.all()
                ],
            }
            for outcome in agreement.outcomes.all()
        ],
        "conditions": [{"kind": c.kind, "text": c.text} for c in agreement.conditions.all()],
        "budget": [
            {
                "category": c.name,
                "amount": str(c.amount),
                "profile": {
                    str(number_of[p.period_id]): str(p.amount)
                    for p in sorted(c.profile.all(), key=lambda p: number_of[p.period_id])
                },
            }
            for c in agreement.budget_categories.all()
        ],
        "periods": [
            {
                "number": p.number,
                "label": p.label,
                "kind": p.kind,
                "starts_on": p.starts_on.isoformat(),
                "ends_on": p.ends_on.isoformat(),
                "return_due_on": p.due_on.isoformat(),
                "final": p.final,
            }
            for p in periods
        ],
        "payments": [
            {
                "number": p.number,
                "due_on": p.due_on.isoformat(),
                "amount": str(p.amount),
                "timing": p.timing,
                "after_return_for": number_of.get(p.period_id),
                "retention": p.retention,
                "advance": (
                    {
                        "agreed": p.advance_agreed,
                        "need": p.advance_need,
                        "necessary": p.advance_necessary,
                    }
                    if p.timing == "advance"
                    else None
                ),
            }
            for p in agreement.payments.all()
            if p.status != "cancelled"
        ],
    }


def digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
