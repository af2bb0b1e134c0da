"""Pages for needs-based allocation: runs, the explanation, the partner view, downloads."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from commissioning.budgets.models import FinancialYear
from commissioning.core.downloads import PDF, file_response, table_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.jobs import jobs_of
from commissioning.core.permissions import allowed

from . import late, selectors, services
from .forms import (
    LATE_FIELDS,
    AdoptForm,
    CrimeUploadForm,
    RunForm,
    UploadIndicatorForm,
    UploadWeightsForm,
)
from .models import IndicatorUpload
from .permissions import READ, RUN, VIEW


class RunListView(Guarded):
    permission = VIEW

    def get(self, request):
        context = selectors.run_list()
        context["can_run"] = allowed(request.user, RUN)
        return render(request, "formula/run_list.html", context)


class RunCreateView(Guarded):
    permission = RUN

    def get(self, request):
        initial = {"pot": "639,675", "unit": "1"}
        return render(request, "formula/run_form.html", {"form": RunForm(initial=initial)})

    def post(self, request):
        form = RunForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            uploads = list(IndicatorUpload.objects.filter(name__in=list(form.weights())))
            req = services.RunRequest(
                year=d["year"],
                pot=d["pot"],
                weights=form.weights(),
                population_source=d["population_source"],
                harm_table=d["harm_table"],
                include_asb=d["include_asb"],
                join=d["join"],
                unit=d["unit"] or Decimal(1),
                minimum=d["minimum"] or Decimal(0),
                previous_year=d["previous_year"],
                floor_pct=d["floor_pct"],
                cap_pct=d["cap_pct"],
                phase_in=d["phase_in"],
                uploads=uploads,
                title=d["title"],
                late_action=d["late_action"] or late.NONE,
                late_returns=d["late_returns"] if d["late_returns"] is not None else 1,
                late_days=d["late_days"] if d["late_days"] is not None else 0,
                late_percent=d["late_percent"],
            )
            try:
                run = services.formula_run_create(actor=request.user, req=req)
            except ValidationError as exc:
                attach_errors(form, exc, fields=lambda key: key if key in LATE_FIELDS else None)
            else:
                messages.success(request, f"Run {run.reference} stored.")
                return redirect("formula-run", uuid=run.uuid)
        return render(request, "formula/run_form.html", {"form": form}, status=400)


class RunView(Guarded):
    permission = VIEW

    def get(self, request, uuid):
        run = selectors.run_get(uuid)
        context = selectors.run_context(run)
        context["can_adopt"] = allowed(request.user, RUN) and not run.is_adopted
        context["adopt_form"] = AdoptForm(initial={"year": run.year})
        context["late_rule"] = late.rule_of(run.inputs)
        if context["late_rule"] is not None and run.is_adopted:
            context["late_rows"] = late.adoption_rows(run.adoption, timezone.localdate())
        return render(request, "formula/run.html", context)


class RunAdoptView(Guarded):
    permission = RUN

    def post(self, request, uuid):
        run = selectors.run_get(uuid)
        form = AdoptForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose the funding year and status")
            return redirect("formula-run", uuid=run.uuid)
        try:
            adoption = services.formula_run_adopt(
                actor=request.user,
                run=run,
                year=form.cleaned_data["year"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("formula-run", uuid=run.uuid)
        messages.success(
            request,
            f"Run {run.reference} adopted: {adoption.allocations.count()} Partnership Locality Fund allocations recorded in {adoption.year}."
            + _late_summary(adoption),
        )
        return redirect("allocation-list", year=adoption.year.slug)


def _late_summary(adoption) -> str:
    """What the late-returns rule did at adoption, for the message after adopting."""
    if late.rule_of(adoption.run.inputs) is None:
        return ""
    if not adoption.late_returns:
        return " The late-returns rule changed no area's allocation."
    held = [r["area"] for r in adoption.late_returns if r["action"] == late.HOLD]
    cut = [r["area"] for r in adoption.late_returns if r["action"] == late.REDUCE]
    parts = []
    if held:
        parts.append(f"held (indicative) for late returns: {', '.join(held)}")
    if cut:
        parts.append(f"reduced for late returns: {', '.join(cut)}")
    text = "; ".join(parts)
    return f" {text[0].upper()}{text[1:]}. The run's page lists the returns."


class PartnerRunView(Guarded):
    """A partner reads the method and their own area; staff can open it to see what partners see."""

    permission = READ
    object_permission = READ

    def get(self, request, uuid):
        run = self.check_object(selectors.run_get(uuid))
        staff = allowed(request.user, VIEW)
        context = selectors.partner_context(
            run,
            organisation=request.user.organisation if request.user.organisation_id else None,
            area=request.GET.get("area", "") if staff else "",
        )
        context["staff"] = staff
        return render(request, "formula/partner.html", context)


class RunDownloadView(Guarded):
    permission = VIEW

    def get(self, request, uuid, fmt: str):
        run = selectors.run_get(uuid)
        name = run.reference.replace("/", "-")
        if fmt == "pdf":
            from .report_pdf import run_report_pdf  # reportlab, only when asked

            return file_response(
                run_report_pdf(selectors.run_report_data(run)),
                filename=f"{name}.pdf",
                content_type=PDF,
            )
        if fmt not in ("csv", "xlsx"):
            raise Http404("No such format")
        return table_response(
            selectors.RUN_COLUMNS,
            selectors.run_records(run),
            fmt=fmt,
            name=name,
            title=name,
            headings=selectors.RUN_HEADINGS,
        )


def _crime_context(request, form: CrimeUploadForm | None = None) -> dict:
    can_load = allowed(request.user, RUN)
    return {
        "coverage": selectors.crime_coverage(),
        "loads": selectors.crime_loads(20),
        "can_load": can_load,
        "form": form or (CrimeUploadForm() if can_load else None),
        "jobs": jobs_of(request.user, limit=5, kind=services.CRIME_INGEST_JOB),
        "max_mb": settings.CRIME_UPLOAD_MAX_MB,
    }


class CrimeDataView(Guarded):
    """What police.uk data is loaded; officers who run the formula load more here."""

    permission = VIEW

    def get(self, request):
        return render(request, "formula/crime.html", _crime_context(request))


class CrimeUploadView(Guarded):
    """POST only: keep the uploaded police.uk files and load them in a background job."""

    permission = RUN

    def post(self, request):
        form = CrimeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.crime_ingest_start(
                    actor=request.user,
                    files=[(f.name, f.read()) for f in form.cleaned_data["upload"]],
                )
            except ValidationError as exc:
                attach_errors(form, exc, fields=lambda key: "upload")
            else:
                return redirect("job", uuid=job.uuid)
        return render(request, "formula/crime.html", _crime_context(request, form), status=400)


class UploadWeightsView(Guarded):
    permission = RUN

    def get(self, request):
        return render(
            request,
            "formula/upload.html",
            {"form": UploadWeightsForm(), "title": "Upload harm weights"},
        )

    def post(self, request):
        form = UploadWeightsForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.harm_table_upload(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    filename=upload.name,
                    content=upload.read(),
                    source=form.cleaned_data["source"],
                )
            except ValidationError as exc:
                attach_errors(form, exc, fields=lambda key: "file")
            else:
                messages.success(request, "Harm weights stored.")
                return redirect("formula-list")
        return render(
            request,
            "formula/upload.html",
            {"form": form, "title": "Upload harm weights"},
            status=400,
        )


class UploadIndicatorView(Guarded):
    permission = RUN

    def get(self, request):
        return render(
            request,
            "formula/upload.html",
            {"form": UploadIndicatorForm(), "title": "Upload an indicator"},
        )

    def post(self, request):
        form = UploadIndicatorForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            d = form.cleaned_data
            try:
                services.indicator_upload(
                    actor=request.user,
                    name=d["name"],
                    title=d["title"],
                    kind=d["kind"],
                    filename=upload.name,
                    content=upload.read(),
                    source=d["source"],
                )
            except ValidationError as exc:
                attach_errors(form, exc, fields=lambda key: "file")
            else:
                messages.success(request, f"Indicator {d['name']} stored.")
                return redirect("formula-list")
        return render(
            request,
            "formula/upload.html",
            {"form": form, "title": "Upload an indicator"},
            status=400,
        )


class VliCreateView(Guarded):
    """POST only: build the Vulnerable Localities Index indicator for a year."""

    permission = RUN

    def post(self, request):
        year = FinancialYear.objects.filter(pk=request.POST.get("year")).first()
        if year is None:
            messages.error(request, "Choose a year")
            return redirect("formula-list")
        try:
            upload = services.vli_indicator_create(actor=request.user, year=year)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Indicator {upload.name} stored: weight it in a run, e.g. {upload.name}=100.",
            )
        return redirect("formula-list")
