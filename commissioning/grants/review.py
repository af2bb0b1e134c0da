"""Review, panel and decision: reviewers assigned by theme, conflicts declared before
anything is seen, weighted scores, the panel's recommendations, and the PCC's approval, which
commits the awards in the ledger without ever taking the pot over. (The scores, the ranking
and the moderation figures are read in selectors.py.)"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from commissioning.budgets import services as budget_services
from commissioning.budgets.models import Status as AllocationStatus
from commissioning.core.actors import SYSTEM, user_of
from commissioning.core.audit import audit_record
from commissioning.core.money import ZERO, money_text, to_money
from commissioning.core.permissions import require
from commissioning.core.roles import Role
from commissioning.notifications.models import Kind
from commissioning.notifications.services import notify, people_with

from .models import (
    Application,
    PanelDeclaration,
    PanelRecommendation,
    Recommendation,
    ReviewAssignment,
    Round,
    RoundDecision,
    Score,
)
from .permissions import DECIDE, MANAGE, PANEL, REVIEW, reviewer_may_see
from .selectors import score_feedback
from .services import application_transition, message_send, misclassified
from .status import Status


def reviewers_assign(
    *,
    actor,
    round: Round,
    reviewers_by_theme: Mapping[int | None, Sequence],
    per_application: int = 2,
) -> list[ReviewAssignment]:
    """Assign each application in review to reviewers of its theme, fewest assignments first
    (balanced), never a reviewer from the applicant organisation."""
    require(actor, MANAGE)
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
                        application=app, reviewer=reviewer, created_by=user_of(actor)
                    )
                )
                load[reviewer.pk] += 1
        notify(
            users=[a.reviewer for a in created],
            message=f"Applications to {round.title} have been assigned to you to review: declare any conflict of interest, then score them.",
            link=reverse("review-queue"),
            kind=Kind.REVIEW_ASSIGNED,
        )
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
    require(actor, REVIEW)
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
        application_transition(actor=SYSTEM, application=app, to=Status.REVIEWED)
        if not app.round.applications.filter(status=Status.IN_REVIEW).exists():
            notify(
                users=people_with(Role.PANEL_MEMBER),
                message=f"Every application in review in {app.round.title} has been scored: the panel can now make its recommendations.",
                link=reverse("round-panel", args=[app.round.reference]),
                kind=Kind.PANEL_READY,
            )


def assignment_reassign(*, actor, assignment: ReviewAssignment, to) -> ReviewAssignment:
    require(actor, MANAGE)
    if to.organisation_id == assignment.application.organisation_id:
        raise ValidationError("A reviewer from the applicant organisation cannot review it")
    with transaction.atomic():
        assignment.withdrawn = True
        assignment.save(update_fields=["withdrawn", "updated_at"])
        new = ReviewAssignment.objects.create(
            application=assignment.application, reviewer=to, created_by=user_of(actor)
        )
        notify(
            users=[to],
            message=f"Application {new.application.reference} to {new.application.round.title} has been assigned to you to review: declare any conflict of interest, then score it.",
            link=reverse("review-queue"),
            kind=Kind.REVIEW_ASSIGNED,
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
    require(actor, REVIEW)
    if assignment.reviewer_id != getattr(actor, "pk", None) or assignment.withdrawn:
        raise ValidationError("Only the assigned reviewer can score this application")
    if not reviewer_may_see(actor, assignment.application):
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
                created_by=user_of(actor),
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


def _plain(value: Decimal) -> str:
    """60.00 -> "60", 4.50 -> "4.5": a figure without trailing zeros."""
    return f"{value.normalize():f}"


# --- telling applicants the outcome ---


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
                f"awarded {money_text(rec.amount)} of the {money_text(asked)} you asked for."
            )
        else:
            outcome = "funded"
            decision = (
                f"Decision: funded. The Police and Crime Commissioner has awarded "
                f"{money_text(rec.amount)}, the amount you asked for."
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


def panel_declare(
    *, actor, round: Round, interests: str, conflicted: Iterable[Application] = ()
) -> PanelDeclaration:
    require(actor, PANEL)
    if not interests.strip():
        raise ValidationError({"interests": "Declare your interests, or write None"})
    with transaction.atomic():
        declaration, _ = PanelDeclaration.objects.update_or_create(
            round=round,
            member=actor,
            defaults={"interests": interests.strip(), "created_by": user_of(actor)},
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


#: While any application of a round is here, the panel has not finished with the round.
AWAITING_PANEL = (Status.SUBMITTED, Status.IN_REVIEW, Status.REVIEWED)


def panel_recommend(
    *, actor, application: Application, recommendation: str, reasons: str, amount=None
) -> PanelRecommendation:
    require(actor, PANEL, application)
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
            created_by=user_of(actor),
        )
        to = (
            Status.NOT_RECOMMENDED
            if recommendation == Recommendation.REJECT
            else Status.RECOMMENDED
        )
        application_transition(actor=actor, application=application, to=to, note=reasons)
        if not application.round.applications.filter(status__in=AWAITING_PANEL).exists():
            notify(
                users=people_with(Role.PCC),
                message=f"The panel has made its recommendations on {application.round.title}: they are ready for your decision.",
                link=reverse("round-decision", args=[application.round.reference]),
                kind=Kind.AWARDS_TO_APPROVE,
            )
        return rec


def application_approve(
    *, actor, application: Application, approved_on: dt.date | None = None
) -> Application:
    """The PCC approves one recommended application: a committed allocation in the ledger
    under the round's capped line (refused, with nothing written, if the pot cannot take it).
    The applicant is told the outcome with the panel's reasons and how it was scored."""
    require(actor, DECIDE)
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
            authority=DECIDE,
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
    if the pot cannot take them all, nothing is approved and the message says by how much;
    if an application's priority belongs to another theme than its own (which the ledger
    refuses), nothing is approved and the message names each such application."""
    require(actor, DECIDE)
    recommended = list(
        round.applications.filter(status=Status.RECOMMENDED).select_related(
            "recommendation", "organisation", "round", "theme", "primary_priority__theme"
        )
    )
    in_the_way = misclassified(recommended)
    if in_the_way:
        raise ValidationError(
            "Nothing is approved yet: "
            + "; ".join(f"{app.reference}: {why}" for app, why in in_the_way)
            + ". A commissioning officer corrects the theme or priority on the application's "
            "page; then approve the round"
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
