"""Writes of agreements, payments and monitoring returns: each one transaction with its
audit event, each checking its own rule (`require`), each status change through the app's
workflow table. While an agreement is a draft its terms can be shaped; once issued they are
frozen in `AgreementTerms`, and only a variation changes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.budgets.models import Allocation, Status, is_paid
from commissioning.budgets.periods import PERIODS, first_year_of, period_dates
from commissioning.budgets.selectors import current_version
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.locks import locked
from commissioning.core.money import ZERO, to_money
from commissioning.core.permissions import require
from commissioning.core.templatetags.govuk import money
from commissioning.decisions.models import DecisionLink
from commissioning.decisions.status import Status as DecisionStatus
from commissioning.plans.models import StrategicPriority
from commissioning.plans.selectors import plan_current

from .models import (
    Acceptance,
    Agreement,
    AgreementStatus,
    AgreementTerms,
    BudgetCategory,
    BudgetProfile,
    Condition,
    ConditionKind,
    Measure,
    MeasureTarget,
    Outcome,
    Payment,
    PeriodKind,
    ReportingPeriod,
    Unit,
)
from .permissions import MANAGE
from .rules import funds_a_partner, return_accepted, schedule_problems, split_evenly
from .terms import digest, terms_document
from .workflow import AGREEMENT

# A quarter's return is due two weeks after the quarter ends; an instalment in arrears falls
# due two weeks after that, once the return has been accepted.
RETURN_DUE_DAYS = 14
PAYMENT_DUE_DAYS = 14
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
DRAFT_FIELDS = (
    "title",
    "purpose",
    "starts_on",
    "ends_on",
    "maximum_sum",
    "retention_percent",
    "quality_standards",
    "underperformance",
)


def locked_agreement(agreement: Agreement) -> Agreement:
    return cast("Agreement", locked(Agreement.objects.filter(pk=agreement.pk)))


def draft_only(agreement: Agreement) -> None:
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError("The agreement has been issued: its terms change only by a variation")


def _decision_for(allocation: Allocation):
    """The decision record the allocation rests on: the newest approved one that names it or
    the award that made it."""
    links = (
        DecisionLink.objects.filter(record__status__in=DECIDED)
        .filter(allocation=allocation)
        .select_related("record")
        .order_by("-record__decision_date", "-record_id")
    )
    link = links.first()
    if link is None:
        application = getattr(allocation, "application", None)
        if application is not None:
            link = (
                DecisionLink.objects.filter(record__status__in=DECIDED, application=application)
                .select_related("record")
                .order_by("-record__decision_date", "-record_id")
                .first()
            )
    return link.record if link is not None else None


DECIDED = (DecisionStatus.SIGNED, DecisionStatus.PUBLISHED, DecisionStatus.NOT_PUBLISHED)


def quarters_between(starts_on: dt.date, ends_on: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The financial-year quarters that overlap the agreement, clipped to its dates."""
    out = []
    year = first_year_of(starts_on)
    while dt.date(year, 4, 1) <= ends_on:
        for code in QUARTERS:
            first, last = period_dates(dt.date(year, 4, 1), code)
            if last < starts_on or first > ends_on:
                continue
            label = f"{code} {year}/{(year + 1) % 100:02d} ({PERIODS[code].label})"
            out.append((label, max(first, starts_on), min(last, ends_on)))
        year += 1
    return out


def agreement_draft(
    *,
    actor,
    allocation: Allocation,
    maximum_sum: Decimal | None = None,
    retention_percent: Decimal = ZERO,
    purpose: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    example: bool = False,
) -> Agreement:
    """Draw up the draft agreement for a committed allocation, with the usual schedule:
    quarterly returns and quarterly instalments in arrears, each paid once its quarter's
    return is accepted, and any retention paid after the final return."""
    require(actor, MANAGE)
    with transaction.atomic():
        locked(Allocation.objects.filter(pk=allocation.pk))
        version = current_version(allocation)
        if version.status != Status.COMMITTED:
            raise ValidationError(
                f"{allocation.reference} is {version.get_status_display().lower()}: an "
                "agreement is drawn up for a committed allocation"
            )
        if not is_paid(allocation.funding):
            raise ValidationError(
                f"{allocation.reference} is support in kind, valued but not cash: there is "
                "nothing to pay, so no grant agreement is drawn up for it"
            )
        if not funds_a_partner(version):
            raise ValidationError(
                f"{allocation.reference} is the OPCC's own spending: there is no partner to "
                "agree it with"
            )
        if Agreement.objects.filter(allocation=allocation).exists():
            raise ValidationError(f"{allocation.reference} already has an agreement")
        year = allocation.year
        total = version.total if maximum_sum is None else maximum_sum
        errors: dict[str, list[str]] = {}
        if total > version.total:
            errors.setdefault("maximum_sum", []).append(
                f"The maximum sum cannot be more than the {money(version.total)} committed to "
                f"{allocation.reference}"
            )
        if not Decimal(0) <= retention_percent < 100:
            errors.setdefault("retention_percent", []).append(
                "Retention is a percentage from 0 up to (not including) 100"
            )
        if errors:
            raise ValidationError(errors)
        decision = _decision_for(allocation)
        purpose = purpose.strip() or version.comment or version.initiative
        agreement = Agreement(
            reference=f"AG-{allocation.reference}",
            allocation=allocation,
            organisation_id=version.organisation_id,
            decision=decision,
            title=version.initiative[:300],
            purpose=purpose,
            starts_on=starts_on or year.starts,
            ends_on=ends_on or year.ends,
            maximum_sum=total,
            retention_percent=retention_percent,
            example=example,
            created_by=user_of(actor),
        )
        agreement.full_clean(exclude=["allocation", "organisation", "decision"])
        agreement.save()
        quarters = quarters_between(agreement.starts_on, agreement.ends_on)
        periods = [
            ReportingPeriod.objects.create(
                agreement=agreement,
                number=n,
                kind=PeriodKind.QUARTER,
                label=label,
                starts_on=first,
                ends_on=last,
                due_on=last + dt.timedelta(days=RETURN_DUE_DAYS),
                final=n == len(quarters),
            )
            for n, (label, first, last) in enumerate(quarters, start=1)
        ]
        retained = (total * retention_percent / 100).quantize(Decimal("0.01"))
        amounts = split_evenly(total - retained, len(periods))
        for n, (period, amount) in enumerate(zip(periods, amounts, strict=True), start=1):
            if amount > 0:
                Payment.objects.create(
                    agreement=agreement,
                    number=n,
                    period=period,
                    due_on=period.due_on + dt.timedelta(days=PAYMENT_DUE_DAYS),
                    amount=amount,
                    created_by=user_of(actor),
                )
        if retained > 0:
            Payment.objects.create(
                agreement=agreement,
                number=len(periods) + 1,
                period=periods[-1],
                due_on=periods[-1].due_on + dt.timedelta(days=PAYMENT_DUE_DAYS),
                amount=retained,
                retention=True,
                created_by=user_of(actor),
            )
        audit_record(
            actor=actor,
            action="agreement.draft",
            obj=agreement,
            after={"allocation": allocation.reference, "maximum_sum": str(total)},
        )
        return agreement


def agreement_update(*, actor, agreement: Agreement, **fields: Any) -> Agreement:
    """Change a draft's own fields; every problem is reported at once, by field."""
    require(actor, MANAGE, agreement)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        draft_only(agreement)
        before = {name: str(getattr(agreement, name)) for name in fields}
        for name, value in fields.items():
            setattr(agreement, name, value)
        agreement.full_clean(exclude=["allocation", "organisation", "decision"])
        committed = current_version(agreement.allocation).total
        if agreement.maximum_sum > committed:
            raise ValidationError(
                {
                    "maximum_sum": f"The maximum sum cannot be more than the {money(committed)} "
                    f"committed to {agreement.allocation.reference}"
                }
            )
        agreement.updated_by = user_of(actor)
        agreement.save()
        audit_record(
            actor=actor,
            action="agreement.update",
            obj=agreement,
            before=before,
            after={name: str(getattr(agreement, name)) for name in fields},
        )
        return agreement


def clean_number(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors.setdefault(field, []).append("Enter a number, like 12 or 12.5")
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        errors.setdefault(field, []).append("Enter a number, like 12 or 12.5")
        return None
    return number


def clean_measures(
    agreement: Agreement,
    measures: Sequence[Mapping[str, Any]],
    errors: dict[str, list[str]],
    *,
    prefix: str = "measures",
) -> list[dict[str, Any]]:
    """Measures as typed (name, unit, baseline, priority code like SP3, proposed_by_partner
    and targets of period number -> target) checked one by one: every problem into `errors`
    under `prefix-N-field`; each measure as a dict of its checked values (the priority as
    the plan's row, targets keyed by period number). For a draft's outcome and a
    variation's."""
    periods = {p.number: p for p in agreement.periods.all()}
    plan = plan_current()
    plan_priorities = {
        p.code: p for p in StrategicPriority.objects.filter(plan=plan) if plan is not None
    }
    cleaned = []
    for i, measure in enumerate(measures, start=1):
        where = f"{prefix}-{i}"
        name = str(measure.get("name", "")).strip()
        if not name:
            errors.setdefault(f"{where}-name", []).append(f"Measure {i}: give it a name")
        unit = measure.get("unit", Unit.COUNT)
        if unit not in Unit.values:
            errors.setdefault(f"{where}-unit", []).append(f"Measure {i}: choose a unit")
        baseline = clean_number(measure.get("baseline"), f"{where}-baseline", errors)
        code = (measure.get("priority") or "").strip()
        priority = plan_priorities.get(code) if code else None
        if code and priority is None:
            errors.setdefault(f"{where}-priority", []).append(
                f"Measure {i}: {code} is not a strategic priority of the plan"
            )
        targets = {}
        for number, value in (measure.get("targets") or {}).items():
            if int(number) not in periods:
                errors.setdefault(f"{where}-targets", []).append(
                    f"Measure {i}: there is no reporting period {number}"
                )
                continue
            target = clean_target(value, unit, f"{where}-target-{number}", f"Measure {i}", errors)
            if target is not None:
                targets[int(number)] = target
        cleaned.append(
            {
                "name": name,
                "unit": unit,
                "baseline": baseline,
                "priority": priority,
                "proposed_by_partner": bool(measure.get("proposed_by_partner")),
                "targets": targets,
            }
        )
    return cleaned


def clean_target(
    value: Any, unit: str, field: str, label: str, errors: dict[str, list[str]]
) -> Decimal | None:
    """A measure's target for a period: a number, and a percentage from 0 to 100."""
    target = clean_number(value, field, errors)
    if target is not None and unit == Unit.PERCENT and not 0 <= target <= 100:
        errors.setdefault(field, []).append(f"{label}: a percentage is from 0 to 100")
        return None
    return target


def measures_create(outcome: Outcome, cleaned: Sequence[Mapping[str, Any]]) -> list[Measure]:
    """Write checked measures (clean_measures) under an outcome, after any it has."""
    periods = {p.number: p for p in outcome.agreement.periods.all()}
    start = outcome.measures.count()
    rows = []
    for order, measure in enumerate(cleaned, start=start + 1):
        row = Measure.objects.create(
            outcome=outcome,
            order=order,
            name=measure["name"],
            unit=measure["unit"],
            baseline=measure["baseline"],
            priority=measure["priority"],
            proposed_by_partner=measure["proposed_by_partner"],
        )
        MeasureTarget.objects.bulk_create(
            [
                MeasureTarget(measure=row, period=periods[int(n)], target=t)
                for n, t in measure["targets"].items()
            ]
        )
        rows.append(row)
    return rows


def outcome_add(
    *,
    actor,
    agreement: Agreement,
    title: str,
    measures: Sequence[Mapping[str, Any]],
) -> Outcome:
    """Add an outcome and its measures (as clean_measures takes them) to a draft."""
    require(actor, MANAGE, agreement)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Give the outcome a title"]
    if not measures:
        errors.setdefault("measures", []).append("Add at least one measure")
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        draft_only(agreement)
        cleaned = clean_measures(agreement, measures, errors)
        if errors:
            raise ValidationError(errors)
        outcome = Outcome.objects.create(
            agreement=agreement, order=agreement.outcomes.count() + 1, title=title.strip()
        )
        measures_create(outcome, cleaned)
        audit_record(
            actor=actor,
            action="agreement.outcome_add",
            obj=agreement,
            after={"outcome": outcome.title, "measures": [c["name"] for c in cleaned]},
        )
        return outcome


def condition_add(*, actor, agreement: Agreement, kind: str, text: str) -> Condition:
    require(actor, MANAGE, agreement)
    errors: dict[str, list[str]] = {}
    if kind not in ConditionKind.values:
        errors["kind"] = ["Choose when the condition applies"]
    if not text.strip():
        errors["text"] = ["Write the condition"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        draft_only(agreement)
        condition = Condition.objects.create(
            agreement=agreement,
            order=agreement.conditions.count() + 1,
            kind=kind,
            text=text.strip(),
        )
        audit_record(
            actor=actor, action="agreement.condition_add", obj=agreement, after={"text": text}
        )
        return condition


def condition_met(*, actor, condition: Condition, on: dt.date, note: str) -> Condition:
    """Record that a condition has been met (with how we know): not a change of terms."""
    require(actor, MANAGE, condition.agreement)
    if not note.strip():
        raise ValidationError({"note": "Say how the condition was met"})
    with transaction.atomic():
        condition = cast("Condition", locked(Condition.objects.filter(pk=condition.pk)))
        if condition.met_on is not None:
            raise ValidationError("The condition is already recorded as met")
        condition.met_on, condition.met_note, condition.met_by = on, note.strip(), user_of(actor)
        condition.save(update_fields=["met_on", "met_note", "met_by"])
        audit_record(
            actor=actor,
            action="agreement.condition_met",
            obj=condition.agreement,
            after={"condition": condition.text, "met_on": on.isoformat(), "note": note},
        )
        return condition


def clean_categories(
    agreement: Agreement,
    categories: Sequence[Mapping[str, Any]],
    errors: dict[str, list[str]],
    *,
    prefix: str,
) -> list[tuple[str, Decimal | None, dict[ReportingPeriod, Decimal]]]:
    """A budget as typed (categories of name, amount and a profile of period number ->
    amount) checked line by line: every problem into `errors` under `prefix-N-field`; the
    lines as (name, amount, {period: amount}). For a draft's budget and a variation's."""
    periods = {p.number: p for p in agreement.periods.all()}
    cleaned = []
    names: set[str] = set()
    for i, category in enumerate(categories, start=1):
        where = f"{prefix}-{i}"
        name = str(category.get("name", "")).strip()
        if not name:
            errors.setdefault(f"{where}-name", []).append(f"Line {i}: name the category")
        elif name.lower() in names:
            errors.setdefault(f"{where}-name", []).append(f"Line {i}: {name} is listed twice")
        names.add(name.lower())
        amount = clean_money(category.get("amount"), f"{where}-amount", errors, f"Line {i}")
        profile: dict[ReportingPeriod, Decimal] = {}
        for number, value in (category.get("profile") or {}).items():
            period = periods.get(int(number))
            if period is None:
                errors.setdefault(f"{where}-profile", []).append(
                    f"Line {i}: there is no reporting period {number}"
                )
                continue
            spend = clean_money(value, f"{where}-profile-{number}", errors, f"Line {i}")
            if spend is not None:
                profile[period] = spend
        if amount is not None and profile and sum(profile.values(), ZERO) != amount:
            errors.setdefault(f"{where}-profile", []).append(
                f"Line {i}: the profile adds up to {money(sum(profile.values(), ZERO))}, not "
                f"{money(amount)}"
            )
        cleaned.append((name, amount, profile))
    return cleaned


def budget_set(
    *, actor, agreement: Agreement, categories: Sequence[Mapping[str, Any]]
) -> list[BudgetCategory]:
    """Replace a draft's eligible-expenditure budget: categories, each with an amount and a
    profile (period number -> amount). The budget may not exceed the maximum sum, and each
    profile must add up to its category."""
    require(actor, MANAGE, agreement)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        draft_only(agreement)
        cleaned = clean_categories(agreement, categories, errors, prefix="categories")
        total = sum((c[1] or ZERO for c in cleaned), ZERO)
        if total > agreement.maximum_sum:
            errors.setdefault("categories", []).append(
                f"The budget adds up to {money(total)}, more than the maximum sum of "
                f"{money(agreement.maximum_sum)}"
            )
        if errors:
            raise ValidationError(errors)
        BudgetProfile.objects.filter(category__agreement=agreement).delete()
        agreement.budget_categories.all().delete()
        rows = []
        for order, (name, amount, profile) in enumerate(cleaned, start=1):
            row = BudgetCategory.objects.create(
                agreement=agreement, order=order, name=name, amount=amount or ZERO
            )
            BudgetProfile.objects.bulk_create(
                [BudgetProfile(category=row, period=p, amount=a) for p, a in profile.items()]
            )
            rows.append(row)
        audit_record(
            actor=actor,
            action="agreement.budget_set",
            obj=agreement,
            after={"categories": {c[0]: str(c[1]) for c in cleaned}},
        )
        return rows


def clean_money(value: Any, field: str, errors: dict[str, list[str]], where: str) -> Decimal | None:
    try:
        amount = to_money(value)
    except ValueError as error:
        errors.setdefault(field, []).append(f"{where}: the amount {error}")
        return None
    if amount < 0:
        errors.setdefault(field, []).append(f"{where}: enter an amount of £0 or more")
        return None
    return amount


def agreement_issue(*, actor, agreement: Agreement) -> AgreementTerms:
    """Issue the draft to the partner: its terms are checked, then frozen as version 1 (or
    the next version, if it was withdrawn and issued again)."""
    require(actor, MANAGE, agreement)
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        problems = schedule_problems(agreement)
        if problems:
            raise ValidationError(problems)
        document = terms_document(agreement)
        terms = AgreementTerms.objects.create(
            agreement=agreement,
            number=agreement.terms.count() + 1,
            content=document,
            sha256=digest(document),
            issued_by=user_of(actor),
        )
        AGREEMENT.apply(
            actor=actor,
            obj=agreement,
            target=AgreementStatus.ISSUED,
            after={"terms": terms.number, "sha256": terms.sha256},
        )
        return terms


def agreement_withdraw(*, actor, agreement: Agreement, reason: str) -> Agreement:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the agreement is being withdrawn"})
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        AGREEMENT.apply(actor=actor, obj=agreement, target=AgreementStatus.DRAFT, reason=reason)
        return agreement


def signature_problems(name: str, position: str) -> dict[str, list[str]]:
    """What is missing from a partner's typed signature (on the agreement or a variation)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Type your full name to sign"]
    if not position.strip():
        errors["position"] = ["Give your position in the organisation"]
    return errors


def agreement_accept(*, actor, agreement: Agreement, name: str, position: str) -> Acceptance:
    """The partner accepts the terms issued to them: their typed name and position are the
    signature, on the exact version of the terms they were shown."""
    errors = signature_problems(name, position)
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        AGREEMENT.permit(actor, agreement, agreement.status, AgreementStatus.ACTIVE)
        if user_of(actor) is None:
            raise ValidationError("An agreement is accepted by a person signed in for the partner")
        if errors:
            raise ValidationError(errors)
        terms = agreement.terms.order_by("-number").first()
        assert terms is not None  # an issued agreement always has terms
        acceptance = Acceptance.objects.create(
            terms=terms, user=user_of(actor), name=name.strip(), position=position.strip()
        )
        AGREEMENT.apply(
            actor=actor,
            obj=agreement,
            target=AgreementStatus.ACTIVE,
            after={"terms": terms.number, "signed_by": acceptance.name},
        )
        return acceptance


# --- added for the pages ---


def _renumber(rows) -> None:
    """Close the gap a removed row leaves in `order`, lowest first, so the unique order of
    each row never clashes on the way."""
    for order, row in enumerate(rows, start=1):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])


def outcome_remove(*, actor, outcome: Outcome) -> None:
    """Take an outcome (and its measures and their targets) out of a draft."""
    require(actor, MANAGE, outcome.agreement)
    with transaction.atomic():
        agreement = locked_agreement(outcome.agreement)
        draft_only(agreement)
        outcome = Outcome.objects.get(pk=outcome.pk, agreement=agreement)
        title = outcome.title
        MeasureTarget.objects.filter(measure__outcome=outcome).delete()
        outcome.measures.all().delete()
        outcome.delete()
        _renumber(agreement.outcomes.order_by("order"))
        audit_record(
            actor=actor, action="agreement.outcome_remove", obj=agreement, before={"outcome": title}
        )


def condition_remove(*, actor, condition: Condition) -> None:
    """Take a condition out of a draft."""
    require(actor, MANAGE, condition.agreement)
    with transaction.atomic():
        agreement = locked_agreement(condition.agreement)
        draft_only(agreement)
        condition = Condition.objects.get(pk=condition.pk, agreement=agreement)
        text = condition.text
        condition.delete()
        _renumber(agreement.conditions.order_by("order"))
        audit_record(
            actor=actor,
            action="agreement.condition_remove",
            obj=agreement,
            before={"condition": text},
        )


def agreement_cancel(*, actor, agreement: Agreement, reason: str) -> Agreement:
    """Cancel a draft that will not be issued (the allocation keeps its commitment)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the agreement is being cancelled"})
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        AGREEMENT.apply(
            actor=actor, obj=agreement, target=AgreementStatus.CANCELLED, reason=reason.strip()
        )
        return agreement


def agreement_close(*, actor, agreement: Agreement, reason: str) -> Agreement:
    """Close an accepted agreement with its final return: the final return is accepted and
    nothing is left to pay (every instalment is paid or cancelled: cancel the ones that will
    not be paid first, each with its reason). What was spent is then known, so the year end
    can collect what was not."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the agreement is being closed"})
    with transaction.atomic():
        agreement = locked_agreement(agreement)
        waiting = [
            p.label
            for p in agreement.periods.filter(final=True).select_related("report")
            if not return_accepted(p)
        ]
        if waiting:
            raise ValidationError(
                f"The final return ({', '.join(waiting)}) is not accepted yet: an agreement is "
                "closed with its final return"
            )
        open_ones = agreement.payments.filter(
            status__in=["scheduled", "requested", "approved"]
        ).order_by("number")
        numbers = [str(p.number) for p in open_ones]
        if numbers:
            several = len(numbers) > 1
            raise ValidationError(
                f"Instalment{'s' if several else ''} {', '.join(numbers)} "
                f"{'are' if several else 'is'} neither paid nor cancelled: pay or cancel "
                f"{'them' if several else 'it'} before closing the agreement"
            )
        AGREEMENT.apply(
            actor=actor, obj=agreement, target=AgreementStatus.CLOSED, reason=reason.strip()
        )
        return agreement
