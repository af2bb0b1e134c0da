"""Pages for grant rounds: the public call, registration, applying, and officers' screening."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from commissioning.core import files
from commissioning.core.guard import Guarded
from commissioning.core.models import Message
from commissioning.core.permissions import allowed
from commissioning.core.roles import Role

from . import review, rounds, services
from .forms import (
    ApplicationForm,
    CriterionForm,
    EligibilityForm,
    QuestionForm,
    RegisterForm,
    RoundForm,
    ScreenForm,
    ThresholdForm,
    UploadForm,
)
from .models import (
    Application,
    Attachment,
    Criterion,
    EligibilityQuestion,
    Question,
    QuestionKind,
    ReviewAssignment,
    Round,
)
from .workflow import Status


def _attach_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = (
                field
                if field in form.fields
                else (f"q_{field}" if f"q_{field}" in form.fields else None)
            )
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def round_get(reference: str, *, published_only: bool = True) -> Round:
    rnd = Round.objects.select_related("year", "budget_line").filter(reference=reference).first()
    if rnd is None or (published_only and not rnd.published):
        raise Http404("No such round")
    return rnd


class RoundListView(Guarded):
    permission = "public"

    def get(self, request):
        published = Round.objects.filter(published=True).order_by("-opens_at")
        can_manage = allowed(request.user, "grants.manage")
        drafts = Round.objects.filter(published=False).order_by("opens_at") if can_manage else []
        return render(
            request,
            "grants/round_list.html",
            {
                "rounds": published,
                "now": timezone.now(),
                "can_manage": can_manage,
                "drafts": drafts,
            },
        )


class RoundDetailView(Guarded):
    permission = "public"

    def get(self, request, reference: str):
        rnd = round_get(reference)
        return render(
            request,
            "grants/round_detail.html",
            {
                "round": rnd,
                "open": services.round_is_open(rnd),
                "can_apply": allowed(request.user, "grants.apply"),
                "can_manage": allowed(request.user, "grants.manage"),
                "can_panel": allowed(request.user, "grants.panel"),
                "can_decide": allowed(request.user, "grants.decide"),
            },
        )


class RegisterView(Guarded):
    permission = "public"

    def get(self, request):
        return render(request, "grants/register.html", {"form": RegisterForm()})

    def post(self, request):
        form = RegisterForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                org = services.organisation_register(
                    name=d["name"],
                    kind=d["kind"],
                    username=d["username"],
                    password=d["password"],
                    full_name=d["full_name"],
                    email=d["email"],
                    charity_number=d["charity_number"],
                    company_number=d["company_number"],
                    address=d["address"],
                    phone=d["phone"],
                )
            except ValidationError as exc:
                _attach_errors(form, exc)
            else:
                login(request, org.users.get(), backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, f"{org.name} is registered. You can now apply to open rounds."
                )
                return redirect("grant-rounds")
        return render(request, "grants/register.html", {"form": form}, status=400)


class ApplicationStartView(Guarded):
    permission = "grants.apply"

    def post(self, request, reference: str):
        rnd = round_get(reference)
        try:
            app = services.application_start(
                actor=request.user,
                round=rnd,
                title=request.POST.get("title", "") or "Untitled application",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("grant-round", reference=rnd.reference)
        return redirect("application-edit", uuid=app.uuid)


def application_get(request, uuid) -> Application:
    """The application, if this user may see it; otherwise 404, whoever asks and however."""
    app = (
        Application.objects.select_related("round", "organisation", "theme", "primary_priority")
        .filter(uuid=uuid)
        .first()
    )
    if app is None or not allowed(request.user, "grants.view_application", app):
        raise Http404("No such application")
    return app


def _initial(app: Application) -> dict:
    data = {
        "title": app.title,
        "amount_requested": app.amount_requested,
        "theme": app.theme_id,
        "primary_priority": app.primary_priority_id,
    }
    for answer in app.answers.select_related("question"):
        q = answer.question
        data[f"q_{q.key}"] = (
            answer.amount
            if q.kind == QuestionKind.AMOUNT
            else (answer.date.isoformat() if answer.date else answer.text)
        )
    for key, value in (app.eligibility_answers or {}).items():
        data[f"eligibility_{key}"] = "yes" if value else "no"
    return data


class ApplicationEditView(Guarded):
    permission = "grants.apply"

    def _context(self, app, form, problems=None):
        return {
            "app": app,
            "form": form,
            "upload_questions": app.round.questions.filter(kind=QuestionKind.FILE),
            "attachments": app.attachments.select_related("question"),
            "problems": problems or [],
            "closes": app.round.closes_at,
        }

    def get(self, request, uuid):
        app = application_get(request, uuid)
        if app.status != Status.DRAFT:
            return redirect("application-detail", uuid=app.uuid)
        form = ApplicationForm(initial=_initial(app), round=app.round)
        return render(request, "grants/application_edit.html", self._context(app, form))

    def post(self, request, uuid):
        app = application_get(request, uuid)
        form = ApplicationForm(request.POST, round=app.round)
        if not form.is_valid():
            return render(
                request, "grants/application_edit.html", self._context(app, form), status=400
            )
        d = form.cleaned_data
        try:
            services.application_save(
                actor=request.user,
                application=app,
                answers=form.answers(),
                eligibility=form.eligibility(),
                title=d["title"],
                amount_requested=d["amount_requested"],
                theme=d["theme"],
                primary_priority=d["primary_priority"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
            return render(
                request, "grants/application_edit.html", self._context(app, form), status=400
            )
        if "submit" not in request.POST:
            messages.success(
                request, "Draft saved. You can come back to it until the round closes."
            )
            return redirect("application-edit", uuid=app.uuid)
        try:
            services.application_submit(actor=request.user, application=app)
        except ValidationError as exc:
            return render(
                request,
                "grants/application_edit.html",
                self._context(app, form, problems=exc.messages),
                status=400,
            )
        messages.success(
            request, f"Application {app.reference} submitted. We have sent you an acknowledgement."
        )
        return redirect("application-detail", uuid=app.uuid)


class AttachmentUploadView(Guarded):
    permission = "grants.apply"

    def post(self, request, uuid):
        app = application_get(request, uuid)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.application_attach(
                    actor=request.user,
                    application=app,
                    question_key=form.cleaned_data["question"],
                    name=upload.name,
                    data=upload.read(),
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{upload.name} attached.")
        else:
            messages.error(request, "Choose a file to upload")
        return redirect("application-edit", uuid=app.uuid)


class AttachmentDownloadView(Guarded):
    permission = "grants.download"

    def get(self, request, uuid, attachment_uuid):
        app = application_get(request, uuid)
        attachment = Attachment.objects.filter(uuid=attachment_uuid, application=app).first()
        if attachment is None:
            raise Http404("No such file")
        return files.download(
            services.attachments_dir() / attachment.stored_name,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class ApplicationDetailView(Guarded):
    permission = "grants.download"

    def get(self, request, uuid):
        app = application_get(request, uuid)
        return render(
            request,
            "grants/application_detail.html",
            {
                "app": app,
                "answers": app.answers.select_related("question").order_by("question__order"),
                "attachments": app.attachments.all(),
                "events": app.events.select_related("actor"),
                "can_withdraw": allowed(request.user, "grants.apply", app)
                and app.status in {Status.DRAFT, Status.SUBMITTED},
                "can_screen": allowed(request.user, "grants.screen")
                and app.status == Status.SUBMITTED,
                "screen_form": ScreenForm(),
            },
        )


class ApplicationWithdrawView(Guarded):
    permission = "grants.apply"

    def post(self, request, uuid):
        app = application_get(request, uuid)
        try:
            services.application_withdraw(
                actor=request.user, application=app, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Application {app.reference} withdrawn.")
        return redirect("application-detail", uuid=app.uuid)


class ApplicationScreenView(Guarded):
    permission = "grants.screen"

    def post(self, request, uuid):
        app = application_get(request, uuid)
        form = ScreenForm(request.POST)
        if form.is_valid():
            try:
                services.application_screen(
                    actor=request.user,
                    application=app,
                    eligible=form.cleaned_data["eligible"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{app.reference} screened.")
        else:
            messages.error(request, "Choose eligible or not, and give a reason")
        return redirect("application-detail", uuid=app.uuid)


class MyApplicationsView(Guarded):
    permission = "grants.apply"

    def get(self, request):
        apps = Application.objects.filter(
            organisation_id=request.user.organisation_id
        ).select_related("round")
        inbox = Message.objects.filter(recipient=request.user)[:50]
        return render(request, "grants/my_applications.html", {"apps": apps, "inbox": inbox})


class RoundDashboardView(Guarded):
    permission = "grants.manage"

    def get(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
        counts = dict(rnd.applications.values_list("status").annotate(n=Count("id")).order_by())
        submitted = rnd.applications.exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        requested = submitted.aggregate(t=Sum("amount_requested"))["t"]
        from django.core.paginator import Paginator

        apps = (
            rnd.applications.select_related("organisation")
            .annotate(
                assigned=Count("assignments", filter=Q(assignments__withdrawn=False)),
                scored=Count(
                    "assignments",
                    filter=Q(assignments__withdrawn=False, assignments__completed_at__isnull=False),
                ),
            )
            .order_by("reference")
        )
        page = Paginator(apps, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "grants/round_dashboard.html",
            {
                "round": rnd,
                "counts": [(Status(k).label, v) for k, v in counts.items()],
                "requested": requested,
                "apps": page.object_list,
                "page_obj": page,
                "decided": hasattr(rnd, "decision"),
                "record": _round_record(rnd),
                "can_draft_record": allowed(request.user, "decisions.draft"),
            },
        )


# --- review, panel and decision ---


class AssignReviewersView(Guarded):
    """POST only: assign every reviewer-role user, balanced, to the applications in review."""

    permission = "grants.manage"

    def post(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
        reviewers = list(
            get_user_model()
            .objects.filter(groups__name=Role.REVIEWER, is_active=True)
            .order_by("username")
        )
        per = int(request.POST.get("per_application") or 2)
        created = review.reviewers_assign(
            actor=request.user, round=rnd, reviewers_by_theme={None: reviewers}, per_application=per
        )
        messages.success(request, f"{len(created)} review assignments made.")
        return redirect("round-dashboard", reference=rnd.reference)


class ReviewQueueView(Guarded):
    permission = "grants.review"

    def get(self, request):
        assignments = ReviewAssignment.objects.filter(
            reviewer=request.user, withdrawn=False
        ).select_related("application", "application__round", "application__organisation")
        return render(request, "grants/review_queue.html", {"assignments": assignments})


def assignment_get(request, uuid) -> ReviewAssignment:
    assignment = (
        ReviewAssignment.objects.select_related(
            "application", "application__round", "application__organisation"
        )
        .filter(uuid=uuid, reviewer=request.user, withdrawn=False)
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment")
    return assignment


class DeclareView(Guarded):
    """The reviewer sees only who applied and the title, and declares before anything else."""

    permission = "grants.review"

    def get(self, request, uuid):
        return render(request, "grants/declare.html", {"assignment": assignment_get(request, uuid)})

    def post(self, request, uuid):
        assignment = assignment_get(request, uuid)
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
    permission = "grants.review"

    def _load(self, request, uuid):
        assignment = assignment_get(request, uuid)
        if assignment.has_conflict is not False:
            raise Http404("Declare first; a conflicted reviewer cannot open the application")
        return assignment

    def _context(self, assignment, errors=None, posted=None):
        app = assignment.application
        return {
            "assignment": assignment,
            "app": app,
            "answers": app.answers.select_related("question").order_by("question__order"),
            "attachments": app.attachments.all(),
            "criteria": app.round.criteria.all(),
            "scale": range(0, app.round.scale_max + 1),
            "errors": errors or {},
            "posted": posted or {},
        }

    def get(self, request, uuid):
        return render(request, "grants/score.html", self._context(self._load(request, uuid)))

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
            return render(
                request,
                "grants/score.html",
                self._context(assignment, errors, request.POST),
                status=400,
            )
        messages.success(request, f"Scores for {assignment.application.reference} submitted.")
        return redirect("review-queue")


class PanelView(Guarded):
    permission = "grants.panel"

    def get(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
        rows, pot = review.panel_ranking(rnd)
        declaration = rnd.panel_declarations.filter(member=request.user).first()
        conflicted = (
            set(declaration.conflicted_applications.values_list("pk", flat=True))
            if declaration
            else set()
        )
        return render(
            request,
            "grants/panel.html",
            {
                "round": rnd,
                "rows": rows,
                "pot": pot,
                "declaration": declaration,
                "conflicted": conflicted,
                "applications": rnd.applications.exclude(
                    status__in=[Status.DRAFT, Status.WITHDRAWN]
                ),
            },
        )


class PanelDeclareView(Guarded):
    permission = "grants.panel"

    def post(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
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
    permission = "grants.panel"

    def post(self, request, uuid):
        app = application_get(request, uuid)
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


def _round_record(rnd: Round):
    """The decision record citing the round's awards, if one has been drafted."""
    from commissioning.decisions.models import DecisionRecord

    return DecisionRecord.objects.filter(links__application__round=rnd).distinct().first()


class DecisionView(Guarded):
    permission = "grants.decide"

    def get(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
        recommended = rnd.applications.filter(status=Status.RECOMMENDED).select_related(
            "recommendation", "organisation"
        )
        total = sum((a.recommendation.amount for a in recommended), Decimal(0))
        return render(
            request,
            "grants/decision.html",
            {
                "round": rnd,
                "recommended": recommended,
                "declined": rnd.applications.filter(status=Status.NOT_RECOMMENDED),
                "total": total,
                "pot": review.pot_remaining(rnd),
                "decided": hasattr(rnd, "decision"),
                "record": _round_record(rnd),
                "can_draft_record": allowed(request.user, "decisions.draft"),
            },
        )

    def post(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
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


class RoundExportView(Guarded):
    """Applications with their moderated scores, as CSV or XLSX."""

    permission = "grants.manage"

    def get(self, request, reference: str, fmt: str):
        from django.http import HttpResponse

        from commissioning.budgets import exports

        rnd = round_get(reference, published_only=False)
        moderated = {s.application.pk: s for s in review.score_summaries(rnd)}
        columns = [
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
        ]
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
        name = f"{rnd.reference}-applications"
        if fmt == "csv":
            response = HttpResponse(
                exports.to_csv(columns, records), content_type="text/csv; charset=utf-8"
            )
        elif fmt == "xlsx":
            response = HttpResponse(
                exports.to_xlsx(columns, records, title="Applications"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            raise Http404("No such format")
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


# --- configuring a round (officers) ---

# Where a service's error about a round's field shows on the round's form.
ROUND_ERROR_FIELDS = {"opens_at": "opens_time", "closes_at": "closes_date"}
# Where a publication problem links to on the set-up page.
SETUP_ANCHORS = {"criteria": "criteria", "eligibility": "eligibility", "questions": "questions"}


def _attach_round_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        target = ROUND_ERROR_FIELDS.get(field, field)
        for message in errors:
            form.add_error(target if target in form.fields else None, message)


def _setup_redirect(request, rnd: Round, message: str = ""):
    if message:
        messages.error(request, message)
    return redirect("round-setup", reference=rnd.reference)


class RoundCreateView(Guarded):
    """A new round's details; it is created as a draft and set up on the next page."""

    permission = "grants.manage"

    def _render(self, request, form, status=200):
        return render(
            request,
            "grants/round_form.html",
            {"form": form, "title": "Create a funding round", "round": None},
            status=status,
        )

    def get(self, request):
        return self._render(request, RoundForm())

    def post(self, request):
        form = RoundForm(request.POST)
        if form.is_valid():
            try:
                rnd = rounds.round_draft_create(
                    actor=request.user,
                    themes=form.cleaned_data["themes"],
                    priorities=form.cleaned_data["priorities"],
                    **form.round_fields(),
                )
            except ValidationError as exc:
                _attach_round_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Round “{rnd.title}” created as a draft. Add its criteria and questions, then publish it.",
                )
                return redirect("round-setup", reference=rnd.reference)
        return self._render(request, form, status=400)


class RoundEditView(Guarded):
    permission = "grants.manage"

    def _render(self, request, rnd, form, status=200):
        return render(
            request,
            "grants/round_form.html",
            {"form": form, "title": "Change the round's details", "round": rnd},
            status=status,
        )

    def get(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
        locked = rounds.round_locked_reason(rnd)
        if locked:
            return _setup_redirect(request, rnd, locked)
        return self._render(
            request, rnd, RoundForm(initial=RoundForm.initial_for(rnd), editing=True)
        )

    def post(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
        form = RoundForm(request.POST, editing=True)
        if form.is_valid():
            try:
                rounds.round_update(
                    actor=request.user,
                    round=rnd,
                    themes=form.cleaned_data["themes"],
                    priorities=form.cleaned_data["priorities"],
                    **form.round_fields(),
                )
            except ValidationError as exc:
                _attach_round_errors(form, exc)
            else:
                messages.success(request, "The round's details are saved.")
                return redirect("round-setup", reference=rnd.reference)
        return self._render(request, rnd, form, status=400)


def _setup_context(rnd: Round) -> dict:
    locked = rounds.round_locked_reason(rnd)
    criteria = list(rnd.criteria.all())
    return {
        "round": rnd,
        "locked": locked,
        "criteria": criteria,
        "weight_total": sum((c.weight for c in criteria), Decimal(0)),
        "eligibility": list(rnd.eligibility.all()),
        "questions": list(rnd.questions.all()),
        "themes": list(rnd.themes.all()),
        "priorities": list(rnd.priorities.all()),
        "problems": [] if locked else _problem_links(rounds.round_publish_problems(rnd)),
    }


def _problem_links(problems: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [
        (SETUP_ANCHORS.get(field, f"detail-{field}"), message)
        for field, messages_ in problems.items()
        for message in messages_
    ]


class RoundSetupView(Guarded):
    """The round as configured: details, criteria, eligibility and form questions, with what
    still stops it being published. Read-only once it is published."""

    permission = "grants.manage"

    def get(self, request, reference: str):
        rnd = (
            Round.objects.select_related("year", "budget_line", "allocation_run")
            .filter(reference=reference)
            .first()
        )
        if rnd is None:
            raise Http404("No such round")
        return render(request, "grants/round_setup.html", _setup_context(rnd))


class RoundPublishView(Guarded):
    permission = "grants.manage"

    def post(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
        try:
            rounds.round_publish(actor=request.user, round=rnd)
        except ValidationError as exc:
            context = _setup_context(rnd)
            if hasattr(exc, "error_dict"):
                context["publish_errors"] = _problem_links(exc.message_dict)
            else:
                context["publish_errors"] = [("details", m) for m in exc.messages]
            return render(request, "grants/round_setup.html", context, status=400)
        messages.success(request, f"“{rnd.title}” is published: applicants can see it.")
        return redirect("round-setup", reference=rnd.reference)


# kind in the URL -> (model, form, what to call one, the service that saves it)
ITEM_KINDS = {
    "criteria": (Criterion, CriterionForm, "assessment criterion"),
    "eligibility": (EligibilityQuestion, EligibilityForm, "eligibility question"),
    "questions": (Question, QuestionForm, "application form question"),
}


def _item_get(rnd: Round, kind: str, pk: int | None):
    if kind not in ITEM_KINDS:
        raise Http404("No such part of a round")
    model = ITEM_KINDS[kind][0]
    if pk is None:
        return None
    item = model.objects.filter(round=rnd, pk=pk).first()  # type: ignore[attr-defined]
    if item is None:
        raise Http404("Not found")
    return item


def _item_initial(kind: str, item) -> dict:
    if item is None:
        return {"required_answer": "yes"} if kind == "eligibility" else {}
    if kind == "criteria":
        return {"title": item.title, "description": item.description, "weight": item.weight}
    if kind == "eligibility":
        return {"text": item.text, "required_answer": "yes" if item.required_answer else "no"}
    return QuestionForm.initial_for(item)


def _item_save(kind: str, actor, rnd: Round, item, form):
    d = form.cleaned_data
    if kind == "criteria":
        return rounds.criterion_save(
            actor=actor,
            round=rnd,
            criterion=item,
            title=d["title"],
            description=d["description"],
            weight=d["weight"],
        )
    if kind == "eligibility":
        return rounds.eligibility_save(
            actor=actor,
            round=rnd,
            question=item,
            text=d["text"],
            required_answer=d["required_answer"],
        )
    return rounds.question_save(actor=actor, round=rnd, question=item, **form.question_fields())


class RoundItemView(Guarded):
    """Add (no pk) or change (pk) a criterion, an eligibility question or a form question."""

    permission = "grants.manage"

    def _render(self, request, rnd, kind, item, form, status=200):
        what = ITEM_KINDS[kind][2]
        title = (
            f"Change the {what}"
            if item is not None
            else f"Add an {what}"
            if what[0] in "aeiou"
            else f"Add a {what}"
        )
        return render(
            request,
            "grants/round_item_form.html",
            {"round": rnd, "form": form, "title": title, "kind": kind},
            status=status,
        )

    def get(self, request, reference: str, kind: str, pk: int | None = None):
        rnd = round_get(reference, published_only=False)
        item = _item_get(rnd, kind, pk)
        locked = rounds.round_locked_reason(rnd)
        if locked:
            return _setup_redirect(request, rnd, locked)
        form = ITEM_KINDS[kind][1](initial=_item_initial(kind, item))
        return self._render(request, rnd, kind, item, form)

    def post(self, request, reference: str, kind: str, pk: int | None = None):
        rnd = round_get(reference, published_only=False)
        item = _item_get(rnd, kind, pk)
        form = ITEM_KINDS[kind][1](request.POST)
        if form.is_valid():
            try:
                saved = _item_save(kind, request.user, rnd, item, form)
            except ValidationError as exc:
                _attach_errors(form, exc)
            else:
                messages.success(request, f"“{saved}” saved.")
                return redirect(reverse("round-setup", args=[rnd.reference]) + f"#{kind}")
        return self._render(request, rnd, kind, item, form, status=400)


class RoundItemRemoveView(Guarded):
    permission = "grants.manage"

    def post(self, request, reference: str, kind: str, pk: int):
        rnd = round_get(reference, published_only=False)
        item = _item_get(rnd, kind, pk)
        try:
            rounds.round_item_remove(actor=request.user, item=item)
        except ValidationError as exc:
            return _setup_redirect(request, rnd, " ".join(exc.messages))
        messages.success(request, f"“{item}” removed.")
        return redirect(reverse("round-setup", args=[rnd.reference]) + f"#{kind}")


class RoundItemMoveView(Guarded):
    permission = "grants.manage"

    def post(self, request, reference: str, kind: str, pk: int):
        rnd = round_get(reference, published_only=False)
        item = _item_get(rnd, kind, pk)
        try:
            rounds.round_item_move(
                actor=request.user, item=item, up=request.POST.get("direction") != "down"
            )
        except ValidationError as exc:
            return _setup_redirect(request, rnd, " ".join(exc.messages))
        return redirect(reverse("round-setup", args=[rnd.reference]) + f"#{kind}")


class RoundModerationView(Guarded):
    """How each reviewer's scores spread, and the applications whose reviewers disagree most."""

    permission = "grants.manage"

    def get(self, request, reference: str):
        rnd = round_get(reference, published_only=False)
        form = ThresholdForm(request.GET or None)
        threshold = review.DEFAULT_SPREAD_THRESHOLD
        if form.is_bound and form.is_valid() and form.cleaned_data["threshold"] is not None:
            threshold = form.cleaned_data["threshold"]
        reviewers, applications = review.moderation(rnd, threshold=threshold)
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
