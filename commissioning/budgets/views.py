"""Pages for the year, the ledger, tables, reconciliation, import and transition rules."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from commissioning.core.downloads import TABLE_FORMATS, table_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed
from commissioning.core.sorting import sort_headings

from . import permissions as rules
from . import services, transition
from .exports import (
    FINDING_COLUMNS,
    POOL_COLUMNS,
    TABLE_HEADINGS,
    finding_records,
    pool_records,
    table_columns,
)
from .forms import (
    AllocationForm,
    BudgetLineForm,
    ContributionForm,
    FindingExplainForm,
    ImportForm,
    PoolForm,
    ReasonForm,
    StreamForm,
    TransitionForm,
    VaryForm,
    YearForm,
)
from .importing import import_allocations
from .models import FinancialYear, Mechanism, Status
from .reconcile import anchor_of
from .selectors import (
    allocation_get,
    allocation_list,
    pool_get,
    pool_report,
    position,
    reconcile_year,
    reconciliation_sections,
    theme_chart,
    year_get,
    year_list,
    year_pools,
    year_table,
)
from .services import current_amounts, current_version
from .tables import TABLE_KINDS, table_records


class YearListView(Guarded):
    permission = rules.VIEW

    def get(self, request):
        years = list(year_list())
        can_manage = allowed(request.user, rules.MANAGE)
        return render(request, "budgets/year_list.html", {"years": years, "can_manage": can_manage})


class YearView(Guarded):
    permission = rules.VIEW

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
                "findings_unexplained": sum(1 for f in findings if not f.explained),
                "table_kinds": TABLE_KINDS,
                "can_change": allowed(request.user, rules.ALLOCATIONS_CHANGE),
                "can_manage": allowed(request.user, rules.MANAGE),
                "can_list": allowed(request.user, rules.ALLOCATIONS_LIST),
                "can_pool": allowed(request.user, rules.POOLS_MANAGE),
                "pools": [pool_report(p) for p in year_pools(fy)],
                "theme_chart": theme_chart(fy, pos),
            },
        )


class AllocationListView(Guarded):
    permission = rules.ALLOCATIONS_LIST
    # The sortable columns' headings, and the way a first click sorts them.
    SORTABLE = {
        "reference": ("Reference", False),
        "organisation": ("Organisation and initiative", False),
        "mechanism": ("Mechanism", False),
        "theme": ("Theme", False),
        "total": ("Total", True),
    }

    def get(self, request, year: str):
        fy = year_get(year)
        partner = not allowed(request.user, rules.VIEW)
        shown = allocation_list(
            fy,
            organisation_id=request.user.organisation_id if partner else None,
            chosen=request.GET,
        )
        kept = {k: v for k, v in shown.chosen.items() if v and k != "sort"}
        headings = sort_headings(self.SORTABLE, *shown.sort, kept)
        return render(
            request,
            "budgets/allocation_list.html",
            {
                "year": fy,
                "lines": shown.lines,
                "page_obj": shown.page,
                "count": shown.count,
                "query_string": urlencode({**kept, "sort": shown.chosen["sort"]}),
                "headings": headings,
                "periods": shown.periods,
                # A whole year's amount alone is the total: no column of its own.
                "period_columns": [] if shown.periods == ["FY"] else shown.periods,
                "totals": shown.totals,
                "grand_total": shown.grand_total,
                "in_kind": shown.in_kind,
                "pooled": shown.pooled,
                "chosen": shown.chosen,
                "filtered": bool(kept),
                "organisations": shown.organisations,
                "themes": shown.themes,
                "mechanisms": Mechanism.choices,
                "statuses": [(Status.COMMITTED, "Committed"), (Status.INDICATIVE, "Indicative")],
                "partner_view": partner,
                "can_change": allowed(request.user, rules.ALLOCATIONS_CHANGE),
            },
        )


class AllocationCreateView(Guarded):
    permission = rules.ALLOCATIONS_CHANGE

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
                attach_errors(form, exc)
            else:
                messages.success(request, f"Allocation {allocation.reference} recorded.")
                return redirect("allocation-detail", uuid=allocation.uuid)
        return render(
            request, "budgets/allocation_form.html", {"year": fy, "form": form}, status=400
        )


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
    permission = rules.ALLOCATIONS_CHANGE
    object_permission = rules.ALLOCATION_VIEW

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
                attach_errors(form, exc)
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

    permission = rules.ALLOCATIONS_CHANGE
    object_permission = rules.ALLOCATION_VIEW
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
    permission = rules.TABLES_VIEW

    def get(self, request, year: str, by: str, fmt: str = "html"):
        if by not in TABLE_KINDS:
            raise Http404("No such table")
        fy = year_get(year)
        table = year_table(fy, by)
        if fmt == "html":
            return render(
                request,
                "budgets/table.html",
                {"year": fy, "table": table, "table_kinds": TABLE_KINDS, "by": by},
            )
        return table_response(
            table_columns(table.periods),
            table_records(table),
            fmt=fmt,
            name=f"allocations-{fy.slug}-by-{by}",
            title=f"{fy.slug} by {by}",
            headings=TABLE_HEADINGS,
            year=fy.label,
            table=by,
        )


def _reconciliation_page(request, fy: FinancialYear, form=None, status: int = 200):
    """The reconciliation page; `form` is a refused explanation, shown with its errors."""
    findings = reconcile_year(fy)
    return render(
        request,
        "budgets/reconciliation.html",
        {
            "year": fy,
            "sections": reconciliation_sections(fy, findings),
            "count": len(findings),
            "explained": sum(1 for f in findings if f.explained),
            "can_explain": allowed(request.user, rules.RECONCILIATION_EXPLAIN),
            "form": form,
            "form_key": form.data.get("key", "") if form is not None else "",
            "download_formats": TABLE_FORMATS,
        },
        status=status,
    )


class ReconciliationView(Guarded):
    """The year's findings; `?download=csv|xlsx|json` gives them as a table."""

    permission = rules.RECONCILIATION_VIEW

    def get(self, request, year: str):
        fy = year_get(year)
        fmt = request.GET.get("download", "")
        if fmt:
            return table_response(
                FINDING_COLUMNS,
                finding_records(reconcile_year(fy)),
                fmt=fmt,
                name=f"reconciliation-{fy.slug}",
                title=f"Reconciliation {fy.label}",
                year=fy.label,
            )
        return _reconciliation_page(request, fy)


class ReconciliationExplainView(Guarded):
    """POST only: mark a finding explained, with a note."""

    permission = rules.RECONCILIATION_EXPLAIN

    def post(self, request, year: str):
        fy = year_get(year)
        key = request.POST.get("key", "")
        # Each finding's form has its own ids, so the error summary links to the right box.
        anchor = anchor_of(key)
        form = FindingExplainForm(request.POST, auto_id=f"{anchor}-%s")
        if form.is_valid():
            try:
                services.finding_explain(
                    actor=request.user,
                    year=fy,
                    key=form.cleaned_data["key"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "The finding is marked as explained.")
                return redirect(reverse("reconciliation", kwargs={"year": fy.slug}) + f"#{anchor}")
        return _reconciliation_page(request, fy, form=form, status=400)


class ImportView(Guarded):
    permission = rules.ALLOCATIONS_CHANGE

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
    permission = rules.ALLOCATIONS_CHANGE

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
                    preview = transition.transition_summary(rule)
                except ValidationError as exc:
                    attach_errors(form, exc)
                else:
                    context.update(
                        rule=rule,
                        proposals=preview.proposals,
                        by_org=preview.by_org,
                        total=preview.total,
                        prior_total=preview.prior_total,
                        fingerprint=preview.fingerprint,
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
    permission = rules.MANAGE

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

    permission = rules.MANAGE
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
                attach_errors(form, exc)
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


# --- Pooled budgets ---


def _pool_page(request, fy, pool, form=None, status: int = 200):
    from .selectors import pool_report

    can_manage = allowed(request.user, rules.POOLS_MANAGE)
    return render(
        request,
        "budgets/pool.html",
        {
            "year": fy,
            "pool": pool,
            "report": pool_report(pool),
            "form": form
            if form is not None
            else (ContributionForm(pool=pool) if can_manage else None),
            "can_manage": can_manage,
            "can_list": allowed(request.user, rules.ALLOCATIONS_LIST),
            "formats": TABLE_FORMATS,
        },
        status=status,
    )


class PoolView(Guarded):
    permission = rules.VIEW

    def get(self, request, year: str, pool: str, fmt: str = "html"):
        fy = year_get(year)
        found = pool_get(fy, pool)
        if fmt == "html":
            return _pool_page(request, fy, found)
        return table_response(
            POOL_COLUMNS,
            pool_records(pool_report(found)),
            fmt=fmt,
            name=f"pool-{fy.slug}-{found.slug}",
            title="Pooled budget shares",
            year=fy.label,
            pool=found.name,
            agreed_total=str(found.agreed_total),
        )


class PoolContributeView(Guarded):
    permission = rules.POOLS_MANAGE

    def post(self, request, year: str, pool: str):
        fy = year_get(year)
        found = pool_get(fy, pool)
        form = ContributionForm(request.POST, pool=found)
        if form.is_valid():
            try:
                services.pool_contribute(actor=request.user, pool=found, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request, f"{form.cleaned_data['contributor'].name}'s contribution recorded."
                )
                return redirect("pool", year=fy.slug, pool=found.slug)
        return _pool_page(request, fy, found, form=form, status=400)


class PoolCreateView(_YearFormView):
    permission = rules.POOLS_MANAGE
    title = "Record a pooled budget"
    form_class = PoolForm

    def save(self, actor, fy, data):
        pool = services.pool_create(actor=actor, year=fy, **data)
        return f"Pooled budget “{pool.name}” recorded: add the partners' contributions on its page."
