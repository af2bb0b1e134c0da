"""Example activity after the award, for the demo: agreements, quarterly returns and payments
for the committed allocations of 2013/14 and 2016/17. None of it is from the papers (they
stop at the allocation); every agreement is marked `example`, and the pages say so.

Made through the services, as people would: the officer draws up and issues each agreement,
a contact at the organisation accepts it and writes the returns, the officer accepts them,
requests the instalments, the CFO approves them and the officer records them as paid (on a
date in the year, with a made-up finance reference). So that the demo shows what needs
attention, a few agreements are left as an OPCC would find them: a final return not in yet
(late, its instalment held), one waiting for the officer, one rated amber and one red.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from commissioning.accounts.models import User
from commissioning.agreements import payments, returns, services
from commissioning.agreements.models import Agreement, ConditionKind, PaymentStatus
from commissioning.agreements.rules import funds_a_partner, split_evenly
from commissioning.budgets.models import FinancialYear
from commissioning.budgets.selectors import current_version
from commissioning.core.roles import Role
from commissioning.organisations.models import OrganisationKind

YEARS = ("2013/14", "2016/17")
PAID_AFTER_DUE_DAYS = 21
# Which agreements of 2016/17 (by their place in the year's list) are left needing
# attention, and how.
LATE_FINAL_RETURN = (3, 11, 19)  # the last quarter's return never came: late, payment held
AWAITING_REVIEW = (7,)  # the last return is submitted, waiting for the officer
AMBER, RED = 5, 9  # spend well under profile; far under
SPEND_FACTOR = {AMBER: Decimal("0.70"), RED: Decimal("0.40")}


def _contact(organisation) -> User:
    """The organisation's example contact, who accepts its agreements and writes its returns
    (no password: nobody signs in as them)."""
    username = f"{organisation.key}.contact"[:150]
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=None,
            first_name="Example contact at",
            last_name=organisation.name[:140],
            organisation=organisation,
        )
        user.groups.add(Group.objects.get_or_create(name=Role.PARTNER)[0])
    return user


def _staff(username: str) -> User:
    return User.objects.get(username=username)


def agreements_ensure() -> int:
    """Make the example agreements once; the number of example agreements there are."""
    if Agreement.objects.filter(example=True).exists():
        return Agreement.objects.filter(example=True).count()
    officer, cfo = _staff("officer"), _staff("cfo")
    made = 0
    for label in YEARS:
        year = FinancialYear.objects.filter(label=label).first()
        if year is None:
            continue
        place = 0
        for allocation in year.allocations.order_by("reference"):
            version = current_version(allocation)
            if not funds_a_partner(version):
                continue
            place += 1
            with transaction.atomic():
                _lived_in(allocation, version, officer, cfo, place if label == "2016/17" else 0)
            made += 1
    return made


def _lived_in(allocation, version, officer, cfo, place: int) -> None:
    contact = _contact(version.organisation)
    agreement = services.agreement_draft(actor=officer, allocation=allocation, example=True)
    periods = list(agreement.periods.all())
    people = max(5, int(agreement.maximum_sum / 2000 / len(periods)))
    services.outcome_add(
        actor=officer,
        agreement=agreement,
        title=f"What {version.initiative[:200]} will achieve",
        measures=[
            {
                "name": "People supported",
                "unit": "count",
                "baseline": "0",
                "priority": version.primary_priority.code if version.primary_priority else "",
                "targets": {p.number: str(people) for p in periods},
            }
        ],
    )
    staff_part = (agreement.maximum_sum * Decimal("0.7")).quantize(Decimal("0.01"))
    parts = [("Staff", staff_part), ("Running costs", agreement.maximum_sum - staff_part)]
    services.budget_set(
        actor=officer,
        agreement=agreement,
        categories=[
            {
                "name": name,
                "amount": str(amount),
                "profile": {
                    p.number: str(a)
                    for p, a in zip(periods, split_evenly(amount, len(periods)), strict=True)
                },
            }
            for name, amount in parts
        ],
    )
    if version.organisation.kind in (OrganisationKind.CHARITY, OrganisationKind.CIC):
        condition = services.condition_add(
            actor=officer,
            agreement=agreement,
            kind=ConditionKind.PRECEDENT,
            text="A safeguarding policy, approved by the organisation's board, is in place",
        )
    else:
        condition = None
    services.agreement_issue(actor=officer, agreement=agreement)
    services.agreement_accept(
        actor=contact,
        agreement=agreement,
        name=f"{contact.first_name} {contact.last_name}",
        position="Authorised signatory",
    )
    agreement.refresh_from_db()
    if condition is not None:
        services.condition_met(
            actor=officer,
            condition=condition,
            on=agreement.starts_on,
            note="Policy seen by the commissioning officer",
        )
    for period in periods:
        last = period.final
        # The amber and red agreements slipped in the second half of the year.
        slipped = period.number > len(periods) // 2 and place in SPEND_FACTOR
        factor = SPEND_FACTOR[place] if slipped else Decimal("1")
        rag = {AMBER: "amber", RED: "red"}[place] if slipped else "green"
        reason = {
            "green": "Spend and people supported on profile",
            "amber": "Spend 30% under profile; recovery plan agreed",
            "red": "Spend 60% under profile and targets missed; escalated",
        }[rag]
        if last and place in LATE_FINAL_RETURN:
            continue
        profile = {
            c.pk: sum((p.amount for p in c.profile.all() if p.period_id == period.pk), Decimal(0))
            for c in agreement.budget_categories.all()
        }
        returns.return_save(
            actor=contact,
            period=period,
            spend={pk: str((a * factor).quantize(Decimal("0.01"))) for pk, a in profile.items()},
            actuals={
                m.pk: str(int(people * factor))
                for o in agreement.outcomes.all()
                for m in o.measures.all()
            },
            achievements="Delivered as planned this quarter" if rag == "green" else "",
            risks="" if rag == "green" else "Recruitment delays left a post vacant",
            partner_rag=rag,
        )
        returns.return_submit(actor=contact, period=period)
        if last and place in AWAITING_REVIEW:
            continue
        returns.return_accept(actor=officer, period=period, officer_rag=rag, reason=reason)
        for payment in agreement.payments.filter(period=period, status=PaymentStatus.SCHEDULED):
            payments.payment_request(actor=officer, payment=payment)
            payments.payment_approve(actor=cfo, payment=payment)
            payments.payment_record_paid(
                actor=officer,
                payment=payment,
                paid_on=period.due_on + dt.timedelta(days=PAID_AFTER_DUE_DAYS),
                finance_reference=f"EX-{agreement.pk:04d}-{payment.number}",
            )
