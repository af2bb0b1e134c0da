"""The agreement pages through the test client, as the people who use them: the officer draws
up, fills and issues an agreement (seeing what is missing first), the partner reads and
accepts it, the officer requests an instalment, the CFO approves it and it is recorded as
paid. Every form names all its problems at once; a refusal shows on the page, never as a
500; another organisation's partner gets 404; GET writes nothing; POST needs CSRF."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.agreements import services
from commissioning.agreements.models import (
    Agreement,
    AgreementStatus,
    BudgetCategory,
    Condition,
    Outcome,
    Payment,
    PaymentStatus,
)
from commissioning.budgets.models import Account, LedgerEntry, Status
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation

from .conftest import accept_return, ready

pytestmark = pytest.mark.django_db


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def text_of(response) -> str:
    """The page's words, without tags or runs of white space."""
    html = response.content.decode()
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def summary_of(response) -> list[str]:
    """The lines of the page's error summary."""
    html = response.content.decode()
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert match, "the page has no error summary"
    return [
        htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", li).split()))
        for li in re.findall(r"<li>(.*?)</li>", match[1], re.S)
    ]


def url(name: str, agreement: Agreement, *args) -> str:
    return reverse(name, args=[agreement.uuid, *args])


@pytest.fixture
def stranger(user_with):
    """A partner of another organisation."""
    return user_with(
        Role.PARTNER, organisation=Organisation.objects.get(key="leicester-city-council")
    )


# --------------------------------------------------------------------------------------------
# Drawing up and issuing
# --------------------------------------------------------------------------------------------


def test_the_officer_draws_up_the_draft_of_a_committed_allocation_once(
    client, officer, make_allocation
):
    allocation = make_allocation("8000", status=Status.COMMITTED)
    login(client, officer)
    response = client.post(reverse("agreement-new", args=[allocation.uuid]))
    agreement = Agreement.objects.get(allocation=allocation)
    assert response.status_code == 302 and response["Location"] == url("agreement", agreement)
    page = text_of(client.get(response["Location"]))
    assert "This agreement is a draft: complete its terms, then issue it to the partner." in page
    assert "£8,000" in page and "Q4 2031/32" in page
    again = client.post(reverse("agreement-new", args=[allocation.uuid]))
    assert again["Location"] == url("agreement", agreement)
    assert Agreement.objects.filter(allocation=allocation).count() == 1


def test_an_indicative_allocation_is_refused_with_its_reason(client, officer, make_allocation):
    allocation = make_allocation("500")
    login(client, officer)
    response = client.post(reverse("agreement-new", args=[allocation.uuid]), follow=True)
    assert "an agreement is drawn up for a committed allocation" in text_of(response)
    assert not Agreement.objects.filter(allocation=allocation).exists()


def test_issuing_first_names_each_part_that_needs_work(client, officer, draft):
    agreement = draft()
    services.agreement_update(actor=officer, agreement=agreement, purpose=" ")
    login(client, officer)
    response = client.post(url("agreement-issue", agreement))
    assert response.status_code == 400
    assert summary_of(response) == [
        "The agreement: Say what the money is for",
        "Outcomes and measures: Add at least one outcome with a measure",
    ]
    assert 'href="#details"' in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT and agreement.terms.count() == 0


def outcome_post(**overrides) -> dict[str, str]:
    data = {
        "title": "Fewer repeat victims of domestic abuse",
        "measures-1-name": "Victims supported",
        "measures-1-unit": "count",
        "measures-1-baseline": "0",
        "measures-1-priority": "",
        "measures-1-target-1": "20",
        "measures-1-target-2": "25",
        "measures-1-target-3": "25",
        "measures-1-target-4": "30",
        "measures-2-name": "Victims who feel safer",
        "measures-2-unit": "percent",
        "measures-2-proposed_by_partner": "on",
        "measures-2-target-4": "75",
        "measures-3-unit": "count",
    }
    return {**data, **overrides}


def budget_post(rows) -> dict[str, str]:
    data = {}
    for i, (name, amount, profile) in enumerate(rows, start=1):
        data[f"categories-{i}-name"] = name
        data[f"categories-{i}-amount"] = amount
        for n, value in enumerate(profile, start=1):
            data[f"categories-{i}-profile-{n}"] = value
    return data


def test_the_officer_fills_the_terms_on_the_pages_and_issues(client, officer, draft):
    agreement = draft("10000")
    login(client, officer)
    edit = client.post(
        url("agreement-edit", agreement),
        {
            "title": "Safe at home",
            "purpose": "Support for victims of domestic abuse in Leicester",
            "starts_on": "1/4/2031",
            "ends_on": "31/3/2032",
            "maximum_sum": "10,000",
            "retention_percent": "0",
            "quality_standards": "Staff trained to the SafeLives standard",
            "underperformance": "An improvement plan agreed within a month",
        },
    )
    assert edit.status_code == 302
    assert client.post(url("agreement-outcome-add", agreement), outcome_post()).status_code == 302
    outcome = Outcome.objects.get(agreement=agreement)
    assert [m.name for m in outcome.measures.all()] == [
        "Victims supported",
        "Victims who feel safer",
    ]
    assert outcome.measures.get(order=2).proposed_by_partner
    condition = client.post(
        url("agreement-condition-add", agreement),
        {"kind": "precedent", "text": "A safeguarding policy is in place"},
    )
    assert condition.status_code == 302
    budget = client.post(
        url("agreement-budget", agreement),
        budget_post(
            [
                ("Staff", "8,000", ["2000", "2000", "2000", "2000"]),
                ("Venue", "2000", ["500", "500", "500", "500"]),
            ]
        ),
    )
    assert budget.status_code == 302
    assert [c.name for c in BudgetCategory.objects.filter(agreement=agreement)] == [
        "Staff",
        "Venue",
    ]
    advance = client.post(
        url("payment-advance", agreement, 1),
        {
            "agreed": "Agreed at the panel on 3 March",
            "need": "The worker is hired before the project starts",
            "necessary": "A small charity without reserves",
        },
    )
    assert advance.status_code == 302
    assert agreement.payments.get(number=1).timing == "advance"

    page = text_of(client.get(url("agreement", agreement)))
    assert "Outcome 1: Fewer repeat victims of domestic abuse" in page
    assert "Victims who feel safer" in page and "75%" in page
    assert "Staff £8,000 £2,000 £2,000 £2,000 £2,000" in page
    assert "A safeguarding policy is in place" in page and "Not met yet" in page

    issued = client.post(url("agreement-issue", agreement))
    assert issued.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ISSUED
    terms = agreement.terms.get()
    assert terms.content["title"] == "Safe at home"
    page = text_of(client.get(url("agreement", agreement)))
    assert "This agreement is waiting for the partner to accept it." in page
    assert "Version 1, issued" in page
    # The instalments are held, with the reason shown.
    assert "Held: The partner has not accepted the agreement yet." in page
    # Drafting is over: the forms send the officer back to the agreement.
    assert client.get(url("agreement-edit", agreement))["Location"] == url("agreement", agreement)


def test_an_outcome_and_a_condition_can_be_removed_from_a_draft(client, officer, draft):
    agreement = ready(draft(), officer)
    services.condition_add(actor=officer, agreement=agreement, kind="ongoing", text="Report")
    services.condition_add(actor=officer, agreement=agreement, kind="ongoing", text="Audit")
    login(client, officer)
    assert client.post(url("agreement-condition-remove", agreement, 1)).status_code == 302
    assert [(c.order, c.text) for c in Condition.objects.filter(agreement=agreement)] == [
        (1, "Audit")
    ]
    assert client.post(url("agreement-outcome-remove", agreement, 1)).status_code == 302
    assert not Outcome.objects.filter(agreement=agreement).exists()
    # The next outcome takes the free number.
    client.post(url("agreement-outcome-add", agreement), outcome_post())
    assert Outcome.objects.get(agreement=agreement).order == 1


# --------------------------------------------------------------------------------------------
# Every form names every problem at once, and writes nothing
# --------------------------------------------------------------------------------------------


def test_the_outcome_form_names_every_problem_at_once(client, officer, draft):
    agreement = draft()
    login(client, officer)
    before = AuditEvent.objects.count()
    response = client.post(
        url("agreement-outcome-add", agreement),
        outcome_post(
            **{
                "title": "",
                "measures-1-name": "",
                "measures-1-target-2": "lots",
                "measures-1-priority": "SP99",
                "measures-2-target-4": "120",
            }
        ),
    )
    assert response.status_code == 400
    summary = summary_of(response)
    assert "Give the outcome a title" in summary
    assert "Measure 1: give it a name" in summary
    assert "Enter a number, like 12 or 12.5" in summary
    assert "Measure 2: a percentage is from 0 to 100" in summary
    assert any("SP99" in line for line in summary)
    html = response.content.decode()
    assert 'id="id_measures-1-target-2-error"' in html  # the message sits by its box
    assert Outcome.objects.filter(agreement=agreement).count() == 0
    assert AuditEvent.objects.count() == before


def test_the_budget_form_names_every_problem_at_once(client, officer, draft):
    agreement = draft("1000")
    login(client, officer)
    response = client.post(
        url("agreement-budget", agreement),
        budget_post(
            [
                ("Staff", "900", ["400", "400", "", ""]),
                ("", "-5", ["", "", "", ""]),
                ("Venue", "lots", ["", "", "", "1,00"]),
            ]
        ),
    )
    assert response.status_code == 400
    summary = " | ".join(summary_of(response))
    assert "Line 1: the profile adds up to £800, not £900" in summary
    assert "Line 2: name the category" in summary
    assert "Line 2: enter an amount of £0 or more" in summary
    assert "“lots” is not an amount of money" in summary
    assert "“1,00” is not an amount of money" in summary
    assert 'id="id_categories-1-amount-error"' in response.content.decode()
    assert BudgetCategory.objects.filter(agreement=agreement).count() == 0


def test_the_details_form_names_every_problem_at_once(client, officer, draft):
    agreement = draft()
    login(client, officer)
    response = client.post(
        url("agreement-edit", agreement),
        {
            "title": "",
            "starts_on": "31/2/2031",
            "ends_on": "",
            "maximum_sum": "ten",
            "retention_percent": "150",
        },
    )
    assert response.status_code == 400
    summary = summary_of(response)
    assert summary == [
        "Enter the title",
        "Start date: enter a real date, like 31/3/2032",
        "Enter the end date",
        "Enter the amount for Maximum sum in pounds, like 1,250 or 1,250.50",
        "Retention is a percentage from 0 up to 100",
    ]
    # Over the commitment: the service's refusal lands on its field.
    over = client.post(
        url("agreement-edit", agreement),
        {
            "title": "T",
            "purpose": "P",
            "starts_on": "1/4/2031",
            "ends_on": "31/3/2032",
            "maximum_sum": "10,000.01",
        },
    )
    assert over.status_code == 400
    assert 'id="id_maximum_sum-error"' in over.content.decode()
    agreement.refresh_from_db()
    assert agreement.maximum_sum == D("10000.00") and agreement.title != "T"


def test_the_condition_and_advance_forms_name_every_problem_at_once(client, officer, draft):
    agreement = draft()
    login(client, officer)
    condition = client.post(url("agreement-condition-add", agreement), {"text": " "})
    assert summary_of(condition) == ["Choose when the condition applies", "Write the condition"]
    advance = client.post(url("payment-advance", agreement, 1), {"need": "Set-up costs"})
    assert summary_of(advance) == [
        "Say how paying in advance was agreed",
        "Say why paying in advance is necessary",
    ]
    assert agreement.payments.get(number=1).timing == "arrears"
    assert not Condition.objects.filter(agreement=agreement).exists()


# --------------------------------------------------------------------------------------------
# The partner: what they may see, and accepting
# --------------------------------------------------------------------------------------------


def test_another_organisations_partner_gets_404_everywhere(client, officer, draft, stranger):
    agreement = ready(draft(), officer)
    services.agreement_issue(actor=officer, agreement=agreement)
    login(client, stranger)
    for address in (
        url("agreement", agreement),
        url("agreement-pdf", agreement),
        url("agreement-accept", agreement),
        url("payment-paid", agreement, 1),
    ):
        assert client.get(address).status_code == 404, address
    assert (
        client.post(url("agreement-accept", agreement), {"name": "X", "position": "Y"}).status_code
        == 404
    )
    assert client.post(url("payment-request", agreement, 1)).status_code == 404
    assert agreement.terms.get().__class__.objects.filter(acceptance__isnull=False).count() == 0
    assert "Test Charity" not in text_of(client.get(reverse("our-agreements")))


def test_the_partner_sees_no_draft(client, officer, draft, partner):
    agreement = draft()
    login(client, partner)
    assert client.get(url("agreement", agreement)).status_code == 404
    assert client.get(url("agreement-pdf", agreement)).status_code == 404
    assert agreement.reference not in text_of(client.get(reverse("our-agreements")))


def test_the_partner_reads_and_accepts_the_terms(client, officer, draft, partner):
    agreement = ready(draft(), officer)
    services.agreement_issue(actor=officer, agreement=agreement)
    login(client, partner)
    listed = client.get(reverse("our-agreements"))
    assert "Waiting for you to accept it" in text_of(listed)
    assert url("agreement-accept", agreement) in listed.content.decode()
    page = text_of(client.get(url("agreement", agreement)))
    assert "This agreement is waiting for you to accept it." in page
    terms = client.get(url("agreement-accept", agreement))
    assert terms.status_code == 200
    words = text_of(terms)
    assert "Fewer young people reoffend" in words and "£10,000" in words
    assert "Q1 2031/32 (April to June)" in words

    blank = client.post(url("agreement-accept", agreement), {"name": " ", "position": ""})
    assert blank.status_code == 400
    assert summary_of(blank) == [
        "Type your full name to sign",
        "Give your position in the organisation",
    ]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ISSUED

    signed = client.post(
        url("agreement-accept", agreement), {"name": "Pat Partner", "position": "Director"}
    )
    assert signed.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    page = text_of(client.get(url("agreement", agreement)))
    today = timezone.localdate()
    assert f"Signed by Pat Partner, Director, on {today.day} {today:%B %Y}" in page
    # Accepting twice is not offered: the page goes back to the agreement.
    assert client.get(url("agreement-accept", agreement)).status_code == 302


def test_staff_cannot_accept_for_the_partner(client, officer, draft):
    agreement = ready(draft(), officer)
    services.agreement_issue(actor=officer, agreement=agreement)
    login(client, officer)
    response = client.post(url("agreement-accept", agreement), {"name": "O", "position": "P"})
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ISSUED


# --------------------------------------------------------------------------------------------
# Payments
# --------------------------------------------------------------------------------------------


def test_request_approve_and_record_paid_on_the_pages(client, active, officer, cfo, partner):
    agreement = active()
    first = agreement.payments.get(number=1)
    accept_return(first.period, partner, officer)

    login(client, officer)
    page = text_of(client.get(url("agreement", agreement)))
    assert "1 instalment is ready to request." in page
    assert "Held: The return for Q2 2031/32 (July to September) has not been accepted yet." in page
    assert client.post(url("payment-request", agreement, 1)).status_code == 302
    assert Payment.objects.get(pk=first.pk).status == PaymentStatus.REQUESTED

    # The requester cannot approve: the reason is shown on the agreement page.
    refused = client.post(url("payment-approve", agreement, 1))
    assert refused.status_code == 400
    assert summary_of(refused) == [
        "Instalment 1: the person who requested a payment cannot approve it"
    ]
    assert Payment.objects.get(pk=first.pk).status == PaymentStatus.REQUESTED

    cfo_client = login(Client(), cfo)
    assert "1 payment waiting for your approval." in text_of(
        cfo_client.get(url("agreement", agreement))
    )
    assert cfo_client.post(url("payment-approve", agreement, 1)).status_code == 302
    assert Payment.objects.get(pk=first.pk).status == PaymentStatus.APPROVED

    page = text_of(client.get(url("agreement", agreement)))
    assert "1 approved payment to record as paid." in page
    # Both problems of the paid form at once.
    bad = client.post(
        url("payment-paid", agreement, 1), {"paid_on": "yesterday", "finance_reference": ""}
    )
    assert bad.status_code == 400
    assert summary_of(bad) == [
        "Date paid: enter a real date, like 31/3/2032",
        "Give the finance system's reference for the payment",
    ]
    future = (timezone.localdate() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    later = client.post(
        url("payment-paid", agreement, 1), {"paid_on": future, "finance_reference": "F1"}
    )
    assert summary_of(later) == ["The payment date cannot be in the future"]
    assert not LedgerEntry.objects.filter(account=Account.PAID).exists()

    today = timezone.localdate()
    paid = client.post(
        url("payment-paid", agreement, 1),
        {"paid_on": today.strftime("%d/%m/%Y"), "finance_reference": "FIN-0042"},
    )
    assert paid.status_code == 302
    payment = Payment.objects.get(pk=first.pk)
    assert payment.status == PaymentStatus.PAID and payment.finance_reference == "FIN-0042"
    assert LedgerEntry.objects.get(account=Account.PAID).amount == D("2500.00")
    page = text_of(client.get(url("agreement", agreement)))
    assert "FIN-0042" in page and "£2,500 paid" in page


def test_a_held_instalment_cannot_be_requested_and_says_why(client, active, officer):
    agreement = active()
    login(client, officer)
    page = client.get(url("agreement", agreement))
    assert url("payment-request", agreement, 1) not in page.content.decode()  # no button
    response = client.post(url("payment-request", agreement, 1))
    assert response.status_code == 400
    assert summary_of(response) == [
        "Instalment 1: The return for Q1 2031/32 (April to June) has not been accepted yet."
    ]
    assert agreement.payments.get(number=1).status == PaymentStatus.SCHEDULED


def test_a_request_is_sent_back_and_an_instalment_cancelled_with_reasons(
    client, active, officer, cfo, partner
):
    agreement = active()
    accept_return(agreement.periods.get(number=1), partner, officer)
    services_client = login(client, officer)
    services_client.post(url("payment-request", agreement, 1))
    cfo_client = login(Client(), cfo)
    assert cfo_client.get(url("payment-send-back", agreement, 1)).status_code == 200
    blank = cfo_client.post(url("payment-send-back", agreement, 1), {"reason": ""})
    assert summary_of(blank) == ["Say why the request is being sent back"]
    back = cfo_client.post(url("payment-send-back", agreement, 1), {"reason": "Wrong quarter"})
    assert back.status_code == 302
    assert agreement.payments.get(number=1).status == PaymentStatus.SCHEDULED
    cancel = client.post(url("payment-cancel", agreement, 4), {"reason": "Project ended early"})
    assert cancel.status_code == 302
    cancelled = agreement.payments.get(number=4)
    assert cancelled.status == PaymentStatus.CANCELLED
    assert cancelled.cancelled_reason == "Project ended early"


def test_a_condition_is_recorded_as_met_after_issue(client, draft, officer, partner):
    agreement = ready(draft(), officer)
    services.condition_add(actor=officer, agreement=agreement, kind="precedent", text="Policy")
    services.agreement_issue(actor=officer, agreement=agreement)
    login(client, officer)
    blank = client.post(url("agreement-condition-met", agreement, 1), {"on": "", "note": ""})
    assert summary_of(blank) == ["Enter the date the condition was met"]
    today = timezone.localdate()
    met = client.post(
        url("agreement-condition-met", agreement, 1),
        {"on": today.strftime("%d/%m/%Y"), "note": "Policy seen"},
    )
    assert met.status_code == 302
    condition = Condition.objects.get(agreement=agreement)
    assert condition.met_on == today and condition.met_by == officer
    assert "Policy seen" in text_of(client.get(url("agreement", agreement)))


def test_the_officer_withdraws_an_issued_agreement_to_amend_it(client, draft, officer):
    agreement = ready(draft(), officer)
    services.agreement_issue(actor=officer, agreement=agreement)
    login(client, officer)
    assert summary_of(client.post(url("agreement-withdraw", agreement), {"reason": ""})) == [
        "Say why the agreement is being withdrawn"
    ]
    assert client.post(url("agreement-withdraw", agreement), {"reason": "Fix"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


# --------------------------------------------------------------------------------------------
# GET writes nothing, POST needs CSRF, and the page's cost does not grow
# --------------------------------------------------------------------------------------------


def test_no_page_writes_on_get(client, active, officer, partner, cfo):
    agreement = active()
    before = (
        AuditEvent.objects.count(),
        LedgerEntry.objects.count(),
        Payment.objects.filter(status="scheduled").count(),
    )
    staff_pages = [
        url("agreement", agreement),
        url("agreement-pdf", agreement),
        url("agreement-edit", agreement),
        url("agreement-outcome-add", agreement),
        url("agreement-condition-add", agreement),
        url("agreement-budget", agreement),
        url("agreement-withdraw", agreement),
        url("agreement-close", agreement),
        url("payment-advance", agreement, 1),
        url("payment-paid", agreement, 1),
        url("payment-send-back", agreement, 1),
        url("payment-cancel", agreement, 1),
    ]
    login(client, officer)
    for address in staff_pages:
        assert client.get(address).status_code in (200, 302), address
    partner_client = login(Client(), partner)
    for address in (
        url("agreement", agreement),
        url("agreement-accept", agreement),
        reverse("our-agreements"),
    ):
        assert partner_client.get(address).status_code in (200, 302), address
    # The moves are POST only.
    assert client.get(url("payment-request", agreement, 1)).status_code == 405
    assert client.get(url("agreement-issue", agreement)).status_code == 405
    assert (
        AuditEvent.objects.count(),
        LedgerEntry.objects.count(),
        Payment.objects.filter(status="scheduled").count(),
    ) == before


def test_writes_need_csrf(officer, draft):
    agreement = ready(draft(), officer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    before = AuditEvent.objects.count()
    assert client.post(url("agreement-issue", agreement)).status_code == 403
    assert (
        client.post(
            url("agreement-condition-add", agreement), {"kind": "ongoing", "text": "T"}
        ).status_code
        == 403
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert AuditEvent.objects.count() == before


def agreement_with_quarters(officer, partner, make_allocation, years: int) -> Agreement:
    """An accepted agreement over `years` years (4 quarters each): an outcome with two
    measures targeted every quarter, two budget lines profiled every quarter, two
    conditions, and one return accepted."""
    allocation = make_allocation("12000", status=Status.COMMITTED)
    start = allocation.year.starts
    end = dt.date(start.year + years, 3, 31)
    agreement = services.agreement_draft(
        actor=officer, allocation=allocation, ends_on=end, retention_percent=D("10")
    )
    numbers = [p.number for p in agreement.periods.all()]
    services.outcome_add(
        actor=officer,
        agreement=agreement,
        title="Outcome",
        measures=[
            {"name": "A", "unit": "count", "targets": {n: "1" for n in numbers}},
            {"name": "B", "unit": "percent", "targets": {n: "50" for n in numbers}},
        ],
    )
    each = D("6000") / len(numbers)
    services.budget_set(
        actor=officer,
        agreement=agreement,
        categories=[
            {"name": name, "amount": "6000", "profile": {n: str(each) for n in numbers}}
            for name in ("Staff", "Venue")
        ],
    )
    for text in ("Policy", "Insurance"):
        services.condition_add(actor=officer, agreement=agreement, kind="precedent", text=text)
    services.agreement_issue(actor=officer, agreement=agreement)
    services.agreement_accept(actor=partner, agreement=agreement, name="P", position="D")
    accept_return(agreement.periods.get(number=1), partner, officer)
    return agreement


def test_the_agreement_page_costs_the_same_for_4_or_12_periods(
    officer, cfo, partner, make_allocation
):
    small = agreement_with_quarters(officer, partner, make_allocation, 1)
    large = agreement_with_quarters(officer, partner, make_allocation, 3)
    assert (small.periods.count(), large.periods.count()) == (4, 12)
    assert (small.payments.count(), large.payments.count()) == (5, 13)
    for user in (officer, cfo, partner):
        client = Client()
        client.force_login(user)
        counts = []
        for agreement in (small, large):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url("agreement", agreement))
            assert response.status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], (user, counts)
