"""The rules of an agreement's money, each decided in one place.

`payment_holds` says why an instalment cannot be paid yet (the pages show the reasons, the
services refuse with them); `schedule_problems` says what is wrong with an agreement's
terms before it can be issued. Both read related rows through `.all()`, so a page that
prefetched them asks nothing more of the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from commissioning.core.money import ZERO
from commissioning.core.templatetags.govuk import money

from .models import AgreementStatus, ConditionKind, PaymentStatus, ReturnStatus


def funds_a_partner(version) -> bool:
    """Whether an allocation (its current version) funds an organisation that needs an
    agreement: committed, with money, paid (cash of the pot or of a pool; support in kind
    is not paid), and not the OPCC's own spending."""
    from commissioning.budgets.models import Status, is_paid
    from commissioning.organisations.models import OrganisationKind

    return (
        version.status == Status.COMMITTED
        and version.total > 0
        and is_paid(version.allocation.funding)
        and version.organisation.kind != OrganisationKind.OPCC
    )


OPEN_PAYMENTS = (PaymentStatus.SCHEDULED, PaymentStatus.REQUESTED, PaymentStatus.APPROVED)


def _report(period):
    """The period's return, or None (a missing reverse one-to-one raises AttributeError)."""
    return getattr(period, "report", None)


def return_accepted(period) -> bool:
    report = _report(period)
    return report is not None and report.status == ReturnStatus.ACCEPTED


def return_in(period) -> bool:
    """The period's return is in: submitted or accepted (not none yet, a draft, or sent
    back for changes)."""
    report = _report(period)
    return report is not None and report.status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)


def days_late(period, today: dt.date) -> int:
    """How many days the period's return is late on `today`: 0 if it is not due yet, or was
    in (submitted or accepted) by then. Asked of a past day (`returns due --on`), a return
    submitted after that day counts as not in."""
    if today <= period.due_on:
        return 0
    report = _report(period)
    if report is not None and report.status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED):
        submitted = report.submitted_at
        if submitted is None or timezone.localtime(submitted).date() <= today:
            return 0
    return (today - period.due_on).days


def payment_holds(payment, today: dt.date) -> list[str]:
    """Why `payment` must wait, in plain words; empty when nothing holds it."""
    if payment.status not in OPEN_PAYMENTS:
        return []
    agreement = payment.agreement
    reasons: list[str] = []
    if agreement.status != AgreementStatus.ACTIVE:
        reasons.append("The partner has not accepted the agreement yet.")
        return reasons
    for condition in agreement.conditions.all():
        if condition.kind == ConditionKind.PRECEDENT and condition.met_on is None:
            reasons.append(
                f"A condition to be met before the first payment is not met yet: {condition.text}"
            )
    period = payment.period
    if payment.retention:
        finals = [p for p in agreement.periods.all() if p.final]
        period = finals[0] if finals else period
    if period is not None and not return_accepted(period):
        late = days_late(period, today)
        if late:
            reasons.append(
                f"The return for {period.label} was due on {period.due_on:%-d %B %Y} and is "
                f"{late:,} day{'s' if late != 1 else ''} late."
            )
        else:
            reasons.append(f"The return for {period.label} has not been accepted yet.")
    return reasons


def held(payment, today: dt.date) -> list[str]:
    """Why an instalment that has fallen due is held, in plain words; empty when it is not
    due yet or nothing holds it. "Held" means this everywhere it is counted (the monitoring
    view, the exports): an open instalment due by `today` that something stops."""
    if payment.status not in OPEN_PAYMENTS or payment.due_on > today:
        return []
    return payment_holds(payment, today)


def schedule_problems(agreement) -> dict[str, list[str]]:
    """What must be put right before the agreement can be issued, by the part it is in."""
    problems: dict[str, list[str]] = {}

    def say(part: str, message: str) -> None:
        problems.setdefault(part, []).append(message)

    periods = list(agreement.periods.all())
    payments = [p for p in agreement.payments.all() if p.status != PaymentStatus.CANCELLED]
    categories = list(agreement.budget_categories.all())
    if not agreement.purpose.strip():
        say("purpose", "Say what the money is for")
    if not periods:
        say("periods", "Add at least one reporting period")
    if not any(p.final for p in periods):
        say("periods", "Mark one reporting period as the final return")
    for period in periods:
        if period.starts_on < agreement.starts_on or period.ends_on > agreement.ends_on:
            say("periods", f"{period.label} is outside the agreement's dates")
    scheduled = sum((p.amount for p in payments), ZERO)
    if scheduled > agreement.maximum_sum:
        say(
            "payments",
            f"The payment schedule adds up to {money(scheduled)}, more than the maximum sum of "
            f"{money(agreement.maximum_sum)}",
        )
    budget = sum((c.amount for c in categories), ZERO)
    if budget > agreement.maximum_sum:
        say(
            "budget",
            f"The budget adds up to {money(budget)}, more than the maximum sum of "
            f"{money(agreement.maximum_sum)}",
        )
    for category in categories:
        profiled = sum((p.amount for p in category.profile.all()), ZERO)
        if profiled != category.amount:
            say(
                "budget",
                f"{category.name}: the profile by period adds up to {money(profiled)}, not the "
                f"category's {money(category.amount)}",
            )
    if not any(o.measures.all() for o in agreement.outcomes.all()):
        say("outcomes", "Add at least one outcome with a measure")
    return problems


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` instalments of whole pence, the last taking what is left over."""
    if parts <= 0:
        return []
    each = (total / parts).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return [each] * (parts - 1) + [total - each * (parts - 1)]
