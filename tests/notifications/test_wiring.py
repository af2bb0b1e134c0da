"""Each service that gives someone work notifies the people whose work it now is, and
nobody else: reviewers assigned, the panel when a round is scored, the PCC when the panel
has finished, the Commissioner and the Monitoring Officer at each signature of a decision
record, the officers when a return is submitted, the partner when it is returned or
accepted and when a variation waits for their signature.

The session's demo data has people in every role (and notifications of its own), so each
test looks only at the notifications made after it started, and compares the recipients
with everyone holding the role."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissioning.agreements import returns, variations
from commissioning.core.roles import Role
from commissioning.decisions import services as decisions
from commissioning.grants import review
from commissioning.notifications.models import Kind, Notification
from commissioning.notifications.services import people_with
from commissioning.plans.models import Theme
from tests.decisions.conftest import draft as record_draft  # noqa: F401
from tests.grants.test_review import score_all, submitted  # noqa: F401

pytestmark = pytest.mark.django_db


class News:
    """The notifications made since the test began."""

    def __init__(self, since: int):
        self.since = since

    def of(self, kind):
        return Notification.objects.filter(pk__gt=self.since, kind=kind).order_by("pk")

    def told(self, kind) -> list:
        """Who was notified of `kind`, each once, in the order of their ids."""
        return sorted({n.recipient for n in self.of(kind)}, key=lambda u: u.pk)


@pytest.fixture
def news(since):
    return News(since)


def everyone(*roles, organisation=None) -> list:
    return list(people_with(*roles, organisation=organisation))


def test_reviewers_assigned_are_told_and_nobody_else(
    grant_round,
    submitted,  # noqa: F811
    person,
    officer,
    news,
):
    theme = Theme.objects.get(number=1)
    chosen = [person(Role.REVIEWER), person(Role.REVIEWER)]
    idle = person(Role.REVIEWER)
    review.reviewers_assign(actor=officer, round=grant_round, reviewers_by_theme={theme.pk: chosen})
    assert news.told(Kind.REVIEW_ASSIGNED) == chosen, "each assigned reviewer, not the idle one"
    assert news.of(Kind.REVIEW_ASSIGNED).count() == 2, "once each, however many applications"
    note = news.of(Kind.REVIEW_ASSIGNED).first()
    assert grant_round.title in note.message and note.link == reverse("review-queue")
    assert idle not in news.told(Kind.REVIEW_ASSIGNED)


def test_a_reassigned_application_tells_the_new_reviewer(
    grant_round,
    submitted,  # noqa: F811
    person,
    officer,
    news,
):
    theme = Theme.objects.get(number=1)
    first, second = person(Role.REVIEWER), person(Role.REVIEWER)
    review.reviewers_assign(
        actor=officer,
        round=grant_round,
        reviewers_by_theme={theme.pk: [first]},
        per_application=1,
    )
    assert news.told(Kind.REVIEW_ASSIGNED) == [first]
    review.assignment_reassign(actor=officer, assignment=submitted[0].assignments.get(), to=second)
    assert news.told(Kind.REVIEW_ASSIGNED) == [first, second]
    assert submitted[0].reference in news.of(Kind.REVIEW_ASSIGNED).last().message


def test_the_panel_hears_once_the_round_is_scored_and_the_pcc_once_it_has_recommended(
    grant_round,
    submitted,  # noqa: F811
    person,
    officer,
    news,
):
    theme = Theme.objects.get(number=1)
    reviewer = person(Role.REVIEWER)
    panel, pcc = person(Role.PANEL_MEMBER), person(Role.PCC)
    review.reviewers_assign(
        actor=officer,
        round=grant_round,
        reviewers_by_theme={theme.pk: [reviewer]},
        per_application=1,
    )
    for i, app in enumerate(submitted):
        assignment = app.assignments.get()
        review.conflict_declare(actor=reviewer, assignment=assignment, has_conflict=False)
        score_all(assignment, 4)
        last = i == len(submitted) - 1
        assert news.told(Kind.PANEL_READY) == (everyone(Role.PANEL_MEMBER) if last else [])
    assert panel in news.told(Kind.PANEL_READY) and pcc not in news.told(Kind.PANEL_READY)
    assert news.of(Kind.PANEL_READY).first().link == reverse(
        "round-panel", args=[grant_round.reference]
    )
    review.panel_declare(actor=panel, round=grant_round, interests="None")
    for i, app in enumerate(submitted):
        review.panel_recommend(actor=panel, application=app, recommendation="fund", reasons="Good")
        last = i == len(submitted) - 1
        assert news.told(Kind.AWARDS_TO_APPROVE) == (everyone(Role.PCC) if last else [])
    assert pcc in news.told(Kind.AWARDS_TO_APPROVE)
    assert panel not in news.told(Kind.AWARDS_TO_APPROVE)


def test_a_decision_record_approved_goes_to_the_pcc_and_signed_to_the_monitoring_officer(
    record_draft,  # noqa: F811
    cfo,
    person,
    news,
    django_capture_on_commit_callbacks,
):
    pcc, ceo = person(Role.PCC), person(Role.CHIEF_EXECUTIVE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decisions.record_approve(actor=cfo, record=record_draft)
    assert news.told(Kind.DECISION_TO_SIGN) == everyone(Role.PCC)
    assert pcc in news.told(Kind.DECISION_TO_SIGN) and cfo not in news.told(Kind.DECISION_TO_SIGN)
    assert news.told(Kind.DECISION_TO_DETERMINE) == []
    note = news.of(Kind.DECISION_TO_SIGN).get(recipient=pcc)
    assert record_draft.reference in note.message
    assert note.link == reverse("decision", args=[record_draft.slug])
    assert [m.subject for m in mail.outbox if m.to == [pcc.email]] == [note.message]
    decisions.record_sign(actor=pcc, record=record_draft)
    assert news.told(Kind.DECISION_TO_DETERMINE) == everyone(Role.CHIEF_EXECUTIVE)
    assert ceo in news.told(Kind.DECISION_TO_DETERMINE)


def test_a_refused_approval_notifies_nobody(record_draft, officer, cfo, person, news):  # noqa: F811
    """An approval refused inside its transaction (no recommendations yet) tells nobody."""
    person(Role.PCC)
    decisions.record_update(actor=officer, record=record_draft, recommendations="")
    with pytest.raises(ValidationError, match="recommendations"):
        decisions.record_approve(actor=cfo, record=record_draft)
    assert news.told(Kind.DECISION_TO_SIGN) == []


def _save(period, partner):
    agreement = period.agreement
    returns.return_save(
        actor=partner,
        period=period,
        spend={c.pk: "0" for c in agreement.budget_categories.all()},
        actuals={m.pk: "10" for o in agreement.outcomes.all() for m in o.measures.all()},
        achievements="Ten young people supported",
        partner_rag="green",
    )


def test_a_submitted_return_goes_to_the_officers_and_its_outcome_to_the_partner(
    active, partner, officer, person, organisation, news
):
    agreement = active()
    other_officer = person(Role.COMMISSIONING_OFFICER)
    cfo_only = person(Role.CFO)
    outsider = person(Role.PARTNER)  # a partner of no organisation of this agreement
    period = agreement.periods.get(number=1)
    _save(period, partner)
    returns.return_submit(actor=partner, period=period)
    officers = news.told(Kind.RETURN_SUBMITTED)
    assert officers == everyone(Role.COMMISSIONING_OFFICER)
    assert {officer, other_officer} <= set(officers) and cfo_only not in officers
    assert partner not in officers
    note = news.of(Kind.RETURN_SUBMITTED).first()
    assert note.link == reverse("return", args=[agreement.uuid, 1])
    assert str(organisation) in note.message and period.label in note.message

    returns.return_send_back(actor=officer, period=period, comment="Add the spend on staff")
    (back,) = news.of(Kind.RETURN_DECIDED)
    assert back.recipient == partner and "Add the spend on staff" in back.message
    _save(period, partner)
    returns.return_submit(actor=partner, period=period)
    returns.return_accept(actor=officer, period=period, officer_rag="green", reason="On track")
    back, accepted = news.of(Kind.RETURN_DECIDED)
    assert accepted.recipient == partner and "accepted" in accepted.message
    assert outsider not in news.told(Kind.RETURN_DECIDED)


def test_an_approved_variation_waits_for_the_partners_signature(
    active, officer, cfo, partner, news
):
    agreement = active("10000", maximum_sum=D("8000"))
    variation = variations.variation_propose(
        actor=officer, agreement=agreement, reason="More families referred", maximum_sum=D("9000")
    )
    assert news.told(Kind.VARIATION_TO_SIGN) == [], "a proposal is for the OPCC to decide first"
    variations.variation_approve(actor=cfo, variation=variation)
    assert news.told(Kind.VARIATION_TO_SIGN) == [partner]
    assert news.of(Kind.VARIATION_TO_SIGN).get().link == reverse(
        "variation-sign", args=[agreement.uuid, variation.number]
    )
