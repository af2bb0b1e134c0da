"""Applicants are told the outcome with feedback: the decision (funded, funded at a reduced
amount with the amount, or not funded), the panel's reasons, and the moderated score with the
round's criteria; by email and in the product."""

import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.core import mail
from django.utils import timezone

from commissioning.core.models import Message
from commissioning.core.roles import Role
from commissioning.grants import review
from commissioning.grants.models import Round

from .helpers import score, screened_in

pytestmark = pytest.mark.django_db

# each application's two reviewers' (Need, Value for money) scores on 0..5
SCORES = [[(5, 4), (3, 4)], [(4, 3), (4, 5)], [(1, 2), (2, 1)]]


@pytest.fixture
def decided(grant_round, officer, user_with, django_capture_on_commit_callbacks):
    made = screened_in(grant_round, officer, user_with, 3)
    reviewers = [user_with(Role.REVIEWER) for _ in range(2)]
    review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={None: reviewers}, per_application=2
    )
    for (app, _), pairs in zip(made, SCORES, strict=True):
        for reviewer, values in zip(reviewers, pairs, strict=True):
            score(app.assignments.get(reviewer=reviewer), values, comment="Private note")
    panel = user_with(Role.PANEL_MEMBER)
    review.panel_declare(actor=panel, round=grant_round, interests="None")
    (a, _), (b, _), (c, _) = made
    review.panel_recommend(
        actor=panel, application=a, recommendation="fund", reasons="Strong evidence of need."
    )
    review.panel_recommend(
        actor=panel,
        application=b,
        recommendation="fund_reduced",
        amount="6,000",
        reasons="Fund the first year only.",
    )
    review.panel_recommend(
        actor=panel, application=c, recommendation="reject", reasons="No link to the plan."
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.round_decide(
            actor=user_with(Role.PCC),
            round=grant_round,
            approved_on=dt.date(2031, 6, 12),
            summary="As recommended",
        )
    return made


def expected_feedback(grant_round, pairs):
    """The moderated score and the mean per criterion, worked out here from the raw scores."""
    weights = [c.weight for c in grant_round.criteria.all()]
    scale = grant_round.scale_max
    weighted = [
        (sum(w * v for w, v in zip(weights, values, strict=True)) / scale).quantize(
            D("0.01"), rounding=ROUND_HALF_UP
        )
        for values in pairs
    ]
    moderated = (sum(weighted) / len(weighted)).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    means = [D(sum(values[i] for values in pairs)) / len(pairs) for i in range(len(weights))]
    return moderated, means


def message_for(app, user):
    (message,) = Message.objects.filter(recipient=user, about_uuid=app.uuid).exclude(
        subject__endswith="received"
    )
    return message


def test_funded_applicant_is_told_the_award_reasons_and_score(grant_round, decided):
    app, user = decided[0]
    message = message_for(app, user)
    assert message.subject == f"Application {app.reference}: funded"
    body = message.body
    assert "Decision: funded." in body and "£9,500, the amount you asked for" in body
    assert "The panel's reasons: Strong evidence of need." in body
    assert "12 June 2031" in body and grant_round.title in body
    moderated, (need, value) = expected_feedback(grant_round, SCORES[0])
    assert (
        f"Moderated score: {moderated} out of 100, the mean of 2 reviewers' weighted scores" in body
    )
    assert f"- Need (weight 60%): {need.normalize():f} out of 5" in body
    assert f"- Value for money (weight 40%): {value.normalize():f} out of 5" in body
    assert "Private note" not in body, "reviewers' comments stay with the panel"
    sent = [m for m in mail.outbox if m.subject == message.subject]
    assert sent and sent[0].to == [user.email] and sent[0].body == body


def test_reduced_award_names_both_amounts(grant_round, decided):
    app, user = decided[1]
    message = message_for(app, user)
    assert message.subject == f"Application {app.reference}: funded at a reduced amount"
    assert (
        "Decision: funded at a reduced amount. The Police and Crime Commissioner has awarded "
        "£6,000 of the £9,500 you asked for." in message.body
    )
    assert "The panel's reasons: Fund the first year only." in message.body
    moderated, _ = expected_feedback(grant_round, SCORES[1])
    assert f"Moderated score: {moderated} out of 100" in message.body
    app.refresh_from_db()
    assert app.award_amount == D("6000.00")


def test_rejected_applicant_is_told_why_and_how_it_scored(grant_round, decided):
    app, user = decided[2]
    message = message_for(app, user)
    assert message.subject == f"Application {app.reference}: not funded"
    assert "Decision: not funded." in message.body and "awarded" not in message.body
    assert "The panel's reasons: No link to the plan." in message.body
    moderated, (need, value) = expected_feedback(grant_round, SCORES[2])
    assert f"- Value for money (weight 40%): {value.normalize():f} out of 5" in message.body
    assert f"Moderated score: {moderated} out of 100" in message.body
    assert f"- Need (weight 60%): {need.normalize():f} out of 5" in message.body


def test_each_applicant_hears_only_of_its_own_application(decided):
    for app, user in decided:
        others = Message.objects.filter(recipient=user).exclude(about_uuid=app.uuid)
        assert not others.exists()


def test_a_round_that_has_closed_is_told_in_the_past_tense(decided, grant_round, officer):
    from commissioning.decisions import services as decisions
    from commissioning.decisions.public import staff_document

    Round.objects.filter(pk=grant_round.pk).update(
        opens_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        closes_at=dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC),
    )
    grant_round.refresh_from_db()
    text = staff_document(decisions.record_from_round(actor=officer, round=grant_round)).text()
    assert (
        "opened on 5 January 2026 and closed on 1 February 2026; 3 applications were received"
        in text
    )


def test_the_round_decision_is_drafted_as_a_decision_record_citing_the_awards(
    decided, grant_round, officer, user_with
):
    from django.core.exceptions import ValidationError

    from commissioning.decisions import services as decisions
    from commissioning.decisions.public import staff_document

    record = decisions.record_from_round(actor=officer, round=grant_round)
    doc = staff_document(record)
    for app, _ in decided:
        app.refresh_from_db()
    awarded = [app for app, _ in decided if app.allocation_id is not None]
    assert len(awarded) == 2
    assert [link.reference for link in doc.links] == sorted(a.reference for a in awarded)
    assert doc.links_total == sum(a.award_amount for a in awarded)
    assert {link.reasons for link in doc.links} == {
        "Strong evidence of need.",
        "Fund the first year only.",
    }
    assert record.decision_date == dt.date(2031, 6, 12)
    # The round has not closed yet: the record drafted before then does not say it closed.
    assert grant_round.closes_at > timezone.now()
    assert "; so far 3 applications have been received" in doc.text()
    assert "closed on" not in doc.text()
    assert "1 was not recommended" in doc.text()
    with pytest.raises(ValidationError, match="already has a decision record"):
        decisions.record_from_round(actor=officer, round=grant_round)
    with pytest.raises(ValidationError, match="only officers draft decision records"):
        decisions.record_from_round(actor=user_with(Role.PCC), round=grant_round)
