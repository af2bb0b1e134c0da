"""The public register: no sign-in, stable URLs, read only from what was published."""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from commissioning.budgets import exports
from commissioning.budgets.models import FinancialYear
from commissioning.core.guard import Guarded

from . import register, serialise
from .pdf import decision_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(columns, records, *, name: str, fmt: str, title: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(
            exports.to_csv(columns, records), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(exports.to_xlsx(columns, records, title=title), content_type=XLSX)
    elif fmt == "json":
        response = HttpResponse(
            exports.to_json(columns, records, title=title),
            content_type="application/json",
        )
    else:
        raise Http404("No such format")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


class RegisterHomeView(Guarded):
    permission = "public"

    def get(self, request):
        years = FinancialYear.objects.order_by("-starts")
        return render(
            request,
            "register/home.html",
            {"years": years, "latest": register.decode(register.published_queryset()[:5])},
        )


def _year_param(request) -> int | None:
    raw = request.GET.get("year", "").strip()
    return int(raw) if raw.isdigit() else None


class DecisionListView(Guarded):
    permission = "public"

    def get(self, request, fmt: str = ""):
        query = request.GET.get("q", "")[:200]
        year = _year_param(request)
        if fmt:
            decisions = register.published(query=query, year=year)
            columns, records = register.decision_records(decisions)
            if fmt == "json":
                return JsonResponse(
                    {
                        "title": "Published decisions",
                        "decisions": [serialise.to_dict(d.doc) for d in decisions],
                    },
                    json_dumps_params={"indent": 1},
                )
            return download(columns, records, name="decisions", fmt=fmt, title="Decisions")
        page = Paginator(register.published_queryset(query=query, year=year), 25).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "register/decisions.html",
            {
                "page": page,
                "decisions": register.decode(page.object_list),
                "query": query,
                "year": year,
                "years": register.decision_years(),
                "count": page.paginator.count,
            },
        )


class DecisionView(Guarded):
    permission = "public"

    def get(self, request, slug: str, fmt: str = ""):
        found = register.published_one(slug)
        if found is None:
            raise Http404("No published decision with this reference")
        doc = found.doc
        if fmt == "pdf":
            response = HttpResponse(decision_pdf(doc), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{slug}.pdf"'
            return response
        if fmt == "json":
            return JsonResponse(serialise.to_dict(doc), json_dumps_params={"indent": 1})
        if fmt:
            raise Http404("No such format")
        return render(request, "register/decision.html", {"doc": doc, "slug": slug, "found": found})


class FeedView(Guarded):
    """A JSON Feed (version 1.1) of published decisions, newest first."""

    permission = "public"

    def get(self, request):
        latest = register.published_queryset().order_by("-published_at", "-id")[:50]
        decisions = register.decode(latest)
        home = request.build_absolute_uri(reverse("register-decisions"))
        items = []
        for d in decisions:
            url = request.build_absolute_uri(d.doc.url)
            summary = next((s.text for s in d.doc.sections if s.key == "summary"), "")
            items.append(
                {
                    "id": url,
                    "url": url,
                    "title": f"{d.doc.reference} {d.doc.title}",
                    "content_text": summary or d.doc.title,
                    "date_published": d.published_at.isoformat(),
                    "attachments": [
                        {"url": url.rstrip("/") + ".pdf", "mime_type": "application/pdf"}
                    ],
                }
            )
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"Decisions of the {settings.SITE_ORGANISATION_NAME}",
            "home_page_url": home,
            "feed_url": request.build_absolute_uri(request.path),
            "language": "en-GB",
            "items": items,
        }
        return HttpResponse(
            json.dumps(feed, indent=1), content_type="application/feed+json; charset=utf-8"
        )


class ForwardPlanView(Guarded):
    permission = "public"

    def get(self, request):
        return render(request, "register/forward_plan.html", {"plan": register.forward_plan()})


class GrantsView(Guarded):
    permission = "public"

    def get(self, request, fmt: str = ""):
        from django.db.models import Sum

        query = request.GET.get("q", "").strip()[:200]
        rows = register.grants(query=query)
        if fmt:
            columns, records = register.grant_records(rows)
            return download(columns, records, name="grants", fmt=fmt, title="Grants")
        total = rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "register/grants.html",
            {"page": page, "total": total, "count": page.paginator.count, "query": query},
        )


def _year(label: str) -> FinancialYear:
    year = FinancialYear.objects.filter(label=label.replace("-", "/")).first()
    if year is None:
        raise Http404("No such year")
    return year


class AllocationsView(Guarded):
    permission = "public"

    def get(self, request, year: str, fmt: str = ""):
        fy = _year(year)
        table = register.allocations_table(fy)
        if fmt:
            return download(
                register.TABLE_COLUMNS,
                register.table_records(table),
                name=f"allocations-{fy.label.replace('/', '-')}",
                fmt=fmt,
                title="Allocations",
            )
        return render(
            request,
            "register/allocations.html",
            {"table": table, "years": FinancialYear.objects.order_by("-starts")},
        )


class ContractsView(Guarded):
    permission = "public"

    def get(self, request, year: str, fmt: str = ""):
        fy = _year(year)
        table = register.allocations_table(fy, contracts_only=True)
        if fmt:
            return download(
                register.TABLE_COLUMNS,
                register.table_records(table),
                name=f"contracts-{fy.label.replace('/', '-')}",
                fmt=fmt,
                title="Contracts",
            )
        return render(
            request,
            "register/contracts.html",
            {"table": table, "years": FinancialYear.objects.order_by("-starts")},
        )


class FormulaRunsView(Guarded):
    """Adopted needs-based allocations with their method, for residents."""

    permission = "public"

    def get(self, request):
        from commissioning.formula import explain
        from commissioning.formula.models import FormulaRun

        runs = (
            FormulaRun.objects.filter(adoption__isnull=False)
            .select_related("year", "adoption")
            .prefetch_related("areas")
            .order_by("-year__starts", "-created_at")
        )
        shown = [
            {
                "run": run,
                "method": explain.method(run.inputs),
                "areas": sorted(run.areas.all(), key=lambda a: a.area_name),
                "total": sum((a.allocation for a in run.areas.all()), Decimal(0)),
            }
            for run in runs
        ]
        return render(request, "register/formula.html", {"runs": shown})


class GivingView(Guarded):
    """The grants register as 360Giving data: JSON package, spreadsheet or CSV."""

    permission = "public"

    def get(self, request, fmt: str):
        from commissioning.opendata import giving360

        from .giving import grants_package

        base = request.build_absolute_uri("/").rstrip("/")
        try:
            package = grants_package(base_url=base)
        except ValueError as exc:  # no grants published yet
            raise Http404(str(exc)) from exc
        if fmt == "json":
            response = HttpResponse(giving360.dumps(package), content_type="application/json")
        elif fmt == "xlsx":
            response = HttpResponse(giving360.workbook(package), content_type=XLSX)
        elif fmt == "csv":
            response = HttpResponse(
                giving360.csv_text(package), content_type="text/csv; charset=utf-8"
            )
        else:
            raise Http404("No such format")
        response["Content-Disposition"] = f'attachment; filename="360giving-grants.{fmt}"'
        return response


class PublicAttachmentView(Guarded):
    """An attachment the public version shows; a withheld one answers 404."""

    permission = "public"

    def get(self, request, slug: str, n: int):
        from .models import DecisionRecord, Status
        from .public import attachment_for
        from .views import serve_attachment

        record = DecisionRecord.objects.filter(slug=slug, status=Status.PUBLISHED).first()
        attachment = attachment_for(record, n, public=True) if record else None
        if attachment is None:
            raise Http404("No such attachment")
        return serve_attachment(attachment)
