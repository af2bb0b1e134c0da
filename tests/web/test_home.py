"""Each person's home says what needs them now, each item counted and a link to the work;
the home costs the same number of queries however much work there is."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.agreements import payments, returns
from commissioning.core.roles import Role
from tests.agreements.conftest import accept_return, ready
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def submit(period, partner):
    agreement = period.agreement
    returns.return_save(
        actor=partner,
        period=period,
        spend={c.pk: "100" for c in agreement.budget_categories.all()},
        actuals={m.pk: "10" for o in agreement.outcomes.all() for m in o.measures.all()},
        achievements="Ten supported",
        partner_rag="green",
    )
    returns.return_submit(actor=partner, period=period)


def test_someone_signed_out_sees_no_work(client):
    html = client.get(reverse("home")).content.decode()
    assert "What needs you now" not in html


def test_the_officer_sees_returns_to_review_and_each_link_opens(client, officer, active, partner):
    agreement = active("10000")
    submit(agreement.periods.get(number=1), partner)
    html = home(client, officer)
    assert "<strong>1</strong> monitoring return to review" in html
    assert reverse("monitoring") in html
    assert client.get(reverse("monitoring")).status_code == 200


def test_the_cfo_approves_what_an_officer_requested_and_the_requester_does_not(
    client,
    officer,
    cfo,
    active,
    partner,
    user_with,
):
    agreement = active("10000")
    first = agreement.payments.get(number=1)
    accept_return(first.period, partner, officer)
    payments.payment_request(actor=officer, payment=first)
    assert "instalment requested, to approve" in home(client, cfo)
    assert "instalment requested, to approve" not in home(client, officer)


def test_a_partner_sees_the_agreement_to_accept(client, draft, officer, partner):
    from commissioning.agreements import services

    agreement = ready(draft("5000"), officer)
    services.agreement_issue(actor=officer, agreement=agreement)
    html = home(client, partner)
    assert "<strong>1</strong> agreement issued to you, to read and accept" in html
    assert reverse("our-agreements") in html


@pytest.mark.parametrize(
    ("role", "waiting"),
    [
        (Role.REVIEWER, "Applications come to reviewers once a round closes"),
        (Role.PANEL_MEMBER, "Applications come to the panel once their reviewers have scored"),
    ],
)
def test_someone_with_nothing_yet_is_told_when_work_comes(
    client, user_with, officer, year, role, waiting
):
    person = user_with(role)
    html = home(client, person)
    assert "Nothing needs you now" in html
    assert "no round is open" in html and waiting not in html
    grant_round = RoundFactory(actor=officer, year=year, title="PCC Grant 2031/32")
    html = home(client, person)
    closes = f"{grant_round.closes_at:%-d %B %Y}"
    assert f"{waiting}" in html and f"PCC Grant 2031/32 closes on {closes}." in html
    assert "no round is open" not in html


def test_the_home_costs_the_same_with_more_work(client, officer, active, partner):
    agreement = active("10000")
    submit(agreement.periods.get(number=1), partner)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for n in (2, 3):
        submit(agreement.periods.get(number=n), partner)
    other = active("20000")
    submit(other.periods.get(number=1), partner)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("home")).content.decode()
    assert "<strong>4</strong> monitoring returns to review" in html
    assert len(many) == len(one)
