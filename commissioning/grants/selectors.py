"""Reads for grant rounds: what each page shows, in a few queries whatever the number of
applications. Views make one call here and render; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    prefetch_related_objects,
)
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from commissioning.budgets.models import POT_ENTRIES, Account, LedgerEntry
from commissioning.budgets.models import Status as AllocationStatus
from commissioning.core.models import Message
from commissioning.core.money import ZERO, pounds
from commissioning.core.permissions import allowed, check
from commissioning.core.roles import Role
from commissioning.core.sorting import sort_chosen, sort_value
from commissioning.core.templatetags.govuk import money
from commissioning.organisations.models import Organisation

from . import rounds
from .models import (
    Application,
    Attachment,
    PanelDeclaration,
    QuestionKind,
    ReviewAssignment,
    Round,
)
from .permissions import APPLY, VIEW_APPLICATION, reviewer_may_see
from .services import misclassified
from .status import Status
from .workflow import APPLICATION

TWO_PLACES = Decimal("0.01")
# Statuses whose applications have been through review: those the panel ranks.
SCORED = frozenset(APPLICATION.reachable(Status.IN_REVIEW))
PAGE_SIZE = 50


# --- rounds and applications ---


def round_get(reference: str, *, published_only: bool = True) -> Round:
    """The round, or 404; a draft round only where `published_only` is False (officers)."""
    rnd = (
        Round.objects.select_related("year", "budget_line", "allocation_run")
        .filter(reference=reference)
        .first()
    )
    if rnd is None or (published_only and not rnd.published):
        raise Http404("No such round")
    return rnd


def rounds_published() -> QuerySet[Round]:
    return Round.objects.filter(published=True).prefetch_related("eligible").order_by("-opens_at")


@dataclass(frozen=True)
class RoundOffer:
    """A published round as one person sees it: who it is open to, and whether they may
    apply (`permissions.round_open_to`, through the apply rule)."""

    round: Round
    open_to: list  # the organisations chosen, by name; empty: open to every organisation
    partner: bool  # the person applies for an organisation (a partner)
    may_apply: bool  # ... and may apply to this round
    reason: str  # why they may or may not


def round_offer(user, rnd: Round) -> RoundOffer:
    ok, reason = check(user, APPLY, rnd)
    return RoundOffer(
        round=rnd,
        open_to=sorted(rnd.eligible.all(), key=lambda o: o.name),
        partner=allowed(user, APPLY),
        may_apply=ok,
        reason=reason,
    )


def rounds_offered(user) -> list[RoundOffer]:
    """The published rounds, newest first, each as `user` sees it; two queries in all."""
    return [round_offer(user, rnd) for rnd in rounds_published()]


def round_public_get(reference: str) -> Round:
    """A published round for its public page, with who it is open to and its criteria."""
    rnd = round_get(reference)
    prefetch_related_objects([rnd], "eligible", "criteria")
    return rnd


def rounds_draft() -> QuerySet[Round]:
    return Round.objects.filter(published=False).order_by("opens_at")


def application_get(user, uuid) -> Application:
    """The application, if this user may see it; otherwise 404, whoever asks and however."""
    # get(), not first(): first() orders by the model's ordering (the round's opening date,
    # then the reference), which costs more to build than the rest of the query.
    try:
        app = Application.objects.select_related(
            "round", "organisation", "theme", "primary_priority__theme"
        ).get(uuid=uuid)
    except Application.DoesNotExist:
        app = None
    if app is None or not allowed(user, VIEW_APPLICATION, app):
        raise Http404("No such application")
    return app


def attachment_get(application: Application, uuid) -> Attachment:
    attachment = Attachment.objects.filter(uuid=uuid, application=application).first()
    if attachment is None:
        raise Http404("No such file")
    return attachment


@dataclass(frozen=True)
class ApplicationPage:
    answers: QuerySet
    attachments: QuerySet
    events: QuerySet


def application_page(application: Application) -> ApplicationPage:
    return ApplicationPage(
        answers=application.answers.select_related("question").order_by("question__order"),
        attachments=application.attachments.select_related("question"),
        events=application.events.select_related("actor"),
    )


@dataclass(frozen=True)
class DraftPage:
    initial: dict[str, Any]  # the form's values as last saved
    attachments: QuerySet


def _typed(amount: Decimal | None) -> str | None:
    """An amount as a person would type it in a box with a £ prefix: "8,500", "8,500.50"."""
    return None if amount is None else money(amount).removeprefix("£")


def application_form_round(application: Application) -> Round:
    """The application's round with its questions, eligibility questions, themes and
    priorities read once: the form, the save and the submission of one request use them
    from there rather than each reading them again."""
    prefetch_related_objects(
        [application.round], "questions", "eligibility", "themes", "priorities"
    )
    return application.round


def draft_attachments(application: Application) -> QuerySet:
    return application.attachments.select_related("question")


def draft_page(application: Application) -> DraftPage:
    """The draft's form values as saved, and its files (`application_form_round` read)."""
    application_form_round(application)
    initial: dict[str, Any] = {
        "title": application.title,
        "amount_requested": _typed(application.amount_requested),
        "theme": application.theme_id,
        "primary_priority": application.primary_priority_id,
    }
    for answer in application.answers.select_related("question"):
        q = answer.question
        initial[f"q_{q.key}"] = (
            _typed(answer.amount)
            if q.kind == QuestionKind.AMOUNT
            else answer.date
            if q.kind == QuestionKind.DATE
            else answer.text
        )
    for key, value in (application.eligibility_answers or {}).items():
        initial[f"eligibility_{key}"] = "yes" if value else "no"
    return DraftPage(
        initial=initial,
        attachments=draft_attachments(application),
    )


@dataclass(frozen=True)
class MyApplications:
    applications: QuerySet
    inbox: list
    invited: list  # rounds not yet closed open only to chosen organisations, this one among them


def my_applications(user) -> MyApplications:
    invited = Round.objects.filter(
        published=True, closes_at__gte=timezone.now(), eligible=user.organisation_id
    ).prefetch_related("eligible")
    return MyApplications(
        applications=Application.objects.filter(
            organisation_id=user.organisation_id
        ).select_related("round"),
        inbox=list(Message.objects.filter(recipient=user)[:50]),
        invited=[r for r in invited.order_by("closes_at") if allowed(user, APPLY, r)],
    )


# --- officers ---


# The dashboard's sortable columns; anything else asked for sorts by reference.
APPLICATION_SORTS = ("reference", "organisation", "title", "status", "requested", "submitted")


@dataclass(frozen=True)
class DashboardRow:
    application: Application
    assigned: int  # reviewers assigned (not withdrawn)
    scored: int  # of them, those who have scored it


@dataclass(frozen=True)
class Dashboard:
    counts: list[tuple[str, str, int]]  # (status, its label, applications) of the whole round
    requested: Decimal | None  # asked for by the applications submitted
    page: Page  # of DashboardRow: the applications found
    found: int  # applications found by the search and filter (all of them, if none)
    chosen: dict[str, str]  # the search (`q`), `status` and `sort` as understood

    @property
    def sort(self) -> tuple[str, bool]:
        """The column sorted on, and whether descending."""
        chosen = self.chosen["sort"]
        return chosen.lstrip("-"), chosen.startswith("-")


# A search names at most this many organisations as a list of ids (see round_dashboard).
NAMED_AT_MOST = 1000


def round_dashboard(rnd: Round, chosen: Mapping[str, Any]) -> Dashboard:
    """Applications of the round by status, what the submitted ones ask for, and one page
    (`chosen["page"]`) of those found: searched (`q`) in reference, title and organisation,
    filtered by `status`, sorted (`sort`, one of `APPLICATION_SORTS`, "-" before it for
    descending), each with how many reviewers it has and how many have scored. Five queries,
    whatever the number of applications and whichever page (three without a search)."""
    counts: dict[str, int] = {}
    requested: Decimal | None = None
    for status, n, asked in (
        rnd.applications.values_list("status")
        .annotate(n=Count("id"), asked=Sum("amount_requested"))
        .order_by()
    ):
        counts[status] = n
        if status not in (Status.DRAFT, Status.WITHDRAWN) and asked is not None:
            requested = (requested or ZERO) + asked

    picked = {k: str(chosen.get(k) or "").strip() for k in ("q", "status")}
    picked["q"] = picked["q"][:100]
    if picked["status"] not in Status.values:
        picked["status"] = ""
    shown = rnd.applications.all()
    if picked["status"]:
        shown = shown.filter(status=picked["status"])
    if picked["q"]:
        # The organisations named first, then their applications: cheaper than joining
        # every application to its organisation to compare the name. As a list of ids, so
        # that on PostgreSQL the three conditions are each an index's (the reference and
        # title through trigram indexes, migration 0007) and the round is not scanned; a
        # word naming very many organisations falls back to the subquery.
        matching = Organisation.objects.filter(name__icontains=picked["q"]).values("id")
        named: Any = list(matching.values_list("id", flat=True)[: NAMED_AT_MOST + 1])
        if len(named) > NAMED_AT_MOST:
            named = matching
        shown = shown.filter(
            Q(reference__icontains=picked["q"])
            | Q(title__icontains=picked["q"])
            | Q(organisation_id__in=named)
        )
    key, descending = sort_chosen(chosen.get("sort"), APPLICATION_SORTS, "reference")
    picked["sort"] = sort_value(key, descending)
    columns: dict[str, F | Lower] = {
        "reference": F("reference"),
        "organisation": Lower("organisation__name"),
        "title": Lower("title"),
        # A status's code sorts as its label does (a test holds this), so the index serves.
        "status": F("status"),
        "requested": F("amount_requested"),
        "submitted": F("submitted_at"),
    }
    column = columns[key]
    # Only amounts and dates can be missing: ordering the rest without a NULLS LAST clause
    # lets the database walk the index on (round, column) rather than sort the round.
    nullable = key in ("requested", "submitted")
    ordering = (
        column.desc(nulls_last=nullable or None)
        if descending
        else column.asc(nulls_last=nullable or None)
    )
    # The page's ids first, then its rows: sorting and skipping ids alone is far cheaper for
    # the database than carrying every column of every application through the sort.
    ids = shown.order_by(ordering, "reference").values_list("id", flat=True)
    paginator = Paginator(ids, PAGE_SIZE)
    if not picked["q"]:  # the counts by status already say how many there are
        known = counts.get(picked["status"], 0) if picked["status"] else sum(counts.values())
        paginator.count = known  # type: ignore[misc]  # a cached property, given
    page: Page[Any] = paginator.get_page(chosen.get("page"))
    found = Application.objects.select_related("organisation").in_bulk(list(page.object_list))
    # The reviews of this page's applications only: counting them for every application
    # before taking a page would group the whole round's.
    tallies = {
        a: (assigned, scored)
        for a, assigned, scored in ReviewAssignment.objects.filter(
            application__in=list(found), withdrawn=False
        )
        .values_list("application")
        .annotate(assigned=Count("id"), scored=Count("id", filter=Q(completed_at__isnull=False)))
        .order_by()
    }
    page.object_list = [DashboardRow(found[i], *tallies.get(i, (0, 0))) for i in page.object_list]
    return Dashboard(
        counts=[(k, Status(k).label, counts[k]) for k in Status.values if k in counts],
        requested=requested,
        page=page,
        found=paginator.count,
        chosen=picked,
    )


def reviewers_active() -> list:
    """Every active user with the reviewer role, by username."""
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.REVIEWER, is_active=True)
        .order_by("username")
    )


APPLICATION_COLUMNS = (
    "reference",
    "organisation",
    "title",
    "status",
    "amount_requested",
    "theme",
    "reviewers",
    "moderated_score",
    "spread",
    "award_amount",
)


def applications_table(rnd: Round) -> tuple[Sequence[str], list[dict[str, Any]]]:
    """The round's applications with their moderated scores: the columns and the records."""
    moderated = {s.application.pk: s for s in score_summaries(rnd)}
    records = []
    for app in rnd.applications.select_related("organisation", "theme").order_by("reference"):
        s = moderated.get(app.pk)
        records.append(
            {
                "reference": app.reference,
                "organisation": app.organisation.name,
                "title": app.title,
                "status": app.get_status_display(),
                "amount_requested": app.amount_requested,
                "theme": app.theme.title if app.theme else "",
                "reviewers": s.reviewers if s else 0,
                "moderated_score": s.moderated if s else None,
                "spread": s.spread if s else None,
                "award_amount": app.award_amount,
            }
        )
    return APPLICATION_COLUMNS, records


@dataclass(frozen=True)
class Setup:
    locked: str  # why the form can no longer change, or ""
    criteria: list
    weight_total: Decimal
    eligibility: list
    questions: list
    themes: list
    priorities: list
    eligible: list  # the organisations that may apply, by name; none: every organisation
    problems: dict[str, list[str]]  # what stops publication, by field (none once locked)


def round_setup(rnd: Round) -> Setup:
    locked = rounds.round_locked_reason(rnd)
    criteria = list(rnd.criteria.all())
    return Setup(
        locked=locked,
        criteria=criteria,
        weight_total=sum((c.weight for c in criteria), ZERO),
        eligibility=list(rnd.eligibility.all()),
        questions=list(rnd.questions.all()),
        themes=list(rnd.themes.all()),
        priorities=list(rnd.priorities.all()),
        eligible=list(rnd.eligible.order_by("name")),
        problems={} if locked else rounds.round_publish_problems(rnd),
    )


# --- reviewers ---


@dataclass(frozen=True)
class QueueRow:
    assignment: ReviewAssignment
    may_see: bool  # declared no conflict: the application can be opened and scored


def review_queue(user) -> list[QueueRow]:
    assignments = (
        ReviewAssignment.objects.filter(reviewer=user, withdrawn=False)
        .select_related("application", "application__round", "application__organisation")
        .prefetch_related("application__assignments")
    )
    return [QueueRow(a, reviewer_may_see(user, a.application)) for a in assignments]


def assignment_get(user, uuid) -> ReviewAssignment:
    """The user's own live assignment, or 404."""
    assignment = (
        ReviewAssignment.objects.select_related(
            "application", "application__round", "application__organisation"
        )
        .filter(uuid=uuid, reviewer=user, withdrawn=False)
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment")
    return assignment


@dataclass(frozen=True)
class ScorePage:
    answers: QuerySet
    attachments: QuerySet
    criteria: QuerySet


def score_page(assignment: ReviewAssignment) -> ScorePage:
    app = assignment.application
    return ScorePage(
        answers=app.answers.select_related("question").order_by("question__order"),
        attachments=app.attachments.all(),
        criteria=app.round.criteria.all(),
    )


# --- scores ---


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
    apps = round.applications.filter(status__in=SCORED).prefetch_related(
        Prefetch(
            "assignments",
            queryset=_live_scored(ReviewAssignment.objects.all()).prefetch_related("scores"),
        )
    )
    out = []
    for app in apps:
        scores = tuple(weighted_score(a, weights, round.scale_max) for a in app.assignments.all())
        moderated = _mean(scores) if scores else None
        out.append(
            ScoreSummary(
                app, len(scores), scores, moderated, (max(scores) - min(scores)) if scores else None
            )
        )
    return out


def _live_scored(queryset):
    """Assignments whose scores count: not withdrawn, no conflict, scores submitted."""
    return queryset.filter(withdrawn=False, has_conflict=False, completed_at__isnull=False)


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


@dataclass(frozen=True)
class RankedRow:
    summary: ScoreSummary
    amount: Decimal
    running_total: Decimal
    within_pot: bool


def pot_remaining(round: Round) -> Decimal:
    committed = LedgerEntry.objects.filter(
        POT_ENTRIES,
        account=Account.COMMITTED,
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


# --- the panel and the decision ---


@dataclass(frozen=True)
class PanelPage:
    rows: list[RankedRow]
    pot: Decimal
    declaration: PanelDeclaration | None
    conflicted: set[int]  # applications the member declared a conflict on
    recommendable: set[int]  # applications the member may recommend on now
    applications: QuerySet  # those past submission, to declare conflicts on


def panel_page(rnd: Round, user) -> PanelPage:
    rows, pot = panel_ranking(rnd)
    declaration = rnd.panel_declarations.filter(member=user).first()
    conflicted = (
        set(declaration.conflicted_applications.values_list("pk", flat=True))
        if declaration
        else set()
    )
    recommendable = {
        r.summary.application.pk
        for r in rows
        if r.summary.application.pk not in conflicted
        and APPLICATION.can(user, r.summary.application, Status.RECOMMENDED)
    }
    return PanelPage(
        rows=rows,
        pot=pot,
        declaration=declaration,
        conflicted=conflicted,
        recommendable=recommendable,
        applications=rnd.applications.exclude(status__in=[Status.DRAFT, Status.WITHDRAWN]),
    )


@dataclass(frozen=True)
class DecisionPage:
    recommended: list[Application]
    declined: QuerySet
    total: Decimal  # what the recommended awards add up to
    pot: Decimal
    in_the_way: list[tuple[Application, str]]  # what stops approval until corrected, and why


def decision_page(rnd: Round) -> DecisionPage:
    recommended = list(
        rnd.applications.filter(status=Status.RECOMMENDED).select_related(
            "recommendation", "organisation", "theme", "primary_priority__theme"
        )
    )
    return DecisionPage(
        recommended=recommended,
        declined=rnd.applications.filter(status=Status.NOT_RECOMMENDED),
        total=sum((a.recommendation.amount for a in recommended), ZERO),
        pot=pot_remaining(rnd),
        in_the_way=misclassified(recommended),
    )
