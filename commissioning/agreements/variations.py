"""Variations of an accepted agreement: its maximum sum, its end date, its budget.

An officer proposes; someone else (an officer or the CFO, never the proposer) approves or
rejects. Approval writes the next version of the terms, so the original stays readable
beside the current ones, and brings the schedule into line: an increase adds an instalment
paid after the final return, a decrease takes the difference off the scheduled instalments
from the last back, and a later end date adds the quarters it needs (the final return moves
to the new last one). The checks run when the variation is proposed, where the officer
enters it, and again when it is approved, under the agreement's row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.budgets.selectors import current_version
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.money import ZERO
from commissioning.core.permissions import require
from commissioning.core.templatetags.govuk import money

from .models import (
    Agreement,
    AgreementStatus,
    AgreementTerms,
    BudgetCategory,
    BudgetProfile,
    Payment,
    PaymentStatus,
    PeriodKind,
    ReportingPeriod,
    SpendLine,
    Variation,
    VariationStatus,
)
from .payments import committed_payments
from .permissions import MANAGE
from .services import (
    DECIDED,
    PAYMENT_DUE_DAYS,
    RETURN_DUE_DAYS,
    clean_categories,
    locked_agreement,
    quarters_between,
)
from .terms import digest, terms_document
from .workflow import VARIATION


def decision_threshold() -> Decimal:
    """An increase of more than this needs a decision record (COMMISSIONING_VARIATION_
    DECISION_OVER, £10,000 unless the OPCC sets another)."""
    return Decimal(str(getattr(settings, "VARIATION_DECISION_OVER", "10000")))


def _clean_budget(
    agreement: Agreement, budget: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The new budget checked as a draft's is (services.clean_categories), as JSON to keep
    on the variation; and no category that has spend reported against it may go."""
    lines = clean_categories(agreement, budget, errors, prefix="budget")
    names = {name.lower() for name, _, _ in lines}
    cleaned = [
        {
            "name": name,
            "amount": str(amount or ZERO),
            "profile": {str(p.number): str(a) for p, a in profile.items()},
        }
        for name, amount, profile in lines
    ]
    spent = {
        line.category.name.lower()
        for line in SpendLine.objects.filter(report__period__agreement=agreement).select_related(
            "category"
        )
    }
    for held in agreement.budget_categories.all():
        if held.name.lower() in spent and held.name.lower() not in names:
            errors.setdefault("budget", []).append(
                f"{held.name} has spend reported against it, so it stays in the budget"
            )
    return cleaned


def _problems(
    agreement: Agreement,
    *,
    reason: str,
    maximum_sum: Decimal | None,
    ends_on: dt.date | None,
    budget: list[dict[str, Any]] | None,
    decision,
    errors: dict[str, list[str]],
) -> None:
    """Every reason the variation cannot be made, by field, into `errors`."""
    if agreement.status != AgreementStatus.ACTIVE:
        errors.setdefault("agreement", []).append(
            "Only an agreement the partner has accepted is varied; change a draft directly"
        )
    if not reason.strip():
        errors.setdefault("reason", []).append("Say why the agreement is being varied")
    if maximum_sum is None and ends_on is None and budget is None:
        errors.setdefault("agreement", []).append(
            "Give a new maximum sum, a new end date or a new budget"
        )
    new_sum = agreement.maximum_sum if maximum_sum is None else maximum_sum
    if maximum_sum is not None:
        committed = current_version(agreement.allocation).total
        promised = committed_payments(agreement)
        open_scheduled = sum(
            (p.amount for p in agreement.payments.all() if p.status == PaymentStatus.SCHEDULED),
            ZERO,
        )
        if maximum_sum == agreement.maximum_sum:
            errors.setdefault("maximum_sum", []).append(
                f"The maximum sum is already {money(maximum_sum)}"
            )
        elif maximum_sum > committed:
            errors.setdefault("maximum_sum", []).append(
                f"{money(committed)} is committed to {agreement.allocation.reference}: vary the "
                f"allocation first to make room for {money(maximum_sum)} (its budget line's "
                "cap is checked there)"
            )
        elif maximum_sum < agreement.maximum_sum - open_scheduled or maximum_sum < promised:
            errors.setdefault("maximum_sum", []).append(
                f"{money(promised)} is already approved or paid and only "
                f"{money(open_scheduled)} is still scheduled, so the maximum sum cannot come "
                f"down to {money(maximum_sum)}"
            )
        increase = maximum_sum - agreement.maximum_sum
        if increase > decision_threshold() and (decision is None or decision.status not in DECIDED):
            errors.setdefault("decision", []).append(
                f"An increase of more than {money(decision_threshold())} must rest on a signed "
                "decision record: choose it"
            )
    if ends_on is not None:
        if ends_on <= agreement.ends_on:
            errors.setdefault("ends_on", []).append(
                f"A variation can extend the agreement beyond {agreement.ends_on:%-d %B %Y}; "
                "to end it early, close it once its final return is in"
            )
    if budget is not None:
        total = sum((Decimal(c["amount"]) for c in budget), ZERO)
        if total > new_sum:
            errors.setdefault("budget", []).append(
                f"The budget adds up to {money(total)}, more than the maximum sum of "
                f"{money(new_sum)}"
            )


def variation_propose(
    *,
    actor,
    agreement: Agreement,
    reason: str,
    maximum_sum: Decimal | None = None,
    ends_on: dt.date | None = None,
    budget: Sequence[Mapping[str, Any]] | None = None,
    decision=None,
) -> Variation:
    require(actor, MANAGE, agreement)
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        errors: dict[str, list[str]] = {}
        if agreement.variations.filter(status=VariationStatus.PROPOSED).exists():
            errors.setdefault("agreement", []).append(
                "A variation is already waiting for a decision: decide it first"
            )
        cleaned = _clean_budget(agreement, budget, errors) if budget is not None else None
        _problems(
            agreement,
            reason=reason,
            maximum_sum=maximum_sum,
            ends_on=ends_on,
            budget=cleaned,
            decision=decision,
            errors=errors,
        )
        if errors:
            raise ValidationError(errors)
        variation = Variation.objects.create(
            agreement=agreement,
            number=agreement.variations.count() + 1,
            reason=reason.strip(),
            maximum_sum=maximum_sum,
            ends_on=ends_on,
            budget=cleaned,
            decision=decision,
            created_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="variation.propose",
            obj=agreement,
            after=_changes(variation),
            reason=reason,
        )
        return variation


def _changes(variation: Variation) -> dict[str, Any]:
    return {
        "variation": variation.number,
        "maximum_sum": None if variation.maximum_sum is None else str(variation.maximum_sum),
        "ends_on": None if variation.ends_on is None else variation.ends_on.isoformat(),
        "budget": variation.budget,
        "decision": variation.decision.reference if variation.decision is not None else None,
    }


def variation_approve(*, actor, variation: Variation, note: str = "") -> AgreementTerms:
    with transaction.atomic():
        agreement = locked_agreement(variation.agreement)
        variation = Variation.objects.select_related("decision").get(pk=variation.pk)
        VARIATION.permit(actor, variation, variation.status, VariationStatus.APPROVED)
        errors: dict[str, list[str]] = {}
        _problems(
            agreement,
            reason=variation.reason,
            maximum_sum=variation.maximum_sum,
            ends_on=variation.ends_on,
            budget=variation.budget,
            decision=variation.decision,
            errors=errors,
        )
        if variation.budget is not None:
            _clean_budget(agreement, variation.budget, errors)
        if errors:
            raise ValidationError(errors)
        if variation.ends_on is not None:
            _extend(agreement, variation.ends_on)
        if variation.maximum_sum is not None:
            _resize(agreement, variation.maximum_sum, actor)
        if variation.budget is not None:
            _rebudget(agreement, variation.budget)
        agreement.updated_by = user_of(actor)
        agreement.save()
        document = terms_document(Agreement.objects.get(pk=agreement.pk))
        terms = AgreementTerms.objects.create(
            agreement=agreement,
            number=agreement.terms.count() + 1,
            content=document,
            sha256=digest(document),
            issued_by=user_of(actor),
            reason=f"Variation {variation.number}: {variation.reason}",
        )
        variation.decided_by, variation.decided_at = user_of(actor), timezone.now()
        variation.decision_note, variation.terms = note.strip(), terms
        VARIATION.apply(
            actor=actor,
            obj=variation,
            target=VariationStatus.APPROVED,
            also_save=["decided_by", "decided_at", "decision_note", "terms"],
            after={**_changes(variation), "terms": terms.number},
        )
        return terms


def variation_reject(*, actor, variation: Variation, note: str) -> Variation:
    if not note.strip():
        raise ValidationError({"note": "Say why the variation is rejected"})
    with transaction.atomic():
        locked_agreement(variation.agreement)
        variation = Variation.objects.get(pk=variation.pk)
        variation.decided_by, variation.decided_at = user_of(actor), timezone.now()
        variation.decision_note = note.strip()
        VARIATION.apply(
            actor=actor,
            obj=variation,
            target=VariationStatus.REJECTED,
            reason=note,
            also_save=["decided_by", "decided_at", "decision_note"],
        )
        return variation


def _extend(agreement: Agreement, ends_on: dt.date) -> None:
    """Add the quarters from the old end to the new one; the final return moves to the last."""
    periods = list(agreement.periods.order_by("number"))
    last = periods[-1]
    added = quarters_between(agreement.ends_on + dt.timedelta(days=1), ends_on)
    ReportingPeriod.objects.filter(agreement=agreement, final=True).update(final=False)
    new = None
    for offset, (label, first, end) in enumerate(added, start=1):
        new = ReportingPeriod.objects.create(
            agreement=agreement,
            number=last.number + offset,
            kind=PeriodKind.QUARTER,
            label=label,
            starts_on=first,
            ends_on=end,
            due_on=end + dt.timedelta(days=RETURN_DUE_DAYS),
            final=offset == len(added),
        )
    final = new or last
    if new is None:
        ReportingPeriod.objects.filter(pk=last.pk).update(final=True)
    # Retention waits for the final return, wherever it now is.
    Payment.objects.filter(
        agreement=agreement, retention=True, status=PaymentStatus.SCHEDULED
    ).update(period=final, due_on=final.due_on + dt.timedelta(days=PAYMENT_DUE_DAYS))
    agreement.ends_on = ends_on


def _resize(agreement: Agreement, maximum_sum: Decimal, actor) -> None:
    change = maximum_sum - agreement.maximum_sum
    if change > 0:
        final = agreement.periods.filter(final=True).first()
        number = max((p.number for p in agreement.payments.all()), default=0) + 1
        Payment.objects.create(
            agreement=agreement,
            number=number,
            period=final,
            due_on=(final.due_on if final else agreement.ends_on)
            + dt.timedelta(days=PAYMENT_DUE_DAYS),
            amount=change,
            created_by=user_of(actor),
        )
    else:
        left = -change
        for payment in agreement.payments.filter(status=PaymentStatus.SCHEDULED).order_by(
            "-number"
        ):
            if left <= 0:
                break
            cut = min(left, payment.amount)
            left -= cut
            if cut == payment.amount:
                payment.status = PaymentStatus.CANCELLED
                payment.cancelled_reason = "Taken off by a variation of the maximum sum"
                payment.save(update_fields=["status", "cancelled_reason"])
            else:
                payment.amount -= cut
                payment.save(update_fields=["amount"])
    agreement.maximum_sum = maximum_sum


def _rebudget(agreement: Agreement, budget: list[dict[str, Any]]) -> None:
    periods = {p.number: p for p in agreement.periods.all()}
    existing = {c.name.lower(): c for c in agreement.budget_categories.all()}
    keep = set()
    for order, line in enumerate(budget, start=1):
        category = existing.get(line["name"].lower())
        if category is None:
            category = BudgetCategory(agreement=agreement, name=line["name"])
        category.order = 1000 + order  # clear of the unique order while renumbering
        category.amount = Decimal(line["amount"])
        category.save()
        keep.add(category.pk)
        BudgetProfile.objects.filter(category=category).delete()
        BudgetProfile.objects.bulk_create(
            [
                BudgetProfile(category=category, period=periods[int(n)], amount=Decimal(a))
                for n, a in line["profile"].items()
            ]
        )
    for category in agreement.budget_categories.exclude(pk__in=keep):
        BudgetProfile.objects.filter(category=category).delete()
        category.delete()
    for order, category in enumerate(agreement.budget_categories.order_by("order"), start=1):
        category.order = order
        category.save(update_fields=["order"])
