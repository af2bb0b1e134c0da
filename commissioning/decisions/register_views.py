"""The public register: no sign-in, stable URLs, read only from what was published."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from commissioning.budgets.selectors import year_get
from commissioning.core.downloads import CSV, JSON, PDF, XLSX, file_response, table_response
from commissioning.core.guard import Guarded
from commissioning.core.permissions import PUBLIC
from commissioning.opendata import giving360, spreadsheet

from . import register, selectors, serialise
from .giving import grants_package
from .pdf import decision_pdf
from .views import serve_attachment


class RegisterHomeView(Guarded):
    permission = PUBLIC

    def get(self, request):
        return render(
            request,
            "register/home.html",
            {
                "years": register.years(),
                "latest": register.decode(register.published_queryset()[:5]),
            },
        )


def _year_param(request) -> int | None:
    raw = request.GET.get("year", "").strip()
    return int(raw) if raw.isdigit() else None


class DecisionListView(Guarded):
    permission = PUBLIC

    def get(self, request, fmt: str = ""):
        query = request.GET.get("q", "")[:200]
        year = _year_param(request)
        if fmt:
            decisions = register.published(query=query, year=year)
            if fmt == "json":
                return JsonResponse(
                    {
                        "title": "Published decisions",
                        "decisions": [serialise.to_dict(d.doc) for d in decisions],
                    },
                    json_dumps_params={"indent": 1},
                )
            columns, records = register.decision_records(decisions)
            return table_response(columns, records, fmt=fmt, name="decisions", title="Decisions")
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
    permission = PUBLIC

    def get(self, request, slug: str, fmt: str = ""):
        found = register.published_one(slug)
        if found is None:
            raise Http404("No published decision with this reference")
        doc = found.doc
        if fmt == "pdf":
            return file_response(
                decision_pdf(doc), filename=f"{slug}.pdf", content_type=PDF, inline=True
            )
        if fmt == "json":
            return JsonResponse(serialise.to_dict(doc), json_dumps_params={"indent": 1})
        if fmt:
            raise Http404("No such format")
        return render(request, "register/decision.html", {"doc": doc, "slug": slug, "found": found})


class FeedView(Guarded):
    """A JSON Feed (version 1.1) of published decisions, newest first."""

    permission = PUBLIC

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
                    "attachments": [{"url": url.rstrip("/") + ".pdf", "mime_type": PDF}],
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
    permission = PUBLIC

    def get(self, request):
        return render(request, "register/forward_plan.html", {"plan": register.forward_plan()})


class GrantsView(Guarded):
    permission = PUBLIC

    def get(self, request, fmt: str = ""):
        query = request.GET.get("q", "").strip()[:200]
        rows = register.grants(query=query)
        if fmt:
            columns, records = register.grant_records(rows)
            return table_response(columns, records, fmt=fmt, name="grants", title="Grants")
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "register/grants.html",
            {
                "page": page,
                "total": register.grants_total(rows),
                "count": page.paginator.count,
                "query": query,
            },
        )


class YearTableView(Guarded):
    """A year's allocations from the ledger (`kind="allocations"`), or only its contracts
    (`kind="contracts"`), with the withheld ones gathered into one line."""

    permission = PUBLIC
    kind = "allocations"

    def get(self, request, year: str, fmt: str = ""):
        fy = year_get(year)
        table = register.allocations_table(fy, contracts_only=self.kind == "contracts")
        if fmt:
            return table_response(
                register.TABLE_COLUMNS,
                register.table_records(table),
                fmt=fmt,
                name=f"{self.kind}-{fy.label.replace('/', '-')}",
                title=self.kind.capitalize(),
            )
        return render(
            request, f"register/{self.kind}.html", {"table": table, "years": register.years()}
        )


class FormulaRunsView(Guarded):
    """Adopted needs-based allocations with their method, for residents."""

    permission = PUBLIC

    def get(self, request):
        return render(request, "register/formula.html", {"runs": register.adopted_runs()})


GIVING_FORMATS: dict[str, tuple[Callable[[Any], str | bytes], str]] = {
    "json": (giving360.dumps, JSON),
    "xlsx": (spreadsheet.workbook, XLSX),
    "csv": (spreadsheet.csv_text, CSV),
}


class GivingView(Guarded):
    """The grants register as 360Giving data: JSON package, spreadsheet or CSV."""

    permission = PUBLIC

    def grant_facts(self):
        """What an upper layer knows of each grant after the award (web fills it in with
        the agreements' amounts paid and planned dates); none here."""
        return None

    def get(self, request, fmt: str):
        if fmt not in GIVING_FORMATS:
            raise Http404("No such format")
        write, content_type = GIVING_FORMATS[fmt]
        try:
            package = grants_package(
                base_url=request.build_absolute_uri("/").rstrip("/"), facts=self.grant_facts()
            )
        except ValueError as exc:  # no grants published yet
            raise Http404(str(exc)) from exc
        return file_response(
            write(package), filename=f"360giving-grants.{fmt}", content_type=content_type
        )


class PublicAttachmentView(Guarded):
    """An attachment the public version shows; a withheld one answers 404."""

    permission = PUBLIC

    def get(self, request, slug: str, n: int):
        return serve_attachment(selectors.public_attachment(slug, n))
