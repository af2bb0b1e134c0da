"""Pages for the year, the ledger, tables, reconciliation, import and transition rules."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commissioning.core.guard import Guarded
from commissioning.core.money import ZERO
from commissioning.core.permissions import allowed

from . import exports, services, transition
from .forms import (
    AllocationForm,
    BudgetLineForm,
    ImportForm,
    ReasonForm,
    StreamForm,
    TransitionForm,
    VaryForm,
    YearForm,
)
from .importing import import_allocations
from .models import FinancialYear, Mechanism, SourceRow, Status
from .periods import PERIODS
from .reconcile import KIND_LABELS
from .selectors import (
    allocation_get,
    allocation_history,
    allocation_lines,
    position,
    reconcile_year,
    year_get,
    year_list,
)
from .services import current_amounts, current_version
from .tables import TABLE_KINDS, build_table, table_records


class YearListView(Guarded):
    permission = "budgets.view"

    def get(self, request):
        years = list(year_list())
        can_manage = allowed(request.user, "budgets.manage")
        return render(request, "budgets/year_list.html", {"years": years, "can_manage": can_manage})


class YearView(Guarded):
    permission = "budgets.view"

    def get(self, request, year: str):
        fy = year_get(year)
        pos = position(fy)
        findings = reconcile_year(fy)
        return render(
            request,
            "budgets/year.html",
            {
                "year": fy,
                "pos": pos,
                "findings_count": len(findings),
                "table_kinds": TABLE_KINDS,
                "can_change": allowed(request.user, "allocations.change"),
                "can_manage": allowed(request.user, "budgets.manage"),
            },
        )


def _filter_lines(lines, params):
    chosen = {k: params.get(k, "") for k in ("organisation", "mechanism", "theme", "status")}
    out = lines
    if chosen["organisation"]:
        out = [l for l in out if l.organisation_key == chosen["organisation"]]
    if chosen["mechanism"]:
        out = [l for l in out if l.mechanism == chosen["mechanism"]]
    if chosen["theme"]:
        out = [l for l in out if str(l.theme_number or "all") == chosen["theme"]]
    if chosen["status"]:
        out = [l for l in out if l.status == chosen["status"]]
    return out, chosen


class AllocationListView(Guarded):
    permission = "allocations.list"

    def get(self, request, year: str):
        fy = year_get(year)
        org_id = None if allowed(request.user, "budgets.view") else request.user.organisation_id
        lines = allocation_lines(fy, organisation_id=org_id)
        shown, chosen = _filter_lines(lines, request.GET)
        periods = sorted({p for l in shown for p in l.amounts}, key=list(PERIODS).index)
        totals = {p: sum((l.amounts.get(p, ZERO) for l in shown), ZERO) for p in periods}
        organisations = sorted(
            {(l.organisation_key, l.organisation) for l in lines}, key=lambda o: o[1].lower()
        )
        themes = sorted(
            {(str(l.theme_number or "all"), l.theme or "Across all themes") for l in lines}
        )
        return render(
            request,
            "budgets/allocation_list.html",
            {
                "year": fy,
                "lines": shown,
                "periods": periods,
                "totals": totals,
                "grand_total": sum(totals.values(), ZERO),
                "chosen": chosen,
                "organisations": organisations,
                "themes": themes,
                "mechanisms": Mechanism.choices,
                "statuses": [(Status.COMMITTED, "Committed"), (Status.INDICATIVE, "Indicative")],
                "partner_view": org_id is not None,
                "can_change": allowed(request.user, "allocations.change"),
            },
        )


class MyAllocationsView(Guarded):
    permission = "allocations.list"

    def get(self, request):
        years = [y for y in year_list()]
        org_id = request.user.organisation_id
        sections = []
        for fy in years:
            lines = allocation_lines(fy, organisation_id=org_id) if org_id else []
            if lines:
                sections.append(
                    {"year": fy, "lines": lines, "total": sum((l.total for l in lines), ZERO)}
                )
        from commissioning.formula.models import FormulaAdoption

        org = request.user.organisation
        codes: set[str] = set()
        if org is not None and org.area is not None:
            codes = {org.area.code} | {d.code for d in org.area.districts.all()}
        runs = []
        for adoption in FormulaAdoption.objects.select_related("run", "year").prefetch_related(
            "run__areas"
        ):
            mine = [a for a in adoption.run.areas.all() if a.area_code in codes]
            if mine:
                runs.append({"adoption": adoption, "area": mine[0]})
        return render(request, "budgets/my_allocations.html", {"sections": sections, "runs": runs})


class AllocationDetailView(Guarded):
    permission = "allocations.list"
    object_permission = "allocations.view"

    def get(self, request, uuid):
        allocation = allocation_get(uuid)
        version = current_version(allocation)
        self.check_object(version)
        history = allocation_history(allocation)
        sources = SourceRow.objects.filter(allocation=allocation).select_related(
            "table", "table__document"
        )
        can_change = allowed(request.user, "allocations.change")
        staff = allowed(request.user, "decisions.view")
        from django.db.models import Q

        from commissioning.decisions.models import DecisionRecord

        decisions = DecisionRecord.objects.filter(
            Q(links__allocation=allocation) | Q(links__application__allocation=allocation)
        ).distinct()
        if not staff:
            decisions = decisions.filter(status="published")
        return render(
            request,
            "budgets/allocation_detail.html",
            {
                "allocation": allocation,
                "decisions": decisions,
                "staff": staff,
                "version": version,
                "amounts": current_amounts(version),
                "history": history,
                "sources": sources,
                "can_change": can_change and version.status != Status.CANCELLED,
                "can_commit": can_change and version.status == Status.INDICATIVE,
                "can_audit": allowed(request.user, "audit.view"),
                "period_labels": {c: s.label for c, s in PERIODS.items()},
            },
        )


class AllocationCreateView(Guarded):
    permission = "allocations.change"

    def get(self, request, year: str):
        fy = year_get(year)
        return render(
            request, "budgets/allocation_form.html", {"year": fy, "form": AllocationForm(year=fy)}
        )

    def post(self, request, year: str):
        fy = year_get(year)
        form = AllocationForm(request.POST, year=fy)
        if form.is_valid():
            try:
                allocation = services.allocation_create(
                    actor=request.user, year=fy, amounts=form.amounts(), **form.dimensions()
                )
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, f"Allocation {allocation.reference} recorded.")
                return redirect("allocation-detail", uuid=allocation.uuid)
        return render(
            request, "budgets/allocation_form.html", {"year": fy, "form": form}, status=400
        )


def _attach(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            if field == "amounts":
                target = None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _initial(version, amounts) -> dict:
    data = {
        "organisation": version.organisation_id,
        "initiative": version.initiative,
        "mechanism": version.mechanism,
        "theme": version.theme_id,
        "primary_priority": version.primary_priority_id,
        "secondary_priority": version.secondary_priority_id,
        "reach": version.reach_id,
        "funding_stream": version.funding_stream_id,
        "status": version.status,
        "comment": version.comment,
    }
    for code, amount in amounts.items():
        data[f"amount_{code}"] = amount
    return data


class AllocationVaryView(Guarded):
    permission = "allocations.change"
    object_permission = "allocations.view"

    def _load(self, uuid):
        allocation = allocation_get(uuid)
        version = self.check_object(current_version(allocation))
        if version.status == Status.CANCELLED:
            raise Http404("A cancelled allocation cannot be varied")
        return allocation, version

    def get(self, request, uuid):
        allocation, version = self._load(uuid)
        form = VaryForm(initial=_initial(version, current_amounts(version)), year=allocation.year)
        return render(
            request, "budgets/allocation_vary.html", {"allocation": allocation, "form": form}
        )

    def post(self, request, uuid):
        allocation, _version = self._load(uuid)
        form = VaryForm(request.POST, year=allocation.year)
        if form.is_valid():
            dims = form.dimensions()
            reason = dims.pop("reason")
            try:
                new = services.allocation_vary(
                    actor=request.user,
                    allocation=allocation,
                    reason=reason,
                    amounts=form.amounts(),
                    **dims,
                )
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(
                    request, f"{allocation.reference} varied: version {new.number} recorded."
                )
                return redirect("allocation-detail", uuid=allocation.uuid)
        return render(
            request,
            "budgets/allocation_vary.html",
            {"allocation": allocation, "form": form},
            status=400,
        )


class AllocationStatusView(Guarded):
    """POST only: commit an indicative allocation, or cancel one."""

    permission = "allocations.change"
    object_permission = "allocations.view"
    action = "commit"

    def post(self, request, uuid):
        allocation = allocation_get(uuid)
        self.check_object(current_version(allocation))
        form = ReasonForm(request.POST)
        reason = form.data.get("reason", "").strip()
        try:
            if self.action == "commit":
                services.allocation_commit(
                    actor=request.user, allocation=allocation, reason=reason or "Committed"
                )
                messages.success(request, f"{allocation.reference} committed.")
            else:
                services.allocation_cancel(actor=request.user, allocation=allocation, reason=reason)
                messages.success(request, f"{allocation.reference} cancelled.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("allocation-detail", uuid=allocation.uuid)


class TableView(Guarded):
    permission = "tables.view"

    def get(self, request, year: str, by: str, fmt: str = "html"):
        if by not in TABLE_KINDS:
            raise Http404("No such table")
        fy = year_get(year)
        pos = position(fy)
        table = build_table(
            allocation_lines(fy), by, pot=pos.pot if pos.streams else None, reserve=pos.reserve
        )
        if fmt == "html":
            return render(
                request,
                "budgets/table.html",
                {"year": fy, "table": table, "table_kinds": TABLE_KINDS, "by": by},
            )
        columns = exports.table_columns(table.periods)
        records = table_records(table)
        name = f"allocations-{fy.slug}-by-{by}"
        if fmt == "csv":
            response = HttpResponse(
                exports.to_csv(columns, records), content_type="text/csv; charset=utf-8"
            )
        elif fmt == "xlsx":
            response = HttpResponse(
                exports.to_xlsx(columns, records, title=f"{fy.slug} by {by}"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        elif fmt == "json":
            return HttpResponse(
                exports.to_json(columns, records, year=fy.label, table=by),
                content_type="application/json",
            )
        else:
            raise Http404("No such format")
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


class ReconciliationView(Guarded):
    permission = "reconciliation.view"

    def get(self, request, year: str):
        fy = year_get(year)
        findings = reconcile_year(fy)
        groups: dict[str, list] = {}
        for f in findings:
            groups.setdefault(f.kind, []).append(f)
        sections = [
            {"kind": k, "label": KIND_LABELS.get(k, k), "findings": v} for k, v in groups.items()
        ]
        return render(
            request,
            "budgets/reconciliation.html",
            {"year": fy, "sections": sections, "count": len(findings)},
        )


class ImportView(Guarded):
    permission = "allocations.change"

    def get(self, request, year: str):
        fy = year_get(year)
        return render(request, "budgets/import.html", {"year": fy, "form": ImportForm()})

    def post(self, request, year: str):
        fy = year_get(year)
        form = ImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_allocations(
                actor=request.user, year=fy, filename=upload.name, content=upload.read()
            )
            if report.ok:
                messages.success(request, f"Imported {len(report.created)} allocations into {fy}.")
                return redirect("allocation-list", year=fy.slug)
        return render(
            request, "budgets/import.html", {"year": fy, "form": form, "report": report}, status=400
        )


class TransitionView(Guarded):
    permission = "allocations.change"

    def _rule(self, fy: FinancialYear, form: TransitionForm) -> transition.TransitionRule:
        data = form.cleaned_data
        return transition.TransitionRule(
            source_year=data["source_year"],
            target_year=fy,
            percentage=data["percentage"],
            period=data["period"],
            status=data["status"],
            mechanism=data["mechanism"] or "",
        )

    def get(self, request, year: str):
        fy = year_get(year)
        context: dict = {"year": fy}
        if "source_year" in request.GET:
            form = TransitionForm(request.GET)
            if form.is_valid():
                rule = self._rule(fy, form)
                try:
                    proposals = transition.transition_preview(rule)
                except ValidationError as exc:
                    _attach(form, exc)
                else:
                    by_org: dict[str, Decimal] = {}
                    for p in proposals:
                        by_org[p.organisation] = by_org.get(p.organisation, ZERO) + p.amount
                    context.update(
                        rule=rule,
                        proposals=proposals,
                        by_org=sorted(by_org.items()),
                        total=sum((p.amount for p in proposals), ZERO),
                        prior_total=sum((p.prior_total for p in proposals), ZERO),
                        fingerprint=transition.fingerprint(rule, proposals),
                        query=request.GET.urlencode(),
                    )
        else:
            form = TransitionForm(initial={"period": "H1", "percentage": Decimal("50")})
        context["form"] = form
        return render(request, "budgets/transition.html", context)

    def post(self, request, year: str):
        fy = year_get(year)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            return render(
                request, "budgets/transition.html", {"year": fy, "form": form}, status=400
            )
        rule = self._rule(fy, form)
        try:
            created = transition.transition_apply(
                actor=request.user, rule=rule, expected=request.POST.get("fingerprint", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            query = request.POST.copy()
            for private in ("csrfmiddlewaretoken", "fingerprint"):
                query.pop(private, None)
            return redirect(
                reverse("transition", kwargs={"year": fy.slug}) + "?" + query.urlencode()
            )
        messages.success(request, f"Created {len(created)} allocations: {rule.describe()}.")
        return redirect("allocation-list", year=fy.slug)


class YearCreateView(Guarded):
    permission = "budgets.manage"

    def get(self, request):
        return render(
            request,
            "budgets/simple_form.html",
            {"form": YearForm(), "title": "Add a financial year"},
        )

    def post(self, request):
        form = YearForm(request.POST)
        if form.is_valid():
            fy = services.financial_year_get_or_create(
                actor=request.user, label=form.cleaned_data["label"]
            )
            messages.success(request, f"Financial year {fy} is ready.")
            return redirect("year", year=fy.slug)
        return render(
            request,
            "budgets/simple_form.html",
            {"form": form, "title": "Add a financial year"},
            status=400,
        )


class _YearFormView(Guarded):
    """A one-form page for a year: GET shows the form, POST saves through a service."""

    permission = "budgets.manage"
    title = ""
    form_class: type = StreamForm

    def _render(self, request, form, fy, status=200):
        context = {"form": form, "title": self.title, "year": fy}
        return render(request, "budgets/simple_form.html", context, status=status)

    def get(self, request, year: str):
        return self._render(request, self.form_class(), year_get(year))

    def post(self, request, year: str):
        fy = year_get(year)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.save(request.user, fy, dict(form.cleaned_data))
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, message)
                return redirect("year", year=fy.slug)
        return self._render(request, form, fy, status=400)

    def save(self, actor, fy: FinancialYear, data: dict) -> str:
        raise NotImplementedError


class StreamCreateView(_YearFormView):
    title = "Add a funding stream"
    form_class = StreamForm

    def save(self, actor, fy, data):
        services.funding_stream_create(
            actor=actor, year=fy, reserve_name=data.pop("reserve"), **data
        )
        return f"Funding stream “{data['name']}” added to {fy}."


class BudgetLineCreateView(_YearFormView):
    title = "Add a budget line"
    form_class = BudgetLineForm

    def save(self, actor, fy, data):
        is_reserve = not data["mechanism"]
        services.budget_line_create(
            actor=actor,
            year=fy,
            is_reserve=is_reserve,
            reserve_name=data["name"] if is_reserve else "",
            **data,
        )
        return f"Budget line “{data['name']}” added to {fy}."
