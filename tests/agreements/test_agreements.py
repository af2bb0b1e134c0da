"""Agreements drawn up, issued and accepted; the payment schedule, its holds, and payments
into the ledger's paid account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commissioning.agreements import payments, returns, services
from commissioning.agreements.models import (
    AgreementStatus,
    ApprovalDelegation,
    ConditionKind,
    PaymentStatus,
)
from commissioning.agreements.rules import payment_holds
from commissioning.agreements.terms import digest
from commissioning.budgets import selectors as budget_selectors
from commissioning.budgets.models import Account, LedgerEntry, Status
from commissioning.budgets.services import allocation_vary
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role

from .conftest import accept_return, ready

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def test_a_draft_has_quarterly_returns_and_instalments_in_arrears_that_add_up(draft):
    agreement = draft("10000.01", retention_percent=D("10"))
    periods = list(agreement.periods.all())
    assert [p.label.split(" (")[0] for p in periods] == [
        "Q1 2031/32",
        "Q2 2031/32",
        "Q3 2031/32",
        "Q4 2031/32",
    ]
    assert periods[0].due_on == dt.date(2031, 7, 14) and periods[-1].final
    payments = list(agreement.payments.all())
    assert [p.retention for p in payments] == [False, False, False, False, True]
    assert sum(p.amount for p in payments) == agreement.maximum_sum == D("10000.01")
    assert payments[-1].amount == D("1000.00")  # 10% retained to the final return
    assert all(p.period_id for p in payments) and payments[-1].period == periods[-1]
    assert agreement.reference.startswith("AG-2031/32-")


def test_only_a_committed_allocation_has_an_agreement_and_only_one(make_allocation, officer):
    indicative = make_allocation("500")
    with pytest.raises(ValidationError) as excinfo:
        services.agreement_draft(actor=officer, allocation=indicative)
    assert "committed allocation" in errors_of(excinfo)
    committed = make_allocation("500", status=Status.COMMITTED)
    services.agreement_draft(actor=officer, allocation=committed)
    with pytest.raises(ValidationError, match="already has an agreement"):
        services.agreement_draft(actor=officer, allocation=committed)


def test_the_maximum_sum_cannot_exceed_the_commitment(make_allocation, officer):
    allocation = make_allocation("500", status=Status.COMMITTED)
    with pytest.raises(ValidationError) as excinfo:
        services.agreement_draft(actor=officer, allocation=allocation, maximum_sum=D("500.01"))
    assert "maximum_sum" in excinfo.value.message_dict


def test_issuing_names_every_problem_at_once(draft, officer):
    agreement = draft()
    agreement.purpose = ""
    agreement.save()
    with pytest.raises(ValidationError) as excinfo:
        services.agreement_issue(actor=officer, agreement=agreement)
    assert set(excinfo.value.message_dict) == {"purpose", "outcomes"}
    assert agreement.terms.count() == 0


def test_a_budget_over_the_maximum_sum_or_with_a_profile_that_does_not_add_up_is_refused(
    draft, officer
):
    agreement = draft("1000")
    with pytest.raises(ValidationError) as excinfo:
        services.budget_set(
            actor=officer,
            agreement=agreement,
            categories=[
                {"name": "Staff", "amount": "900", "profile": {1: "400", 2: "400"}},
                {"name": "Venue", "amount": "200"},
                {"name": "staff", "amount": "1e5"},
            ],
        )
    errors = excinfo.value.message_dict
    assert "adds up to £800, not £900" in " ".join(errors["categories-1-profile"])
    assert "listed twice" in " ".join(errors["categories-3-name"])
    assert "not an amount of money" in " ".join(errors["categories-3-amount"])
    assert "more than the maximum sum" in " ".join(errors["categories"])
    assert agreement.budget_categories.count() == 0


def test_a_measure_names_its_problems_by_field(draft, officer):
    agreement = draft()
    with pytest.raises(ValidationError) as excinfo:
        services.outcome_add(
            actor=officer,
            agreement=agreement,
            title="",
            measures=[
                {"name": "", "unit": "percent", "targets": {1: "120", 9: "1"}},
                {"name": "Sessions", "priority": "SP99", "baseline": "lots"},
            ],
        )
    errors = excinfo.value.message_dict
    assert {
        "title",
        "measures-1-name",
        "measures-1-target-1",
        "measures-1-targets",
        "measures-2-priority",
        "measures-2-baseline",
    } <= set(errors)
    assert agreement.outcomes.count() == 0


def test_issue_freezes_the_terms_and_the_partner_accepts_that_version(
    draft, officer, partner, user_with
):
    agreement = ready(draft(), officer)
    terms = services.agreement_issue(actor=officer, agreement=agreement)
    assert terms.number == 1 and terms.sha256 == digest(terms.content)
    assert terms.content["maximum_sum"] == "10000.00"
    assert terms.content["outcomes"][0]["measures"][0]["targets"] == {
        "1": "10.00",
        "2": "10.00",
        "3": "10.00",
        "4": "10.00",
    }
    with pytest.raises(ValidationError, match="issued: its terms change only by a variation"):
        services.agreement_update(actor=officer, agreement=agreement, title="Changed")

    stranger = user_with(Role.PARTNER, organisation=None)
    with pytest.raises(ValidationError, match="only the funded organisation"):
        services.agreement_accept(actor=stranger, agreement=agreement, name="X", position="Y")
    with pytest.raises(ValidationError) as excinfo:
        services.agreement_accept(actor=partner, agreement=agreement, name=" ", position="")
    assert set(excinfo.value.message_dict) == {"name", "position"}

    acceptance = services.agreement_accept(
        actor=partner, agreement=agreement, name="Pat Partner", position="Director"
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE and acceptance.terms == terms
    assert AuditEvent.objects.filter(object_uuid=agreement.uuid, action="agreement.active").exists()


def test_an_instalment_is_held_until_its_return_is_accepted_and_conditions_are_met(
    draft, officer, partner
):
    agreement = ready(draft(), officer)
    services.condition_add(
        actor=officer,
        agreement=agreement,
        kind=ConditionKind.PRECEDENT,
        text="A safeguarding policy is in place",
    )
    services.agreement_issue(actor=officer, agreement=agreement)
    first = agreement.payments.get(number=1)
    today = timezone.localdate()
    # Until the partner accepts, that is the only reason given (nothing is late yet).
    assert payment_holds(first, today) == ["The partner has not accepted the agreement yet."]
    services.agreement_accept(actor=partner, agreement=agreement, name="Pat", position="CEO")
    agreement.refresh_from_db()
    first = agreement.payments.get(number=1)
    assert payment_holds(first, today) == [
        "A condition to be met before the first payment is not met yet: A safeguarding policy "
        "is in place",
        "The return for Q1 2031/32 (April to June) has not been accepted yet.",
    ]
    services.condition_met(
        actor=officer, condition=agreement.conditions.get(), on=today, note="Policy seen"
    )
    first = agreement.payments.get(number=1)
    with pytest.raises(ValidationError, match="return for Q1 2031/32"):
        payments.payment_request(actor=officer, payment=first)
    accept_return(first.period, partner, officer)
    assert payment_holds(agreement.payments.get(number=1), today) == []
    # A late return says by how many days, as of the day it is asked.
    second = agreement.payments.get(number=2)
    late = second.period.due_on + dt.timedelta(days=3)
    assert "was due on 14 October 2031 and is 3 days late" in payment_holds(second, late)[0]


def test_request_approve_and_pay_posts_to_the_paid_account_of_the_ledger(
    active, officer, cfo, partner
):
    agreement = active()
    payment = agreement.payments.get(number=1)
    accept_return(payment.period, partner, officer)
    year = agreement.allocation.year
    before = budget_selectors.position(year)

    payments.payment_request(actor=officer, payment=payment)
    with pytest.raises(ValidationError, match="requested a payment cannot approve it"):
        payments.payment_approve(actor=officer, payment=payment)
    payments.payment_approve(actor=cfo, payment=payment)
    with pytest.raises(ValidationError) as excinfo:
        payments.payment_record_paid(
            actor=officer, payment=payment, paid_on=timezone.localdate(), finance_reference=""
        )
    assert "finance_reference" in excinfo.value.message_dict
    paid = payments.payment_record_paid(
        actor=officer, payment=payment, paid_on=timezone.localdate(), finance_reference="FIN-1"
    )
    assert paid.status == PaymentStatus.PAID
    entry = LedgerEntry.objects.get(account=Account.PAID)
    assert (entry.amount, entry.period, entry.allocation) == (
        D("2500.00"),
        "Q1",
        agreement.allocation,
    )
    assert paid.entry == entry
    assert budget_selectors.paid_total(agreement.allocation) == D("2500.00")
    # The commitment is as it was: the year's position does not count a payment twice.
    assert budget_selectors.position(year) == before


def test_the_approver_is_never_the_requester_even_for_the_cfo(active, officer, cfo, partner):
    agreement = active()
    payment = agreement.payments.get(number=1)
    accept_return(payment.period, partner, officer)
    payments.payment_request(actor=cfo, payment=payment)
    with pytest.raises(ValidationError, match="cannot approve it"):
        payments.payment_approve(actor=cfo, payment=payment)


def test_a_delegate_approves_up_to_the_amount_delegated(active, officer, partner, user_with, cfo):
    agreement = active()
    deputy = user_with(Role.COMMISSIONING_OFFICER)
    ApprovalDelegation.objects.create(
        delegate=deputy, up_to=D("2000"), starts_on=timezone.localdate(), created_by=cfo
    )
    payment = agreement.payments.get(number=1)
    accept_return(payment.period, partner, officer)
    payments.payment_request(actor=officer, payment=payment)
    with pytest.raises(ValidationError, match="only the Chief Finance Officer"):
        payments.payment_approve(actor=deputy, payment=payment)  # £2,500 > £2,000
    ApprovalDelegation.objects.create(
        delegate=deputy, up_to=D("5000"), starts_on=timezone.localdate(), created_by=cfo
    )
    assert payments.payment_approve(actor=deputy, payment=payment).status == "approved"


def test_approvals_never_exceed_the_maximum_sum(active, officer, cfo, partner):
    agreement = active()
    for payment in agreement.payments.all():
        accept_return(payment.period, partner, officer)
    # An extra instalment scheduled by mistake beyond the maximum sum.
    extra = agreement.payments.create(
        number=9, period=agreement.periods.get(number=4), due_on=agreement.ends_on, amount=1
    )
    for payment in agreement.payments.all():
        payments.payment_request(actor=officer, payment=payment)
    for payment in agreement.payments.exclude(pk=extra.pk):
        payments.payment_approve(actor=cfo, payment=payment)
    with pytest.raises(ValidationError, match="would go over it"):
        payments.payment_approve(actor=cfo, payment=extra)


def test_an_allocation_cannot_be_reduced_below_what_was_paid(active, officer, cfo, partner):
    agreement = active()
    payment = agreement.payments.get(number=1)
    accept_return(payment.period, partner, officer)
    payments.payment_request(actor=officer, payment=payment)
    payments.payment_approve(actor=cfo, payment=payment)
    payments.payment_record_paid(
        actor=officer, payment=payment, paid_on=timezone.localdate(), finance_reference="FIN-2"
    )
    with pytest.raises(ValidationError, match="already been paid"):
        allocation_vary(
            actor=officer,
            allocation=agreement.allocation,
            reason="Reduce",
            amounts={"FY": "2000"},
        )


def test_an_advance_needs_its_three_tests_recorded(draft, officer):
    agreement = draft()
    payment = agreement.payments.get(number=1)
    with pytest.raises(ValidationError) as excinfo:
        payments.payment_schedule_advance(
            actor=officer, payment=payment, agreed="", need="Set-up costs", necessary=""
        )
    assert set(excinfo.value.message_dict) == {"agreed", "necessary"}
    advance = payments.payment_schedule_advance(
        actor=officer,
        payment=payment,
        agreed="Agreed at the panel on 3 March",
        need="The project hires its worker before it starts",
        necessary="A small charity without reserves",
    )
    assert advance.timing == "advance" and advance.period is None
    assert advance.due_on == agreement.starts_on


def test_a_return_names_every_problem_and_saves_nothing(active, partner, user_with):
    agreement = active()
    period = agreement.periods.get(number=1)
    category = agreement.budget_categories.get()
    measure = agreement.outcomes.get().measures.get()
    with pytest.raises(ValidationError) as excinfo:
        returns.return_save(
            actor=partner,
            period=period,
            spend={category.pk: "-5"},
            actuals={measure.pk: "2.5"},
            partner_rag="purple",
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {f"spend-{category.pk}", f"actual-{measure.pk}", "partner_rag"}
    assert "whole number" in errors[f"actual-{measure.pk}"][0]
    with pytest.raises(ValidationError) as excinfo:
        returns.return_submit(actor=partner, period=period)
    assert "partner_rag" in excinfo.value.message_dict
    other = user_with(Role.PARTNER, organisation=None)
    with pytest.raises(ValidationError, match="only the funded organisation"):
        returns.return_save(actor=other, period=period, spend={}, actuals={})


def test_an_officer_returns_a_return_for_changes_and_the_partner_submits_again(
    active, partner, officer
):
    agreement = active()
    period = agreement.periods.get(number=1)
    category = agreement.budget_categories.get()
    measure = agreement.outcomes.get().measures.get()

    def save(spend):
        returns.return_save(
            actor=partner,
            period=period,
            spend={category.pk: spend},
            actuals={measure.pk: "9"},
            partner_rag="amber",
        )

    save("100")
    returns.return_submit(actor=partner, period=period)
    with pytest.raises(ValidationError, match="can be changed only if the officer returns it"):
        save("200")
    returns.return_send_back(actor=officer, period=period, comment="Spend looks low")
    save("2500")
    returns.return_submit(actor=partner, period=period)
    report = returns.return_accept(
        actor=officer, period=period, officer_rag="amber", reason="Slightly behind target"
    )
    assert [e.action for e in report.events.all()] == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert report.spend.get().amount == D("2500.00")


def test_a_return_counts_as_in_only_from_the_day_it_was_submitted(active, partner, officer):
    from commissioning.agreements.models import ReportingPeriod
    from commissioning.agreements.rules import days_late

    agreement = active()
    period = agreement.periods.get(number=1)
    accept_return(period, partner, officer)
    ReportingPeriod.objects.filter(pk=period.pk).update(
        starts_on=dt.date(2020, 4, 1), ends_on=dt.date(2020, 6, 30), due_on=dt.date(2020, 7, 14)
    )
    period = ReportingPeriod.objects.select_related("report").get(pk=period.pk)
    submitted = timezone.localtime(period.report.submitted_at).date()
    assert days_late(period, dt.date(2020, 7, 20)) == 6  # asked of a day before it came in
    assert days_late(period, submitted) == 0
    assert days_late(period, dt.date(2020, 7, 14)) == 0  # the due date itself
