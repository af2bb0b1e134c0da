"""Writes to the budget and the ledger. Each function is one transaction with its audit event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.locks import locked
from commissioning.core.money import ZERO, money_text, pounds, to_money
from commissioning.core.permissions import require
from commissioning.plans.rules import priority_fits_theme

from .holds import commit_problems
from .models import (
    POT_ENTRIES,
    Account,
    Allocation,
    AllocationVersion,
    BudgetLine,
    ContributionStatus,
    EntryKind,
    FinancialYear,
    FindingExplanation,
    Funding,
    FundingStream,
    LedgerEntry,
    Pool,
    PoolContribution,
    Reserve,
    Status,
    counts_in_pot,
    is_paid,
)
from .periods import PERIODS, check_granularity, ordered
from .permissions import (
    ALLOCATIONS_CHANGE,
    MANAGE,
    PAYMENTS_POST,
    POOLS_MANAGE,
    RECONCILIATION_EXPLAIN,
)
from .selectors import (
    current_amounts,
    current_version,
    paid_total,
    pool_awarded,
    pool_committed,
    reconcile_year,
)
from .workflow import ALLOCATION


class CapExceeded(ValidationError):
    """A commitment would take a capped budget line over its amount."""


VERSION_FIELDS = (
    "organisation",
    "initiative",
    "mechanism",
    "theme",
    "primary_priority",
    "secondary_priority",
    "intention",
    "reach",
    "reach_as_stated",
    "funding_stream",
    "status",
    "comment",
    "source",
)


@dataclass(frozen=True)
class AllocationState:
    """What a version says, as plain values, for audit and comparison."""

    fields: dict[str, Any]
    amounts: dict[str, Decimal]

    def as_audit(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            k: (str(v) if v is not None else None) for k, v in self.fields.items()
        }
        data["amounts"] = {p: str(a) for p, a in self.amounts.items()}
        return data


def financial_year_get_or_create(*, actor, label: str) -> FinancialYear:
    """The year named `label`; creating it is the Chief Finance Officer's."""
    starts, ends = FinancialYear.parse_label(label)
    label = f"{starts.year}/{(starts.year + 1) % 100:02d}"
    with transaction.atomic():
        year = FinancialYear.objects.filter(label=label).first()
        if year:
            return year
        require(actor, MANAGE)
        year = FinancialYear.objects.create(
            label=label,
            starts=starts,
            ends=ends,
            created_by=user_of(actor),
            updated_by=user_of(actor),
        )
        audit_record(actor=actor, action="financial_year.create", obj=year, after={"label": label})
        return year


def _reserve(name: str) -> Reserve | None:
    return Reserve.objects.get_or_create(name=name.strip())[0] if name.strip() else None


def funding_stream_create(
    *, actor, year: FinancialYear, reserve_name: str = "", **fields
) -> FundingStream:
    """A stream of the year's pot; a draw from a reserve names the reserve (created if new)."""
    require(actor, MANAGE, year)
    with transaction.atomic():
        if reserve_name:
            fields["reserve"] = _reserve(reserve_name)
        stream = FundingStream(
            year=year, created_by=user_of(actor), updated_by=user_of(actor), **fields
        )
        stream.full_clean()
        stream.save()
        audit_record(actor=actor, action="funding_stream.create", obj=stream, after=_plain(fields))
        return stream


def budget_line_create(
    *, actor, year: FinancialYear, reserve_name: str = "", **fields
) -> BudgetLine:
    """Money set aside for a mechanism, or held in the named reserve (created if new)."""
    require(actor, MANAGE, year)
    with transaction.atomic():
        if reserve_name:
            fields["reserve"] = _reserve(reserve_name)
        line = BudgetLine(year=year, created_by=user_of(actor), updated_by=user_of(actor), **fields)
        line.full_clean()
        line.save()
        audit_record(actor=actor, action="budget_line.create", obj=line, after=_plain(fields))
        return line


def _plain(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, bool | int | type(None)) else str(v)) for k, v in fields.items()}


def _clean_amounts(amounts: Mapping[str, Any]) -> dict[str, Decimal]:
    errors: dict[str, list[str]] = defaultdict(list)
    clean: dict[str, Decimal] = {}
    for period, raw in amounts.items():
        if period not in PERIODS:
            errors["amounts"].append(f"{period} is not a period (use FY, H1, H2 or Q1 to Q4)")
            continue
        if raw is None or raw == "":
            continue
        try:
            value = to_money(raw)
        except ValueError as exc:
            errors["amounts"].append(f"{period}: {exc}")
            continue
        if value < 0:
            errors["amounts"].append(f"{period}: an amount cannot be negative")
            continue
        clean[period] = value
    if not errors:
        if not clean:
            errors["amounts"].append("give an amount for at least one period")
        elif problem := check_granularity(clean):
            errors["amounts"].append(problem)
    if errors:
        raise ValidationError(dict(errors))
    return {p: clean[p] for p in ordered(clean)}


def _check_dimensions(year: FinancialYear, fields: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not (fields.get("initiative") or "").strip():
        errors["initiative"] = "Enter the initiative"
    if fields.get("status") not in {Status.INDICATIVE, Status.COMMITTED}:
        errors["status"] = "Status must be indicative or committed"
    primary, secondary = fields.get("primary_priority"), fields.get("secondary_priority")
    if secondary is not None and primary is None:
        errors["secondary_priority"] = "Give a primary priority before a secondary one"
    if secondary is not None and primary is not None and secondary.pk == primary.pk:
        errors["secondary_priority"] = "The secondary priority must differ from the primary"
    theme = fields.get("theme")
    if primary is not None and not priority_fits_theme(primary, theme):
        errors["primary_priority"] = f"{primary.code} belongs to another theme than {theme}"
    stream = fields.get("funding_stream")
    if stream is not None and stream.year_id != year.pk:
        errors["funding_stream"] = "That funding stream belongs to another year"
    if errors:
        raise ValidationError(errors)


def _check_cap(
    *, year: FinancialYear, mechanism: str, new_committed: Decimal, allocation: Allocation | None
) -> None:
    """Refuse a commitment that would take a capped line over its amount.

    The budget line row is locked first (SELECT ... FOR UPDATE on PostgreSQL; on SQLite
    the IMMEDIATE transaction already holds the database's write lock), so concurrent
    commitments against one line are checked one after another.
    """
    line = cast(
        "BudgetLine | None",
        locked(BudgetLine.objects.filter(year=year, mechanism=mechanism, is_reserve=False)),
    )
    if line is None or not line.capped or new_committed == 0:
        return
    committed = LedgerEntry.objects.filter(
        POT_ENTRIES,
        account=Account.COMMITTED,
        year=year,
        version__mechanism=mechanism,
        version__status=Status.COMMITTED,
    )
    if allocation is not None:
        committed = committed.exclude(allocation=allocation)
    already = pounds(committed.aggregate(total=Sum("amount"))["total"])
    if already + new_committed > line.amount:
        room = line.amount - already
        raise CapExceeded(
            f"{line.name} is capped at {money_text(line.amount)}: {money_text(already)} is already committed, "
            f"so {money_text(max(room, ZERO))} is left and {money_text(new_committed)} cannot be committed.",
            code="cap_exceeded",
        )


def _check_pool_room(*, pool: Pool, new_committed: Decimal, allocation: Allocation | None) -> None:
    """Refuse an award that would commit more of a pool than its partners have committed to
    it. The pool's row is locked first, so two awards at once are checked one after the
    other."""
    locked(Pool.objects.filter(pk=pool.pk))
    if new_committed == 0:
        return
    committed = pool_committed(pool)
    already = pool_awarded(pool, excluding=allocation)
    if already + new_committed > committed:
        raise ValidationError(
            {
                "amounts": f"The partners have committed {money_text(committed)} to {pool.name} and "
                f"{money_text(already)} of it is already awarded, so {money_text(max(committed - already, ZERO))} "
                f"is left and {money_text(new_committed)} cannot be awarded from it"
            }
        )


def _next_reference(year: FinancialYear) -> str:
    # The year row is locked so two creators cannot take the same number.
    locked(FinancialYear.objects.filter(pk=year.pk))
    count = Allocation.objects.filter(year=year).count()
    return f"{year.label}-{count + 1:04d}"


def _post(
    *,
    allocation: Allocation,
    version: AllocationVersion,
    amounts: Mapping[str, Decimal],
    kind: str,
    actor,
) -> None:
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                allocation=allocation,
                version=version,
                year_id=allocation.year_id,
                period=period,
                amount=amount,
                kind=kind,
                posted_by=user_of(actor),
            )
            for period, amount in amounts.items()
            if amount != 0 or kind != EntryKind.REVERSAL
        ]
    )


def allocation_create(
    *,
    actor,
    year: FinancialYear,
    amounts: Mapping[str, Any],
    example_key: str = "",
    reason: str = "",
    authority: str = ALLOCATIONS_CHANGE,
    funding: str = Funding.CASH,
    valuation_basis: str = "",
    pool: Pool | None = None,
    **fields,
) -> Allocation:
    """Record a new allocation with its amounts by period. `authority` is the rule the actor
    records it under: recording allocations (the default), or the decision that makes one
    (the PCC approving a grant, an officer adopting a formula run). An award from a pooled
    budget names its `pool` (and its funding is "pooled")."""
    require(actor, authority)
    clean = _clean_amounts(amounts)
    fields.setdefault("status", Status.INDICATIVE)
    _check_dimensions(year, fields)
    if funding not in Funding.values:
        raise ValidationError({"funding": f"“{funding}” is neither cash nor support in kind"})
    valuation_basis = " ".join(str(valuation_basis or "").split())
    errors: dict[str, str] = {}
    if valuation_basis and funding != Funding.IN_KIND:
        errors["valuation_basis"] = (
            "Only support in kind has a valuation basis: leave it blank for cash"
        )
    if funding == Funding.POOLED and pool is None:
        errors["pool"] = "Choose the pooled budget the award is paid from"
    elif funding != Funding.POOLED and pool is not None:
        errors["pool"] = "Only an award from a pooled budget names a pool"
    elif pool is not None and pool.year_id != year.pk:
        errors["pool"] = f"{pool.name} is a pool of {pool.year}, not {year}"
    if errors:
        raise ValidationError(errors)
    total = sum(clean.values(), ZERO)
    with transaction.atomic():
        if fields["status"] == Status.COMMITTED and counts_in_pot(funding):
            _check_cap(
                year=year, mechanism=fields["mechanism"], new_committed=total, allocation=None
            )
        if fields["status"] == Status.COMMITTED and pool is not None:
            _check_pool_room(pool=pool, new_committed=total, allocation=None)
        allocation = Allocation.objects.create(
            year=year,
            reference=_next_reference(year),
            example_key=example_key,
            funding=funding,
            pool=pool,
            valuation_basis=valuation_basis,
            created_by=user_of(actor),
        )
        version = AllocationVersion(
            allocation=allocation,
            number=1,
            total=total,
            reason=reason,
            created_by=user_of(actor),
            **{
                k: fields.get(k, "" if k in {"reach_as_stated", "comment", "source"} else None)
                for k in VERSION_FIELDS
            },
        )
        version.full_clean(exclude=["allocation"])
        version.save()
        _post(
            allocation=allocation,
            version=version,
            amounts=clean,
            kind=EntryKind.ORIGINAL,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="allocation.create",
            obj=allocation,
            after=state_of(version, clean).as_audit(),
            reason=reason,
        )
        return allocation


def state_of(version: AllocationVersion, amounts: Mapping[str, Decimal]) -> AllocationState:
    return AllocationState(
        fields={name: getattr(version, name) for name in VERSION_FIELDS},
        amounts=dict(amounts),
    )


def allocation_vary(
    *,
    actor,
    allocation: Allocation,
    reason: str,
    amounts: Mapping[str, Any] | None = None,
    **changes,
) -> AllocationVersion:
    """Replace an allocation's current state: reverse its entries and post the new ones.

    Only the fields given change; `amounts`, if given, replaces every period's amount. A
    change of status must be a move of the allocation workflow.
    """
    require(actor, ALLOCATIONS_CHANGE, allocation)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the allocation is being varied"})
    unknown = set(changes) - set(VERSION_FIELDS)
    if unknown:
        raise ValueError(f"cannot vary {sorted(unknown)}")
    with transaction.atomic():
        # Lock the allocation's identity so two variations of it cannot interleave.
        locked(Allocation.objects.filter(pk=allocation.pk))
        old = current_version(allocation)
        if old.status == Status.CANCELLED:
            raise ValidationError("A cancelled allocation cannot be varied; record a new one")
        target = changes.get("status", old.status)
        if target != old.status and target in Status.values:
            ALLOCATION.permit(actor, old, old.status, target)
        if target == Status.COMMITTED and old.status != Status.COMMITTED:
            held = commit_problems(allocation)
            if held:
                raise ValidationError({"status": held})
        old_amounts = current_amounts(old)
        fields = {name: getattr(old, name) for name in VERSION_FIELDS}
        fields.update(changes)
        if fields["status"] == Status.CANCELLED:
            new_amounts: dict[str, Decimal] = {}
        else:
            new_amounts = _clean_amounts(amounts) if amounts is not None else dict(old_amounts)
            _check_dimensions(allocation.year, fields)
        total = sum(new_amounts.values(), ZERO)
        paid = paid_total(allocation)
        if total < paid:
            raise ValidationError(
                {
                    "amounts": f"{money_text(paid)} has already been paid out of this allocation, so it "
                    f"cannot be reduced to {money_text(total)}"
                }
            )
        if (
            fields == {name: getattr(old, name) for name in VERSION_FIELDS}
            and new_amounts == old_amounts
        ):
            raise ValidationError("Nothing has changed")
        if fields["status"] == Status.COMMITTED and counts_in_pot(allocation.funding):
            _check_cap(
                year=allocation.year,
                mechanism=fields["mechanism"],
                new_committed=total,
                allocation=allocation,
            )
        if fields["status"] == Status.COMMITTED and allocation.pool is not None:
            _check_pool_room(pool=allocation.pool, new_committed=total, allocation=allocation)
        new = AllocationVersion(
            allocation=allocation,
            number=old.number + 1,
            total=total,
            reason=reason,
            created_by=user_of(actor),
            **fields,
        )
        new.full_clean(exclude=["allocation"])
        new.save()
        _post(
            allocation=allocation,
            version=old,
            amounts={p: -a for p, a in old_amounts.items()},
            kind=EntryKind.REVERSAL,
            actor=actor,
        )
        _post(
            allocation=allocation,
            version=new,
            amounts=new_amounts,
            kind=EntryKind.REPLACEMENT,
            actor=actor,
        )
        action = {
            Status.CANCELLED: "allocation.cancel",
        }.get(fields["status"], "allocation.vary")
        if old.status == Status.INDICATIVE and fields["status"] == Status.COMMITTED:
            action = "allocation.commit"
        audit_record(
            actor=actor,
            action=action,
            obj=allocation,
            before=state_of(old, old_amounts).as_audit(),
            after=state_of(new, new_amounts).as_audit(),
            reason=reason,
        )
        return new


def allocation_commit(
    *, actor, allocation: Allocation, reason: str = "Committed"
) -> AllocationVersion:
    return allocation_vary(
        actor=actor, allocation=allocation, reason=reason, status=Status.COMMITTED
    )


def allocation_cancel(*, actor, allocation: Allocation, reason: str) -> AllocationVersion:
    return allocation_vary(
        actor=actor, allocation=allocation, reason=reason, status=Status.CANCELLED
    )


def _paid_entry(
    *, actor, allocation: Allocation, amount: Decimal, period: str, kind: str, reason: str
) -> LedgerEntry:
    """One entry on the paid account (a payment, or a repayment's reversal), with its audit
    event. The caller holds the allocation's lock and has checked the amount."""
    entry = LedgerEntry.objects.create(
        allocation=allocation,
        version=current_version(allocation),
        year_id=allocation.year_id,
        period=period,
        amount=amount if kind == EntryKind.ORIGINAL else -amount,
        kind=kind,
        account=Account.PAID,
        posted_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="ledger.payment" if kind == EntryKind.ORIGINAL else "ledger.repayment",
        obj=allocation,
        after={"amount": str(amount), "period": period, "entry": str(entry.uuid)},
        reason=reason,
    )
    return entry


def _money_in(amount: Decimal, period: str, what: str) -> Decimal:
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError({"amount": f"{what} must be more than £0"})
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    return amount


def payment_post(
    *, actor, allocation: Allocation, amount: Decimal, period: str, reason: str
) -> LedgerEntry:
    """Post money paid out of a committed allocation to the ledger's paid account.

    The caller (an agreement's instalment being paid) checks its own terms; this checks the
    ledger's: the allocation is committed and the sum paid out of it never exceeds what is
    committed. The allocation row is locked, so two payments out of one allocation are
    checked one after the other. Call it inside the caller's transaction."""
    require(actor, PAYMENTS_POST, allocation)
    amount = _money_in(amount, period, "A payment")
    if not is_paid(allocation.funding):
        raise ValidationError(
            f"{allocation.reference} is support in kind, valued but not cash: nothing is paid from it"
        )
    with transaction.atomic():
        locked(Allocation.objects.filter(pk=allocation.pk))
        version = current_version(allocation)
        if version.status != Status.COMMITTED:
            raise ValidationError(
                f"{allocation.reference} is {version.get_status_display().lower()}: only a "
                "committed allocation can be paid from"
            )
        paid = paid_total(allocation)
        if paid + amount > version.total:
            raise ValidationError(
                {
                    "amount": f"{money_text(version.total)} is committed to {allocation.reference} and "
                    f"{money_text(paid)} is already paid, so {money_text(amount)} cannot be paid from it"
                }
            )
        return _paid_entry(
            actor=actor,
            allocation=allocation,
            amount=amount,
            period=period,
            kind=EntryKind.ORIGINAL,
            reason=reason,
        )


def payment_reverse(
    *, actor, allocation: Allocation, amount: Decimal, period: str, reason: str
) -> LedgerEntry:
    """Money paid out of an allocation that came back (an advance repaid): a reversal on the
    paid account, never more than has been paid. Call it inside the caller's transaction."""
    require(actor, PAYMENTS_POST, allocation)
    amount = _money_in(amount, period, "A repayment")
    with transaction.atomic():
        locked(Allocation.objects.filter(pk=allocation.pk))
        paid = paid_total(allocation)
        if amount > paid:
            raise ValidationError(
                {"amount": f"Only {money_text(paid)} has been paid out of {allocation.reference}"}
            )
        return _paid_entry(
            actor=actor,
            allocation=allocation,
            amount=amount,
            period=period,
            kind=EntryKind.REVERSAL,
            reason=reason,
        )


def underspend_carry(
    *,
    actor,
    allocation: Allocation,
    amount: Decimal,
    stream: FundingStream,
    line: BudgetLine,
    reason: str,
) -> AllocationVersion:
    """Carry `amount` of a committed allocation that will not be spent into a later year's
    funding stream and the budget line it pays for (the central pot of re-offered
    underspend), in one transaction:

    - a new version of the allocation, its periods reduced from the last back (the old
      entries stay: the ledger shows the reversal and replacement);
    - an entry on the allocation's year's `carried` account, so that year does not count the
      released money as available again;
    - the stream and the line grow by the amount (their rows locked, so two collections at
      once both count).

    Never more than is committed less what has been paid out of the allocation."""
    require(actor, MANAGE, stream.year)
    amount = _money_in(amount, "FY", "The amount carried")
    if line.year_id != stream.year_id:
        raise ValueError("the stream and the line must be of one year")
    if allocation.funding == Funding.POOLED:
        raise ValidationError(
            f"{allocation.reference} is paid from a pooled budget: what it leaves unspent belongs to "
            "the pool's contributors in their shares, not to the PCC's central pot"
        )
    if not counts_in_pot(allocation.funding):
        raise ValidationError(
            f"{allocation.reference} is support in kind, valued but not cash: there is no unspent money in it to carry"
        )
    with transaction.atomic():
        locked(Allocation.objects.filter(pk=allocation.pk))
        version = current_version(allocation)
        if version.status != Status.COMMITTED:
            raise ValidationError(
                f"{allocation.reference} is {version.get_status_display().lower()}: only a "
                "committed allocation's underspend is carried"
            )
        if stream.year.starts <= allocation.year.starts:
            raise ValidationError("Underspend is carried into a later year")
        left_to_pay = version.total - paid_total(allocation)
        if amount > left_to_pay:
            raise ValidationError(
                {
                    "amount": f"{money_text(version.total)} is committed to {allocation.reference} and "
                    f"{money_text(version.total - left_to_pay)} is paid, so at most {money_text(left_to_pay)} "
                    "can be carried"
                }
            )
        amounts = current_amounts(version)
        left = amount
        for period in reversed(ordered(amounts)):
            cut = min(left, amounts[period])
            amounts[period] -= cut
            left -= cut
        released = allocation_vary(
            actor=actor,
            allocation=allocation,
            reason=reason,
            amounts={p: a for p, a in amounts.items() if a > 0} or {"FY": ZERO},
        )
        LedgerEntry.objects.create(
            allocation=allocation,
            version=released,
            year_id=allocation.year_id,
            period="FY",
            amount=amount,
            kind=EntryKind.ORIGINAL,
            account=Account.CARRIED,
            posted_by=user_of(actor),
        )
        stream = cast("FundingStream", locked(FundingStream.objects.filter(pk=stream.pk)))
        line = cast("BudgetLine", locked(BudgetLine.objects.filter(pk=line.pk)))
        before = {"stream": str(stream.amount), "line": str(line.amount)}
        stream.amount += amount
        line.amount += amount
        stream.updated_by = line.updated_by = user_of(actor)
        stream.save(update_fields=["amount", "updated_by", "updated_at"])
        line.save(update_fields=["amount", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="ledger.carry",
            obj=allocation,
            before=before,
            after={
                "amount": str(amount),
                "to_year": stream.year.label,
                "stream": str(stream.amount),
                "line": str(line.amount),
            },
            reason=reason,
        )
        return released


def finding_explain(*, actor, year: FinancialYear, key: str, note: str) -> FindingExplanation:
    """Mark one of the year's reconciliation findings explained, with a note. A newer note
    for the same finding supersedes the older (which stays, as history). The finding's
    figures are kept with the note: should they change, the finding is unexplained again."""
    require(actor, RECONCILIATION_EXPLAIN, year)
    note = (note or "").strip()
    with transaction.atomic():
        finding = next((f for f in reconcile_year(year) if f.key == key), None)
        errors = {}
        if finding is None:
            errors["key"] = f"There is no such finding in {year.label}: it may have been resolved"
        if not note:
            errors["note"] = "Enter a note saying why the finding is explained"
        if errors:
            raise ValidationError(errors)
        assert finding is not None
        superseded = (
            FindingExplanation.objects.filter(year=year, key=key)
            .order_by("-created_at", "-id")
            .first()
        )
        explanation = FindingExplanation.objects.create(
            year=year,
            key=key,
            kind=finding.kind,
            where=finding.where,
            stated=finding.stated,
            computed=finding.computed,
            note=note,
            explained_by=user_of(actor),
            explained_by_name=actor.get_full_name() or actor.get_username(),
        )
        audit_record(
            actor=actor,
            action="finding.explain",
            obj=explanation,
            before=None if superseded is None else {"note": superseded.note},
            after={
                "year": year.label,
                "key": key,
                "kind": finding.kind,
                "where": finding.where,
                "stated": finding.stated,
                "computed": finding.computed,
                "difference": finding.difference,
                "note": note,
                "supersedes": None if superseded is None else str(superseded.uuid),
            },
        )
        return explanation


# --- Pooled budgets ---


def pool_create(
    *,
    actor,
    year: FinancialYear,
    name: str,
    host,
    purpose: str,
    agreed_total: Any,
    slug: str = "",
    cite: str = "",
) -> Pool:
    """Record a co-commissioning pool of the year: who holds it, what it is for and the total
    its partners agreed to put in. Every problem is reported at once, by field."""
    require(actor, POOLS_MANAGE, year)
    from django.utils.text import slugify

    name = " ".join(str(name or "").split())
    purpose = str(purpose or "").strip()
    slug = slugify(slug or name)[:80]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the pool's name"
    elif Pool.objects.filter(year=year, slug=slug).exists():
        errors["name"] = f"{year} already has a pool called “{name}”"
    if host is None:
        errors["host"] = "Choose the partner that holds the pool"
    if not purpose:
        errors["purpose"] = "Say what the pool is for"
    try:
        total = to_money(agreed_total)
        if total <= 0:
            errors["agreed_total"] = "The agreed total must be more than £0"
    except ValueError as exc:
        errors["agreed_total"] = f"The agreed total: {exc}"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pool = Pool.objects.create(
            year=year,
            slug=slug,
            name=name,
            host=host,
            purpose=purpose,
            agreed_total=total,
            cite=cite,
            created_by=user_of(actor),
            updated_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="pool.create",
            obj=pool,
            after={
                "year": year.label,
                "name": name,
                "host": host.name,
                "agreed_total": str(total),
            },
        )
        return pool


def pool_contribute(
    *,
    actor,
    pool: Pool,
    contributor,
    amount: Any,
    status: str,
    period: str = "FY",
    conditions: str = "",
    allocation: Allocation | None = None,
    illustrative: bool = False,
    cite: str = "",
) -> PoolContribution:
    """Record what one partner puts into a pool. Refused, every problem at once by field:
    an amount that is not a positive sum, a partner already contributing, a total over the
    pool's agreed total; and the PCC's contribution must be paid by a committed cash
    allocation of the pot, of the pool's year, to the pool's host, for the same amount (that
    allocation is where the PCC's money counts, once)."""
    from commissioning.organisations.models import OrganisationKind

    require(actor, POOLS_MANAGE, pool)
    errors: dict[str, str] = {}
    money = ZERO
    try:
        money = to_money(amount)
        if money <= 0:
            errors["amount"] = "The contribution must be more than £0"
    except ValueError as exc:
        errors["amount"] = f"The contribution: {exc}"
    if status not in ContributionStatus.values:
        errors["status"] = "Say whether the contribution is committed or indicative"
    if period not in PERIODS:
        errors["period"] = f"“{period}” is not a part of the year"
    with transaction.atomic():
        pool = cast("Pool", locked(Pool.objects.filter(pk=pool.pk)))
        if contributor is None:
            errors["contributor"] = "Choose the partner contributing"
        elif pool.contributions.filter(contributor=contributor).exists():
            errors["contributor"] = f"{contributor.name} already contributes to {pool.name}"
        if "amount" not in errors:
            already = pounds(pool.contributions.aggregate(total=Sum("amount"))["total"])
            if already + money > pool.agreed_total:
                errors["amount"] = (
                    f"{pool.name}'s agreed total is {money_text(pool.agreed_total)} and "
                    f"{money_text(already)} is already contributed, so at most "
                    f"{money_text(max(pool.agreed_total - already, ZERO))} more can be"
                )
        is_pcc = contributor is not None and contributor.kind == OrganisationKind.OPCC
        if is_pcc and allocation is None:
            errors["allocation"] = (
                "The PCC's contribution is paid by an allocation of the pot: choose it, so the "
                "money counts once, in the PCC's own tables"
            )
        elif allocation is not None and contributor is not None:
            _pays_the_pcc_contribution(
                allocation, errors, pool=pool, amount=money, status=status, is_pcc=is_pcc
            )
        if errors:
            raise ValidationError(errors)
        contribution = PoolContribution.objects.create(
            pool=pool,
            contributor=contributor,
            amount=money,
            period=period,
            conditions=str(conditions or "").strip(),
            status=status,
            allocation=allocation,
            illustrative=illustrative,
            cite=cite,
            created_by=user_of(actor),
            updated_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="pool.contribute",
            obj=contribution,
            after={
                "pool": pool.name,
                "contributor": contributor.name,
                "amount": str(money),
                "period": period,
                "status": status,
                "allocation": allocation.reference if allocation else None,
                "illustrative": illustrative,
            },
        )
        return contribution


def _pays_the_pcc_contribution(
    allocation: Allocation,
    errors: dict[str, str],
    *,
    pool: Pool,
    amount: Decimal,
    status: str,
    is_pcc: bool,
) -> bool:
    """Whether `allocation` can pay the PCC's contribution to `pool`; what is wrong is added
    to `errors` under "allocation"."""
    if not is_pcc:
        errors["allocation"] = (
            "Only the PCC's contribution is paid by an allocation of the PCC's pot; leave it blank "
            "for another partner's"
        )
        return False
    version = current_version(allocation)
    problem = ""
    if not counts_in_pot(allocation.funding):
        problem = f"{allocation.reference} is not cash from the pot"
    elif allocation.year_id != pool.year_id:
        problem = f"{allocation.reference} is an allocation of {allocation.year}, not {pool.year}"
    elif version.organisation_id != pool.host_id:
        problem = f"{allocation.reference} pays {version.organisation.name}, not the pool's host, {pool.host.name}"
    elif status == ContributionStatus.COMMITTED and version.status != Status.COMMITTED:
        problem = f"{allocation.reference} is {version.get_status_display().lower()}: a committed contribution needs a committed allocation"
    elif version.total != amount:
        problem = f"{allocation.reference} is {money_text(version.total)}, not {money_text(amount)}: the contribution is what the allocation pays"
    elif PoolContribution.objects.filter(allocation=allocation).exists():
        problem = f"{allocation.reference} already pays a contribution to a pool"
    if problem:
        errors["allocation"] = problem
    return not problem
