"""The year end of 2016/17, for the demo: made-up activity, like the agreements it follows
(the papers stop at the allocation).

The officer closes each example agreement of 2016/17 whose final return is accepted and
whose instalments are all paid or cancelled; the ones still waiting (a final return late or
not yet reviewed) stay open, as an OPCC would find them. The two agreements that spent under
profile were paid in full in arrears, so what they did not spend is owed back: the CFO
records it, one repayment comes in, and the CFO collects that underspend into the central
pot of 2017/18. An officer then opens a round of 2017/18 funded from the pot, open only to
the Community Safety Partnerships, as the 2022 scheme's paragraph 14 describes ("Partners
will then be invited to submit a further application for additional funding following a
review process").

`yearend_ensure()` is idempotent: it does its work once, when 2016/17 has no pot.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commissioning.accounts.models import User
from commissioning.agreements import services as agreement_services
from commissioning.agreements.models import Agreement, AgreementStatus, PaymentStatus
from commissioning.agreements.rules import return_accepted
from commissioning.budgets import services as budget_services
from commissioning.budgets.models import FinancialYear, Mechanism
from commissioning.core.templatetags.govuk import money
from commissioning.grants import rounds
from commissioning.grants.models import QuestionKind, Round
from commissioning.organisations.models import Organisation, OrganisationKind
from commissioning.yearend import selectors, services
from commissioning.yearend.models import Pot

YEAR, NEXT = "2016/17", "2017/18"
REFERENCE = "underspend-2016-17"
OPEN = (PaymentStatus.SCHEDULED, PaymentStatus.REQUESTED, PaymentStatus.APPROVED)


def _closable(agreement: Agreement) -> bool:
    finals = [p for p in agreement.periods.all() if p.final]
    return (
        agreement.status == AgreementStatus.ACTIVE
        and bool(finals)
        and all(return_accepted(p) for p in finals)
        and not agreement.payments.filter(status__in=OPEN).exists()
    )


def yearend_ensure() -> str:
    """Close 2016/17 and open the re-offer round once; a line saying what there is."""
    year = FinancialYear.objects.filter(label=YEAR).first()
    if year is None or not Agreement.objects.filter(example=True, allocation__year=year).exists():
        return "no example agreements of 2016/17 to close"
    pot = Pot.objects.filter(source_year=year).first()
    if pot is None:
        with transaction.atomic():
            pot = _close_the_year(year)
    rnd = Round.objects.filter(reference=REFERENCE).first() or _reoffer(pot)
    return (
        f"{YEAR} closed; {money(pot.stream.amount)} collected into {pot.name}; "
        f"round open: {rnd.title}"
    )


def _close_the_year(year: FinancialYear) -> Pot:
    officer = User.objects.get(username="officer")
    cfo = User.objects.get(username="cfo")
    budget_services.financial_year_get_or_create(actor=cfo, label=NEXT)
    agreements = (
        Agreement.objects.filter(example=True, allocation__year=year)
        .prefetch_related("periods__report")
        .order_by("reference")
    )
    for agreement in agreements:
        if _closable(agreement):
            agreement_services.agreement_close(
                actor=officer, agreement=agreement, reason="Final return accepted; all paid"
            )
    repaid_one = False
    for row in selectors.outturn(year).rows:
        if row.agreement is None or not row.closed or row.owed <= 0:
            continue
        receivable = services.receivable_raise(
            actor=cfo,
            allocation=row.allocation,
            amount=row.owed,
            reason=(
                f"Paid {money(row.paid)} in arrears; the final return reports "
                f"{money(row.spent)} spent"
            ),
        )
        if not repaid_one:
            services.repayment_record(
                actor=cfo,
                receivable=receivable,
                received_on=year.ends + dt.timedelta(days=45),
                reference=f"EX-REPAID-{receivable.pk:04d}",
            )
            repaid_one = True
    for row in selectors.outturn(year).rows:
        if row.closed and row.collectable > 0:
            services.underspend_collect(
                actor=cfo,
                allocation=row.allocation,
                amount=row.collectable,
                source=(
                    f"Final return: {money(row.spent or Decimal(0))} spent of "
                    f"{money(row.committed)}"
                ),
            )
    pot = Pot.objects.filter(source_year=year).first()
    if pot is None:  # nothing was underspent: an empty pot, so the page says so
        pot = services.pot_ensure(actor=cfo, source_year=year)
    return pot


def _reoffer(pot: Pot) -> Round:
    officer = User.objects.get(username="officer")
    csps = list(Organisation.objects.filter(kind=OrganisationKind.CSP).order_by("name"))
    now = timezone.now()
    rnd = rounds.round_draft_create(
        actor=officer,
        reference=REFERENCE,
        title=f"Re-offered underspend of {pot.source_year.label}",
        mechanism=Mechanism.UNDERSPEND,
        year=pot.year,
        budget_line=pot.line,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=35),
        minimum_award=Decimal("500"),
        maximum_award=max(pot.line.amount, Decimal("500")),
        eligible=csps,
        guidance=(
            "Underspend identified from the Community Safety Partnerships' allocations of "
            f"{pot.source_year.label}, collated as a central pot. Partnerships are invited to "
            "apply for additional funding; applications are reviewed, a panel recommends "
            "and the Police and Crime Commissioner decides."
        ),
    )
    rounds.criterion_save(
        actor=officer,
        round=rnd,
        title="Need",
        description="The evidence of need in the partnership's area",
        weight="60",
    )
    rounds.criterion_save(
        actor=officer,
        round=rnd,
        title="Delivery",
        description="Whether the work can be done within the year",
        weight="40",
    )
    rounds.question_save(
        actor=officer,
        round=rnd,
        label="What will the additional funding do, and for whom?",
        kind=QuestionKind.TEXT,
        word_limit=300,
    )
    return rounds.round_publish(actor=officer, round=rnd)
