"""Variations of an accepted agreement: proposed by one person, decided by another; the
original terms kept beside the new version; the schedule brought into line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from commissioning.agreements import payments, selectors, variations
from commissioning.agreements.forms import VariationForm
from commissioning.agreements.models import PaymentStatus
from commissioning.core.roles import Role

from .conftest import accept_return

pytestmark = pytest.mark.django_db


def approved_and_signed(variation, approver, partner):
    """The OPCC approves the variation and the partner signs it: the terms now in force."""
    variations.variation_approve(actor=approver, variation=variation)
    return variations.variation_sign(
        actor=partner, variation=variation, name="Pat Partner", position="Director"
    )


def test_an_increase_within_the_commitment_adds_an_instalment_and_a_terms_version(
    active, officer, cfo, partner
):
    agreement = active("10000", maximum_sum=D("8000"))
    variation = variations.variation_propose(
        actor=officer, agreement=agreement, reason="More families referred", maximum_sum=D("9000")
    )
    with pytest.raises(ValidationError, match="proposed a variation cannot decide it"):
        variations.variation_approve(actor=officer, variation=variation)
    variations.variation_approve(actor=cfo, variation=variation)
    agreement.refresh_from_db()
    assert agreement.maximum_sum == D("8000.00"), "approval alone changes nothing"
    terms = variations.variation_sign(
        actor=partner, variation=variation, name="Pat Partner", position="Director"
    )
    agreement.refresh_from_db()
    assert agreement.maximum_sum == D("9000.00") and terms.number == 2
    assert terms.acceptance.name == "Pat Partner"
    original = agreement.terms.get(number=1)
    assert (original.content["maximum_sum"], terms.content["maximum_sum"]) == (
        "8000.00",
        "9000.00",
    )
    extra = agreement.payments.order_by("-number").first()
    assert extra.amount == D("1000.00") and extra.period.final
    live = agreement.payments.exclude(status=PaymentStatus.CANCELLED)
    assert sum(p.amount for p in live) == agreement.maximum_sum


def test_an_increase_beyond_the_commitment_or_above_the_threshold_is_refused_by_field(
    active, officer, settings
):
    agreement = active("10000", maximum_sum=D("8000"))
    with pytest.raises(ValidationError) as excinfo:
        variations.variation_propose(
            actor=officer, agreement=agreement, reason="More", maximum_sum=D("10000.01")
        )
    assert "vary the allocation first" in excinfo.value.message_dict["maximum_sum"][0]
    settings.VARIATION_DECISION_OVER = D("500")
    with pytest.raises(ValidationError) as excinfo:
        variations.variation_propose(
            actor=officer, agreement=agreement, reason="", maximum_sum=D("9000")
        )
    assert set(excinfo.value.message_dict) == {"reason", "decision"}
    assert agreement.variations.count() == 0


def test_a_decrease_takes_the_difference_off_the_last_scheduled_instalments(
    active, officer, cfo, partner
):
    agreement = active("10000")  # four instalments of £2,500
    with pytest.raises(ValidationError, match="vary the budget with it"):
        variations.variation_propose(
            actor=officer, agreement=agreement, reason="Project scaled back", maximum_sum=D("6000")
        )
    variation = variations.variation_propose(
        actor=officer,
        agreement=agreement,
        reason="Project scaled back",
        maximum_sum=D("6000"),
        budget=[{"name": "Staff", "amount": "6000", "profile": {n: "1500" for n in range(1, 5)}}],
    )
    approved_and_signed(variation, cfo, partner)
    amounts = {p.number: (p.status, p.amount) for p in agreement.payments.all()}
    assert amounts[4] == (PaymentStatus.CANCELLED, D("2500.00"))
    assert amounts[3] == (PaymentStatus.SCHEDULED, D("1000.00"))
    # Below what is already approved or paid: refused.
    first = agreement.payments.get(number=1)
    accept_return(first.period, partner, officer)
    payments.payment_request(actor=officer, payment=first)
    payments.payment_approve(actor=cfo, payment=first)
    agreement.refresh_from_db()
    with pytest.raises(ValidationError, match="already approved or paid"):
        variations.variation_propose(
            actor=officer, agreement=agreement, reason="Less", maximum_sum=D("2000")
        )


def test_a_later_end_adds_quarters_and_moves_the_final_return_and_retention(
    active, officer, user_with, partner
):
    agreement = active("10000", retention_percent=D("10"))
    other_officer = user_with(Role.COMMISSIONING_OFFICER)
    old_end = agreement.ends_on
    variation = variations.variation_propose(
        actor=officer,
        agreement=agreement,
        reason="Six more months",
        ends_on=old_end + dt.timedelta(days=183),
    )
    approved_and_signed(variation, other_officer, partner)
    agreement.refresh_from_db()
    periods = list(agreement.periods.order_by("number"))
    assert len(periods) == 6 and [p.final for p in periods].count(True) == 1
    assert periods[-1].final and periods[-1].ends_on == agreement.ends_on
    retention = agreement.payments.get(retention=True)
    assert retention.period == periods[-1]
    with pytest.raises(ValidationError, match="to end it early"):
        variations.variation_propose(
            actor=officer, agreement=agreement, reason="Shorter", ends_on=old_end
        )


def test_a_budget_variation_keeps_categories_with_spend_and_adds_up(active, officer, cfo, partner):
    agreement = active("10000")
    accept_return(agreement.periods.get(number=1), partner, officer, spent=D("100"))
    with pytest.raises(ValidationError) as excinfo:
        variations.variation_propose(
            actor=officer,
            agreement=agreement,
            reason="New heading",
            budget=[{"name": "Venue", "amount": "20000"}],
        )
    errors = " ".join(excinfo.value.message_dict["budget"])
    assert "Staff has spend reported against it" in errors and "more than the maximum" in errors
    variation = variations.variation_propose(
        actor=officer,
        agreement=agreement,
        reason="Split out the venue",
        budget=[
            {
                "name": "Staff",
                "amount": "8000",
                "profile": {1: "2000", 2: "2000", 3: "2000", 4: "2000"},
            },
            {"name": "Venue", "amount": "2000", "profile": {2: "1000", 3: "1000"}},
        ],
    )
    with pytest.raises(ValidationError, match="already waiting for a decision"):
        variations.variation_propose(
            actor=officer, agreement=agreement, reason="Another", maximum_sum=D("9000")
        )
    terms = approved_and_signed(variation, cfo, partner)
    assert [c["category"] for c in terms.content["budget"]] == ["Staff", "Venue"]
    assert agreement.terms.get(number=1).content["budget"][0]["amount"] == "10000.00"


def test_a_rejection_says_why_and_changes_nothing(active, officer, cfo):
    agreement = active("10000", maximum_sum=D("8000"))
    variation = variations.variation_propose(
        actor=officer, agreement=agreement, reason="More", maximum_sum=D("9000")
    )
    with pytest.raises(ValidationError):
        variations.variation_reject(actor=cfo, variation=variation, note="")
    rejected = variations.variation_reject(actor=cfo, variation=variation, note="Not this year")
    agreement.refresh_from_db()
    assert rejected.status == "rejected" and agreement.maximum_sum == D("8000.00")
    assert agreement.terms.count() == 1


def as_shown(agreement, **changes):
    """The variation form as a browser sends it: every field as the page filled it in, with
    the person's changes."""
    return {**VariationForm.initial_for(agreement), "reason": "", **changes}


def test_on_the_pages_an_officer_proposes_the_cfo_approves_and_the_partner_signs(
    client, active, officer, cfo, partner
):
    agreement = active("10000", maximum_sum=D("8000"))
    url = f"/agreements/{agreement.uuid}/"
    client.force_login(officer)
    assert "Propose a variation" in client.get(url).content.decode()
    form = client.get(url + "variations/new/").content.decode()
    assert 'value="8,000' in form or 'value="8000' in form  # the budget as it is
    response = client.post(
        url + "variations/new/", as_shown(agreement, maximum_sum="£12,000", ends_on="soon")
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "enter a real date" in body and "Why is the agreement being varied" in body
    assert agreement.variations.count() == 0
    response = client.post(
        url + "variations/new/", as_shown(agreement, maximum_sum="9,000", reason="More families")
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "The maximum sum becomes £9,000" in page and "Propose a variation" not in page
    assert "A new budget" not in page and "The budget becomes" not in page  # left as it was
    # The proposer has nothing to decide; the CFO has.
    assert client.get(url + "variations/1/decide/").status_code == 403
    client.force_login(cfo)
    page = client.get(url).content.decode()
    assert "Variation 1</a> is waiting for your decision" in page
    response = client.post(url + "variations/1/decide/", {"outcome": "reject", "note": ""})
    assert (
        response.status_code == 400
        and "Say why the variation is rejected" in response.content.decode()
    )
    response = client.post(url + "variations/1/decide/", {"outcome": "approve", "note": "Agreed"})
    assert response.status_code == 302
    assert client.get(url + "variations/1/sign/").status_code == 403  # the partner's to sign
    # The partner is asked to sign; until they do, the terms stand.
    client.force_login(partner)
    page = client.get(url).content.decode()
    assert "Variation 1</a> of the terms is waiting for you to sign it" in page
    assert "More families" in page and "Proposed by" not in page
    ours = client.get("/our-agreements/").content.decode()
    assert "Variation 1 is waiting for you to sign it" in ours
    response = client.post(url + "variations/1/sign/", {"answer": "sign", "name": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Type your full name to sign" in body and "Give your position" in body
    agreement.refresh_from_db()
    assert agreement.maximum_sum == D("8000.00") and agreement.terms.count() == 1
    response = client.post(
        url + "variations/1/sign/",
        {"answer": "sign", "name": "Pat Partner", "position": "Director"},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "The original terms beside the current ones" in page
    assert "£8,000" in page and "£9,000" in page and "Signed by Pat Partner" in page
    agreement.refresh_from_db()
    assert agreement.maximum_sum == D("9000.00")


def test_the_partner_may_decline_saying_why_and_the_terms_stand(
    client, active, officer, cfo, partner
):
    agreement = active("10000", maximum_sum=D("8000"))
    variation = variations.variation_propose(
        actor=officer, agreement=agreement, reason="More", maximum_sum=D("9000")
    )
    with pytest.raises(ValidationError, match="cannot go from proposed to in force"):
        variations.variation_sign(actor=partner, variation=variation, name="P", position="D")
    variations.variation_approve(actor=cfo, variation=variation)
    with pytest.raises(ValidationError, match="already waiting"):
        variations.variation_propose(
            actor=officer, agreement=agreement, reason="Other", ends_on=dt.date(2040, 1, 1)
        )
    client.force_login(partner)
    url = f"/agreements/{agreement.uuid}/variations/1/sign/"
    response = client.post(url, {"answer": "decline", "note": ""})
    assert response.status_code == 400
    assert "Say why you are declining" in response.content.decode()
    assert client.post(url, {"answer": "decline", "note": "We cannot staff it"}).status_code == 302
    variation.refresh_from_db()
    agreement.refresh_from_db()
    assert variation.status == "declined" and variation.partner_note == "We cannot staff it"
    assert agreement.maximum_sum == D("8000.00") and agreement.terms.count() == 1
    # Declined, it no longer blocks the next proposal.
    variations.variation_propose(
        actor=officer,
        agreement=agreement,
        reason="Later",
        ends_on=agreement.ends_on.replace(year=agreement.ends_on.year + 1),
    )


def test_measures_added_and_targets_changed_by_a_variation(active, officer, cfo, partner):
    agreement = active("10000")
    outcome = agreement.outcomes.get()
    measure = outcome.measures.get()
    numbers = {t.period.number: t.target for t in measure.targets.select_related("period")}
    accept_return(agreement.periods.get(number=1), partner, officer)
    # Every problem at once, each by its field.
    with pytest.raises(ValidationError) as excinfo:
        variations.variation_propose(
            actor=officer,
            agreement=agreement,
            reason="Add a measure",
            outcomes={
                "outcome": None,
                "title": "",
                "measures": [{"name": "", "unit": "percent", "targets": {2: "140"}}],
                "targets": {str(measure.pk): {1: "99", 2: "lots"}},
            },
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {
        "title",
        "measures-1-name",
        "measures-1-target-2",
        f"targets-{measure.pk}-1",
        f"targets-{measure.pk}-2",
    }
    assert "return for" in errors[f"targets-{measure.pk}-1"][0]
    assert agreement.variations.count() == 0
    variation = variations.variation_propose(
        actor=officer,
        agreement=agreement,
        reason="The partner suggested a second measure",
        outcomes={
            "outcome": outcome.order,
            "measures": [
                {
                    "name": "Families re-referred",
                    "unit": "count",
                    "proposed_by_partner": True,
                    "targets": {3: "2", 4: "1"},
                }
            ],
            # period 1 as it was (reported), period 3 raised, period 4 cleared
            "targets": {str(measure.pk): {1: str(numbers[1]), 3: "40", 4: ""}},
        },
    )
    assert [t["to"] for t in variation.outcomes["targets"]] == [{"3": "40", "4": None}]
    terms = approved_and_signed(variation, cfo, partner)
    names = [m["name"] for m in terms.content["outcomes"][0]["measures"]]
    assert names == [measure.name, "Families re-referred"]
    now = terms.content["outcomes"][0]["measures"][0]["targets"]
    assert now["3"] == "40.00" and "4" not in now and now["1"] == str(numbers[1])
    before = agreement.terms.get(number=1).content["outcomes"][0]["measures"]
    assert len(before) == 1 and before[0]["targets"]["4"] == str(numbers[4])
    rows = {row["what"]: row for row in selectors.terms_compared(agreement)}
    assert "2 measures" in rows["Outcomes"]["now"] and "1 measure)" in rows["Outcomes"]["original"]
    assert rows[f"Targets: {measure.name}"]["now"].count(",") == 2  # three periods left


def test_a_partner_sees_no_variations_and_cannot_propose(client, active, partner):
    agreement = active("10000", maximum_sum=D("8000"))
    client.force_login(partner)
    assert (
        "Propose a variation" not in client.get(f"/agreements/{agreement.uuid}/").content.decode()
    )
    response = client.post(
        f"/agreements/{agreement.uuid}/variations/new/", {"maximum_sum": "9000", "reason": "x"}
    )
    assert response.status_code == 403 and agreement.variations.count() == 0
