"""Staff pages for decision records: draft, cite, assess, approve, sign, determine, supersede."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from commissioning.core import files
from commissioning.core.downloads import PDF, file_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed

from . import selectors, services
from .forms import ApproveForm, AssessmentForm, DetermineForm, RecordForm, SignForm
from .models import ATTACHMENT_FOLDER, DecisionAttachment
from .permissions import APPROVE, DETERMINE, DRAFT, SIGN, VIEW
from .public import staff_document
from .status import Step
from .workflow import awaits


class DecisionListView(Guarded):
    permission = VIEW

    def get(self, request):
        return render(
            request,
            "decisions/list.html",
            {"records": selectors.record_list(), "can_draft": allowed(request.user, DRAFT)},
        )


def _record_kwargs(data: dict) -> dict:
    return {k: data[k] for k in services.RECORD_FIELDS if k in data}


def _refused(request, exc: ValidationError) -> None:
    messages.error(request, "; ".join(exc.messages))


class DecisionCreateView(Guarded):
    permission = DRAFT

    def get(self, request):
        return render(request, "decisions/edit.html", {"form": RecordForm(), "record": None})

    def post(self, request):
        form = RecordForm(request.POST)
        if form.is_valid():
            data = _record_kwargs(form.cleaned_data)
            title = data.pop("title")
            try:
                record = services.record_create(actor=request.user, title=title, **data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{record.reference} is drafted.")
                return redirect("decision", slug=record.slug)
        return render(request, "decisions/edit.html", {"form": form, "record": None}, status=400)


class DecisionEditView(Guarded):
    permission = DRAFT

    def get(self, request, slug: str):
        record = selectors.record_get(slug)
        initial = {k: getattr(record, k) for k in services.RECORD_FIELDS}
        return render(
            request, "decisions/edit.html", {"form": RecordForm(initial=initial), "record": record}
        )

    def post(self, request, slug: str):
        record = selectors.record_get(slug)
        form = RecordForm(request.POST)
        if form.is_valid():
            try:
                services.record_update(
                    actor=request.user, record=record, **_record_kwargs(form.cleaned_data)
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"{record.reference} is saved.")
                return redirect("decision", slug=record.slug)
        return render(request, "decisions/edit.html", {"form": form, "record": record}, status=400)


class DecisionDetailView(Guarded):
    permission = VIEW

    def get(self, request, slug: str):
        page = selectors.record_page(selectors.record_get(slug), request.user)
        return render(
            request,
            "decisions/detail.html",
            {**page, "approve_form": ApproveForm(), "sign_form": SignForm()},
        )


class DecisionPdfView(Guarded):
    permission = VIEW

    def get(self, request, slug: str):
        from .pdf import decision_pdf  # reportlab, only when asked

        record = selectors.record_get(slug)
        return file_response(
            decision_pdf(staff_document(record)),
            filename=f"{record.slug}.pdf",
            content_type=PDF,
            inline=True,
        )


class DecisionLinksView(Guarded):
    """Cite allocations of a year (the ledger lines the decision makes)."""

    permission = DRAFT

    def get(self, request, slug: str):
        record = selectors.record_get(slug)
        return render(
            request,
            "decisions/links.html",
            selectors.citable_lines(record, request.GET.get("year", "")),
        )

    def post(self, request, slug: str):
        record = selectors.record_get(slug)
        if "remove" in request.POST:
            try:
                orders = [int(request.POST["remove"])]
                services.link_remove(actor=request.user, record=record, orders=orders)
            except (ValueError, ValidationError) as exc:
                messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("decision", slug=record.slug)
        allocations = selectors.allocations_in_order(request.POST.getlist("allocation"))
        if not allocations:
            messages.error(request, "Choose at least one allocation to cite")
            return redirect(reverse("decision-links", args=[record.slug]))
        try:
            made = services.link_add(
                actor=request.user,
                record=record,
                targets=allocations,
                conditions=request.POST.get("conditions", "").strip(),
                reasons=request.POST.get("reasons", "").strip(),
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"{len(made)} allocations cited.")
        return redirect("decision", slug=record.slug)


class AssessmentView(Guarded):
    permission = DRAFT

    def get(self, request, slug: str):
        record = selectors.record_get(slug)
        initial = selectors.assessment_initial(record, services.ASSESSMENT_FIELDS)
        return render(
            request,
            "decisions/assessment.html",
            {"record": record, "form": AssessmentForm(initial=initial)},
        )

    def post(self, request, slug: str):
        record = selectors.record_get(slug)
        form = AssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.assessment_save(actor=request.user, record=record, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "The Equality Impact Assessment is saved.")
                return redirect("decision", slug=record.slug)
        return render(
            request, "decisions/assessment.html", {"record": record, "form": form}, status=400
        )


class ApproveView(Guarded):
    permission = APPROVE

    def post(self, request, slug: str):
        record = selectors.record_get(slug)
        form = ApproveForm(request.POST)
        form.is_valid()
        try:
            services.record_approve(
                actor=request.user, record=record, note=form.cleaned_data.get("note", "")
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"{record.reference} is approved for the PCC.")
        return redirect("decision", slug=record.slug)


class SignView(Guarded):
    permission = SIGN

    def post(self, request, slug: str):
        record = selectors.record_get(slug)
        form = SignForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Confirm you have read the record to sign it")
            return redirect("decision", slug=record.slug)
        try:
            services.record_sign(actor=request.user, record=record)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"You signed {record.reference}.")
        return redirect("decision", slug=record.slug)


class DetermineView(Guarded):
    permission = DETERMINE

    def _page(self, request, record, form, status=200):
        return render(
            request,
            "decisions/determine.html",
            {"record": record, "form": form, "doc": staff_document(record)},
            status=status,
        )

    def _waiting(self, request, record) -> bool:
        if awaits(record.status, Step.DETERMINE):
            return True
        messages.error(request, f"{record.reference} is not waiting for a determination")
        return False

    def get(self, request, slug: str):
        record = selectors.record_get(slug)
        if not self._waiting(request, record):
            return redirect("decision", slug=record.slug)
        return self._page(request, record, DetermineForm(parts=selectors.exemptible_parts(record)))

    def post(self, request, slug: str):
        record = selectors.record_get(slug)
        if not self._waiting(request, record):
            return redirect("decision", slug=record.slug)
        form = DetermineForm(request.POST, parts=selectors.exemptible_parts(record))
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.record_determine(
                    actor=request.user,
                    record=record,
                    publish_record=d["publish_record"],
                    publish_assessment=d["publish_assessment"],
                    publish_details=d["publish_details"],
                    redactions=[
                        services.RedactionRequest(part=p, exemption=e, reason=r)
                        for p, e, r in form.redactions()
                    ],
                    exemption=d["exemption"],
                    reasons=d["reasons"],
                )
            except ValidationError as exc:
                attach_errors(form, exc, form.field_for)
            else:
                messages.success(request, f"Publication of {record.reference} is determined.")
                return redirect("decision", slug=record.slug)
        return self._page(request, record, form, status=400)


class SupersedeView(Guarded):
    """Start the correction of a signed record: a new draft carrying its text."""

    permission = DRAFT

    def post(self, request, slug: str):
        record = selectors.record_get(slug)
        try:
            new = services.record_supersede(actor=request.user, record=record)
        except ValidationError as exc:
            _refused(request, exc)
            return redirect("decision", slug=record.slug)
        messages.success(
            request,
            f"{new.reference} is drafted to supersede {record.reference}; correct it and send "
            "it for approval.",
        )
        return redirect("decision", slug=new.slug)


def serve_attachment(attachment: DecisionAttachment | None) -> FileResponse:
    """The attachment's stored file as a download; 404 when there is none to show."""
    if attachment is None:
        raise Http404("No such attachment")
    return files.download(
        files.store_dir(ATTACHMENT_FOLDER) / attachment.stored_name,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


class AttachmentView(Guarded):
    """Staff: download an attachment."""

    permission = VIEW

    def get(self, request, slug: str, n: int):
        return serve_attachment(
            selectors.attachment_for(selectors.record_get(slug), n, public=False)
        )


class AttachmentUploadView(Guarded):
    permission = DRAFT

    def post(self, request, slug: str):
        record = selectors.record_get(slug)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a file to attach")
        else:
            try:
                services.attachment_add(
                    actor=request.user, record=record, name=upload.name, data=upload.read()
                )
            except ValidationError as exc:
                _refused(request, exc)
            else:
                messages.success(request, f"{upload.name} is attached.")
        return redirect("decision", slug=record.slug)


class FromRoundView(Guarded):
    """Draft the decision record of an approved grant round."""

    permission = DRAFT

    def post(self, request, reference: str):
        rnd = selectors.round_get(reference)
        try:
            record = services.record_from_round(actor=request.user, round=rnd)
        except ValidationError as exc:
            _refused(request, exc)
            return redirect("round-dashboard", reference=rnd.reference)
        messages.success(request, f"{record.reference} is drafted with the round's awards.")
        return redirect("decision", slug=record.slug)
