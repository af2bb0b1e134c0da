"""Staff pages for decision records: draft, cite, assess, approve, sign, determine, supersede."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commissioning.budgets.models import FinancialYear
from commissioning.budgets.selectors import allocation_lines
from commissioning.core import files
from commissioning.core.guard import Guarded
from commissioning.core.models import AuditEvent
from commissioning.core.permissions import allowed

from . import services
from .forms import (
    ApproveForm,
    AssessmentForm,
    DetermineForm,
    RecordForm,
    SignForm,
    attach_errors,
)
from .models import DecisionRecord, EqualityAssessment, Status, Step
from .pdf import decision_pdf
from .public import attachment_for, staff_document


def record_get(slug: str) -> DecisionRecord:
    record = DecisionRecord.objects.select_related("supersedes", "created_by").filter(slug=slug)
    found = record.first()
    if found is None:
        raise Http404("No such decision record")
    return found


class DecisionListView(Guarded):
    permission = "decisions.view"

    def get(self, request):
        records = DecisionRecord.objects.select_related("created_by").order_by(
            "-number_year", "-number"
        )
        return render(
            request,
            "decisions/list.html",
            {"records": records, "can_draft": allowed(request.user, "decisions.draft")},
        )


def _record_kwargs(data: dict) -> dict:
    return {k: data[k] for k in services.RECORD_FIELDS if k in data}


class DecisionCreateView(Guarded):
    permission = "decisions.draft"

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
    permission = "decisions.draft"

    def get(self, request, slug: str):
        record = record_get(slug)
        initial = {k: getattr(record, k) for k in services.RECORD_FIELDS}
        return render(
            request, "decisions/edit.html", {"form": RecordForm(initial=initial), "record": record}
        )

    def post(self, request, slug: str):
        record = record_get(slug)
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
    permission = "decisions.view"

    def get(self, request, slug: str):
        record = record_get(slug)
        doc = staff_document(record)
        user = request.user
        drafted_by_me = record.created_by_id == user.pk
        can = {
            "edit": record.status == Status.DRAFT and allowed(user, "decisions.draft"),
            "approve": record.status == Status.DRAFT
            and allowed(user, "decisions.approve")
            and not drafted_by_me,
            "sign": record.status == Status.APPROVED
            and allowed(user, "decisions.sign")
            and not drafted_by_me,
            "determine": record.status == Status.SIGNED
            and allowed(user, "decisions.determine")
            and not drafted_by_me,
            "supersede": record.status in (Status.SIGNED, Status.PUBLISHED, Status.NOT_PUBLISHED)
            and not doc.superseded_by
            and allowed(user, "decisions.draft"),
        }
        events = AuditEvent.objects.filter(
            object_type=DecisionRecord._meta.label, object_uuid=record.uuid
        ).order_by("created_at", "id")
        snapshot = getattr(record, "snapshot", None) if record.status != Status.DRAFT else None
        return render(
            request,
            "decisions/detail.html",
            {
                "record": record,
                "doc": doc,
                "can": can,
                "drafted_by_me": drafted_by_me,
                "events": events,
                "snapshot": snapshot,
                "approve_form": ApproveForm(),
                "sign_form": SignForm(),
                "next_step": _next_step(record),
            },
        )


def _next_step(record: DecisionRecord) -> str:
    return {
        Status.DRAFT: "Approval by the Chief Executive or the Chief Finance Officer",
        Status.APPROVED: "Decision and signature of the Police and Crime Commissioner",
        Status.SIGNED: "Publication determination by the Monitoring Officer",
    }.get(Status(record.status), "")


class DecisionPdfView(Guarded):
    permission = "decisions.view"

    def get(self, request, slug: str):
        record = record_get(slug)
        response = HttpResponse(
            decision_pdf(staff_document(record)), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{record.slug}.pdf"'
        return response


class DecisionLinksView(Guarded):
    """Cite allocations of a year (the ledger lines the decision makes)."""

    permission = "decisions.draft"

    def get(self, request, slug: str):
        record = record_get(slug)
        years = FinancialYear.objects.order_by("-starts")
        label = request.GET.get("year") or (years[0].label if years else "")
        year = next((y for y in years if y.label == label), None)
        cited = set(record.links.values_list("allocation__reference", flat=True))
        lines = [
            line
            for line in (allocation_lines(year) if year else [])
            if line.reference not in cited and line.status != "cancelled"
        ]
        return render(
            request,
            "decisions/links.html",
            {"record": record, "years": years, "year": year, "lines": lines},
        )

    def post(self, request, slug: str):
        from commissioning.budgets.models import Allocation

        record = record_get(slug)
        if "remove" in request.POST:
            try:
                orders = [int(request.POST["remove"])]
                services.link_remove(actor=request.user, record=record, orders=orders)
            except (ValueError, ValidationError) as exc:
                messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("decision", slug=record.slug)
        references = request.POST.getlist("allocation")
        allocations = list(Allocation.objects.filter(reference__in=references))
        if not allocations:
            messages.error(request, "Choose at least one allocation to cite")
            return redirect(reverse("decision-links", args=[record.slug]))
        order = {ref: i for i, ref in enumerate(references)}
        allocations.sort(key=lambda a: order[a.reference])
        try:
            made = services.link_add(
                actor=request.user,
                record=record,
                targets=allocations,
                conditions=request.POST.get("conditions", "").strip(),
                reasons=request.POST.get("reasons", "").strip(),
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"{len(made)} allocations cited.")
        return redirect("decision", slug=record.slug)


class AssessmentView(Guarded):
    permission = "decisions.draft"

    def get(self, request, slug: str):
        record = record_get(slug)
        existing = EqualityAssessment.objects.filter(record=record).first()
        initial = {}
        if existing is not None:
            initial = {k: getattr(existing, k) for k in services.ASSESSMENT_FIELDS}
        return render(
            request,
            "decisions/assessment.html",
            {"record": record, "form": AssessmentForm(initial=initial)},
        )

    def post(self, request, slug: str):
        record = record_get(slug)
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
    permission = "decisions.approve"

    def post(self, request, slug: str):
        record = record_get(slug)
        form = ApproveForm(request.POST)
        form.is_valid()
        try:
            services.record_approve(
                actor=request.user, record=record, note=form.cleaned_data.get("note", "")
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"{record.reference} is approved for the PCC.")
        return redirect("decision", slug=record.slug)


class SignView(Guarded):
    permission = "decisions.sign"

    def post(self, request, slug: str):
        record = record_get(slug)
        form = SignForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Confirm you have read the record to sign it")
            return redirect("decision", slug=record.slug)
        try:
            services.record_sign(actor=request.user, record=record)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"You signed {record.reference}.")
        return redirect("decision", slug=record.slug)


def _parts(record: DecisionRecord) -> dict[str, str]:
    approval = record.signatures.get(step=Step.APPROVE)
    return services.parts_of(record.snapshot.content, approval.note)


class DetermineView(Guarded):
    permission = "decisions.determine"

    def _page(self, request, record, form, status=200):
        return render(
            request,
            "decisions/determine.html",
            {"record": record, "form": form, "doc": staff_document(record)},
            status=status,
        )

    def get(self, request, slug: str):
        record = record_get(slug)
        if record.status != Status.SIGNED:
            messages.error(request, f"{record.reference} is not waiting for a determination")
            return redirect("decision", slug=record.slug)
        return self._page(request, record, DetermineForm(parts=_parts(record)))

    def post(self, request, slug: str):
        record = record_get(slug)
        if record.status != Status.SIGNED:
            messages.error(request, f"{record.reference} is not waiting for a determination")
            return redirect("decision", slug=record.slug)
        form = DetermineForm(request.POST, parts=_parts(record))
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
                attach_errors(form, exc, mapper=form.field_for)
            else:
                messages.success(request, f"Publication of {record.reference} is determined.")
                return redirect("decision", slug=record.slug)
        return self._page(request, record, form, status=400)


class SupersedeView(Guarded):
    """Start the correction of a signed record: a new draft carrying its text."""

    permission = "decisions.draft"

    def post(self, request, slug: str):
        record = record_get(slug)
        doc = staff_document(record)
        text = {s.key: s.text for s in doc.sections}
        try:
            new = services.record_create(
                actor=request.user,
                title=doc.title,
                supersedes=record,
                officers_present=doc.officers_present,
                summary=text.get("summary", ""),
                recommendations=text.get("recommendations", ""),
                discussion=text.get("discussion", ""),
                resolution=text.get("resolution", ""),
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("decision", slug=record.slug)
        messages.success(
            request,
            f"{new.reference} is drafted to supersede {record.reference}; correct it and send "
            "it for approval.",
        )
        return redirect("decision", slug=new.slug)


def serve_attachment(attachment) -> FileResponse:
    return files.download(
        services.attachments_dir() / attachment.stored_name,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


class AttachmentView(Guarded):
    """Staff: upload to a draft (POST) or download an attachment (GET)."""

    permission = "decisions.view"

    def get(self, request, slug: str, n: int):
        attachment = attachment_for(record_get(slug), n, public=False)
        if attachment is None:
            raise Http404("No such attachment")
        return serve_attachment(attachment)


class AttachmentUploadView(Guarded):
    permission = "decisions.draft"

    def post(self, request, slug: str):
        record = record_get(slug)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a file to attach")
        else:
            try:
                services.attachment_add(
                    actor=request.user, record=record, name=upload.name, data=upload.read()
                )
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                messages.success(request, f"{upload.name} is attached.")
        return redirect("decision", slug=record.slug)


class FromRoundView(Guarded):
    """Draft the decision record of an approved grant round."""

    permission = "decisions.draft"

    def post(self, request, reference: str):
        from commissioning.grants.models import Round

        rnd = Round.objects.filter(reference=reference).select_related("year").first()
        if rnd is None:
            raise Http404("No such round")
        try:
            record = services.record_from_round(actor=request.user, round=rnd)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("round-dashboard", reference=rnd.reference)
        messages.success(request, f"{record.reference} is drafted with the round's awards.")
        return redirect("decision", slug=record.slug)
