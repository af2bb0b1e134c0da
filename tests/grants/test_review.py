"""Themed review with conflicts of interest, weighted scores, the panel's ranking within the
pot, and the PCC's approval into the ledger."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from commissioning.budgets.selectors import allocation_lines
from commissioning.core.models import AuditEvent
from commissioning.core.permissions import allowed
from commissioning.core.roles import Role
from commissioning.grants import review, selectors, services
from commissioning.grants.status import Status
from commissioning.organisations.models import Organisation
from commissioning.plans.models import Theme

from .helpers import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(grant_round, user_with, officer):
    """Three screened-in applications of £9,500 from three organisations, theme 1."""
    theme = Theme.objects.get(number=1)
    apps = []
    for i in range(3):
        org = Organisation.objects.create(key=f"org-{i}", name=f"Org {i}", kind="charity")
        user = user_with(Role.PARTNER, organisation=org)
        app = services.application_start(actor=user, round=grant_round, title=f"Project {i}")
        complete(app, user)
        services.application_save(actor=user, application=app, theme=theme)
        services.application_submit(actor=user, application=app)
        services.application_screen(
            actor=officer, application=app, eligible=True, reason="Eligible"
        )
        apps.append(app)
    return apps


@pytest.fixture
def reviewers(user_with):
    return [user_with(Role.REVIEWER) for _ in range(3)]


def score_all(assignment, value):
    criteria = assignment.application.round.criteria.all()
    review.scores_submit(
        actor=assignment.reviewer,
        assignment=assignment,
        scores={c.pk: (value, f"Scored {value}") for c in criteria},
    )


def test_balanced_assignment_by_theme(grant_round, submitted, reviewers, officer):
    theme = Theme.objects.get(number=1)
    created = review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={theme.pk: reviewers}
    )
    assert len(created) == 6
    loads = sorted(sum(1 for a in created if a.reviewer == r) for r in reviewers)
    assert loads == [2, 2, 2]


def test_conflicted_reviewer_loses_sight_and_score(grant_round, submitted, reviewers, officer):
    theme = Theme.objects.get(number=1)
    review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={theme.pk: reviewers[:2]}
    )
    app = submitted[0]
    clean, conflicted = app.assignments.order_by("reviewer__username")
    assert not allowed(clean.reviewer, "grants.view_application", app), (
        "nothing is seen before declaring"
    )
    review.conflict_declare(actor=clean.reviewer, assignment=clean, has_conflict=False)
    review.conflict_declare(
        actor=conflicted.reviewer,
        assignment=conflicted,
        has_conflict=True,
        details="I am a trustee",
    )
    assert allowed(clean.reviewer, "grants.view_application", app)
    assert not allowed(conflicted.reviewer, "grants.view_application", app)
    with pytest.raises(ValidationError, match="conflicted reviewer cannot score"):
        score_all(conflicted, 5)
    score_all(clean, 4)
    app.refresh_from_db()
    assert app.status == Status.REVIEWED, (
        "the conflicted score is excluded, the clean one completes review"
    )
    (summary,) = [s for s in selectors.score_summaries(grant_round) if s.application == app]
    assert summary.reviewers == 1 and summary.moderated == D("80.00")


def test_panel_ranks_within_the_pot_and_pcc_approves_into_the_ledger(
    grant_round, submitted, reviewers, officer, user_with, year
):
    theme = Theme.objects.get(number=1)
    review.reviewers_assign(
        actor=officer,
        round=grant_round,
        reviewers_by_theme={theme.pk: reviewers},
        per_application=1,
    )
    for app, value in zip(submitted, [5, 3, 4], strict=True):
        (assignment,) = app.assignments.all()
        review.conflict_declare(
            actor=assignment.reviewer, assignment=assignment, has_conflict=False
        )
        score_all(assignment, value)
    rows, pot = selectors.panel_ranking(grant_round)
    assert pot == D("100000.00")
    assert [r.summary.application.title for r in rows] == ["Project 0", "Project 2", "Project 1"]
    assert [r.running_total for r in rows] == [D("9500.00"), D("19000.00"), D("28500.00")]
    panel = user_with(Role.PANEL_MEMBER)
    with pytest.raises(ValidationError, match="declaration of interests"):
        review.panel_recommend(
            actor=panel, application=submitted[0], recommendation="fund", reasons="Strong"
        )
    review.panel_declare(
        actor=panel, round=grant_round, interests="Trustee of Org 1", conflicted=[submitted[1]]
    )
    with pytest.raises(ValidationError, match="declared a conflict"):
        review.panel_recommend(
            actor=panel, application=submitted[1], recommendation="reject", reasons="Weak"
        )
    review.panel_recommend(
        actor=panel, application=submitted[0], recommendation="fund", reasons="Strong"
    )
    review.panel_recommend(
        actor=panel,
        application=submitted[2],
        recommendation="fund_reduced",
        amount="6,000",
        reasons="Scale down",
    )
    review.panel_declare(actor=officer, round=grant_round, interests="None")
    review.panel_recommend(
        actor=officer, application=submitted[1], recommendation="reject", reasons="Weak evidence"
    )
    pcc = user_with(Role.PCC)
    with pytest.raises(ValidationError):
        review.round_decide(
            actor=panel, round=grant_round, approved_on=dt.date(2031, 6, 1), summary="x"
        )
    review.round_decide(
        actor=pcc,
        round=grant_round,
        approved_on=dt.date(2031, 6, 1),
        summary="Approved as recommended",
    )
    statuses = {a.title: Application_status(a) for a in submitted}
    assert statuses == {
        "Project 0": Status.APPROVED,
        "Project 1": Status.DECLINED,
        "Project 2": Status.APPROVED,
    }
    lines = {l.initiative.split(" (")[0]: l for l in allocation_lines(year)}
    assert lines["Project 0"].total == D("9500.00") and lines["Project 2"].total == D("6000.00")
    assert all(l.status == "committed" and l.mechanism == "pcc_grant" for l in lines.values())


def Application_status(app):
    app.refresh_from_db()
    return app.status


def test_approval_never_takes_the_pot_over(grant_round, submitted, reviewers, officer, user_with):
    # The round's line is capped at £100,000.
    from commissioning.budgets import services as budget_services

    # Commit most of the pot elsewhere so only one £9,500 award still fits.
    budget_services.allocation_create(
        actor=officer,
        year=grant_round.year,
        amounts={"FY": "85000"},
        organisation=submitted[0].organisation,
        initiative="Earlier commitment",
        mechanism="pcc_grant",
        status="committed",
    )
    theme = Theme.objects.get(number=1)
    review.reviewers_assign(
        actor=officer,
        round=grant_round,
        reviewers_by_theme={theme.pk: reviewers},
        per_application=1,
    )
    panel = user_with(Role.PANEL_MEMBER)
    review.panel_declare(actor=panel, round=grant_round, interests="None")
    for app in submitted[:2]:
        (assignment,) = app.assignments.all()
        review.conflict_declare(
            actor=assignment.reviewer, assignment=assignment, has_conflict=False
        )
        score_all(assignment, 4)
        review.panel_recommend(actor=panel, application=app, recommendation="fund", reasons="Good")
    rows, pot = selectors.panel_ranking(grant_round)
    assert pot == D("15000.00") and [r.within_pot for r in rows] == [True, False]
    pcc = user_with(Role.PCC)
    review.application_approve(actor=pcc, application=submitted[0])
    from commissioning.budgets.services import CapExceeded

    with pytest.raises(CapExceeded):
        review.application_approve(actor=pcc, application=submitted[1])
    assert Application_status(submitted[1]) == Status.RECOMMENDED


def test_review_closes_whichever_comes_last_score_or_conflict(
    grant_round, submitted, reviewers, officer
):
    theme = Theme.objects.get(number=1)
    review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={theme.pk: reviewers[:2]}
    )
    app = submitted[0]
    first, second = app.assignments.order_by("reviewer__username")
    review.conflict_declare(actor=first.reviewer, assignment=first, has_conflict=False)
    score_all(first, 3)
    app.refresh_from_db()
    assert app.status == Status.IN_REVIEW, "the second reviewer has not declared yet"
    review.conflict_declare(
        actor=second.reviewer, assignment=second, has_conflict=True, details="Former employee"
    )
    app.refresh_from_db()
    assert app.status == Status.REVIEWED


def test_review_closes_by_itself_through_the_workflow_and_nobody_can_close_it(
    grant_round, submitted, reviewers, officer
):
    review.reviewers_assign(
        actor=officer,
        round=grant_round,
        reviewers_by_theme={None: reviewers[:1]},
        per_application=1,
    )
    app = submitted[0]
    with pytest.raises(ValidationError, match="happens by itself"):
        services.application_transition(actor=officer, application=app, to=Status.REVIEWED)
    (assignment,) = app.assignments.all()
    review.conflict_declare(actor=assignment.reviewer, assignment=assignment, has_conflict=False)
    score_all(assignment, 4)
    app.refresh_from_db()
    assert app.status == Status.REVIEWED
    event = AuditEvent.objects.get(action="application.reviewed", object_uuid=app.uuid)
    assert event.actor is None and event.actor_label == "system"
    assert event.before == {"status": "in_review"} and event.after == {"status": "reviewed"}
    last = app.events.last()
    assert (last.from_status, last.to_status, last.actor) == ("in_review", "reviewed", None)
    assert last.note == "every assigned reviewer without a conflict has scored"
