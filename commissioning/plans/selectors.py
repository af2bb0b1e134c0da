"""Reads of the Police and Crime Plan."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import CommissioningIntention, IntentionEstimate, Plan, StrategicPriority, Theme


def plan_current() -> Plan | None:
    return (
        Plan.objects.prefetch_related(
            Prefetch(
                "themes",
                queryset=Theme.objects.prefetch_related(
                    Prefetch("priorities", queryset=StrategicPriority.objects.order_by("number"))
                ),
            ),
            Prefetch(
                "intentions",
                queryset=CommissioningIntention.objects.prefetch_related(
                    "priorities",
                    Prefetch(
                        "estimates",
                        queryset=IntentionEstimate.objects.select_related("year", "area"),
                    ),
                ),
            ),
        )
        .order_by("-starts")
        .first()
    )


def plan_intentions(plan: Plan) -> list[dict]:
    """Each commissioning intention with its estimates by year: the stated total, the splits
    and whether the splits add up to it."""
    intentions = []
    for ci in plan.intentions.all():
        years = sorted({e.year.label for e in ci.estimates.all()})
        rows = []
        for label in years:
            ests = [e for e in ci.estimates.all() if e.year.label == label]
            stated = next((e.amount for e in ests if e.kind == "total"), None)
            splits = [e for e in ests if e.kind == "split"]
            split_sum = (
                sum((e.amount for e in splits), start=type(ests[0].amount)(0)) if splits else None
            )
            rows.append(
                {
                    "year": label,
                    "stated": stated,
                    "splits": splits,
                    "split_sum": split_sum,
                    "adds_up": stated is None or split_sum is None or stated == split_sum,
                }
            )
        intentions.append({"ci": ci, "years": rows})
    return intentions
