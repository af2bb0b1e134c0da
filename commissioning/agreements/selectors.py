"""Reads for the agreement pages, with what they show already fetched: an agreement page
costs the same number of queries whatever the number of its periods, outcomes, measures,
budget lines and instalments (`rules.payment_holds`, `rules.schedule_problems` and
`terms.terms_document` read related rows through `.all()`, which the prefetch answers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from commissioning.budgets.models import Allocation
from commissioning.core.money import ZERO
from commissioning.core.permissions import allowed
from commissioning.core.templatetags.govuk import money, period_short

from .models import (
    Agreement,
    AgreementStatus,
    AgreementTerms,
    BudgetCategory,
    Condition,
    ConditionKind,
    Measure,
    Outcome,
    Payment,
    PaymentStatus,
    ReportingPeriod,
    ReturnStatus,
    Unit,
    Variation,
    VariationStatus,
)
from .permissions import MANAGE, PAYMENT_RECORD, RETURN_REVIEW
from .rules import days_late, payment_holds
from .workflow import AGREEMENT, PAYMENT


def _prefetched(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return queryset.select_related(
        "organisation", "allocation__year", "decision", "created_by"
    ).prefetch_related(
        Prefetch("periods", queryset=ReportingPeriod.objects.select_related("report")),
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.prefetch_related(
                Prefetch(
                    "measures",
                    queryset=Measure.objects.select_related("priority").prefetch_related("targets"),
                )
            ),
        ),
        Prefetch("conditions", queryset=Condition.objects.select_related("met_by")),
        Prefetch("budget_categories", queryset=BudgetCategory.objects.prefetch_related("profile")),
        Prefetch(
            "payments", queryset=Payment.objects.select_related("requested_by", "approved_by")
        ),
        Prefetch(
            "terms",
            queryset=AgreementTerms.objects.select_related("issued_by", "acceptance__user"),
        ),
    )


def _tie(agreement: Agreement) -> Agreement:
    """Point each instalment at the agreement's own prefetched period objects (whose return
    is already fetched), so the holds ask nothing more."""
    periods = {p.pk: p for p in agreement.periods.all()}
    for payment in agreement.payments.all():
        payment.agreement = agreement
        if payment.period_id is not None:
            payment.period = periods[payment.period_id]
    return agreement


def agreement_get(uuid) -> Agreement:
    """The agreement with everything its page, its PDF and its checks read."""
    agreement = _prefetched(Agreement.objects.filter(uuid=uuid)).first()
    if agreement is None:
        raise Http404("No such agreement")
    return _tie(agreement)


def agreement_of_allocation(allocation: Allocation) -> Agreement | None:
    """The agreement drawn up for an allocation, if there is one (for the allocation page)."""
    return Agreement.objects.filter(allocation=allocation).first()


def payment_get(agreement: Agreement, number: int) -> Payment:
    for payment in agreement.payments.all():
        if payment.number == number:
            return payment
    raise Http404("No such instalment")


def condition_get(agreement: Agreement, order: int) -> Condition:
    for condition in agreement.conditions.all():
        if condition.order == order:
            return condition
    raise Http404("No such condition")


def outcome_get(agreement: Agreement, order: int) -> Outcome:
    for outcome in agreement.outcomes.all():
        if outcome.order == order:
            return outcome
    raise Http404("No such outcome")


def latest_terms(agreement: Agreement) -> AgreementTerms | None:
    terms = list(agreement.terms.all())
    return max(terms, key=lambda t: t.number) if terms else None


def return_url(agreement: Agreement, number: int) -> str | None:
    """The page of a period's monitoring return, once that page exists."""
    try:
        return reverse("return", args=[agreement.uuid, number])
    except NoReverseMatch:
        return None


# --------------------------------------------------------------------------------------------
# The agreement page
# --------------------------------------------------------------------------------------------


@dataclass
class PeriodRow:
    period: ReportingPeriod
    report_status: str  # the return's status label, or "Not started"
    late: int  # days late today, 0 if not
    url: str | None

    @property
    def short(self) -> str:
        """The label up to its bracket, for a column heading: "Q1 2031/32"."""
        return period_short(self.period.label)


@dataclass
class PaymentRow:
    payment: Payment
    holds: list[str]
    moves: list[Any]  # core.workflow.Move the user may make now


@dataclass
class MeasureRow:
    measure: Measure
    targets: list[Decimal | None]  # one a period, in the periods' order


@dataclass
class CategoryRow:
    category: BudgetCategory
    profile: list[Decimal | None]


@dataclass
class AgreementPage:
    agreement: Agreement
    periods: list[PeriodRow]
    outcomes: list[tuple[Outcome, list[MeasureRow]]]
    budget: list[CategoryRow]
    budget_total: Decimal
    profile_totals: list[Decimal]
    payments: list[PaymentRow]
    scheduled_total: Decimal
    paid_total: Decimal
    terms: AgreementTerms | None
    moves: list[Any]
    needs: list[str] = field(default_factory=list)
    drafting: bool = False
    can_manage: bool = False
    can_record: bool = False


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _needs(user, agreement: Agreement, periods: list[PeriodRow], payments: list[PaymentRow]):
    """What the agreement needs from this user now, in plain words."""
    needs: list[str] = []
    if AGREEMENT.can(user, agreement, AgreementStatus.ACTIVE):
        needs.append("This agreement is waiting for you to accept it.")
    if agreement.status == AgreementStatus.DRAFT and allowed(user, MANAGE, agreement):
        needs.append("This agreement is a draft: complete its terms, then issue it to the partner.")
    if agreement.status == AgreementStatus.ISSUED and allowed(user, MANAGE, agreement):
        needs.append("This agreement is waiting for the partner to accept it.")

    def count(target: str, *, unheld: bool) -> int:
        return sum(
            1
            for row in payments
            if any(m.target == target for m in row.moves) and not (unheld and row.holds)
        )

    ready = count(PaymentStatus.REQUESTED, unheld=True)
    if ready:
        needs.append(f"{_plural(ready, 'instalment is', 'instalments are')} ready to request.")
    approve = count(PaymentStatus.APPROVED, unheld=False)
    if approve:
        needs.append(f"{_plural(approve, 'payment', 'payments')} waiting for your approval.")
    paid = count(PaymentStatus.PAID, unheld=False)
    if paid:
        needs.append(f"{_plural(paid, 'approved payment', 'approved payments')} to record as paid.")
    if agreement.status == AgreementStatus.ACTIVE:
        if allowed(user, RETURN_REVIEW) and not _is_partner_of(user, agreement):
            waiting = sum(1 for p in periods if p.report_status == ReturnStatus.SUBMITTED.label)
            if waiting:
                needs.append(
                    f"{_plural(waiting, 'return is', 'returns are')} waiting for your review."
                )
        if _is_partner_of(user, agreement):
            for row in periods:
                if row.late:
                    needs.append(
                        f"The return for {row.period.label} was due on "
                        f"{row.period.due_on:%-d %B %Y} and is "
                        f"{_plural(row.late, 'day', 'days')} late."
                    )
                elif row.report_status == ReturnStatus.RETURNED.label:
                    needs.append(f"The return for {row.period.label} was returned for changes.")
    return needs


def _is_partner_of(user, agreement: Agreement) -> bool:
    return bool(
        getattr(user, "organisation_id", None)
        and user.organisation_id == agreement.organisation_id
        and not allowed(user, MANAGE)
    )


def _period_rows(agreement: Agreement, today: dt.date) -> list[PeriodRow]:
    rows = []
    for period in agreement.periods.all():
        report = getattr(period, "report", None)
        rows.append(
            PeriodRow(
                period=period,
                report_status=report.get_status_display() if report else "Not started",
                late=days_late(period, today) if agreement.status == "active" else 0,
                url=return_url(agreement, period.number)
                if agreement.status == AgreementStatus.ACTIVE
                else None,
            )
        )
    return rows


def agreement_page(agreement: Agreement, user, today: dt.date) -> AgreementPage:
    """Everything the agreement page shows, from the prefetched agreement."""
    periods = list(agreement.periods.all())
    index = {p.pk: i for i, p in enumerate(periods)}
    outcomes = []
    for outcome in agreement.outcomes.all():
        rows = []
        for measure in outcome.measures.all():
            targets: list[Decimal | None] = [None] * len(periods)
            for target in measure.targets.all():
                targets[index[target.period_id]] = target.target
            rows.append(MeasureRow(measure, targets))
        outcomes.append((outcome, rows))
    budget = []
    totals = [ZERO] * len(periods)
    for category in agreement.budget_categories.all():
        profile: list[Decimal | None] = [None] * len(periods)
        for line in category.profile.all():
            profile[index[line.period_id]] = line.amount
            totals[index[line.period_id]] += line.amount
        budget.append(CategoryRow(category, profile))
    payments = [
        PaymentRow(
            payment=p,
            holds=payment_holds(p, today) if agreement.status != AgreementStatus.DRAFT else [],
            moves=PAYMENT.moves_for(user, p) if agreement.status != AgreementStatus.DRAFT else [],
        )
        for p in agreement.payments.all()
    ]
    period_rows = _period_rows(agreement, today)
    live = [p for p in agreement.payments.all() if p.status != PaymentStatus.CANCELLED]
    return AgreementPage(
        agreement=agreement,
        periods=period_rows,
        outcomes=outcomes,
        budget=budget,
        budget_total=sum((c.amount for c in agreement.budget_categories.all()), ZERO),
        profile_totals=totals,
        payments=payments,
        scheduled_total=sum((p.amount for p in live), ZERO),
        paid_total=sum((p.amount for p in live if p.status == PaymentStatus.PAID), ZERO),
        terms=latest_terms(agreement),
        moves=AGREEMENT.moves_for(user, agreement),
        needs=_needs(user, agreement, period_rows, payments),
        drafting=agreement.status == AgreementStatus.DRAFT and allowed(user, MANAGE, agreement),
        can_manage=allowed(user, MANAGE, agreement),
        can_record=allowed(user, PAYMENT_RECORD),
    )


# --------------------------------------------------------------------------------------------
# The partner's agreements
# --------------------------------------------------------------------------------------------


@dataclass
class PartnerRow:
    agreement: Agreement
    needs: list[tuple[str, str | None]]  # what needs them, with a link where there is one
    next_return: ReportingPeriod | None
    paid: Decimal


def partner_agreements(user, today: dt.date) -> list[PartnerRow]:
    """The partner organisation's agreements once issued, each with what needs them: to
    accept it; returns late, returned for changes, or due next."""
    if not getattr(user, "organisation_id", None):
        return []
    agreements = (
        Agreement.objects.filter(organisation_id=user.organisation_id)
        .exclude(status=AgreementStatus.DRAFT)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("periods", queryset=ReportingPeriod.objects.select_related("report")),
            "payments",
            Prefetch(
                "variations",
                queryset=Variation.objects.filter(status=VariationStatus.APPROVED),
                to_attr="to_sign",
            ),
        )
        .order_by("-starts_on", "reference")
    )
    rows = []
    for agreement in agreements:
        needs: list[tuple[str, str | None]] = []
        next_return = None
        if agreement.status == AgreementStatus.ISSUED:
            needs.append(
                ("Waiting for you to accept it", reverse("agreement-accept", args=[agreement.uuid]))
            )
        if agreement.status == AgreementStatus.ACTIVE:
            for variation in agreement.to_sign:
                needs.append(
                    (
                        f"Variation {variation.number} is waiting for you to sign it",
                        reverse("variation-sign", args=[agreement.uuid, variation.number]),
                    )
                )
            for period in agreement.periods.all():
                report = getattr(period, "report", None)
                status = report.status if report else ReturnStatus.DRAFT
                url = return_url(agreement, period.number)
                late = days_late(period, today)
                if late:
                    needs.append(
                        (
                            f"Return for {period.label}: {_plural(late, 'day', 'days')} late "
                            f"(due {period.due_on:%-d %B %Y})",
                            url,
                        )
                    )
                elif status == ReturnStatus.RETURNED:
                    needs.append((f"Return for {period.label}: returned for changes", url))
                elif next_return is None and status in (ReturnStatus.DRAFT,):
                    next_return = period
                    if period.ends_on < today or (period.due_on - today).days <= 30:
                        needs.append(
                            (
                                f"Return for {period.label}: due {period.due_on:%-d %B %Y}",
                                url,
                            )
                        )
        paid = sum(
            (p.amount for p in agreement.payments.all() if p.status == PaymentStatus.PAID), ZERO
        )
        rows.append(PartnerRow(agreement, needs, next_return, paid))
    # What needs the partner comes first (stable: newest first within each).
    rows.sort(key=lambda row: not row.needs)
    return rows


# --------------------------------------------------------------------------------------------
# The terms as issued (what the partner accepts)
# --------------------------------------------------------------------------------------------


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def terms_view(document: dict[str, Any]) -> dict[str, Any]:
    """A terms document (`terms.terms_document`, as frozen in `AgreementTerms.content`) made
    ready to show: dates as dates, amounts as Decimal, targets and profiles as one value a
    reporting period in the periods' order."""
    periods = [
        {
            **p,
            "starts_on": _day(p["starts_on"]),
            "ends_on": _day(p["ends_on"]),
            "return_due_on": _day(p["return_due_on"]),
        }
        for p in document.get("periods", [])
    ]
    numbers = [str(p["number"]) for p in periods]
    labels = {str(p["number"]): p["label"] for p in periods}

    def by_period(values: dict[str, str]) -> list[Decimal | None]:
        return [Decimal(values[n]) if n in values else None for n in numbers]

    outcomes = [
        {
            "title": o["title"],
            "measures": [
                {
                    **m,
                    "unit_label": Unit(m["unit"]).label if m["unit"] in Unit.values else m["unit"],
                    "baseline": Decimal(m["baseline"]) if m.get("baseline") is not None else None,
                    "targets": by_period(m.get("targets", {})),
                }
                for m in o["measures"]
            ],
        }
        for o in document.get("outcomes", [])
    ]
    budget = [
        {
            "category": c["category"],
            "amount": Decimal(c["amount"]),
            "profile": by_period(c.get("profile", {})),
        }
        for c in document.get("budget", [])
    ]
    payments = [
        {
            **p,
            "due_on": _day(p["due_on"]),
            "amount": Decimal(p["amount"]),
            "after": labels.get(str(p.get("after_return_for"))),
        }
        for p in document.get("payments", [])
    ]
    return {
        **document,
        "starts_on": _day(document.get("starts_on")),
        "ends_on": _day(document.get("ends_on")),
        "maximum_sum": Decimal(document.get("maximum_sum", "0")),
        "retention_percent": Decimal(document.get("retention_percent", "0")),
        "conditions": [
            {**c, "kind_label": ConditionKind(c["kind"]).label}
            for c in document.get("conditions", [])
        ],
        "periods": periods,
        "outcomes": outcomes,
        "budget": budget,
        "budget_total": sum((c["amount"] for c in budget), ZERO),
        "payments": payments,
        "payments_total": sum((p["amount"] for p in payments), ZERO),
    }


def variation_get(agreement: Agreement, number: int):
    from django.http import Http404

    from .models import Variation

    variation = (
        Variation.objects.filter(agreement=agreement, number=number)
        .select_related("decision", "created_by", "decided_by")
        .first()
    )
    if variation is None:
        raise Http404("No such variation")
    return variation


def decisions_for_variation():
    """Signed decision records, newest first, that an increase may rest on."""
    from commissioning.decisions.models import DecisionRecord

    from .variations import DECIDED

    return list(DecisionRecord.objects.filter(status__in=DECIDED).order_by("-decision_date")[:50])


def variations_of(agreement: Agreement, *, partner: bool = False) -> list:
    """The agreement's variations, each with `lines` saying what it changes. The partner
    sees those the OPCC has approved (to sign, signed or declined), not its proposals."""
    rows = agreement.variations.select_related(
        "decision", "created_by", "decided_by", "answered_by", "terms__acceptance"
    )
    if partner:
        rows = rows.filter(
            status__in=[VariationStatus.APPROVED, VariationStatus.SIGNED, VariationStatus.DECLINED]
        )
    labels = {p.number: p.label for p in agreement.periods.all()}
    found = list(rows)
    for variation in found:
        variation.lines = variation_lines(variation, labels)  # type: ignore[attr-defined]
    return found


def variation_lines(variation, labels: dict[int, str] | None = None) -> list[str]:
    """What a variation changes, a line each, in plain words."""
    if labels is None:
        labels = {p.number: p.label for p in variation.agreement.periods.all()}
    lines = []
    if variation.maximum_sum is not None:
        lines.append(f"The maximum sum becomes {money(variation.maximum_sum)}")
    if variation.ends_on is not None:
        lines.append(f"The agreement ends on {variation.ends_on:%-d %B %Y}")
    if variation.budget is not None:
        lines.append(
            "The budget becomes "
            + "; ".join(f"{c['name']} {money(c['amount'])}" for c in variation.budget)
        )
    outcomes = variation.outcomes or {}
    if outcomes.get("measures"):
        names = ", ".join(m["name"] for m in outcomes["measures"])
        if outcomes.get("outcome"):
            lines.append(f"New measures for “{outcomes['title']}”: {names}")
        else:
            lines.append(f"A new outcome, “{outcomes['title']}”, measured by {names}")

    def shown(value) -> str:
        return "none" if value is None else f"{Decimal(value).normalize():f}"

    for change in outcomes.get("targets") or []:
        moves = ", ".join(
            f"{labels.get(int(n), f'period {n}')} from {shown(change['from'].get(n))} "
            f"to {shown(value)}"
            for n, value in change["to"].items()
        )
        lines.append(f"Targets of “{change['name']}”: {moves}")
    return lines


def terms_compared(agreement: Agreement) -> list[dict[str, str]] | None:
    """The original terms beside the current ones, line by line, once there has been a
    variation: the maximum sum, the end date, the budget, the outcomes, each measure's
    targets that differ, and the instalments."""
    versions = list(agreement.terms.order_by("number"))
    if len(versions) < 2:
        return None
    first, last = versions[0].content, versions[-1].content

    def budget(doc) -> str:
        return "; ".join(f"{c['category']} {money(c['amount'])}" for c in doc["budget"])

    def outcomes(doc) -> str:
        return "; ".join(
            f"{o['title']} ({_plural(len(o['measures']), 'measure', 'measures')})"
            for o in doc["outcomes"]
        )

    def targets(doc) -> dict[str, str]:
        labels = {str(p["number"]): p["label"] for p in doc["periods"]}
        return {
            m["name"]: ", ".join(
                f"{period_short(labels.get(n, n))}: {Decimal(t).normalize():f}"
                for n, t in m["targets"].items()
            )
            for o in doc["outcomes"]
            for m in o["measures"]
        }

    def day(iso: str) -> str:
        return f"{dt.date.fromisoformat(iso):%-d %B %Y}"

    before, after = targets(first), targets(last)
    moved = [
        {
            "what": f"Targets: {name}",
            "original": before.get(name) or "None",
            "now": after[name] or "None",
        }
        for name in after
        if before.get(name) != after[name]
    ]

    return [
        {
            "what": "Maximum sum",
            "original": money(first["maximum_sum"]),
            "now": money(last["maximum_sum"]),
        },
        {"what": "Ends", "original": day(first["ends_on"]), "now": day(last["ends_on"])},
        {"what": "Budget", "original": budget(first), "now": budget(last)},
        {"what": "Outcomes", "original": outcomes(first), "now": outcomes(last)},
        *moved,
        {
            "what": "Instalments",
            "original": str(len(first["payments"])),
            "now": str(len(last["payments"])),
        },
        {
            "what": "Terms version",
            "original": str(versions[0].number),
            "now": str(versions[-1].number),
        },
    ]
