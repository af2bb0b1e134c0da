"""Read-only JSON API. The same named permission rules as the pages; OpenAPI document at
/api/openapi.json (django-ninja generates it from these signatures)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError

from commissioning.budgets import permissions as budgets
from commissioning.budgets.exports import allocation_records, position_record, table_columns
from commissioning.budgets.selectors import (
    allocation_lines,
    position,
    reconcile_year,
    year_get,
    year_list,
    year_table,
)
from commissioning.budgets.tables import TABLE_KINDS, table_records
from commissioning.core.downloads import to_json
from commissioning.core.permissions import PUBLIC, allowed, check
from commissioning.decisions import register, serialise
from commissioning.plans import permissions as plans
from commissioning.plans.selectors import plan_current

api = NinjaAPI(
    title="Commissioning API",
    version="1",
    description="Read-only access to the plan, budget position, allocations and tables.",
    docs_url=None,  # the interactive docs load scripts from a CDN; the JSON document is enough
    urls_namespace="api",
)


def guarded(rule: str) -> Callable:
    """Check the named permission rule before the endpoint runs: 401 signed out, 403 otherwise."""

    def decorate(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
            ok, reason = check(request.user, rule)
            if not ok:
                raise HttpError(401 if not request.user.is_authenticated else 403, reason)
            return fn(request, *args, **kwargs)

        wrapper.permission = rule  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _year(label: str):
    try:
        return year_get(label)
    except Http404 as exc:
        raise HttpError(404, str(exc)) from exc


class Priority(Schema):
    code: str
    title: str


class ThemeOut(Schema):
    number: int
    title: str
    priorities: list[Priority]


class IntentionOut(Schema):
    code: str
    earlier_codes: list[str]
    description: str
    priorities: list[str]
    purchasing_systems: list[str]
    estimates: list[dict[str, Any]]


class PlanOut(Schema):
    title: str
    starts: str
    ends: str
    themes: list[ThemeOut]
    intentions: list[IntentionOut]


@api.get("/plan", response=PlanOut, summary="The current Police and Crime Plan")
@guarded(plans.VIEW)
def plan(request):
    p = plan_current()
    if p is None:
        raise HttpError(404, "No plan recorded")
    return {
        "title": p.title,
        "starts": p.starts.isoformat(),
        "ends": p.ends.isoformat(),
        "themes": [
            {
                "number": t.number,
                "title": t.title,
                "priorities": [{"code": sp.code, "title": sp.title} for sp in t.priorities.all()],
            }
            for t in p.themes.all()
        ],
        "intentions": [
            {
                "code": ci.code,
                "earlier_codes": ci.earlier_codes,
                "description": ci.description,
                "priorities": [sp.code for sp in ci.priorities.all()],
                "purchasing_systems": ci.purchasing_systems,
                "estimates": [
                    {
                        "year": e.year.label,
                        "kind": e.kind,
                        "mechanism": e.mechanism,
                        "area": e.area.code if e.area else None,
                        "amount": str(e.amount),
                    }
                    for e in ci.estimates.all()
                ],
            }
            for ci in p.intentions.all()
        ],
    }


class YearOut(Schema):
    label: str
    starts: str
    ends: str


@api.get("/years", response=list[YearOut], summary="Financial years")
@guarded(budgets.VIEW)
def years(request):
    return [
        {"label": y.label, "starts": y.starts.isoformat(), "ends": y.ends.isoformat()}
        for y in year_list()
    ]


@api.get(
    "/years/{year}/position",
    summary="Budget position: budget, committed, indicative, reserve, available",
)
@guarded(budgets.VIEW)
def year_position(request, year: str) -> dict[str, Any]:
    return position_record(position(_year(year)))


@api.get("/years/{year}/allocations", summary="Current allocations of the year, one row each")
@guarded(budgets.ALLOCATIONS_LIST)
def allocations(request, year: str) -> dict[str, Any]:
    fy = _year(year)
    org_id = None if allowed(request.user, budgets.VIEW) else request.user.organisation_id
    columns, records = allocation_records(fy.label, allocation_lines(fy, organisation_id=org_id))
    return _records(columns, records, year=fy.label)


def _records(columns, records, **meta) -> dict[str, Any]:
    return json.loads(to_json(columns, records, **meta))


@api.get("/years/{year}/tables/{by}", summary="A table of allocations grouped with subtotals")
@guarded(budgets.TABLES_VIEW)
def table(request, year: str, by: str) -> dict[str, Any]:
    if by not in TABLE_KINDS:
        raise HttpError(404, f"tables are by one of: {', '.join(TABLE_KINDS)}")
    fy = _year(year)
    t = year_table(fy, by)
    return _records(table_columns(t.periods), table_records(t), year=fy.label, table=by)


@api.get("/years/{year}/reconciliation", summary="Discrepancies between the papers and the ledger")
@guarded(budgets.RECONCILIATION_VIEW)
def reconciliation(request, year: str) -> dict[str, Any]:
    fy = _year(year)
    findings = reconcile_year(fy)
    return {"year": fy.label, "count": len(findings), "findings": [f.as_dict() for f in findings]}


@api.get(
    "/register/decisions",
    summary="Published decisions (public versions: exempt parts left out), newest first",
)
@guarded(PUBLIC)
def register_decisions(request, q: str = "", year: int | None = None) -> dict[str, Any]:
    decisions = register.published(query=q[:200], year=year)
    return {"decisions": [serialise.to_dict(d.doc) for d in decisions]}


@api.get("/register/decisions/{slug}", summary="One published decision (its public version)")
@guarded(PUBLIC)
def register_decision(request, slug: str) -> dict[str, Any]:
    found = register.published_one(slug)
    if found is None:
        raise HttpError(404, "No published decision with this reference")
    return serialise.to_dict(found.doc)
