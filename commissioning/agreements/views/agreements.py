"""The agreement pages: drawing one up from a committed allocation, shaping its terms while a
draft, issuing it, the partner's acceptance, the PDF, and the moves of its instalments.

Views are thin: the services check their own rules and name every problem; a refusal is
shown on the page it came from as an error summary (status 400), never as a bare 403 or a
500. Every object page answers 404 to anyone the agreement's `VIEW` rule refuses, so another
organisation's partner learns nothing from a guessed address."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from commissioning.budgets.selectors import allocation_get
from commissioning.core.downloads import PDF, file_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed, check

from .. import payments, selectors, services, variations
from ..forms import (
    EXTRA_BUDGET_ROWS,
    AcceptForm,
    AdvanceForm,
    AgreementForm,
    BudgetForm,
    ConditionForm,
    ConditionMetForm,
    OutcomeForm,
    PaidForm,
    ReasonForm,
    VariationDecideForm,
    VariationForm,
    VariationSignForm,
)
from ..models import OPEN_VARIATION, Agreement, AgreementStatus
from ..permissions import ACCEPT, MANAGE, VARIATION_DECIDE, VARIATION_SIGN, VIEW
from ..terms import terms_document
from ..workflow import AGREEMENT

# The parts of an agreement a problem can be in, as the page names them and where they are.
PARTS = {
    "purpose": ("The agreement", "details"),
    "periods": ("Reporting periods", "periods"),
    "payments": ("Payment schedule", "payments"),
    "budget": ("Budget", "budget"),
    "outcomes": ("Outcomes and measures", "outcomes"),
}


def _problems(exc: ValidationError) -> list[dict[str, str]]:
    """A service's refusal as error-summary lines, each naming the part it is about and
    linking to it on the agreement page."""
    if not hasattr(exc, "error_dict"):
        return [{"text": m, "href": ""} for m in exc.messages]
    lines = []
    for key, messages_ in exc.message_dict.items():
        part, anchor = PARTS.get(key, ("", ""))
        for message in messages_:
            lines.append({"text": f"{part}: {message}" if part else message, "href": f"#{anchor}"})
    return lines


class AgreementObject(Guarded):
    """A page about one agreement, which the user must be allowed to see."""

    permission = VIEW
    object_permission = VIEW

    def agreement(self, uuid) -> Agreement:
        return self.check_object(selectors.agreement_get(uuid))

    def show(self, request, agreement: Agreement, problems: Iterable[dict[str, str]] = ()):
        """The agreement page, with a refusal's problems at the top (status 400)."""
        problems = list(problems)
        page = selectors.agreement_page(agreement, request.user, timezone.localdate())
        user = request.user
        staff = allowed(user, MANAGE)
        varied = selectors.variations_of(agreement, partner=not staff)
        waiting = [v for v in varied if v.status in OPEN_VARIATION]
        return render(
            request,
            "agreements/agreement.html",
            {
                "page": page,
                "agreement": agreement,
                "problems": problems,
                "staff": staff,
                "variations": varied,
                "to_decide": [v for v in waiting if allowed(user, VARIATION_DECIDE, v)],
                "to_sign": [v for v in waiting if allowed(user, VARIATION_SIGN, v)],
                "can_propose": staff and agreement.status == AgreementStatus.ACTIVE and not waiting,
                "compared": selectors.terms_compared(agreement),
            },
            status=400 if problems else 200,
        )


class AgreementNewView(Guarded):
    """Draw up the draft agreement of a committed allocation."""

    permission = MANAGE

    def post(self, request, uuid):
        allocation = allocation_get(uuid)
        existing = selectors.agreement_of_allocation(allocation)
        if existing is not None:
            messages.info(request, f"{allocation.reference} already has agreement {existing}.")
            return redirect("agreement", uuid=existing.uuid)
        try:
            agreement = services.agreement_draft(actor=request.user, allocation=allocation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("allocation-detail", uuid=allocation.uuid)
        messages.success(
            request,
            f"Agreement {agreement.reference} is drafted with quarterly returns and "
            "instalments in arrears. Complete its terms, then issue it.",
        )
        return redirect("agreement", uuid=agreement.uuid)


class AgreementView(AgreementObject):
    def get(self, request, uuid):
        return self.show(request, self.agreement(uuid))


class AgreementPdfView(AgreementObject):
    """The terms as a PDF: the version issued (or, for a draft, its terms now, marked
    DRAFT) with the partner's acceptance of it."""

    def get(self, request, uuid):
        agreement = self.agreement(uuid)
        terms = selectors.latest_terms(agreement)
        draft = agreement.status == AgreementStatus.DRAFT or terms is None
        acceptance = None
        if not draft and terms is not None:
            accepted = getattr(terms, "acceptance", None)
            if accepted is not None:
                acceptance = {
                    "name": accepted.name,
                    "position": accepted.position,
                    "signed_on": timezone.localdate(accepted.created_at),
                }
        document = terms_document(agreement) if draft else terms.content  # type: ignore[union-attr]
        from ..pdf import agreement_pdf  # reportlab, only when asked

        content = agreement_pdf(
            document,
            draft=draft,
            version=None if draft else terms.number,  # type: ignore[union-attr]
            issued_on=None if draft else timezone.localdate(terms.created_at),  # type: ignore[union-attr]
            acceptance=acceptance,
        )
        return file_response(
            content,
            filename=f"{agreement.reference.replace('/', '-')}.pdf",
            content_type=PDF,
            inline=True,
        )


# --------------------------------------------------------------------------------------------
# Drafting
# --------------------------------------------------------------------------------------------


class DraftView(AgreementObject):
    """A form that shapes a draft's terms: officers (and the CFO) only, while it is a draft."""

    permission = MANAGE
    template = ""
    title = ""

    def draft(self, request, uuid) -> Agreement | None:
        agreement = self.agreement(uuid)
        if agreement.status != AgreementStatus.DRAFT:
            messages.error(
                request,
                f"{agreement.reference} has been issued: its terms change only by a variation.",
            )
            return None
        return agreement

    def page(self, request, agreement: Agreement, form, status: int = 200, **extra: Any):
        return render(
            request,
            self.template,
            {"agreement": agreement, "form": form, "title": self.title, **extra},
            status=status,
        )


class AgreementEditView(DraftView):
    template = "agreements/agreement_simple_form.html"
    title = "Change the agreement's details"

    def get(self, request, uuid):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        return self.page(
            request, agreement, AgreementForm(initial=AgreementForm.initial_for(agreement))
        )

    def post(self, request, uuid):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                services.agreement_update(
                    actor=request.user, agreement=agreement, **form.cleaned_data
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "The agreement's details are saved.")
                return redirect("agreement", uuid=agreement.uuid)
        return self.page(request, agreement, form, status=400)


class OutcomeAddView(DraftView):
    template = "agreements/agreement_outcome.html"
    title = "Add an outcome"

    def get(self, request, uuid):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        return self.page(request, agreement, OutcomeForm(periods=agreement.periods.all()))

    def post(self, request, uuid):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        form = OutcomeForm(request.POST, periods=agreement.periods.all())
        if form.is_valid():
            try:
                outcome = services.outcome_add(
                    actor=request.user,
                    agreement=agreement,
                    title=form.cleaned_data["title"],
                    measures=form.measures(),
                )
            except ValidationError as exc:
                attach_errors(form, exc, form.field_for)
            else:
                messages.success(request, f"Outcome “{outcome.title}” is added.")
                return redirect(reverse("agreement", args=[agreement.uuid]) + "#outcomes")
        return self.page(request, agreement, form, status=400)


class OutcomeRemoveView(DraftView):
    def post(self, request, uuid, order: int):
        agreement = self.draft(request, uuid)
        if agreement is not None:
            outcome = selectors.outcome_get(agreement, order)
            try:
                services.outcome_remove(actor=request.user, outcome=outcome)
            except ValidationError as exc:
                return self.show(request, agreement, _problems(exc))
            messages.success(request, f"Outcome “{outcome.title}” is removed.")
        return redirect(reverse("agreement", args=[uuid]) + "#outcomes")


class ConditionAddView(DraftView):
    template = "agreements/agreement_simple_form.html"
    title = "Add a condition"

    def get(self, request, uuid):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        return self.page(request, agreement, ConditionForm())

    def post(self, request, uuid):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        form = ConditionForm(request.POST)
        if form.is_valid():
            try:
                services.condition_add(
                    actor=request.user,
                    agreement=agreement,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "The condition is added.")
                return redirect(reverse("agreement", args=[agreement.uuid]) + "#conditions")
        return self.page(request, agreement, form, status=400)


class ConditionRemoveView(DraftView):
    def post(self, request, uuid, order: int):
        agreement = self.draft(request, uuid)
        if agreement is not None:
            condition = selectors.condition_get(agreement, order)
            try:
                services.condition_remove(actor=request.user, condition=condition)
            except ValidationError as exc:
                return self.show(request, agreement, _problems(exc))
            messages.success(request, "The condition is removed.")
        return redirect(reverse("agreement", args=[uuid]) + "#conditions")


class BudgetView(DraftView):
    template = "agreements/agreement_budget.html"
    title = "Set the budget"

    def _form(self, agreement: Agreement, data=None) -> BudgetForm:
        rows = len(agreement.budget_categories.all()) + EXTRA_BUDGET_ROWS
        if data is not None:
            # keep every row the person saw, however many they had
            rows = max(rows, sum(1 for k in data if k.endswith("-name")))
        return BudgetForm(
            data,
            initial=BudgetForm.initial_for(agreement),
            periods=agreement.periods.all(),
            rows=rows,
        )

    def get(self, request, uuid):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        return self.page(request, agreement, self._form(agreement))

    def post(self, request, uuid):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        form = self._form(agreement, request.POST)
        if form.is_valid():
            categories, rows = form.categories()
            try:
                services.budget_set(actor=request.user, agreement=agreement, categories=categories)
            except ValidationError as exc:
                attach_errors(form, exc, form.budget_field_for(rows))
            else:
                messages.success(request, "The budget is saved.")
                return redirect(reverse("agreement", args=[agreement.uuid]) + "#budget")
        return self.page(request, agreement, form, status=400)


class AdvanceView(DraftView):
    template = "agreements/payment_form.html"
    title = "Pay this instalment in advance"

    def get(self, request, uuid, number: int):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        payment = selectors.payment_get(agreement, number)
        return self.page(request, agreement, AdvanceForm(), payment=payment)

    def post(self, request, uuid, number: int):
        agreement = self.draft(request, uuid)
        if agreement is None:
            return redirect("agreement", uuid=uuid)
        payment = selectors.payment_get(agreement, number)
        form = AdvanceForm(request.POST)
        if form.is_valid():
            try:
                payments.payment_schedule_advance(
                    actor=request.user, payment=payment, **form.cleaned_data
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Instalment {payment.number} is payable in advance.")
                return redirect(reverse("agreement", args=[agreement.uuid]) + "#payments")
        return self.page(request, agreement, form, status=400, payment=payment)


# --------------------------------------------------------------------------------------------
# Issue, withdraw, cancel, close, and conditions met
# --------------------------------------------------------------------------------------------


class IssueView(AgreementObject):
    def post(self, request, uuid):
        agreement = self.agreement(uuid)
        try:
            terms = services.agreement_issue(actor=request.user, agreement=agreement)
        except ValidationError as exc:
            return self.show(request, agreement, _problems(exc))
        messages.success(
            request,
            f"{agreement.reference} is issued to {agreement.organisation} (terms version "
            f"{terms.number}). They can now read and accept it.",
        )
        return redirect("agreement", uuid=agreement.uuid)


class ReasonView(AgreementObject):
    """A move that needs a reason: a short form page (the agreement page links to it)."""

    template = "agreements/agreement_simple_form.html"
    title = ""
    label = "Reason"
    button = "Confirm"
    done = ""
    anchor = ""

    def act(self, request, agreement: Agreement, reason: str) -> None:
        raise NotImplementedError

    def target(self, agreement: Agreement):
        return agreement

    def context(self, agreement: Agreement, **kwargs: Any) -> dict[str, Any]:
        return {}

    def page(self, request, agreement, form, status=200, **kwargs):
        return render(
            request,
            self.template,
            {
                "agreement": agreement,
                "form": form,
                "title": self.title,
                "button": self.button,
                **self.context(agreement, **kwargs),
            },
            status=status,
        )

    def get(self, request, uuid, **kwargs):
        agreement = self.agreement(uuid)
        return self.page(request, agreement, ReasonForm(label=self.label), **kwargs)

    def post(self, request, uuid, **kwargs):
        agreement = self.agreement(uuid)
        form = ReasonForm(request.POST, label=self.label)
        if form.is_valid():
            try:
                self.act(request, agreement, form.cleaned_data["reason"], **kwargs)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, self.done)
                return redirect(reverse("agreement", args=[agreement.uuid]) + self.anchor)
        return self.page(request, agreement, form, status=400, **kwargs)


class WithdrawView(ReasonView):
    title = "Withdraw the agreement to amend it"
    label = "Why is it being withdrawn?"
    button = "Withdraw to amend"
    done = "The agreement is withdrawn: it is a draft again, and the partner cannot accept it."

    def act(self, request, agreement, reason):
        services.agreement_withdraw(actor=request.user, agreement=agreement, reason=reason)


class CancelView(ReasonView):
    title = "Cancel the draft agreement"
    label = "Why is it being cancelled?"
    button = "Cancel the agreement"
    done = "The agreement is cancelled."

    def act(self, request, agreement, reason):
        services.agreement_cancel(actor=request.user, agreement=agreement, reason=reason)


class CloseView(ReasonView):
    title = "Close the agreement"
    label = "Why is it being closed?"
    button = "Close the agreement"
    done = "The agreement is closed."

    def act(self, request, agreement, reason):
        services.agreement_close(actor=request.user, agreement=agreement, reason=reason)


class ConditionMetView(AgreementObject):
    permission = MANAGE

    def _page(self, request, agreement, condition, form, status=200):
        return render(
            request,
            "agreements/agreement_simple_form.html",
            {
                "agreement": agreement,
                "form": form,
                "title": "Record that a condition is met",
                "lead": condition.text,
                "button": "Record as met",
            },
            status=status,
        )

    def get(self, request, uuid, order: int):
        agreement = self.agreement(uuid)
        condition = selectors.condition_get(agreement, order)
        form = ConditionMetForm(initial={"on": f"{timezone.localdate():%-d/%-m/%Y}"})
        return self._page(request, agreement, condition, form)

    def post(self, request, uuid, order: int):
        agreement = self.agreement(uuid)
        condition = selectors.condition_get(agreement, order)
        form = ConditionMetForm(request.POST)
        if form.is_valid():
            try:
                services.condition_met(
                    actor=request.user,
                    condition=condition,
                    on=form.cleaned_data["on"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                attach_errors(form, exc, {"on": "on", "note": "note"})
            else:
                messages.success(request, "The condition is recorded as met.")
                return redirect(reverse("agreement", args=[agreement.uuid]) + "#conditions")
        return self._page(request, agreement, condition, form, status=400)


# --------------------------------------------------------------------------------------------
# The partner accepts
# --------------------------------------------------------------------------------------------


class AcceptView(AgreementObject):
    """The partner reads the terms issued to them and signs them with their name and
    position. Anyone else who may see the agreement is sent back to it."""

    permission = ACCEPT

    def _page(self, request, agreement, form, status=200):
        terms = selectors.latest_terms(agreement)
        return render(
            request,
            "agreements/agreement_accept.html",
            {
                "agreement": agreement,
                "form": form,
                "terms": terms,
                "doc": selectors.terms_view(terms.content) if terms else None,
            },
            status=status,
        )

    def _waiting(self, request, agreement) -> bool:
        if AGREEMENT.can(request.user, agreement, AgreementStatus.ACTIVE):
            return True
        messages.info(request, f"{agreement.reference} is not waiting for you to accept it.")
        return False

    def get(self, request, uuid):
        agreement = self.agreement(uuid)
        if not self._waiting(request, agreement):
            return redirect("agreement", uuid=agreement.uuid)
        return self._page(request, agreement, AcceptForm())

    def post(self, request, uuid):
        agreement = self.agreement(uuid)
        form = AcceptForm(request.POST)
        if form.is_valid():
            try:
                services.agreement_accept(
                    actor=request.user,
                    agreement=agreement,
                    name=form.cleaned_data["name"],
                    position=form.cleaned_data["position"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"You accepted {agreement.reference}. Its returns and payments are below.",
                )
                return redirect("agreement", uuid=agreement.uuid)
        return self._page(request, agreement, form, status=400)


# --------------------------------------------------------------------------------------------
# Payments
# --------------------------------------------------------------------------------------------


class PaymentMoveView(AgreementObject):
    """Request or approve an instalment: a button on the agreement page. A refusal (held,
    the requester approving, over the maximum sum) shows there as an error summary."""

    move = ""

    def post(self, request, uuid, number: int):
        agreement = self.agreement(uuid)
        payment = selectors.payment_get(agreement, number)
        service = {"request": payments.payment_request, "approve": payments.payment_approve}
        try:
            service[self.move](actor=request.user, payment=payment)
        except ValidationError as exc:
            problems = _problems(exc)
            for line in problems:
                line["text"] = f"Instalment {payment.number}: {line['text']}"
                line["href"] = f"#payment-{payment.number}"
            return self.show(request, agreement, problems)
        done = "requested" if self.move == "request" else "approved"
        messages.success(request, f"Instalment {payment.number} is {done}.")
        return redirect(reverse("agreement", args=[agreement.uuid]) + "#payments")


class PaymentReasonView(ReasonView):
    """Send a request back, or cancel an instalment: with a reason."""

    template = "agreements/payment_form.html"
    anchor = "#payments"

    def context(self, agreement, number: int = 0, **kwargs):
        return {"payment": selectors.payment_get(agreement, number)}


class PaymentSendBackView(PaymentReasonView):
    title = "Send the payment request back"
    label = "Why is it being sent back?"
    button = "Send back"

    def act(self, request, agreement, reason, number: int = 0):
        payment = selectors.payment_get(agreement, number)
        payments.payment_send_back(actor=request.user, payment=payment, reason=reason)
        self.done = f"The request for instalment {number} is sent back; it is scheduled again."


class PaymentCancelView(PaymentReasonView):
    title = "Cancel the instalment"
    label = "Why is it being cancelled?"
    button = "Cancel the instalment"

    def act(self, request, agreement, reason, number: int = 0):
        payment = selectors.payment_get(agreement, number)
        payments.payment_cancel(actor=request.user, payment=payment, reason=reason)
        self.done = f"Instalment {number} is cancelled."


class PaymentPaidView(AgreementObject):
    def _page(self, request, agreement, payment, form, status=200):
        return render(
            request,
            "agreements/payment_form.html",
            {
                "agreement": agreement,
                "payment": payment,
                "form": form,
                "title": "Record the payment as made",
                "button": "Record as paid",
            },
            status=status,
        )

    def get(self, request, uuid, number: int):
        agreement = self.agreement(uuid)
        payment = selectors.payment_get(agreement, number)
        return self._page(request, agreement, payment, PaidForm())

    def post(self, request, uuid, number: int):
        agreement = self.agreement(uuid)
        payment = selectors.payment_get(agreement, number)
        form = PaidForm(request.POST)
        if form.is_valid():
            try:
                payments.payment_record_paid(
                    actor=request.user,
                    payment=payment,
                    paid_on=form.cleaned_data["paid_on"],
                    finance_reference=form.cleaned_data["finance_reference"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Instalment {payment.number} is recorded as paid.")
                return redirect(reverse("agreement", args=[agreement.uuid]) + "#payments")
        return self._page(request, agreement, payment, form, status=400)


# --------------------------------------------------------------------------------------------
# Variations
# --------------------------------------------------------------------------------------------


class VariationProposeView(AgreementObject):
    permission = MANAGE

    def _page(self, request, agreement, form, status=200):
        return render(
            request,
            "agreements/variation_form.html",
            {"agreement": agreement, "form": form, "title": "Propose a variation"},
            status=status,
        )

    def _form(self, agreement, data=None):
        return VariationForm(
            data,
            agreement=agreement,
            decisions=selectors.decisions_for_variation(),
            reported=variations.reported_periods(agreement),
        )

    def get(self, request, uuid):
        agreement = self.agreement(uuid)
        return self._page(request, agreement, self._form(agreement))

    def post(self, request, uuid):
        agreement = self.agreement(uuid)
        form = self._form(agreement, request.POST)
        if form.is_valid():
            budget, rows = form.categories()
            try:
                variation = variations.variation_propose(
                    actor=request.user,
                    agreement=agreement,
                    reason=form.cleaned_data["reason"],
                    maximum_sum=form.cleaned_data["maximum_sum"],
                    ends_on=form.cleaned_data["ends_on"],
                    budget=budget,
                    outcomes=form.outcomes_changed(),
                    decision=form.cleaned_data["decision"],
                )
            except ValidationError as exc:
                attach_errors(form, exc, form.field_for(rows))
            else:
                messages.success(
                    request,
                    f"Variation {variation.number} is proposed. Someone else (an officer or "
                    "the CFO) decides it; then the partner signs it.",
                )
                return redirect(reverse("agreement", args=[agreement.uuid]) + "#variations")
        return self._page(request, agreement, form, status=400)


class VariationObject(AgreementObject):
    """A page about one variation, which this user must be allowed to answer
    (`variation_rule`: the proposer may not decide it, only the partner signs it; 403 with
    why)."""

    variation_rule = ""
    template = ""
    form_class: type = VariationDecideForm

    def _page(self, request, agreement, variation, form, status=200):
        return render(
            request,
            self.template,
            {
                "agreement": agreement,
                "variation": variation,
                "lines": selectors.variation_lines(variation),
                "form": form,
            },
            status=status,
        )

    def get(self, request, uuid, number: int):
        agreement = self.agreement(uuid)
        variation = self.variation(request, agreement, number)
        return self._page(request, agreement, variation, self.form_class())

    def variation(self, request, agreement, number: int):
        variation = selectors.variation_get(agreement, number)
        ok, reason = check(request.user, self.variation_rule, variation)
        if not ok:
            raise PermissionDenied(reason)
        return variation


class VariationDecideView(VariationObject):
    permission = VARIATION_DECIDE
    variation_rule = VARIATION_DECIDE

    template = "agreements/variation_decide.html"
    form_class = VariationDecideForm

    def post(self, request, uuid, number: int):
        agreement = self.agreement(uuid)
        variation = self.variation(request, agreement, number)
        form = VariationDecideForm(request.POST)
        if form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if form.cleaned_data["outcome"] == "approve":
                    variations.variation_approve(actor=request.user, variation=variation, note=note)
                    done = (
                        f"Variation {variation.number} is approved. It comes into force when "
                        f"{agreement.organisation} signs it."
                    )
                else:
                    variations.variation_reject(actor=request.user, variation=variation, note=note)
                    done = f"Variation {variation.number} is rejected."
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(reverse("agreement", args=[agreement.uuid]) + "#variations")
        return self._page(request, agreement, variation, form, status=400)


class VariationSignView(VariationObject):
    """The partner signs the variation the OPCC approved, or declines it saying why."""

    variation_rule = VARIATION_SIGN

    template = "agreements/variation_sign.html"
    form_class = VariationSignForm

    def post(self, request, uuid, number: int):
        agreement = self.agreement(uuid)
        variation = self.variation(request, agreement, number)
        form = VariationSignForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d["answer"] == "sign":
                    terms = variations.variation_sign(
                        actor=request.user,
                        variation=variation,
                        name=d["name"],
                        position=d["position"],
                    )
                    done = (
                        f"You have signed variation {variation.number}: the terms now in force "
                        f"are version {terms.number}."
                    )
                else:
                    variations.variation_decline(
                        actor=request.user, variation=variation, note=d["note"]
                    )
                    done = (
                        f"You have declined variation {variation.number}: the terms stay as "
                        "they were."
                    )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("agreement", uuid=agreement.uuid)
        return self._page(request, agreement, variation, form, status=400)


# --------------------------------------------------------------------------------------------
# The partner's list
# --------------------------------------------------------------------------------------------


class OurAgreementsView(Guarded):
    permission = VIEW

    def get(self, request):
        return render(
            request,
            "agreements/agreement_list.html",
            {"rows": selectors.partner_agreements(request.user, timezone.localdate())},
        )


A = "agreements/<uuid:uuid>/"
P = A + "payments/<int:number>/"

urlpatterns = [
    path("allocations/<uuid:uuid>/agreement/", AgreementNewView.as_view(), name="agreement-new"),
    path("our-agreements/", OurAgreementsView.as_view(), name="our-agreements"),
    path(A, AgreementView.as_view(), name="agreement"),
    path(A + "agreement.pdf", AgreementPdfView.as_view(), name="agreement-pdf"),
    path(A + "variations/new/", VariationProposeView.as_view(), name="variation-new"),
    path(
        A + "variations/<int:number>/decide/",
        VariationDecideView.as_view(),
        name="variation-decide",
    ),
    path(
        A + "variations/<int:number>/sign/",
        VariationSignView.as_view(),
        name="variation-sign",
    ),
    path(A + "edit/", AgreementEditView.as_view(), name="agreement-edit"),
    path(A + "outcomes/new/", OutcomeAddView.as_view(), name="agreement-outcome-add"),
    path(
        A + "outcomes/<int:order>/remove/",
        OutcomeRemoveView.as_view(),
        name="agreement-outcome-remove",
    ),
    path(A + "conditions/new/", ConditionAddView.as_view(), name="agreement-condition-add"),
    path(
        A + "conditions/<int:order>/remove/",
        ConditionRemoveView.as_view(),
        name="agreement-condition-remove",
    ),
    path(
        A + "conditions/<int:order>/met/",
        ConditionMetView.as_view(),
        name="agreement-condition-met",
    ),
    path(A + "budget/", BudgetView.as_view(), name="agreement-budget"),
    path(A + "issue/", IssueView.as_view(), name="agreement-issue"),
    path(A + "withdraw/", WithdrawView.as_view(), name="agreement-withdraw"),
    path(A + "cancel/", CancelView.as_view(), name="agreement-cancel"),
    path(A + "close/", CloseView.as_view(), name="agreement-close"),
    path(A + "accept/", AcceptView.as_view(), name="agreement-accept"),
    path(P + "advance/", AdvanceView.as_view(), name="payment-advance"),
    path(P + "request/", PaymentMoveView.as_view(move="request"), name="payment-request"),
    path(P + "approve/", PaymentMoveView.as_view(move="approve"), name="payment-approve"),
    path(P + "send-back/", PaymentSendBackView.as_view(), name="payment-send-back"),
    path(P + "paid/", PaymentPaidView.as_view(), name="payment-paid"),
    path(P + "cancel/", PaymentCancelView.as_view(), name="payment-cancel"),
]
