"""The public register: no sign-in, stable URLs, read only from what was published."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from commissioning.budgets.selectors import year_get
from commissioning.core.downloads import (
    CSV,
    JSON,
    PDF,
    TABLE_FORMATS,
    XLSX,
    file_response,
    table_response,
)
from commissioning.core.guard import Guarded
from commissioning.core.permissions import PUBLIC

from . import register, selectors, serialise
from .giving import giving_file
from .views import serve_attachment


def _decisions_json(decisions: Iterable[register.PublishedDecision]) -> Iterator[str]:
    """The text `JsonResponse` wrote for {"title": ..., "decisions": [...]} with an indent of
    one, made a decision at a time."""
    head = {"title": "Published decisions"}
    text = json.dumps({**head, "decisions": [None]}, cls=DjangoJSONEncoder, indent=1)
    before, after = text.rsplit("null", 1)  # the one null: where the decisions go
    pieces = [before]
    count = 0
    for d in decisions:
        if count:
            pieces.append(",\n  ")
        # a decision is two levels in: each of its lines two spaces further in
        doc = json.dumps(serialise.to_dict(d.doc), cls=DjangoJSONEncoder, indent=1)
        pieces.append(doc.replace("\n", "\n  "))
        count += 1
        if count % 50 == 0:
            yield "".join(pieces)
            pieces = []
    if count == 0:
        yield json.dumps({**head, "decisions": []}, cls=DjangoJSONEncoder, indent=1)
        return
    pieces.append(after)
    yield "".join(pieces)


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
            if fmt not in TABLE_FORMATS:
                raise Http404("No such format")
            decisions = register.published_stream(query=query, year=year)
            if fmt == "json":
                return StreamingHttpResponse(
                    _decisions_json(decisions), content_type="application/json"
                )
            columns, records = register.decision_records_stream(decisions)
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
            from .pdf import decision_pdf  # reportlab, only when asked

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
            columns, records = register.grant_records_stream(rows)
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


GIVING_FORMATS = {"json": JSON, "xlsx": XLSX, "csv": CSV}


class GivingView(Guarded):
    """The grants register as 360Giving data: JSON package, spreadsheet or CSV, written
    while the grants are read (see `giving.giving_file`)."""

    permission = PUBLIC

    def grant_facts(self):
        """What an upper layer knows of each grant after the award (web fills it in with
        the agreements' amounts paid and planned dates); none here."""
        return None

    def get(self, request, fmt: str):
        if fmt not in GIVING_FORMATS:
            raise Http404("No such format")
        try:
            content = giving_file(
                fmt,
                base_url=request.build_absolute_uri("/").rstrip("/"),
                facts=self.grant_facts(),
            )
        except ValueError as exc:  # no grants published yet
            raise Http404(str(exc)) from exc
        return file_response(
            content, filename=f"360giving-grants.{fmt}", content_type=GIVING_FORMATS[fmt]
        )


class PublicAttachmentView(Guarded):
    """An attachment the public version shows; a withheld one answers 404."""

    permission = PUBLIC

    def get(self, request, slug: str, n: int):
        return serve_attachment(selectors.public_attachment(slug, n))
