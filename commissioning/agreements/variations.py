"""Variations of an accepted agreement: its maximum sum, its end date, its budget, its
outcomes and measures.

An officer proposes; someone else (an officer or the CFO, never the proposer) approves or
rejects it for the OPCC; the partner then signs it, or declines it, as they signed the
agreement. Only the partner's signature puts it in force: it writes the next version of the
terms, so the original stays readable beside the current ones, and brings the schedule into
line: an increase adds an instalment paid after the final return, a decrease takes the
difference off the scheduled instalments from the last back, a later end date adds the
quarters it needs (the final return moves to the new last one), new measures join their
outcome and changed targets replace the old. The checks run when the variation is proposed,
where the officer enters it, and again on approval and on signature, under the agreement's
row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.budgets.selectors import current_version
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.money import ZERO
from commissioning.core.permissions import require
from commissioning.core.roles import Role
from commissioning.core.templatetags.govuk import money
from commissioning.notifications.models import Kind
from commissioning.notifications.services import notify, people_with

from .models import (
    OPEN_VARIATION,
    Acceptance,
    Agreement,
    AgreementStatus,
    AgreementTerms,
    BudgetCategory,
    BudgetProfile,
    MeasureTarget,
    Outcome,
    Payment,
    PaymentStatus,
    PeriodKind,
    ReportingPeriod,
    ReturnStatus,
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
    clean_measures,
    clean_target,
    locked_agreement,
    measures_create,
    quarters_between,
    signature_problems,
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
    lines = clean_categories(agreement, budget, errors, prefix="categories")
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


def reported_periods(agreement: Agreement) -> set[int]:
    """Numbers of the periods whose return the partner has sent (whatever became of it):
    their targets are what the partner reported against, so a variation leaves them."""
    return set(
        agreement.periods.filter(report__isnull=False)
        .exclude(report__status=ReturnStatus.DRAFT)
        .values_list("number", flat=True)
    )


def _clean_outcomes(
    agreement: Agreement, outcomes: Mapping[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Measures to add (to an existing outcome, by its order, or under a new outcome's
    title) and targets to change ({measure id: {period number: target, or "" for none}}),
    checked as a draft's are; as JSON to keep on the variation, with the targets' old values
    beside the new so the change reads on its own."""
    existing = {o.order: o for o in agreement.outcomes.all()}
    order = outcomes.get("outcome")
    title = str(outcomes.get("title") or "").strip()
    measures = [m for m in outcomes.get("measures") or [] if m]
    outcome = None
    if measures:
        if order:
            outcome = existing.get(int(order))
            if outcome is None:
                errors.setdefault("outcome", []).append("Choose one of the agreement's outcomes")
        elif not title:
            errors.setdefault("title", []).append(
                "Give the new outcome a title, or choose the outcome the measures belong to"
            )
    elif title:
        errors.setdefault("measures", []).append("Add at least one measure to the new outcome")
    added = clean_measures(agreement, measures, errors)
    periods = {p.number: p for p in agreement.periods.all()}
    reported = reported_periods(agreement)
    number_of = {p.pk: n for n, p in periods.items()}
    held = {m.pk: m for o in existing.values() for m in o.measures.prefetch_related("targets")}
    changed = []
    for key, values in (outcomes.get("targets") or {}).items():
        measure = held.get(int(key))
        if measure is None:
            errors.setdefault("targets", []).append("A measure changed is not this agreement's")
            continue
        now = {number_of[t.period_id]: t.target for t in measure.targets.all()}
        before, after = {}, {}
        for number, value in values.items():
            number = int(number)
            field = f"targets-{measure.pk}-{number}"
            if number not in periods:
                errors.setdefault(field, []).append(
                    f"{measure.name}: there is no reporting period {number}"
                )
                continue
            target = clean_target(value, measure.unit, field, measure.name, errors)
            if target is None and value not in (None, ""):
                continue
            if target == now.get(number):
                continue
            if number in reported:
                errors.setdefault(field, []).append(
                    f"{measure.name}: the return for {periods[number].label} has been sent, "
                    "so its target stays as it was"
                )
                continue
            before[str(number)] = None if now.get(number) is None else str(now[number])
            after[str(number)] = None if target is None else str(target)
        if after:
            changed.append(
                {"measure": measure.pk, "name": measure.name, "from": before, "to": after}
            )
    return {
        "outcome": outcome.order if outcome is not None else None,
        "title": outcome.title if outcome is not None else title,
        "measures": [
            {
                "name": m["name"],
                "unit": m["unit"],
                "baseline": None if m["baseline"] is None else str(m["baseline"]),
                "priority": m["priority"].code if m["priority"] is not None else None,
                "proposed_by_partner": m["proposed_by_partner"],
                "targets": {str(n): str(t) for n, t in m["targets"].items()},
            }
            for m in added
        ],
        "targets": changed,
    }


def _same_budget(agreement: Agreement, budget: list[dict[str, Any]]) -> bool:
    """Whether a budget as typed is the agreement's own, line for line."""

    def lines(rows):
        return [
            (
                row["name"].lower(),
                Decimal(row["amount"]),
                {n: Decimal(a) for n, a in row["profile"].items() if Decimal(a)},
            )
            for row in rows
        ]

    numbers = {p.pk: str(p.number) for p in agreement.periods.all()}
    now = [
        {
            "name": c.name,
            "amount": str(c.amount),
            "profile": {numbers[p.period_id]: str(p.amount) for p in c.profile.all()},
        }
        for c in agreement.budget_categories.all()
    ]
    return lines(budget) == lines(now)


def _problems(
    agreement: Agreement,
    *,
    reason: str,
    maximum_sum: Decimal | None,
    ends_on: dt.date | None,
    budget: list[dict[str, Any]] | None,
    outcomes: dict[str, Any] | None,
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
    no_outcomes = outcomes is None or not (outcomes["measures"] or outcomes["targets"])
    if maximum_sum is None and ends_on is None and budget is None and no_outcomes:
        errors.setdefault("agreement", []).append(
            "Give a new maximum sum, a new end date, a new budget, a new measure or a "
            "changed target"
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
    elif maximum_sum is not None:
        total = sum((c.amount for c in agreement.budget_categories.all()), ZERO)
        if total > new_sum:
            errors.setdefault("maximum_sum", []).append(
                f"The budget adds up to {money(total)}, more than {money(new_sum)}: vary the "
                "budget with it"
            )


def _recheck(agreement: Agreement, variation: Variation) -> None:
    """The variation's checks run again on the agreement as it is now (under its lock)."""
    errors: dict[str, list[str]] = {}
    outcomes = None
    if variation.outcomes is not None:
        outcomes = _clean_outcomes(agreement, _as_typed(variation.outcomes), errors)
    _problems(
        agreement,
        reason=variation.reason,
        maximum_sum=variation.maximum_sum,
        ends_on=variation.ends_on,
        budget=variation.budget,
        outcomes=outcomes,
        decision=variation.decision,
        errors=errors,
    )
    if variation.budget is not None:
        _clean_budget(agreement, variation.budget, errors)
    if errors:
        raise ValidationError(errors)


def _as_typed(outcomes: Mapping[str, Any]) -> dict[str, Any]:
    """A kept outcomes change in the shape _clean_outcomes takes, to check it again."""
    return {
        "outcome": outcomes.get("outcome"),
        "title": outcomes.get("title"),
        "measures": outcomes.get("measures") or [],
        "targets": {
            str(t["measure"]): {n: ("" if v is None else v) for n, v in t["to"].items()}
            for t in outcomes.get("targets") or []
        },
    }


def variation_propose(
    *,
    actor,
    agreement: Agreement,
    reason: str,
    maximum_sum: Decimal | None = None,
    ends_on: dt.date | None = None,
    budget: Sequence[Mapping[str, Any]] | None = None,
    outcomes: Mapping[str, Any] | None = None,
    decision=None,
) -> Variation:
    """Propose a variation. `outcomes` holds measures to add ("outcome": an outcome's order,
    or "title" for a new one; "measures" as services.clean_measures takes them) and targets
    to change ("targets": {measure id: {period number: target}})."""
    require(actor, MANAGE, agreement)
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        errors: dict[str, list[str]] = {}
        if agreement.variations.filter(status__in=OPEN_VARIATION).exists():
            errors.setdefault("agreement", []).append(
                "A variation is already waiting for a decision or the partner's signature: "
                "see it through first"
            )
        cleaned = _clean_budget(agreement, budget, errors) if budget is not None else None
        if cleaned is not None and _same_budget(agreement, cleaned):
            cleaned = None
        changes = _clean_outcomes(agreement, outcomes, errors) if outcomes is not None else None
        if changes is not None and not (changes["measures"] or changes["targets"]):
            changes = None
        _problems(
            agreement,
            reason=reason,
            maximum_sum=maximum_sum,
            ends_on=ends_on,
            budget=cleaned,
            outcomes=changes,
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
            outcomes=changes,
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
        "outcomes": variation.outcomes,
        "decision": variation.decision.reference if variation.decision is not None else None,
    }


def variation_approve(*, actor, variation: Variation, note: str = "") -> Variation:
    """The OPCC's approval (not the proposer's): the variation then waits for the partner's
    signature, and only that puts it in force."""
    with transaction.atomic():
        agreement = locked_agreement(variation.agreement)
        variation = Variation.objects.select_related("decision").get(pk=variation.pk)
        VARIATION.permit(actor, variation, variation.status, VariationStatus.APPROVED)
        _recheck(agreement, variation)
        variation.decided_by, variation.decided_at = user_of(actor), timezone.now()
        variation.decision_note = note.strip()
        VARIATION.apply(
            actor=actor,
            obj=variation,
            target=VariationStatus.APPROVED,
            also_save=["decided_by", "decided_at", "decision_note"],
            after=_changes(variation),
        )
        notify(
            users=people_with(Role.PARTNER, organisation=agreement.organisation),
            message=f"The OPCC has approved a change to agreement {agreement.reference}: it takes effect once you sign it.",
            link=reverse("variation-sign", args=[agreement.uuid, variation.number]),
            kind=Kind.VARIATION_TO_SIGN,
        )
        return variation


def variation_sign(*, actor, variation: Variation, name: str, position: str) -> AgreementTerms:
    """The partner signs the approved variation, as they signed the agreement (typed name
    and position). The checks run again; the changes are made; the next version of the
    terms is written, and the signature is on it."""
    errors = signature_problems(name, position)
    with transaction.atomic():
        agreement = locked_agreement(variation.agreement)
        variation = Variation.objects.select_related("decision").get(pk=variation.pk)
        VARIATION.permit(actor, variation, variation.status, VariationStatus.SIGNED)
        if errors:
            raise ValidationError(errors)
        try:
            _recheck(agreement, variation)
        except ValidationError as exc:
            raise ValidationError(
                "The agreement has changed since the OPCC approved this variation, so it "
                "cannot be signed as it stands: "
                + "; ".join(exc.messages)
                + ". Ask the OPCC to look at it again."
            ) from exc
        if variation.ends_on is not None:
            _extend(agreement, variation.ends_on)
        if variation.maximum_sum is not None:
            _resize(agreement, variation.maximum_sum, actor)
        if variation.budget is not None:
            _rebudget(agreement, variation.budget)
        if variation.outcomes is not None:
            _remeasure(agreement, variation.outcomes)
        agreement.updated_by = user_of(actor)
        agreement.save()
        document = terms_document(Agreement.objects.get(pk=agreement.pk))
        terms = AgreementTerms.objects.create(
            agreement=agreement,
            number=agreement.terms.count() + 1,
            content=document,
            sha256=digest(document),
            issued_by=variation.decided_by,
            reason=f"Variation {variation.number}: {variation.reason}",
        )
        Acceptance.objects.create(
            terms=terms, user=user_of(actor), name=name.strip(), position=position.strip()
        )
        variation.answered_by, variation.answered_at = user_of(actor), timezone.now()
        variation.terms = terms
        VARIATION.apply(
            actor=actor,
            obj=variation,
            target=VariationStatus.SIGNED,
            also_save=["answered_by", "answered_at", "terms"],
            after={**_changes(variation), "terms": terms.number, "signed_by": name.strip()},
        )
        return terms


def _turn_down(
    actor, variation: Variation, note: str, target: str, fields: tuple[str, str, str], ask: str
) -> Variation:
    """Reject (the OPCC) or decline (the partner) a variation, saying why: `fields` are where
    the variation keeps who, when and why."""
    with transaction.atomic():
        locked_agreement(variation.agreement)
        variation = Variation.objects.get(pk=variation.pk)
        VARIATION.permit(actor, variation, variation.status, target)
        if not note.strip():
            raise ValidationError({"note": ask})
        who, when, why = fields
        setattr(variation, who, user_of(actor))
        setattr(variation, when, timezone.now())
        setattr(variation, why, note.strip())
        VARIATION.apply(
            actor=actor, obj=variation, target=target, reason=note, also_save=list(fields)
        )
        return variation


def variation_decline(*, actor, variation: Variation, note: str) -> Variation:
    """The partner declines the approved variation, saying why; the terms stay as they were."""
    return _turn_down(
        actor,
        variation,
        note,
        VariationStatus.DECLINED,
        ("answered_by", "answered_at", "partner_note"),
        "Say why you are declining the variation",
    )


def variation_reject(*, actor, variation: Variation, note: str) -> Variation:
    """The OPCC (not the proposer) rejects the proposal, saying why."""
    return _turn_down(
        actor,
        variation,
        note,
        VariationStatus.REJECTED,
        ("decided_by", "decided_at", "decision_note"),
        "Say why the variation is rejected",
    )


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


def _remeasure(agreement: Agreement, outcomes: Mapping[str, Any]) -> None:
    """Add the variation's measures (under their outcome, new or old) and set its targets."""
    if outcomes.get("measures"):
        errors: dict[str, list[str]] = {}
        cleaned = clean_measures(agreement, outcomes["measures"], errors)
        if outcomes.get("outcome"):
            outcome = agreement.outcomes.get(order=outcomes["outcome"])
        else:
            outcome = Outcome.objects.create(
                agreement=agreement,
                order=agreement.outcomes.count() + 1,
                title=outcomes["title"],
            )
        measures_create(outcome, cleaned)
    periods = {p.number: p for p in agreement.periods.all()}
    for change in outcomes.get("targets") or []:
        for number, value in change["to"].items():
            period = periods[int(number)]
            if value is None:
                MeasureTarget.objects.filter(measure_id=change["measure"], period=period).delete()
            else:
                MeasureTarget.objects.update_or_create(
                    measure_id=change["measure"],
                    period=period,
                    defaults={"target": Decimal(value)},
                )
