"""What the public register shows, read only from published versions and the ledger.

Decisions, grants and their exports come from `PublishedVersion.content` alone. Allocations
by year and contracts come from the ledger, with every allocation a determination withheld
gathered into one "withheld" line, so the year's figures still add up to the ledger's and
nothing exempt is named.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from commissioning.budgets.models import Allocation, FinancialYear
from commissioning.budgets.selectors import allocation_lines
from commissioning.formula import explain
from commissioning.formula.models import FormulaRun

from . import serialise
from .document import DecisionDocument
from .models import (
    DecisionLink,
    DecisionRecord,
    Publish,
    PublishedGrant,
    PublishedVersion,
    Redaction,
)
from .public import CONTRACT_MECHANISMS
from .status import Status

ZERO = Decimal(0)
CONTRACT_THRESHOLD = Decimal(10_000)


@dataclass(frozen=True)
class PublishedDecision:
    slug: str
    published_at: dt.datetime
    doc: DecisionDocument


def published_queryset(*, query: str = "", year: int | None = None):
    """Published versions, newest decision first, searched in their public text only."""
    qs = PublishedVersion.objects.select_related("record").order_by(
        "-record__number_year", "-record__number"
    )
    for word in query.lower().split():
        qs = qs.filter(search_text__contains=word)
    if year is not None:
        qs = qs.filter(record__number_year=year)
    return qs


def decode(versions: Iterable[PublishedVersion]) -> list[PublishedDecision]:
    """The public documents of these versions, each told of a published correction."""
    rows = list(versions)
    superseding = dict(
        DecisionRecord.objects.filter(
            supersedes_id__in=[v.record_id for v in rows], status=Status.PUBLISHED
        ).values_list("supersedes_id", "reference")
    )
    out = []
    for v in rows:
        doc = serialise.from_dict(v.content)
        if v.record_id in superseding:
            doc = replace(doc, superseded_by=superseding[v.record_id])
        out.append(PublishedDecision(slug=v.record.slug, published_at=v.published_at, doc=doc))
    return out


def published(*, query: str = "", year: int | None = None) -> list[PublishedDecision]:
    return decode(published_queryset(query=query, year=year))


#: Published versions decoded at a time by `published_stream`.
DECODE_CHUNK = 100


def published_stream(*, query: str = "", year: int | None = None) -> Iterator[PublishedDecision]:
    """`published`, one decision at a time: the versions read and decoded a hundred at a
    time, so a download of every decision never holds every document at once. The
    corrections are looked up once, before the first."""
    superseding = dict(
        DecisionRecord.objects.filter(
            supersedes_id__isnull=False, status=Status.PUBLISHED
        ).values_list("supersedes_id", "reference")
    )
    return _decoded(published_queryset(query=query, year=year), superseding)


def _decoded(
    versions: QuerySet[PublishedVersion], superseding: dict[int, str]
) -> Iterator[PublishedDecision]:
    for v in versions.iterator(chunk_size=DECODE_CHUNK):
        doc = serialise.from_dict(v.content)
        if v.record_id in superseding:
            doc = replace(doc, superseded_by=superseding[v.record_id])
        yield PublishedDecision(slug=v.record.slug, published_at=v.published_at, doc=doc)


def published_one(slug: str) -> PublishedDecision | None:
    version = PublishedVersion.objects.select_related("record").filter(record__slug=slug).first()
    if version is None:
        return None
    return decode([version])[0]


def decision_years() -> list[int]:
    return sorted(
        set(PublishedVersion.objects.values_list("record__number_year", flat=True)), reverse=True
    )


def forward_plan() -> list[DecisionRecord]:
    """Decisions to come: only the title and expected date the officer chose to list."""
    return list(
        DecisionRecord.objects.filter(
            on_forward_plan=True,
            status__in=[Status.DRAFT, Status.APPROVED, Status.SIGNED],
            expected_on__isnull=False,
        )
        .only("reference", "title", "expected_on")
        .order_by("expected_on", "number_year", "number")
    )


def grants(*, query: str = "") -> QuerySet[PublishedGrant]:
    """Crime and disorder reduction grants made by published decisions, newest first, with
    their decision record (never its public version's document: only the record's
    reference and slug are shown beside a grant)."""
    qs = PublishedGrant.objects.select_related("version__record").defer(
        "version__content", "version__search_text"
    )
    for word in query.lower().split():
        qs = qs.filter(search_text__contains=word)
    return qs


def grants_total(rows: QuerySet[PublishedGrant]) -> Decimal:
    return rows.aggregate(total=Sum("amount"))["total"] or ZERO


def years() -> QuerySet[FinancialYear]:
    return FinancialYear.objects.order_by("-starts")


def adopted_runs() -> list[dict[str, Any]]:
    """Adopted needs-based allocations with their method and areas, for residents."""
    runs = (
        FormulaRun.objects.filter(adoption__isnull=False)
        .select_related("year", "adoption")
        .prefetch_related("areas")
        .order_by("-year__starts", "-created_at")
    )
    return [
        {
            "run": run,
            "method": explain.method(run.inputs),
            "areas": sorted(run.areas.all(), key=lambda a: a.area_name),
            "total": sum((a.allocation for a in run.areas.all()), ZERO),
        }
        for run in runs
    ]


def withheld_allocation_ids() -> set[int]:
    """Allocations a determination kept out of the public version."""
    determined = list(
        DecisionRecord.objects.filter(status__in=[Status.PUBLISHED, Status.NOT_PUBLISHED])
        .select_related("determination")
        .only("id", "status", "determination__publish_details")
    )
    if not determined:
        return set()
    redacted = defaultdict(set)
    for record_id, part in Redaction.objects.filter(
        record__in=determined, part__startswith="link:"
    ).values_list("record_id", "part"):
        redacted[record_id].add(int(part.split(":")[1]))
    whole = {
        r.id
        for r in determined
        if r.status == Status.NOT_PUBLISHED or r.determination.publish_details == Publish.NO
    }
    withheld: set[int] = set()
    position: dict[int, int] = defaultdict(int)
    links = DecisionLink.objects.filter(record__in=determined).order_by("record_id", "order")
    for record_id, allocation_id, application_allocation in links.values_list(
        "record_id", "allocation_id", "application__allocation_id"
    ):
        position[record_id] += 1
        target = allocation_id or application_allocation
        if target and (record_id in whole or position[record_id] in redacted[record_id]):
            withheld.add(target)
    return withheld


@dataclass(frozen=True)
class YearTable:
    year: FinancialYear
    rows: list[dict[str, Any]]
    withheld_count: int
    withheld_total: Decimal
    total: Decimal


def allocations_table(year: FinancialYear, *, contracts_only: bool = False) -> YearTable:
    withheld = withheld_allocation_ids()
    withheld_refs = set(
        Allocation.objects.filter(id__in=withheld, year=year).values_list("reference", flat=True)
    )
    rows: list[dict[str, Any]] = []
    hidden_count, hidden_total, total = 0, ZERO, ZERO
    for line in allocation_lines(year):
        if line.status == "cancelled" or line.pooled:
            continue  # a pool's awards are its host's decisions, published with the pool
        amount = sum(line.amounts.values(), ZERO)
        if contracts_only and (
            line.mechanism_label not in CONTRACT_MECHANISMS or amount <= CONTRACT_THRESHOLD
        ):
            continue
        total += amount
        if line.reference in withheld_refs:
            hidden_count += 1
            hidden_total += amount
            continue
        rows.append(
            {
                "reference": line.reference,
                "organisation": line.organisation,
                "initiative": line.initiative,
                "mechanism": line.mechanism_label,
                "theme": line.theme,
                "priority": line.primary_priority,
                "reach": line.reach,
                "status": line.status,
                "amount": amount,
            }
        )
    return YearTable(
        year=year,
        rows=rows,
        withheld_count=hidden_count,
        withheld_total=hidden_total,
        total=total,
    )


DECISION_COLUMNS = [
    "reference",
    "title",
    "decision_date",
    "published_at",
    "amount_total",
    "items",
    "exemptions",
    "superseded_by",
    "url",
]


def _decision_record(d: PublishedDecision) -> dict[str, Any]:
    return {
        "reference": d.doc.reference,
        "title": d.doc.title,
        "decision_date": d.doc.decision_date,
        "published_at": d.published_at.date(),
        "amount_total": d.doc.links_total,
        "items": len(d.doc.links),
        "exemptions": "; ".join(f"{e.part}: {e.exemption}" for e in d.doc.exemptions),
        "superseded_by": d.doc.superseded_by,
        "url": d.doc.url,
    }


def decision_records(decisions: list[PublishedDecision]) -> tuple[list[str], list[dict]]:
    return list(DECISION_COLUMNS), [_decision_record(d) for d in decisions]


def decision_records_stream(
    decisions: Iterable[PublishedDecision],
) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """`decision_records` made as the decisions are read (see `published_stream`)."""
    return list(DECISION_COLUMNS), (_decision_record(d) for d in decisions)


GRANT_COLUMNS = [
    "decision",
    "decision_date",
    "reference",
    "recipient",
    "purpose",
    "amount",
    "year",
    "mechanism",
    "conditions",
    "reasons",
]
#: Where each column of `GRANT_COLUMNS` is read from: the grants register's own row, and
#: the decision record's reference (not its public document).
_GRANT_FIELDS = ["version__record__reference", *GRANT_COLUMNS[1:]]

#: Grants read from the database at a time by `grant_records_stream`.
GRANT_CHUNK = 2000


def grant_records(rows: Iterable[PublishedGrant]) -> tuple[list[str], list[dict]]:
    records = [
        {
            "decision": r.version.record.reference,
            "decision_date": r.decision_date,
            "reference": r.reference,
            "recipient": r.recipient,
            "purpose": r.purpose,
            "amount": r.amount,
            "year": r.year,
            "mechanism": r.mechanism,
            "conditions": r.conditions,
            "reasons": r.reasons,
        }
        for r in rows
    ]
    return list(GRANT_COLUMNS), records


def grant_records_stream(
    rows: QuerySet[PublishedGrant],
) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """`grant_records` read in chunks of `GRANT_CHUNK` rows, only the columns shown: one
    query whatever the number of grants, and never a decision's document."""
    values = rows.values_list(*_GRANT_FIELDS).iterator(chunk_size=GRANT_CHUNK)
    return list(GRANT_COLUMNS), (dict(zip(GRANT_COLUMNS, v, strict=True)) for v in values)


TABLE_COLUMNS = [
    "reference",
    "organisation",
    "initiative",
    "mechanism",
    "theme",
    "priority",
    "reach",
    "status",
    "amount",
]


def table_records(table: YearTable) -> list[dict[str, Any]]:
    records = list(table.rows)
    if table.withheld_count:
        records.append(
            {
                "reference": "",
                "organisation": f"Withheld under FOI exemptions ({table.withheld_count} items)",
                "amount": table.withheld_total,
            }
        )
    records.append({"reference": "", "organisation": "Total", "amount": table.total})
    return records
