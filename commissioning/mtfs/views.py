"""The medium-term financial strategy's pages: the scenarios, a scenario (its assumptions,
income, expenditure and gap per year, the precept options beside the printed table, the
printed gaps beside its own), two scenarios side by side, and the CFO's forms. Read by OPCC
staff and the Police and Crime Panel; changed by the CFO."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from commissioning.core.downloads import PDF, TABLE_FORMATS, file_response, table_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed

from . import calc, pot, selectors, services
from .forms import BaseForm, CompareForm, CopyForm, YearForm
from .models import Scenario
from .permissions import EDIT, VIEW


def _increases(request) -> tuple[tuple | None, str]:
    text = request.GET.get("increases", "").strip()
    if not text:
        return None, ""
    try:
        return calc.parse_increases(text), ""
    except ValueError as exc:
        return None, str(exc)


class ScenarioListView(Guarded):
    permission = VIEW

    def get(self, request):
        scenarios = list(selectors.scenario_list())
        rows = []
        for s in scenarios:
            projection = calc.compute(services.inputs_of(s))
            rows.append((s, projection.years[-1] if projection.years else None))
        return render(
            request,
            "mtfs/list.html",
            {"rows": rows, "can_edit": allowed(request.user, EDIT), "names": len(scenarios)},
        )


class ScenarioView(Guarded):
    permission = VIEW

    def get(self, request, name: str):
        scenario = selectors.scenario_get(name)
        increases, problem = _increases(request)
        report = selectors.report(scenario, increases)
        return render(
            request,
            "mtfs/scenario.html",
            {
                "scenario": scenario,
                "report": report,
                "years": report.projection.years,
                "increases_problem": problem,
                "increases_text": request.GET.get("increases", ""),
                "can_edit": allowed(request.user, EDIT),
                "formats": TABLE_FORMATS,
                "tables": list(TABLES.items()),
                "money_names": calc.MONEY_FIELDS,
                "others": Scenario.objects.exclude(pk=scenario.pk).values_list("name", flat=True),
            },
            status=400 if problem else 200,
        )


TABLES = {
    "gap": "Income, expenditure and funding gap",
    "precept": "Precept options",
    "assumptions": "Assumptions",
    "pot": "The commissioning pot in the scenario",
    "reconciliation": "Printed figures against the scenario",
}


class ScenarioDownloadView(Guarded):
    permission = VIEW

    def get(self, request, name: str, table: str, fmt: str):
        whole = table == "scenario" and fmt == "pdf"
        if not whole and (table not in TABLES or fmt not in TABLE_FORMATS):
            raise Http404("No such table")
        scenario = selectors.scenario_get(name)
        increases, problem = _increases(request)
        if problem:
            raise Http404(problem)
        report = selectors.report(scenario, increases)
        if whole:
            from .pdf import scenario_pdf  # reportlab only when a PDF is asked for

            return file_response(
                scenario_pdf(report),
                filename=f"mtfs-{scenario.name}.pdf",
                content_type=PDF,
                inline=True,
            )
        columns: tuple[str, ...]
        if table == "gap":
            columns, records = calc.GAP_COLUMNS, calc.gap_rows(report.projection)
        elif table == "precept":
            columns, records = calc.PRECEPT_COLUMNS, calc.precept_rows(report.options)
        elif table == "assumptions":
            columns, records = selectors.ASSUMPTION_COLUMNS, selectors.assumption_rows(scenario)
        elif table == "pot":
            columns, records = pot.POT_COLUMNS, pot.pot_rows(report.pot.years)
        else:
            columns = selectors.RECONCILIATION_COLUMNS
            records = selectors.reconciliation_rows(report.reconciliation)
        return table_response(
            columns,
            records,
            fmt=fmt,
            name=f"mtfs-{scenario.name}-{table}",
            title=TABLES[table],
            scenario=scenario.name,
        )


class CompareView(Guarded):
    permission = VIEW

    def get(self, request, fmt: str = ""):
        names = list(Scenario.objects.order_by("name").values_list("name", flat=True))
        form = CompareForm(request.GET or None, names=names)
        differences = None
        pot_differences: list[selectors.PotDifference] = []
        first = second = None
        if form.is_bound and form.is_valid():
            first = selectors.scenario_get(form.cleaned_data["first"])
            second = selectors.scenario_get(form.cleaned_data["second"])
            first_projection = calc.compute(services.inputs_of(first))
            second_projection = calc.compute(services.inputs_of(second))
            differences = calc.compare(first_projection, second_projection)
            pot_differences = selectors.compare_pots(first_projection, second_projection)
        if fmt:
            if fmt not in TABLE_FORMATS or differences is None or first is None or second is None:
                raise Http404("Choose two scenarios")
            return table_response(
                selectors.COMPARE_COLUMNS,
                selectors.compare_rows(differences),
                fmt=fmt,
                name=f"mtfs-{first.name}-vs-{second.name}",
                title="Scenarios side by side",
                first=first.name,
                second=second.name,
            )
        by_year: dict[str, list[calc.Difference]] = {}
        for d in differences or []:
            by_year.setdefault(d.year, []).append(d)
        pot_by_year: dict[str, list[selectors.PotDifference]] = {}
        for p in pot_differences:
            pot_by_year.setdefault(p.year, []).append(p)
        return render(
            request,
            "mtfs/compare.html",
            {
                "form": form,
                "first": first,
                "second": second,
                "by_year": by_year,
                "pot_by_year": pot_by_year,
                "changed": sum(1 for d in differences or [] if d.differs),
                "formats": TABLE_FORMATS,
                "query": request.GET.urlencode(),
            },
            status=400 if form.is_bound and not form.is_valid() else 200,
        )


class _EditView(Guarded):
    """A CFO's form on a scenario: GET shows it with the values as they are, POST hands
    every value to the service, which refuses them all at once or writes them all."""

    permission = EDIT
    form_class: type[forms.Form] = YearForm
    template = "mtfs/edit.html"

    def target(self, scenario: Scenario, **kwargs):
        return scenario

    def initial(self, target) -> dict:
        return {}

    def act(self, request, scenario: Scenario, target, data: dict) -> str:
        raise NotImplementedError

    def heading(self, scenario: Scenario, target) -> str:
        raise NotImplementedError

    def done_url(self, scenario: Scenario) -> str:
        return reverse("mtfs-scenario", args=[scenario.name])

    def page(self, request, scenario, target, form, status=200):
        return render(
            request,
            self.template,
            {
                "scenario": scenario,
                "form": form,
                "heading": self.heading(scenario, target),
                "percent_fields": form.PERCENT,  # type: ignore[attr-defined]
                "money_fields": form.MONEY,  # type: ignore[attr-defined]
                "pounds_only": ("base_band_d",),
            },
            status=status,
        )

    def get(self, request, name: str, **kwargs):
        scenario = selectors.scenario_get(name)
        target = self.target(scenario, **kwargs)
        return self.page(request, scenario, target, self.form_class(initial=self.initial(target)))

    def post(self, request, name: str, **kwargs):
        scenario = selectors.scenario_get(name)
        target = self.target(scenario, **kwargs)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                done = self.act(request, scenario, target, dict(form.cleaned_data))
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(self.done_url(scenario))
        return self.page(request, scenario, target, form, status=400)


def _typed(value) -> str:
    """A stored value as the form shows it: 0.800 as 0.8, 3116000.00 as 3116000."""
    text = calc.pct_text(value)
    return text


class YearEditView(_EditView):
    form_class = YearForm

    def target(self, scenario, year: str = "", **kwargs):
        return selectors.scenario_year_get(scenario, year)

    def initial(self, target):
        return {name: _typed(getattr(target, name)) for name in calc.YEAR_FIELDS}

    def heading(self, scenario, target):
        return f"Assumptions for {target.year}"

    def act(self, request, scenario, target, data):
        reason = data.pop("reason", "")
        services.scenario_year_update(
            actor=request.user, scenario_year=target, values=data, reason=reason
        )
        return f"The {target.year} assumptions of {scenario.name} are changed."


class BaseEditView(_EditView):
    form_class = BaseForm

    def initial(self, target):
        return {"title": target.title} | {
            name: _typed(getattr(target, name)) for name in services.BASE_FIELDS
        }

    def heading(self, scenario, target):
        return f"Base figures for {scenario.base_year}"

    def act(self, request, scenario, target, data):
        reason = data.pop("reason", "")
        services.scenario_update(actor=request.user, scenario=scenario, values=data, reason=reason)
        return f"The base figures of {scenario.name} are changed."


class CopyView(_EditView):
    form_class = CopyForm

    def initial(self, target):
        return {"name": f"{target.name}-copy", "title": f"{target.title} (copy)"}

    def heading(self, scenario, target):
        return "Copy this scenario"

    def act(self, request, scenario, target, data):
        self.copy = services.scenario_copy(
            actor=request.user, scenario=scenario, name=data["name"], title=data["title"]
        )
        return f"{self.copy.name} is a copy of {scenario.name}: change it without changing the original."

    def done_url(self, scenario):
        return reverse("mtfs-scenario", args=[self.copy.name])


urlpatterns = [
    path("mtfs/", ScenarioListView.as_view(), name="mtfs-list"),
    path("mtfs/compare/", CompareView.as_view(), name="mtfs-compare"),
    path("mtfs/compare.<str:fmt>", CompareView.as_view(), name="mtfs-compare-download"),
    path("mtfs/<slug:name>/", ScenarioView.as_view(), name="mtfs-scenario"),
    path(
        "mtfs/<slug:name>/<str:table>.<str:fmt>",
        ScenarioDownloadView.as_view(),
        name="mtfs-download",
    ),
    path("mtfs/<slug:name>/base/", BaseEditView.as_view(), name="mtfs-base-edit"),
    path("mtfs/<slug:name>/copy/", CopyView.as_view(), name="mtfs-copy"),
    path("mtfs/<slug:name>/years/<str:year>/", YearEditView.as_view(), name="mtfs-year-edit"),
]
