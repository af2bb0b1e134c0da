"""Building `DecisionDocument` values: the draft, the staff view and the public version.

The public version is made once, at the Monitoring Officer's determination, by
`public_content`, which starts from the frozen snapshot and leaves out every exempt part;
it is stored as `PublishedVersion.content`, with its grants as `PublishedGrant` rows
(`grant_rows`), and every public surface reads only those (`register`). Nothing public is
ever built from the draft tables.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.urls import reverse

from commissioning.budgets.models import AllocationVersion, Mechanism
from commissioning.budgets.selectors import current_versions

from . import serialise
from .document import (
    SECTION_TITLES,
    Assessment,
    DecisionDocument,
    Determination,
    Exemption,
    Link,
    Section,
    Signature,
    parts_of,
    public_part_title,
)
from .models import (
    AssessmentDecision,
    Characteristic,
    DecisionLink,
    DecisionRecord,
    LinkKind,
    Marking,
    Publish,
    PublishedGrant,
    PublishedVersion,
)
from .models import Exemption as ExemptionChoice
from .models import Signature as SignatureRow
from .status import Step

# Crime and disorder reduction grants (the Specified Information Order's grants register and
# the 360Giving export) are the grant-like mechanisms; direct and co-commissioning are contracts.
GRANT_MECHANISMS = frozenset(
    Mechanism(m).label
    for m in (
        Mechanism.PCC_GRANT,
        Mechanism.PARTNERSHIP_LOCALITY_FUND,
        Mechanism.INNOVATION_FUND,
        Mechanism.CSP_CO_COMMISSIONING,
    )
)
CONTRACT_MECHANISMS = frozenset(
    Mechanism(m).label for m in (Mechanism.DIRECT, Mechanism.CO_COMMISSIONING)
)


def _latest_versions(allocation_ids: list[int]) -> dict[int, AllocationVersion]:
    versions = current_versions().filter(allocation_id__in=allocation_ids)
    return {v.allocation_id: v for v in versions.select_related("allocation__year")}


def _links(record: DecisionRecord) -> tuple[Link, ...]:
    rows = list(
        DecisionLink.objects.filter(record=record)
        .select_related(
            "application__organisation",
            "application__area",
            "application__round__year",
            "formula_run__year",
        )
        .order_by("order")
    )
    versions = _latest_versions([r.allocation_id for r in rows if r.allocation_id])
    links = []
    for row in rows:
        if row.kind == LinkKind.ALLOCATION:
            assert row.allocation_id is not None
            v = versions[row.allocation_id]
            links.append(
                Link(
                    kind=row.kind,
                    reference=v.allocation.reference,
                    recipient=v.organisation.name,
                    description=v.initiative,
                    amount=v.total if v.status != "cancelled" else Decimal(0),
                    year=v.allocation.year.label,
                    purpose=row.purpose or v.initiative,
                    conditions=row.conditions,
                    reasons=row.reasons,
                    mechanism=Mechanism(v.mechanism).label,
                    area_code=v.reach.code if v.reach else "",
                )
            )
        elif row.kind == LinkKind.AWARD:
            app = row.application
            assert app is not None
            links.append(
                Link(
                    kind=row.kind,
                    reference=app.reference,
                    recipient=app.organisation.name,
                    description=app.title,
                    amount=app.award_amount,
                    year=app.round.year.label,
                    purpose=row.purpose or app.title,
                    conditions=row.conditions,
                    reasons=row.reasons,
                    mechanism=Mechanism(app.round.mechanism).label,
                    area_code=app.area.code if app.area is not None else "",
                )
            )
        else:
            run = row.formula_run
            assert run is not None
            links.append(
                Link(
                    kind=row.kind,
                    reference=run.reference,
                    recipient="Community Safety Partnerships",
                    description=f"{run.title} (pot £{run.pot:,})",
                    amount=None,
                    year=run.year.label,
                    purpose=row.purpose or run.title,
                    conditions=row.conditions,
                    reasons=row.reasons,
                )
            )
    return tuple(links)


def _assessment(record: DecisionRecord) -> Assessment | None:
    try:
        a = record.assessment
    except DecisionRecord.assessment.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None
    labels = dict(Characteristic.choices)
    return Assessment(
        plan_name=a.plan_name,
        owner=a.owner,
        completed_by=a.completed_by,
        completed_on=a.completed_on,
        aim=a.aim,
        characteristics=tuple(labels.get(c, c) for c in a.characteristics),
        data_used=a.data_used,
        data_gaps=a.data_gaps,
        impacts=a.impacts,
        mitigations=a.mitigations,
        consultation=a.consultation,
        decision=AssessmentDecision(a.decision).label if a.decision else "",
        marking=Marking(a.marking).label if a.marking else "",
        review_date=a.review_date,
        reviews=a.reviews,
    )


def draft_document(record: DecisionRecord) -> DecisionDocument:
    """The record as its draft tables hold it now (staff only; never published)."""
    return DecisionDocument(
        reference=record.reference,
        title=record.title,
        status=record.get_status_display(),
        decision_date=record.decision_date,
        officers_present=record.officers_present,
        received_on=record.received_on,
        sections=tuple(
            Section(key=k, title=t, text=getattr(record, k))
            for k, t in SECTION_TITLES
            if getattr(record, k)
        ),
        links=_links(record),
        assessment=_assessment(record),
        approval=None,
        approval_note="",
        pcc_signature=None,
        determination=None,
        supersedes=record.supersedes.reference if record.supersedes is not None else "",
        attachments=tuple(record.attachments.order_by("order").values_list("name", flat=True)),
    )


def _signature(row: SignatureRow) -> Signature:
    return Signature(
        role=row.role,
        name=row.name,
        signed_on=row.signed_on,
        statement=row.statement,
        on_paper=row.on_paper,
    )


def _superseded_by(record: DecisionRecord) -> str:
    later = DecisionRecord.objects.filter(supersedes=record).only("reference").first()
    return later.reference if later else ""


def staff_document(record: DecisionRecord) -> DecisionDocument:
    """The full record: the frozen snapshot once approved, with its signatures."""
    try:
        snapshot = record.snapshot
    except DecisionRecord.snapshot.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return replace(draft_document(record), superseded_by=_superseded_by(record))
    doc = serialise.from_dict(snapshot.content)
    signatures = {s.step: s for s in record.signatures.all()}
    approval = signatures.get(Step.APPROVE)
    sign = signatures.get(Step.SIGN)
    determine = signatures.get(Step.DETERMINE)
    determination = None
    exemptions: tuple[Exemption, ...] = ()
    if determine is not None:
        d = record.determination
        labels = dict(ExemptionChoice.choices)
        reasons = d.reasons
        if d.exemption:
            reasons = f"{labels[d.exemption]}. {reasons}".strip()
        determination = Determination(
            record=Publish(d.publish_record).label,
            assessment=Publish(d.publish_assessment).label,
            details=Publish(d.publish_details).label,
            reasons=reasons,
            signature=_signature(determine),
        )
        parts = parts_of(snapshot.content, approval.note if approval else "")
        exemptions = tuple(
            Exemption(
                part=parts.get(r.part, r.part), exemption=labels[r.exemption], reason=r.reason
            )
            for r in record.redactions.all()
        )
    return replace(
        doc,
        status=record.get_status_display(),
        decision_date=record.decision_date,
        approval=_signature(approval) if approval else None,
        approval_note=approval.note if approval else "",
        pcc_signature=_signature(sign) if sign else None,
        determination=determination,
        exemptions=exemptions,
        superseded_by=_superseded_by(record),
    )


def public_content(record: DecisionRecord) -> DecisionDocument:
    """The public version: the staff document with every exempt part left out.

    Called once, by `services.record_determine`, inside its transaction.
    """
    doc = staff_document(record)
    d = record.determination
    redactions = list(record.redactions.all())
    withheld = {r.part for r in redactions}
    labels = dict(ExemptionChoice.choices)
    # The staff titles of withheld items name the recipient; the public ones only number them.
    exemptions = [
        Exemption(part=public_part_title(r.part), exemption=labels[r.exemption], reason=r.reason)
        for r in redactions
    ]
    if d.publish_assessment == Publish.NO:
        withheld.add("approval_note")
        exemptions.append(
            Exemption(
                part="Assessment by the Chief Executive or Chief Finance Officer",
                exemption=labels.get(d.exemption, ""),
                reason=d.reasons,
            )
        )
    if d.publish_details == Publish.NO:
        withheld.update(f"link:{i}" for i in range(1, len(doc.links) + 1))
        exemptions.append(
            Exemption(
                part="Details of the decision (what it funds)",
                exemption=labels.get(d.exemption, ""),
                reason=d.reasons,
            )
        )
    sections = tuple(s for s in doc.sections if s.key not in withheld)
    links = tuple(link for i, link in enumerate(doc.links, start=1) if f"link:{i}" not in withheld)
    return replace(
        doc,
        status="Published",
        officers_present="" if "officers_present" in withheld else doc.officers_present,
        sections=sections,
        links=links,
        assessment=None if "assessment" in withheld else doc.assessment,
        approval_note="" if "approval_note" in withheld else doc.approval_note,
        exemptions=tuple(exemptions),
        superseded_by="",
        public=True,
        url=reverse("register-decision", kwargs={"slug": record.slug}),
        attachments=tuple(
            name
            for i, name in enumerate(doc.attachments, start=1)
            if f"attachment:{i}" not in withheld
        ),
    )


def is_grant(link: Link) -> bool:
    return link.kind == "award" or link.mechanism in GRANT_MECHANISMS


def grant_rows(version: PublishedVersion, doc: DecisionDocument) -> list[PublishedGrant]:
    """The grants register's rows for a public version (written once, with it)."""
    return [
        PublishedGrant(
            version=version,
            position=i,
            kind=link.kind,
            reference=link.reference,
            recipient=link.recipient,
            purpose=link.purpose or link.description,
            description=link.description,
            amount=link.amount,
            year=link.year,
            mechanism=link.mechanism,
            conditions=link.conditions,
            reasons=link.reasons,
            decision_date=doc.decision_date,
            search_text=" ".join(
                (link.reference, link.recipient, link.purpose, link.description, doc.reference)
            ).lower(),
        )
        for i, link in enumerate(doc.links, start=1)
        if is_grant(link)
    ]
