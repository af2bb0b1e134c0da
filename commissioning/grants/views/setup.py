"""Officers' pages: setting a round up and publishing it, its dashboard, screening
applications, and the applications' table as CSV or XLSX."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from commissioning.core.downloads import headings_of, table_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed
from commissioning.core.sorting import sort_headings

from .. import rounds, selectors, services
from ..forms import (
    CriterionForm,
    EligibilityForm,
    EligibleForm,
    QuestionForm,
    RoundForm,
    ScreenForm,
)
from ..models import Criterion, EligibilityQuestion, Question, Round
from ..permissions import DECIDE, MANAGE, PANEL, SCREEN
from ..status import Status

# Where a service's error about a round's field shows on the round's form.
ROUND_ERROR_FIELDS = {"opens_at": "opens_time", "closes_at": "closes_date"}
# Where a publication problem links to on the set-up page.
SETUP_ANCHORS = {"criteria": "criteria", "eligibility": "eligibility", "questions": "questions"}
EXPORT_FORMATS = ("csv", "xlsx")


class RoundRecordSlot:
    """A round's pages show the decision record that cites its awards. Decision records
    belong to the decisions app, above grants, so these pages leave a slot that the site
    fills (`web.pages` subclasses them): here it is empty."""

    def record_context(self, rnd: Round) -> dict:
        return {}


class RoundDashboardView(RoundRecordSlot, Guarded):
    permission = MANAGE
    # The sortable columns' headings, and the way a first click sorts them.
    SORTABLE = {
        "reference": ("Reference", False),
        "organisation": ("Organisation", False),
        "title": ("Project", False),
        "status": ("Status", False),
        "submitted": ("Submitted", True),
        "requested": ("Requested", True),
    }

    def get(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        dashboard = selectors.round_dashboard(rnd, request.GET)
        kept = {k: v for k, v in dashboard.chosen.items() if v and k != "sort"}
        return render(
            request,
            "grants/round_dashboard.html",
            {
                "round": rnd,
                "counts": dashboard.counts,
                "requested": dashboard.requested,
                "rows": dashboard.page.object_list,
                "page_obj": dashboard.page,
                "found": dashboard.found,
                "chosen": dashboard.chosen,
                "filtered": bool(kept),
                "statuses": Status.choices,
                "headings": sort_headings(self.SORTABLE, *dashboard.sort, kept),
                "query_string": urlencode({**kept, "sort": dashboard.chosen["sort"]}),
                "decided": hasattr(rnd, "decision"),
                # Buttons only for those whose rules let them open the page behind them.
                "can_panel": allowed(request.user, PANEL),
                "can_decide": allowed(request.user, DECIDE),
                **self.record_context(rnd),
            },
        )


class ApplicationScreenView(Guarded):
    permission = SCREEN

    def post(self, request, uuid):
        app = selectors.application_get(request.user, uuid)
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


class RoundExportView(Guarded):
    """Applications with their moderated scores, as CSV or XLSX."""

    permission = MANAGE

    def get(self, request, reference: str, fmt: str):
        rnd = selectors.round_get(reference, published_only=False)
        if fmt not in EXPORT_FORMATS:
            raise Http404("No such format")
        columns, records = selectors.applications_table(rnd)
        return table_response(
            columns,
            records,
            fmt=fmt,
            name=f"{rnd.reference}-applications",
            title="Applications",
            headings=headings_of(columns),
        )


# --- configuring a round ---


def _setup_redirect(request, rnd: Round, message: str = ""):
    if message:
        messages.error(request, message)
    return redirect("round-setup", reference=rnd.reference)


class RoundCreateView(Guarded):
    """A new round's details; it is created as a draft and set up on the next page."""

    permission = MANAGE

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
                    eligible=form.eligible(),
                    **form.round_fields(),
                )
            except ValidationError as exc:
                attach_errors(form, exc, ROUND_ERROR_FIELDS)
            else:
                messages.success(
                    request,
                    f"Round “{rnd.title}” created as a draft. Add its criteria and questions, then publish it.",
                )
                return redirect("round-setup", reference=rnd.reference)
        return self._render(request, form, status=400)


class RoundEditView(Guarded):
    permission = MANAGE

    def _render(self, request, rnd, form, status=200):
        return render(
            request,
            "grants/round_form.html",
            {"form": form, "title": "Change the round's details", "round": rnd},
            status=status,
        )

    def get(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        locked = rounds.round_locked_reason(rnd)
        if locked:
            return _setup_redirect(request, rnd, locked)
        return self._render(
            request, rnd, RoundForm(initial=RoundForm.initial_for(rnd), editing=True)
        )

    def post(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
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
                attach_errors(form, exc, ROUND_ERROR_FIELDS)
            else:
                messages.success(request, "The round's details are saved.")
                return redirect("round-setup", reference=rnd.reference)
        return self._render(request, rnd, form, status=400)


def _problem_links(problems: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [
        (SETUP_ANCHORS.get(field, f"detail-{field}"), message)
        for field, messages_ in problems.items()
        for message in messages_
    ]


def _setup_context(rnd: Round, eligible_form: EligibleForm | None = None) -> dict:
    setup = selectors.round_setup(rnd)
    if eligible_form is None:
        eligible_form = EligibleForm(initial={"eligible": [o.pk for o in setup.eligible]})
    return {
        "round": rnd,
        "locked": setup.locked,
        "criteria": setup.criteria,
        "weight_total": setup.weight_total,
        "eligibility": setup.eligibility,
        "questions": setup.questions,
        "themes": setup.themes,
        "priorities": setup.priorities,
        "eligible": setup.eligible,
        "eligible_form": eligible_form,
        "problems": _problem_links(setup.problems),
    }


class RoundSetupView(Guarded):
    """The round as configured: details, who may apply, criteria, eligibility and form
    questions, with what still stops it being published. Read-only once it is published,
    except who may apply, which the form on this page changes at any time."""

    permission = MANAGE

    def get(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
        return render(request, "grants/round_setup.html", _setup_context(rnd))

    def post(self, request, reference: str):
        """Who may apply: the organisations ticked, none for every organisation."""
        rnd = selectors.round_get(reference, published_only=False)
        form = EligibleForm(request.POST)
        if form.is_valid():
            try:
                rounds.round_eligible_set(actor=request.user, round=rnd, eligible=form.eligible())
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Who may apply is saved.")
                return redirect(reverse("round-setup", args=[rnd.reference]) + "#eligible")
        context = _setup_context(rnd, form)
        return render(request, "grants/round_setup.html", context, status=400)


class RoundPublishView(Guarded):
    permission = MANAGE

    def post(self, request, reference: str):
        rnd = selectors.round_get(reference, published_only=False)
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


# kind in the URL -> (model, form, what to call one)
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

    permission = MANAGE

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
        rnd = selectors.round_get(reference, published_only=False)
        item = _item_get(rnd, kind, pk)
        locked = rounds.round_locked_reason(rnd)
        if locked:
            return _setup_redirect(request, rnd, locked)
        form = ITEM_KINDS[kind][1](initial=_item_initial(kind, item))
        return self._render(request, rnd, kind, item, form)

    def post(self, request, reference: str, kind: str, pk: int | None = None):
        rnd = selectors.round_get(reference, published_only=False)
        item = _item_get(rnd, kind, pk)
        form = ITEM_KINDS[kind][1](request.POST)
        if form.is_valid():
            try:
                saved = _item_save(kind, request.user, rnd, item, form)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"“{saved}” saved.")
                return redirect(reverse("round-setup", args=[rnd.reference]) + f"#{kind}")
        return self._render(request, rnd, kind, item, form, status=400)


class RoundItemRemoveView(Guarded):
    permission = MANAGE

    def post(self, request, reference: str, kind: str, pk: int):
        rnd = selectors.round_get(reference, published_only=False)
        item = _item_get(rnd, kind, pk)
        try:
            rounds.round_item_remove(actor=request.user, item=item)
        except ValidationError as exc:
            return _setup_redirect(request, rnd, " ".join(exc.messages))
        messages.success(request, f"“{item}” removed.")
        return redirect(reverse("round-setup", args=[rnd.reference]) + f"#{kind}")


class RoundItemMoveView(Guarded):
    permission = MANAGE

    def post(self, request, reference: str, kind: str, pk: int):
        rnd = selectors.round_get(reference, published_only=False)
        item = _item_get(rnd, kind, pk)
        try:
            rounds.round_item_move(
                actor=request.user, item=item, up=request.POST.get("direction") != "down"
            )
        except ValidationError as exc:
            return _setup_redirect(request, rnd, " ".join(exc.messages))
        return redirect(reverse("round-setup", args=[rnd.reference]) + f"#{kind}")
