"""Pages for review and decision: officers assigning reviewers and reading the moderation,
reviewers declaring and scoring, the panel's ranking and recommendations, and the PCC's
decision on a round."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from commissioning.core.guard import Guarded

from .. import review, selectors
from ..forms import ThresholdForm
from ..permissions import DECIDE, MANAGE, PANEL, REVIEW, reviewer_may_see
from .setup import RoundRecordSlot


class AssignReviewersView(Guarded):
    """POST only: assign every reviewer-role user, balanced, to the applications in review."""

    permission = MANAGE

    def post(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        per = int(request.POST.get("per_application") or 2)
        created = review.reviewers_assign(
            actor=request.user,
            round=rnd,
            reviewers_by_theme={None: selectors.reviewers_active()},
            per_application=per,
        )
        messages.success(request, f"{len(created)} review assignments made.")
        return redirect("round-dashboard", reference=rnd.reference)


class RoundModerationView(Guarded):
    """How each reviewer's scores spread, and the applications whose reviewers disagree most."""

    permission = MANAGE

    def get(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        form = ThresholdForm(request.GET or None)
        threshold = selectors.DEFAULT_SPREAD_THRESHOLD
        if form.is_bound and form.is_valid() and form.cleaned_data["threshold"] is not None:
            threshold = form.cleaned_data["threshold"]
        reviewers, applications = selectors.moderation(rnd, threshold=threshold)
        return render(
            request,
            "grants/round_moderation.html",
            {
                "round": rnd,
                "form": form if form.is_bound else ThresholdForm(initial={"threshold": threshold}),
                "threshold": threshold,
                "reviewers": reviewers,
                "applications": applications,
                "flagged": sum(1 for a in applications if a.flagged),
            },
        )


class ReviewQueueView(Guarded):
    permission = REVIEW

    def get(self, request):
        return render(
            request, "grants/review_queue.html", {"rows": selectors.review_queue(request.user)}
        )


class DeclareView(Guarded):
    """The reviewer sees only who applied and the title, and declares before anything else."""

    permission = REVIEW

    def get(self, request, uuid):
        assignment = selectors.assignment_get(request.user, uuid)
        return render(request, "grants/declare.html", {"assignment": assignment})

    def post(self, request, uuid):
        assignment = selectors.assignment_get(request.user, uuid)
        try:
            review.conflict_declare(
                actor=request.user,
                assignment=assignment,
                has_conflict=request.POST.get("conflict") == "yes",
                details=request.POST.get("details", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("review-declare", uuid=assignment.uuid)
        if assignment.has_conflict:
            messages.success(
                request,
                "Conflict recorded: the application is hidden from you and an officer will reassign it.",
            )
            return redirect("review-queue")
        return redirect("review-score", uuid=assignment.uuid)


class ScoreView(Guarded):
    permission = REVIEW

    def _load(self, request, uuid):
        assignment = selectors.assignment_get(request.user, uuid)
        if not reviewer_may_see(request.user, assignment.application):
            raise Http404("Declare first; a conflicted reviewer cannot open the application")
        return assignment

    def _render(self, request, assignment, errors=None, posted=None, status=200):
        app = assignment.application
        page = selectors.score_page(assignment)
        return render(
            request,
            "grants/score.html",
            {
                "assignment": assignment,
                "app": app,
                "answers": page.answers,
                "attachments": page.attachments,
                "criteria": page.criteria,
                "scale": range(0, app.round.scale_max + 1),
                "errors": errors or {},
                "posted": posted or {},
            },
            status=status,
        )

    def get(self, request, uuid):
        return self._render(request, self._load(request, uuid))

    def post(self, request, uuid):
        assignment = self._load(request, uuid)
        scores = {}
        for c in assignment.application.round.criteria.all():
            raw = request.POST.get(f"score_{c.pk}", "")
            value = int(raw) if raw.isdigit() else -1
            scores[c.pk] = (value, request.POST.get(f"comment_{c.pk}", ""))
        try:
            review.scores_submit(actor=request.user, assignment=assignment, scores=scores)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            return self._render(request, assignment, errors, request.POST, status=400)
        messages.success(request, f"Scores for {assignment.application.reference} submitted.")
        return redirect("review-queue")


class PanelView(Guarded):
    permission = PANEL

    def get(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        panel = selectors.panel_page(rnd, request.user)
        return render(
            request,
            "grants/panel.html",
            {
                "round": rnd,
                "rows": panel.rows,
                "pot": panel.pot,
                "declaration": panel.declaration,
                "conflicted": panel.conflicted,
                "recommendable": panel.recommendable,
                "applications": panel.applications,
            },
        )


class PanelDeclareView(Guarded):
    permission = PANEL

    def post(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        conflicted = list(rnd.applications.filter(uuid__in=request.POST.getlist("conflicted")))
        try:
            review.panel_declare(
                actor=request.user,
                round=rnd,
                interests=request.POST.get("interests", ""),
                conflicted=conflicted,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Declaration of interests recorded.")
        return redirect("round-panel", reference=rnd.reference)


class RecommendView(Guarded):
    permission = PANEL

    def post(self, request, uuid):
        app = selectors.application_get(request.user, uuid)
        try:
            review.panel_recommend(
                actor=request.user,
                application=app,
                recommendation=request.POST.get("recommendation", ""),
                amount=request.POST.get("amount") or None,
                reasons=request.POST.get("reasons", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Recommendation recorded for {app.reference}.")
        return redirect("round-panel", reference=app.round.reference)


class DecisionView(RoundRecordSlot, Guarded):
    permission = DECIDE

    def get(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        decision = selectors.decision_page(rnd)
        return render(
            request,
            "grants/decision.html",
            {
                "round": rnd,
                "recommended": decision.recommended,
                "declined": decision.declined,
                "total": decision.total,
                "pot": decision.pot,
                "in_the_way": decision.in_the_way,
                "decided": hasattr(rnd, "decision"),
                **self.record_context(rnd),
            },
        )

    def post(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        try:
            review.round_decide(
                actor=request.user,
                round=rnd,
                approved_on=timezone.localdate(),
                summary=request.POST.get("summary", "Approved as recommended"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("round-decision", reference=rnd.reference)
        messages.success(
            request,
            "Decision recorded: the awards are committed in the ledger and the applicants told.",
        )
        return redirect("allocation-list", year=rnd.year.slug)
