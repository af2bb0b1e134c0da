"""Reads for the decision pages, and the decisions that other apps' pages show.

The public register's reads (published versions only) are in `register`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from commissioning.budgets.models import Allocation, FinancialYear
from commissioning.budgets.selectors import allocation_lines
from commissioning.core.models import AuditEvent
from commissioning.core.permissions import allowed
from commissioning.grants.models import Round

from .document import parts_of
from .models import DecisionAttachment, DecisionRecord, EqualityAssessment
from .permissions import DRAFT
from .public import staff_document
from .status import Status, Step
from .workflow import RECORD, SIGNED_OR_LATER, STEP_OF, drafted_by, next_step


def record_get(slug: str) -> DecisionRecord:
    found = DecisionRecord.objects.select_related("supersedes", "created_by").filter(slug=slug)
    record = found.first()
    if record is None:
        raise Http404("No such decision record")
    return record


def record_list() -> QuerySet[DecisionRecord]:
    return DecisionRecord.objects.select_related("created_by").order_by("-number_year", "-number")


def record_page(record: DecisionRecord, user) -> dict[str, Any]:
    """What the record's page shows `user`: the document, its history, and the steps they
    may take now (the workflow's moves open to them, none on a record they drafted)."""
    doc = staff_document(record)
    mine = drafted_by(user, record)
    steps = set() if mine else {STEP_OF[m.target] for m in RECORD.moves_for(user, record)}
    can = {step: step in steps for step in Step.values}
    can["edit"] = record.status == Status.DRAFT and allowed(user, DRAFT, record)
    can["supersede"] = (
        record.status in SIGNED_OR_LATER and not doc.superseded_by and allowed(user, DRAFT, record)
    )
    events = AuditEvent.objects.filter(
        object_type=DecisionRecord._meta.label, object_uuid=record.uuid
    ).order_by("created_at", "id")
    return {
        "record": record,
        "doc": doc,
        "can": can,
        "drafted_by_me": mine,
        "events": events,
        "snapshot": getattr(record, "snapshot", None) if record.status != Status.DRAFT else None,
        "next_step": next_step(record.status),
    }


def citable_lines(record: DecisionRecord, label: str = "") -> dict[str, Any]:
    """The years, the year chosen (by label, else the latest) and its ledger lines the record
    does not cite yet."""
    years = FinancialYear.objects.order_by("-starts")
    label = label or (years[0].label if years else "")
    year = next((y for y in years if y.label == label), None)
    cited = set(record.links.values_list("allocation__reference", flat=True))
    lines = [
        line
        for line in (allocation_lines(year) if year else [])
        if line.reference not in cited and line.status != "cancelled"
    ]
    return {"record": record, "years": years, "year": year, "lines": lines}


def allocations_in_order(references: list[str]) -> list[Allocation]:
    """The allocations with these references, in the order given."""
    found = list(Allocation.objects.filter(reference__in=references))
    order = {ref: i for i, ref in enumerate(references)}
    return sorted(found, key=lambda a: order[a.reference])


def assessment_initial(record: DecisionRecord, fields: set[str]) -> dict[str, Any]:
    existing = EqualityAssessment.objects.filter(record=record).first()
    return {k: getattr(existing, k) for k in fields} if existing is not None else {}


def exemptible_parts(record: DecisionRecord) -> dict[str, str]:
    """The parts of a signed record the Monitoring Officer may mark exempt, with their titles."""
    approval = record.signatures.get(step=Step.APPROVE)
    return parts_of(record.snapshot.content, approval.note)


def attachment_for(
    record: DecisionRecord | None, position: int, *, public: bool
) -> DecisionAttachment | None:
    """The attachment at a position of the staff document, or of the public version (which
    leaves out the withheld ones); None when there is none to show. Attachments are added
    only to drafts, so the snapshot holds them all."""
    if record is None:
        return None
    attachments = list(record.attachments.order_by("order"))
    if public:
        withheld = set(record.redactions.values_list("part", flat=True))
        attachments = [
            a for i, a in enumerate(attachments, start=1) if f"attachment:{i}" not in withheld
        ]
    return attachments[position - 1] if 1 <= position <= len(attachments) else None


def public_attachment(slug: str, position: int) -> DecisionAttachment | None:
    """An attachment the public version of a published record shows."""
    record = DecisionRecord.objects.filter(slug=slug, status=Status.PUBLISHED).first()
    return attachment_for(record, position, public=True)


def round_get(reference: str) -> Round:
    found = Round.objects.filter(reference=reference).select_related("year").first()
    if found is None:
        raise Http404("No such round")
    return found


def decisions_citing_allocation(allocation: Allocation, *, staff: bool) -> QuerySet[DecisionRecord]:
    """Records citing the allocation directly or through its award; only the published ones
    unless the reader is staff."""
    records = DecisionRecord.objects.filter(
        Q(links__allocation=allocation) | Q(links__application__allocation=allocation)
    ).distinct()
    return records if staff else records.filter(status=Status.PUBLISHED)


def record_for_round(round: Round) -> DecisionRecord | None:
    """The decision record citing the round's awards, if one has been drafted."""
    return DecisionRecord.objects.filter(links__application__round=round).distinct().first()
