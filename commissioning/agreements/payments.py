"""Writes of an agreement's payments: request, approve, record as paid, send back, cancel,
and making an instalment payable in advance. Every write locks the agreement's row first,
so two writes of one agreement's money are checked one after the other."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.budgets.periods import period_dates
from commissioning.budgets.services import payment_post
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.money import ZERO
from commissioning.core.permissions import require
from commissioning.core.templatetags.govuk import money

from .models import Agreement, Payment, PaymentStatus, Timing
from .permissions import MANAGE, may_approve
from .rules import payment_holds
from .services import QUARTERS, draft_only, locked_agreement
from .workflow import PAYMENT


def _locked_payment(payment: Payment) -> tuple[Agreement, Payment]:
    """Lock the agreement first (every write of its money takes the same lock, in the same
    order), then read the payment afresh."""
    agreement = locked_agreement(payment.agreement)
    payment = Payment.objects.select_related("agreement", "period").get(pk=payment.pk)
    payment.agreement = agreement
    return agreement, payment


def _refuse_held(payment: Payment) -> None:
    holds = payment_holds(payment, timezone.localdate())
    if holds:
        raise ValidationError(holds)


def committed_payments(agreement: Agreement, *, excluding: Payment | None = None) -> Decimal:
    """What is approved or paid under the agreement: the money no longer free to promise."""
    rows = agreement.payments.filter(status__in=[PaymentStatus.APPROVED, PaymentStatus.PAID])
    if excluding is not None:
        rows = rows.exclude(pk=excluding.pk)
    return sum((p.amount for p in rows), ZERO)


def payment_request(*, actor, payment: Payment) -> Payment:
    with transaction.atomic():
        _agreement, payment = _locked_payment(payment)
        PAYMENT.permit(actor, payment, payment.status, PaymentStatus.REQUESTED)
        _refuse_held(payment)
        payment.requested_by, payment.requested_at = user_of(actor), timezone.now()
        PAYMENT.apply(
            actor=actor,
            obj=payment,
            target=PaymentStatus.REQUESTED,
            also_save=["requested_by", "requested_at"],
        )
        return payment


def payment_approve(*, actor, payment: Payment) -> Payment:
    """Approve a requested instalment. The agreement's row is locked first, so of two
    approvals at once that together would pay more than the maximum sum, the second waits
    for the first and is then refused."""
    with transaction.atomic():
        agreement, payment = _locked_payment(payment)
        PAYMENT.permit(actor, payment, payment.status, PaymentStatus.APPROVED)
        ok, reason = may_approve(actor, payment) if user_of(actor) else (True, "")
        if not ok:
            raise ValidationError(reason)
        _refuse_held(payment)
        already = committed_payments(agreement, excluding=payment)
        if already + payment.amount > agreement.maximum_sum:
            raise ValidationError(
                f"{money(already)} of the maximum sum of {money(agreement.maximum_sum)} is already "
                f"approved or paid, so this instalment of {money(payment.amount)} would go over it"
            )
        payment.approved_by, payment.approved_at = user_of(actor), timezone.now()
        PAYMENT.apply(
            actor=actor,
            obj=payment,
            target=PaymentStatus.APPROVED,
            also_save=["approved_by", "approved_at"],
        )
        return payment


def payment_send_back(*, actor, payment: Payment, reason: str) -> Payment:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the request is being sent back"})
    with transaction.atomic():
        _agreement, payment = _locked_payment(payment)
        payment.requested_by, payment.requested_at = None, None
        PAYMENT.apply(
            actor=actor,
            obj=payment,
            target=PaymentStatus.SCHEDULED,
            reason=reason,
            also_save=["requested_by", "requested_at"],
        )
        return payment


def _ledger_period(agreement: Agreement, payment: Payment) -> str:
    """The quarter of the allocation's year the instalment pays for (the year as a whole if
    its period does not sit inside one quarter of it)."""
    year_start = agreement.allocation.year.starts
    day = payment.period.ends_on if payment.period is not None else payment.due_on
    for code in QUARTERS:
        first, last = period_dates(year_start, code)
        if first <= day <= last:
            return code
    return "FY"


def payment_record_paid(
    *, actor, payment: Payment, paid_on: dt.date, finance_reference: str
) -> Payment:
    """Record that finance paid an approved instalment: its ledger entry is posted on the
    paid account, in the same transaction."""
    errors: dict[str, list[str]] = {}
    if not finance_reference.strip():
        errors["finance_reference"] = ["Give the finance system's reference for the payment"]
    if paid_on > timezone.localdate():
        errors["paid_on"] = ["The payment date cannot be in the future"]
    with transaction.atomic():
        agreement, payment = _locked_payment(payment)
        PAYMENT.permit(actor, payment, payment.status, PaymentStatus.PAID)
        if errors:
            raise ValidationError(errors)
        payment.entry = payment_post(
            actor=actor,
            allocation=agreement.allocation,
            amount=payment.amount,
            period=_ledger_period(agreement, payment),
            reason=f"{agreement.reference} instalment {payment.number}",
        )
        payment.paid_on, payment.finance_reference = paid_on, finance_reference.strip()
        PAYMENT.apply(
            actor=actor,
            obj=payment,
            target=PaymentStatus.PAID,
            also_save=["paid_on", "finance_reference", "entry"],
            after={"paid_on": paid_on.isoformat(), "reference": payment.finance_reference},
        )
        return payment


def payment_cancel(*, actor, payment: Payment, reason: str) -> Payment:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the instalment is cancelled"})
    with transaction.atomic():
        _agreement, payment = _locked_payment(payment)
        payment.cancelled_reason = reason.strip()
        PAYMENT.apply(
            actor=actor,
            obj=payment,
            target=PaymentStatus.CANCELLED,
            reason=reason,
            also_save=["cancelled_reason"],
        )
        return payment


def payment_schedule_advance(
    *,
    actor,
    payment: Payment,
    agreed: str,
    need: str,
    necessary: str,
) -> Payment:
    """Make a draft's instalment payable in advance, with Managing Public Money's three
    tests recorded: how it was agreed, the partner's identifiable need, why it is necessary.
    An advance is not held for its period's return."""
    require(actor, MANAGE, payment.agreement)
    errors = {
        field: [message]
        for field, value, message in (
            ("agreed", agreed, "Say how paying in advance was agreed"),
            ("need", need, "Say what the partner's identifiable need is"),
            ("necessary", necessary, "Say why paying in advance is necessary"),
        )
        if not value.strip()
    }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement, payment = _locked_payment(payment)
        draft_only(agreement)
        payment.timing = Timing.ADVANCE
        payment.advance_agreed, payment.advance_need = agreed.strip(), need.strip()
        payment.advance_necessary = necessary.strip()
        if payment.period is not None and not payment.retention:
            payment.due_on = payment.period.starts_on
            payment.period = None
        payment.save()
        audit_record(
            actor=actor,
            action="payment.in_advance",
            obj=payment,
            after={"agreed": agreed, "need": need, "necessary": necessary},
        )
        return payment
