"""Pages for needs-based allocation: runs, the explanation, the partner view, downloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from commissioning.budgets import exports
from commissioning.budgets.models import FinancialYear
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed

from . import calc, explain, maps, services
from .forms import AdoptForm, RunForm, UploadIndicatorForm, UploadWeightsForm
from .models import CrimeDataLoad, FormulaRun, HarmWeightTable, IndicatorUpload


def run_get(uuid) -> FormulaRun:
    run = (
        FormulaRun.objects.select_related("year", "created_by", "adoption__year")
        .filter(uuid=uuid)
        .first()
    )
    if run is None:
        raise Http404("No such run")
    return run


def _money(value: Decimal) -> str:
    return f"£{value:,.0f}" if value == value.to_integral_value() else f"£{value:,.2f}"


def run_context(run: FormulaRun, *, with_sensitivity: bool = True) -> dict:
    result, identical = services.formula_run_recompute(run)
    sens = calc.sensitivity(*_sensitivity_args(run)) if with_sensitivity else None
    area_rows = explain.rows(run.inputs, result, sens)
    groups = {}
    join = run.inputs.get("join") or {}
    for code, members in (join.get("groups") or {}).items():
        for member in members:
            groups[member] = code
    allocations = {r.code: r.allocation for r in area_rows}
    per_district = {}
    for d in run.inputs["districts"]:
        per_district[d["code"]] = allocations.get(groups.get(d["code"], d["code"]), Decimal(0))
    compare = [(r.name, r.previous) for r in area_rows if r.previous is not None]
    return {
        "run": run,
        "result": result,
        "identical": identical,
        "rows": area_rows,
        "method": explain.method(run.inputs),
        "inputs": explain.inputs(run.inputs, run.output_hash),
        "weights": run.inputs["params"]["weights"],
        "previous": run.inputs.get("previous"),
        "total": sum((r.allocation for r in area_rows), Decimal(0)),
        "previous_total": sum(
            (r.previous for r in area_rows if r.previous is not None), Decimal(0)
        ),
        "map_svg": mark_safe(  # noqa: S308 - built from our own numbers by maps.py, which escapes text
            maps.choropleth_svg(
                per_district,
                title=f"Allocation by area, {run.reference}",
                value_label=_money,
                groups=groups,
            )
        ),
        "bar_svg": mark_safe(  # noqa: S308 - as above
            maps.bar_chart_svg(
                [(r.name, r.allocation) for r in area_rows],
                title="Allocation by area",
                value_label=_money,
                compare=compare if len(compare) == len(area_rows) else None,
                compare_label=f"{run.inputs['previous']['year']} Partnership Locality Fund"
                if compare
                else "",
            )
        ),
    }


def _sensitivity_args(run: FormulaRun):
    from .engine import areas_of, indicators_of, params_of

    join = run.inputs.get("join") or {}
    indicators = indicators_of(run.inputs)
    areas = list(calc.derive(areas_of(run.inputs), indicators))
    if join.get("mode") == "merge" and join.get("groups"):
        areas = list(calc.merge(areas, join["groups"], indicators, join.get("names") or {}))
    return areas, params_of(run.inputs)


class RunListView(Guarded):
    permission = "formula.view"

    def get(self, request):
        runs = FormulaRun.objects.select_related("year", "created_by", "adoption__year")
        loads = CrimeDataLoad.objects.all()[:5]
        return render(
            request,
            "formula/run_list.html",
            {
                "runs": runs,
                "loads": loads,
                "tables": HarmWeightTable.objects.all(),
                "uploads": IndicatorUpload.objects.all(),
                "can_run": allowed(request.user, "formula.run"),
                "years": FinancialYear.objects.all(),
            },
        )


class RunCreateView(Guarded):
    permission = "formula.run"

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
            )
            try:
                run = services.formula_run_create(actor=request.user, req=req)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"Run {run.reference} stored.")
                return redirect("formula-run", uuid=run.uuid)
        return render(request, "formula/run_form.html", {"form": form}, status=400)


class RunView(Guarded):
    permission = "formula.view"

    def get(self, request, uuid):
        run = run_get(uuid)
        context = run_context(run)
        context["can_adopt"] = allowed(request.user, "formula.run") and not run.is_adopted
        context["adopt_form"] = AdoptForm(initial={"year": run.year})
        return render(request, "formula/run.html", context)


class RunAdoptView(Guarded):
    permission = "formula.run"

    def post(self, request, uuid):
        run = run_get(uuid)
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
            f"Run {run.reference} adopted: {adoption.allocations.count()} Partnership Locality Fund allocations recorded in {adoption.year}.",
        )
        return redirect("allocation-list", year=adoption.year.slug)


class PartnerRunView(Guarded):
    """A partner reads the method and their own area; staff can open it to see what partners see."""

    permission = "formula.read"
    object_permission = "formula.read"

    def get(self, request, uuid):
        run = self.check_object(run_get(uuid))
        context = run_context(run, with_sensitivity=False)
        mine = None
        if request.user.organisation_id:
            org = request.user.organisation
            codes = (
                {org.area.code} | {d.code for d in org.area.districts.all()} if org.area else set()
            )
            mine = next((r for r in context["rows"] if r.code in codes), None)
        code = request.GET.get("area")
        if mine is None and code and allowed(request.user, "formula.view"):
            mine = next((r for r in context["rows"] if r.code == code), None)
        context["mine"] = mine
        context["staff"] = allowed(request.user, "formula.view")
        return render(request, "formula/partner.html", context)


class RunDownloadView(Guarded):
    permission = "formula.view"

    def get(self, request, uuid, fmt: str):
        run = run_get(uuid)
        context = run_context(run, with_sensitivity=fmt != "pdf")
        rows = context["rows"]
        if fmt == "pdf":
            from .report_pdf import run_report_pdf

            data = pdf_data(run, context)
            response = HttpResponse(run_report_pdf(data), content_type="application/pdf")
        elif fmt in ("csv", "xlsx"):
            columns = [
                "area_code",
                "area",
                "harm",
                "crimes",
                "crimes_per_1000",
                "population",
                "share_pct",
                "allocation",
                "previous",
                "change",
                "change_pct",
            ]
            records = [
                {
                    "area_code": r.code,
                    "area": r.name,
                    "harm": r.harm,
                    "crimes": r.crimes,
                    "crimes_per_1000": r.rate,
                    "population": r.population,
                    "share_pct": r.share_pct,
                    "allocation": r.allocation,
                    "previous": r.previous,
                    "change": r.change,
                    "change_pct": r.change_pct,
                }
                for r in rows
            ]
            if fmt == "csv":
                response = HttpResponse(
                    exports.to_csv(columns, records), content_type="text/csv; charset=utf-8"
                )
            else:
                response = HttpResponse(
                    exports.to_xlsx(columns, records, title=run.reference.replace("/", "-")),
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
        else:
            raise Http404("No such format")
        response["Content-Disposition"] = (
            f'attachment; filename="{run.reference.replace("/", "-")}.{fmt}"'
        )
        return response


def pdf_data(run: FormulaRun, context: dict) -> dict:
    rows = context["rows"]
    previous = context["previous"]
    table_rows = [
        [
            r.name,
            f"{r.harm:,.0f}" if r.harm is not None else "",
            f"{r.crimes:,.0f}" if r.crimes is not None else "",
            f"{r.rate:,.2f}" if r.rate is not None else "",
            f"{r.population:,.0f}" if r.population is not None else "",
            f"{r.share_pct}%",
            _money(r.allocation),
        ]
        for r in rows
    ]
    data = {
        "title": run.title,
        "subtitle": f"Needs-based allocation, run {run.reference}",
        "organisation": "",
        "generated": dt.date.today().isoformat(),
        "method": context["method"],
        "parameters": [("Pot", _money(run.pot))]
        + [(f"Weight: {k}", f"{v}%") for k, v in context["weights"].items()],
        "inputs": context["inputs"],
        "table": {
            "columns": ["Area", "Harm", "Crimes", "Per 1,000", "Population", "Share", "Allocation"],
            "rows": table_rows,
            "total": ["Total", "", "", "", "", "100%", _money(context["total"])],
        },
        "areas_geo_values": {d: v for d, v in _district_values(run, rows).items()},
        "groups": {
            m: code
            for code, members in ((run.inputs.get("join") or {}).get("groups") or {}).items()
            for m in members
        },
        "notes": [
            f"Re-running this run from its stored inputs {'reproduces' if context['identical'] else 'does NOT reproduce'} its output exactly."
        ],
        "attribution": [
            "Contains public sector information licensed under the Open Government Licence v3.0 (police.uk, ONS).",
            "Contains OS data © Crown copyright and database right.",
        ],
    }
    if previous:
        data["comparison"] = {
            "title": f"Compared with {previous['year']} ({previous['source']})",
            "columns": ["Area", previous["year"], "This run", "Change", "Change %"],
            "rows": [
                [
                    r.name,
                    _money(r.previous) if r.previous is not None else "",
                    _money(r.allocation),
                    _money(r.change) if r.change is not None else "",
                    f"{r.change_pct}%" if r.change_pct is not None else "",
                ]
                for r in rows
            ],
        }
    return data


def _district_values(run: FormulaRun, rows) -> dict:
    groups = {
        m: code
        for code, members in ((run.inputs.get("join") or {}).get("groups") or {}).items()
        for m in members
    }
    allocations = {r.code: r.allocation for r in rows}
    return {
        d["code"]: allocations.get(groups.get(d["code"], d["code"]), Decimal(0))
        for d in run.inputs["districts"]
    }


class CrimeDataView(Guarded):
    permission = "formula.view"

    def get(self, request):
        coverage = []
        if services.crime_store_path().exists():
            store = services.crime_store()
            for year in FinancialYear.objects.all():
                months = services.fy_months(year)
                cov = store.coverage(months)
                loaded = sum(1 for n in cov.values() if n)
                if loaded:
                    coverage.append({"year": year, "months": loaded, "rows": sum(cov.values())})
        return render(
            request,
            "formula/crime.html",
            {"coverage": coverage, "loads": CrimeDataLoad.objects.all()[:20]},
        )


class UploadWeightsView(Guarded):
    permission = "formula.run"

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
                for message in exc.messages:
                    form.add_error("file", message)
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
    permission = "formula.run"

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
                for message in exc.messages:
                    form.add_error("file", message)
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

    permission = "formula.run"

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
