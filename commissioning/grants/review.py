"""Review, panel and decision: reviewers assigned by theme, conflicts declared before
anything is seen, weighted scores, the panel's ranking against the pot, and the PCC's
approval, which commits the awards in the ledger without ever taking the pot over."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from commissioning.budgets import services as budget_services
from commissioning.budgets.models import LedgerEntry
from commissioning.budgets.models import Status as AllocationStatus
from commissioning.core.audit import audit_record
from commissioning.core.money import ZERO, pounds, to_money
from commissioning.core.permissions import require

from .models import (
    Application,
    ApplicationEvent,
    PanelDeclaration,
    PanelRecommendation,
    Recommendation,
    ReviewAssignment,
    Round,
    RoundDecision,
    Score,
)
from .services import _user, application_transition, message_send
from .workflow import Status

TWO_PLACES = Decimal("0.01")


def reviewers_assign(
    *,
    actor,
    round: Round,
    reviewers_by_theme: Mapping[int | None, Sequence],
    per_application: int = 2,
) -> list[ReviewAssignment]:
    """Assign each application in review to reviewers of its theme, fewest assignments first
    (balanced), never a reviewer from the applicant organisation."""
    require(actor, "grants.manage")
    load: dict[int, int] = defaultdict(int)
    for row in (
        ReviewAssignment.objects.filter(application__round=round, withdrawn=False)
        .values("reviewer")
        .annotate(n=Count("id"))
    ):
        load[row["reviewer"]] = row["n"]
    created = []
    with transaction.atomic():
        apps = (
            round.applications.filter(status=Status.IN_REVIEW)
            .prefetch_related("assignments")
            .order_by("reference")
        )
        for app in apps:
            have = {a.reviewer_id for a in app.assignments.all() if not a.withdrawn}
            pool = list(reviewers_by_theme.get(app.theme_id) or reviewers_by_theme.get(None) or [])
            pool = [
                r for r in pool if r.pk not in have and r.organisation_id != app.organisation_id
            ]
            pool.sort(key=lambda r: (load[r.pk], r.username))
            for reviewer in pool[: max(0, per_application - len(have))]:
                created.append(
                    ReviewAssignment.objects.create(
                        application=app, reviewer=reviewer, created_by=_user(actor)
                    )
                )
                load[reviewer.pk] += 1
        audit_record(
            actor=actor,
            action="round.assign_reviewers",
            obj=round,
            after={"assignments": len(created)},
        )
    return created


def conflict_declare(
    *, actor, assignment: ReviewAssignment, has_conflict: bool, details: str = ""
) -> ReviewAssignment:
    """The reviewer declares, before seeing the application. A conflict hides it from them
    and excludes their score; an officer can then reassign it."""
    if assignment.reviewer_id != getattr(actor, "pk", None) or assignment.withdrawn:
        raise ValidationError("Only the assigned reviewer can declare on this assignment")
    if assignment.has_conflict is not None:
        raise ValidationError("A declaration has already been made; ask an officer to reassign it")
    if has_conflict and not details.strip():
        raise ValidationError({"details": "Say what the conflict is"})
    with transaction.atomic():
        assignment.has_conflict = has_conflict
        assignment.conflict_details = details.strip()
        assignment.conflict_declared_at = timezone.now()
        assignment.save(
            update_fields=["has_conflict", "conflict_details", "conflict_declared_at", "updated_at"]
        )
        _close_review_if_done(assignment.application)
        audit_record(
            actor=actor,
            action="review.declare",
            obj=assignment.application,
            after={"reviewer": str(actor), "conflict": has_conflict, "details": details},
        )
        return assignment


def _close_review_if_done(app: Application) -> None:
    """Once every live assignment is declared, and every one without a conflict is scored (and
    there is at least one), the application is reviewed. Called after each declaration and
    each set of scores, whichever comes last."""
    if app.status != Status.IN_REVIEW:
        return
    live = app.assignments.filter(withdrawn=False)
    undecided = live.filter(
        Q(has_conflict__isnull=True) | Q(has_conflict=False, completed_at__isnull=True)
    )
    if live.filter(has_conflict=False).exists() and not undecided.exists():
        frm = app.status
        app.status = Status.REVIEWED
        app.save(update_fields=["status", "updated_at"])
        ApplicationEvent.objects.create(
            application=app,
            from_status=frm,
            to_status=Status.REVIEWED,
            note="every assigned reviewer without a conflict has scored",
        )


def assignment_reassign(*, actor, assignment: ReviewAssignment, to) -> ReviewAssignment:
    require(actor, "grants.manage")
    if to.organisation_id == assignment.application.organisation_id:
        raise ValidationError("A reviewer from the applicant organisation cannot review it")
    with transaction.atomic():
        assignment.withdrawn = True
        assignment.save(update_fields=["withdrawn", "updated_at"])
        new = ReviewAssignment.objects.create(
            application=assignment.application, reviewer=to, created_by=_user(actor)
        )
        audit_record(
            actor=actor,
            action="review.reassign",
            obj=assignment.application,
            before={"reviewer": str(assignment.reviewer)},
            after={"reviewer": str(to)},
        )
        return new


def scores_submit(
    *, actor, assignment: ReviewAssignment, scores: Mapping[int, tuple[int, str]]
) -> ReviewAssignment:
    """Score every criterion (0 to the round's scale) with a comment each."""
    if assignment.reviewer_id != getattr(actor, "pk", None) or assignment.withdrawn:
        raise ValidationError("Only the assigned reviewer can score this application")
    if assignment.has_conflict is not False:
        raise ValidationError(
            "Declare whether you have a conflict of interest first; a conflicted reviewer cannot score"
        )
    if assignment.completed_at is not None:
        raise ValidationError("These scores have been submitted")
    rnd = assignment.application.round
    criteria = list(rnd.criteria.all())
    errors: dict[str, str] = {}
    for c in criteria:
        if c.pk not in scores:
            errors[f"criterion_{c.pk}"] = f"Score “{c.title}”"
            continue
        value, comment = scores[c.pk]
        if not isinstance(value, int) or not 0 <= value <= rnd.scale_max:
            errors[f"criterion_{c.pk}"] = f"“{c.title}”: a score from 0 to {rnd.scale_max}"
        if not (comment or "").strip():
            errors[f"comment_{c.pk}"] = f"“{c.title}”: add a comment"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for c in criteria:
            value, comment = scores[c.pk]
            Score.objects.create(
                assignment=assignment,
                criterion=c,
                score=value,
                comment=comment.strip(),
                created_by=_user(actor),
            )
        assignment.completed_at = timezone.now()
        assignment.save(update_fields=["completed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="review.score",
            obj=assignment.application,
            after={str(c.pk): scores[c.pk][0] for c in criteria},
        )
        _close_review_if_done(assignment.application)
        return assignment


@dataclass(frozen=True)
class ScoreSummary:
    application: Application
    reviewers: int
    scores: tuple[Decimal, ...]  # each reviewer's weighted score, as a percentage
    moderated: Decimal | None  # their mean
    spread: Decimal | None  # max - min


def weighted_score(
    assignment: ReviewAssignment, weights: Mapping[int, Decimal], scale: int
) -> Decimal:
    total = sum((weights[s.criterion_id] * Decimal(s.score) for s in assignment.scores.all()), ZERO)
    return (total / Decimal(scale)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def score_summaries(round: Round) -> list[ScoreSummary]:
    weights = {c.pk: c.weight for c in round.criteria.all()}
    apps = round.applications.filter(
        status__in=[
            Status.REVIEWED,
            Status.RECOMMENDED,
            Status.NOT_RECOMMENDED,
            Status.APPROVED,
            Status.DECLINED,
        ]
    ).prefetch_related(
        Prefetch(
            "assignments",
            queryset=ReviewAssignment.objects.filter(
                withdrawn=False, has_conflict=False, completed_at__isnull=False
            ).prefetch_related("scores"),
        )
    )
    out = []
    for app in apps:
        scores = tuple(weighted_score(a, weights, round.scale_max) for a in app.assignments.all())
        moderated = (
            (sum(scores, ZERO) / len(scores)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
            if scores
            else None
        )
        out.append(
            ScoreSummary(
                app, len(scores), scores, moderated, (max(scores) - min(scores)) if scores else None
            )
        )
    return out


def _live_scored(queryset):
    """Assignments whose scores count: not withdrawn, no conflict, scores submitted."""
    return queryset.filter(withdrawn=False, has_conflict=False, completed_at__isnull=False)


def _plain(value: Decimal) -> str:
    """60.00 -> "60", 4.50 -> "4.5": a figure without trailing zeros."""
    return f"{value.normalize():f}"


# --- moderation ---


@dataclass(frozen=True)
class ReviewerSpread:
    reviewer: Any
    scored: int  # applications scored in the round
    mean: Decimal  # mean weighted score, as a percentage
    difference: Decimal | None  # mean of (own score - others' mean) where others scored too
    compared: int  # applications that other reviewers also scored


@dataclass(frozen=True)
class ApplicationSpread:
    application: Application
    scores: tuple[tuple[Any, Decimal], ...]  # (reviewer, weighted score), lowest first
    moderated: Decimal
    low: Decimal
    high: Decimal
    spread: Decimal
    flagged: bool  # the spread is over the threshold


DEFAULT_SPREAD_THRESHOLD = Decimal(20)


def moderation(
    round: Round, threshold: Decimal = DEFAULT_SPREAD_THRESHOLD
) -> tuple[list[ReviewerSpread], list[ApplicationSpread]]:
    """How reviewers' weighted scores spread in a round: per reviewer, how many they scored,
    their mean, and how far they sit from the other reviewers of the same applications; per
    application, the range of its reviewers' scores, flagged when the spread (high - low) is
    over `threshold` percentage points. Counts only scores that count (no conflict, not
    withdrawn, submitted). Three queries, whatever the number of applications."""
    weights = {c.pk: c.weight for c in round.criteria.all()}
    assignments = _live_scored(ReviewAssignment.objects.filter(application__round=round))
    by_app: dict[int, list[tuple[Any, Decimal]]] = defaultdict(list)
    apps: dict[int, Application] = {}
    for a in assignments.select_related(
        "reviewer", "application", "application__organisation"
    ).prefetch_related("scores"):
        by_app[a.application_id].append((a.reviewer, weighted_score(a, weights, round.scale_max)))
        apps[a.application_id] = a.application
    spreads: list[ApplicationSpread] = []
    own: dict[int, list[Decimal]] = defaultdict(list)
    differences: dict[int, list[Decimal]] = defaultdict(list)
    reviewers: dict[int, Any] = {}
    for app_id, scores in by_app.items():
        values = [v for _, v in scores]
        total = sum(values, ZERO)
        low, high = min(values), max(values)
        spreads.append(
            ApplicationSpread(
                application=apps[app_id],
                scores=tuple(sorted(scores, key=lambda rs: (rs[1], rs[0].username))),
                moderated=_mean(values),
                low=low,
                high=high,
                spread=high - low,
                flagged=high - low > threshold,
            )
        )
        for reviewer, value in scores:
            reviewers[reviewer.pk] = reviewer
            own[reviewer.pk].append(value)
            if len(values) > 1:
                others = (total - value) / (len(values) - 1)
                differences[reviewer.pk].append(value - others)
    per_reviewer = [
        ReviewerSpread(
            reviewer=reviewers[pk],
            scored=len(values),
            mean=_mean(values),
            difference=_mean(differences[pk]) if differences[pk] else None,
            compared=len(differences[pk]),
        )
        for pk, values in own.items()
    ]
    per_reviewer.sort(key=lambda r: (r.reviewer.get_full_name() or r.reviewer.username).lower())
    spreads.sort(key=lambda s: (-s.spread, s.application.reference))
    return per_reviewer, spreads


def _mean(values: Sequence[Decimal]) -> Decimal:
    return (sum(values, ZERO) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# --- telling applicants the outcome ---


@dataclass(frozen=True)
class CriterionResult:
    title: str
    weight: Decimal
    mean: Decimal | None  # the mean of the reviewers' scores on it, None if nobody scored


@dataclass(frozen=True)
class ScoreFeedback:
    reviewers: int
    moderated: Decimal | None
    scale: int
    criteria: tuple[CriterionResult, ...]


def score_feedback(application: Application) -> ScoreFeedback:
    """The application's moderated score (the mean of its reviewers' weighted scores, as on
    the panel's ranking) and the mean score on each of the round's criteria."""
    rnd = application.round
    criteria = list(rnd.criteria.all())
    weights = {c.pk: c.weight for c in criteria}
    assignments = list(_live_scored(application.assignments.all()).prefetch_related("scores"))
    weighted = [weighted_score(a, weights, rnd.scale_max) for a in assignments]
    by_criterion: dict[int, list[Decimal]] = defaultdict(list)
    for a in assignments:
        for score in a.scores.all():
            by_criterion[score.criterion_id].append(Decimal(score.score))
    return ScoreFeedback(
        reviewers=len(assignments),
        moderated=_mean(weighted) if weighted else None,
        scale=rnd.scale_max,
        criteria=tuple(
            CriterionResult(
                c.title, c.weight, _mean(by_criterion[c.pk]) if by_criterion[c.pk] else None
            )
            for c in criteria
        ),
    )


def outcome_message(
    application: Application, *, approved_on: dt.date | None = None
) -> tuple[str, str]:
    """The subject and body that tell an applicant the PCC's decision: funded, funded at a
    reduced amount (with the amount), or not funded; the panel's reasons; and the moderated
    score with the round's criteria. Reviewers' names and comments are not included."""
    rnd = application.round
    rec = getattr(application, "recommendation", None)
    when = approved_on or timezone.localdate()
    asked = application.amount_requested
    if application.status == Status.APPROVED and rec is not None and rec.amount is not None:
        if asked is not None and rec.amount < asked:
            outcome = "funded at a reduced amount"
            decision = (
                f"Decision: funded at a reduced amount. The Police and Crime Commissioner has "
                f"awarded £{rec.amount:,} of the £{asked:,} you asked for."
            )
        else:
            outcome = "funded"
            decision = (
                f"Decision: funded. The Police and Crime Commissioner has awarded "
                f"£{rec.amount:,}, the amount you asked for."
            )
    else:
        outcome = "not funded"
        decision = "Decision: not funded."
    feedback = score_feedback(application)
    lines = [
        f"Dear {application.organisation},",
        "",
        f"The Police and Crime Commissioner decided on {when.day} {when:%B %Y} on your "
        f"application {application.reference}, “{application.title}”, to {rnd.title}.",
        "",
        decision,
        "",
        f"The panel's reasons: {rec.reasons if rec is not None else 'none were recorded.'}",
        "",
        "How your application was scored",
    ]
    if feedback.moderated is None:
        lines.append("No reviewer's scores were recorded for this application.")
    else:
        reviewers = "reviewer's" if feedback.reviewers == 1 else "reviewers'"
        lines += [
            f"Moderated score: {feedback.moderated} out of 100, the mean of "
            f"{feedback.reviewers} {reviewers} weighted scores.",
            f"Each of the round's criteria was scored from 0 to {feedback.scale}; "
            f"the mean of the reviewers' scores on each:",
        ]
        for c in feedback.criteria:
            mean = "not scored" if c.mean is None else f"{_plain(c.mean)} out of {feedback.scale}"
            lines.append(f"- {c.title} (weight {_plain(c.weight)}%): {mean}")
    return f"Application {application.reference}: {outcome}", "\n".join(lines)


@dataclass(frozen=True)
class RankedRow:
    summary: ScoreSummary
    amount: Decimal
    running_total: Decimal
    within_pot: bool


def pot_remaining(round: Round) -> Decimal:
    committed = LedgerEntry.objects.filter(
        year=round.year,
        version__mechanism=round.budget_line.mechanism,
        version__status=AllocationStatus.COMMITTED,
    ).aggregate(t=Sum("amount"))["t"]
    return round.budget_line.amount - pounds(committed)


def panel_ranking(round: Round) -> tuple[list[RankedRow], Decimal]:
    """Applications by moderated score (ties by reference), with the running total of what
    they ask for and whether each still fits in what is left of the pot."""
    pot = pot_remaining(round)
    rows, running = [], ZERO
    ranked = sorted(
        score_summaries(round), key=lambda s: (-(s.moderated or ZERO), s.application.reference)
    )
    for s in ranked:
        amount = s.application.amount_requested or ZERO
        running += amount
        rows.append(RankedRow(s, amount, running, running <= pot))
    return rows, pot


def panel_declare(
    *, actor, round: Round, interests: str, conflicted: Iterable[Application] = ()
) -> PanelDeclaration:
    require(actor, "grants.panel")
    if not interests.strip():
        raise ValidationError({"interests": "Declare your interests, or write None"})
    with transaction.atomic():
        declaration, _ = PanelDeclaration.objects.update_or_create(
            round=round,
            member=actor,
            defaults={"interests": interests.strip(), "created_by": _user(actor)},
        )
        declaration.conflicted_applications.set(list(conflicted))
        audit_record(
            actor=actor,
            action="panel.declare",
            obj=round,
            after={
                "member": str(actor),
                "interests": interests,
                "conflicted": [a.reference for a in conflicted],
            },
        )
        return declaration


def panel_recommend(
    *, actor, application: Application, recommendation: str, reasons: str, amount=None
) -> PanelRecommendation:
    require(actor, "grants.panel")
    declaration = application.round.panel_declarations.filter(member=actor).first()
    if declaration is None:
        raise ValidationError("Record your declaration of interests for this round first")
    if declaration.conflicted_applications.filter(pk=application.pk).exists():
        raise ValidationError("You declared a conflict on this application")
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the panel's reasons"})
    value = None
    if recommendation == Recommendation.FUND:
        value = application.amount_requested
    elif recommendation == Recommendation.FUND_REDUCED:
        try:
            value = to_money(amount)
        except (ValueError, TypeError):
            raise ValidationError({"amount": "Give the reduced amount"}) from None
        if not ZERO < value < (application.amount_requested or ZERO):
            raise ValidationError(
                {"amount": "A reduced amount is more than £0 and less than the amount asked for"}
            )
    elif recommendation != Recommendation.REJECT:
        raise ValidationError({"recommendation": "Fund, fund at a reduced amount, or reject"})
    with transaction.atomic():
        rec = PanelRecommendation.objects.create(
            application=application,
            recommendation=recommendation,
            amount=value,
            reasons=reasons.strip(),
            created_by=_user(actor),
        )
        to = (
            Status.NOT_RECOMMENDED
            if recommendation == Recommendation.REJECT
            else Status.RECOMMENDED
        )
        application_transition(actor=actor, application=application, to=to, note=reasons)
        return rec


def application_approve(
    *, actor, application: Application, approved_on: dt.date | None = None
) -> Application:
    """The PCC approves one recommended application: a committed allocation in the ledger
    under the round's capped line (refused, with nothing written, if the pot cannot take it).
    The applicant is told the outcome with the panel's reasons and how it was scored."""
    require(actor, "grants.decide")
    rec = getattr(application, "recommendation", None)
    if application.status != Status.RECOMMENDED or rec is None or rec.amount is None:
        raise ValidationError(
            "Only an application the panel recommended for funding can be approved"
        )
    with transaction.atomic():
        allocation = budget_services.allocation_create(
            actor=actor,
            year=application.round.year,
            amounts={"FY": rec.amount},
            organisation=application.organisation,
            initiative=f"{application.title} ({application.reference})",
            mechanism=application.round.mechanism,
            theme=application.theme,
            primary_priority=application.primary_priority,
            secondary_priority=application.secondary_priority,
            reach=application.area,
            status=AllocationStatus.COMMITTED,
            comment=f"{application.round.title}: {rec.get_recommendation_display()}. {rec.reasons}",
            source=f"Grant round {application.round.reference}, application {application.reference}",
            reason="Approved by the Police and Crime Commissioner",
        )
        application.award_amount = rec.amount
        application.allocation = allocation
        application.save(update_fields=["award_amount", "allocation", "updated_at"])
        application_transition(actor=actor, application=application, to=Status.APPROVED)
        subject, body = outcome_message(application, approved_on=approved_on)
        for user in application.organisation.users.all():
            message_send(to_user=user, subject=subject, body=body, about=application)
        return application


def round_decide(*, actor, round: Round, approved_on, summary: str) -> RoundDecision:
    """Approve every recommended application of a round in one decision. All or nothing:
    if the pot cannot take them all, nothing is approved and the message says by how much."""
    require(actor, "grants.decide")
    recommended = list(
        round.applications.filter(status=Status.RECOMMENDED).select_related(
            "recommendation", "organisation", "round"
        )
    )
    declined = list(round.applications.filter(status=Status.NOT_RECOMMENDED))
    with transaction.atomic():
        decision = RoundDecision.objects.create(
            round=round, approved_by=actor, approved_on=approved_on, summary=summary
        )
        for app in recommended:
            application_approve(actor=actor, application=app, approved_on=approved_on)
        for app in declined:
            application_transition(
                actor=actor,
                application=app,
                to=Status.DECLINED,
                note="the panel's recommendation confirmed",
            )
            subject, body = outcome_message(app, approved_on=approved_on)
            for user in app.organisation.users.all():
                message_send(to_user=user, subject=subject, body=body, about=app)
        audit_record(
            actor=actor,
            action="round.decide",
            obj=round,
            after={
                "approved": [a.reference for a in recommended],
                "declined": [a.reference for a in declined],
            },
        )
        return decision
