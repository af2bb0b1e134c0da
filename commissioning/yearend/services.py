"""The year end's writes: underspend collected into the next year's central pot, money paid
and not spent raised as owed back, and its repayment recorded. Each is one transaction with
its audit event; none changes an old row (the ledger gains entries, the tables rows)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.budgets import services as budget_services
from commissioning.budgets.models import (
    Allocation,
    BudgetLine,
    FinancialYear,
    FundingStream,
    Mechanism,
    StreamKind,
)
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.locks import locked
from commissioning.core.money import to_money
from commissioning.core.permissions import require
from commissioning.core.templatetags.govuk import money

from .models import Collection, Pot, Receivable, Repayment
from .permissions import COLLECT
from .selectors import next_year_of, row_of


def pot_ensure(*, actor, source_year: FinancialYear) -> Pot:
    """The central pot of `source_year`'s underspend: a funding stream and a capped budget
    line of the re-offered underspend mechanism in the next year, both starting at £0 and
    growing only by collections. Made once."""
    require(actor, COLLECT, source_year)
    year = next_year_of(source_year)
    if year is None:
        raise ValidationError(
            f"There is no financial year after {source_year.label} to re-offer its underspend "
            "in: set it up first"
        )
    name = f"Central pot: underspend of {source_year.label}"
    with transaction.atomic():
        # The year's row is locked so that two first collections make one pot.
        locked(FinancialYear.objects.filter(pk=source_year.pk))
        existing = Pot.objects.filter(source_year=source_year).first()
        if existing is not None:
            return existing
        stream = budget_services.funding_stream_create(
            actor=actor,
            year=year,
            name=f"Underspend collected from {source_year.label}",
            amount=to_money(0),
            kind=StreamKind.UNDERSPEND,
            source_body="Partners' allocations of the year before, released at the year end",
            conditions=(
                "Re-offered to partners through a further application round, following a "
                "review process"
            ),
        )
        line = budget_services.budget_line_create(
            actor=actor,
            year=year,
            name=name,
            mechanism=Mechanism.UNDERSPEND,
            amount=to_money(0),
            capped=True,
        )
        pot = Pot.objects.create(
            source_year=source_year,
            year=year,
            name=name,
            stream=stream,
            line=line,
            created_by=user_of(actor),
            updated_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="pot.create",
            obj=pot,
            after={"source_year": source_year.label, "year": year.label},
        )
        return pot


def underspend_collect(*, actor, allocation: Allocation, amount, source: str) -> Collection:
    """Release `amount` of an allocation's underspend into the next year's central pot.

    Refused for more than is collectable (see rules.collectable): so collecting the same
    underspend twice is refused, the second time finding nothing left."""
    require(actor, COLLECT, allocation)
    amount = to_money(amount)
    errors: dict[str, list[str]] = {}
    if amount <= 0:
        errors.setdefault("amount", []).append("Enter an amount more than £0")
    if not source.strip():
        errors.setdefault("source", []).append(
            "Say where the underspend was identified (the final return, the CSP's year-end "
            "statement)"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked(Allocation.objects.filter(pk=allocation.pk))
        row = row_of(allocation)
        if row is None:
            raise ValidationError(f"{allocation.reference} is not committed: nothing to collect")
        if amount > row.collectable:
            reason = row.why_not or (
                f"{money(row.collectable)} of {allocation.reference} is unspent and not yet "
                "collected"
            )
            raise ValidationError({"amount": [f"{reason}: {money(amount)} cannot be collected"]})
        pot = pot_ensure(actor=actor, source_year=allocation.year)
        stream = FundingStream.objects.get(pk=pot.stream_id)
        line = BudgetLine.objects.get(pk=pot.line_id)
        version = budget_services.underspend_carry(
            actor=actor,
            allocation=allocation,
            amount=amount,
            stream=stream,
            line=line,
            reason=f"Underspend collected into {pot.name}: {source.strip()}",
        )
        collection = Collection.objects.create(
            pot=pot,
            allocation=allocation,
            agreement=row.agreement,
            version=version,
            amount=amount,
            source=source.strip(),
            collected_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="underspend.collect",
            obj=collection,
            after={
                "allocation": allocation.reference,
                "amount": str(amount),
                "pot": pot.name,
                "version": version.number,
            },
            reason=source.strip(),
        )
        return collection


def receivable_raise(*, actor, allocation: Allocation, amount, reason: str) -> Receivable:
    """Record money paid out of a closed agreement and not spent as owed back to the PCC."""
    require(actor, COLLECT, allocation)
    amount = to_money(amount)
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the money is owed back"]})
    with transaction.atomic():
        locked(Allocation.objects.filter(pk=allocation.pk))
        row = row_of(allocation)
        if row is None or row.agreement is None:
            raise ValidationError(
                f"{allocation.reference} has no agreement: nothing was paid in advance under one"
            )
        if amount <= 0 or amount > row.owed:
            raise ValidationError(
                {
                    "amount": [
                        f"{money(row.owed)} was paid out of {row.agreement.reference} and not "
                        f"spent, and not yet raised: {money(amount)} cannot be raised"
                    ]
                }
            )
        receivable = Receivable.objects.create(
            allocation=allocation,
            agreement=row.agreement,
            amount=amount,
            reason=reason.strip(),
            raised_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="receivable.raise",
            obj=receivable,
            after={"allocation": allocation.reference, "amount": str(amount)},
            reason=reason.strip(),
        )
        return receivable


def repayment_record(
    *, actor, receivable: Receivable, received_on: dt.date, reference: str
) -> Repayment:
    """The partner repaid what it owed: a reversal on the ledger's paid account, so what is
    paid out of the allocation falls back to what was spent (and the rest can be collected)."""
    require(actor, COLLECT, receivable)
    errors: dict[str, list[str]] = {}
    if not reference.strip():
        errors["reference"] = ["Enter the finance system's reference for the money received"]
    if received_on is None:
        errors["received_on"] = ["Enter the date the money was received"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        receivable = cast("Receivable", locked(Receivable.objects.filter(pk=receivable.pk)))
        if Repayment.objects.filter(receivable=receivable).exists():
            raise ValidationError("This repayment is already recorded")
        entry = budget_services.payment_reverse(
            actor=actor,
            allocation=receivable.allocation,
            amount=receivable.amount,
            period="FY",
            reason=f"Repaid: {receivable.reason} ({reference.strip()})",
        )
        repayment = Repayment.objects.create(
            receivable=receivable,
            received_on=received_on,
            reference=reference.strip(),
            entry=entry,
            recorded_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="receivable.repaid",
            obj=receivable,
            after={"amount": str(receivable.amount), "reference": reference.strip()},
        )
        return repayment
