"""Writing decision records: draft, approve, sign, determine publication, supersede.

Every function checks its permission rule, runs in one transaction with its audit event, and
refuses a step out of order. Nobody signs a record they drafted, and the PCC's signature and
the approval come from different people. Approval freezes the content into a
`DecisionSnapshot`; later signatures name its sha256, and `record_update` refuses anything
but a draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.budgets.periods import first_year_of
from commissioning.core import files
from commissioning.core.audit import audit_record
from commissioning.core.permissions import require
from commissioning.core.roles import Role

from . import serialise
from .models import (
    DecisionAttachment,
    DecisionLink,
    DecisionRecord,
    DecisionSnapshot,
    Determination,
    EqualityAssessment,
    Exemption,
    LinkKind,
    Publish,
    PublishedGrant,
    PublishedVersion,
    Redaction,
    ReferenceCounter,
    Signature,
    Status,
    Step,
)

APPROVAL_STATEMENT = (
    "I have been consulted about the proposal and confirm that appropriate advice has been "
    "taken into account in the preparation of this report. I am satisfied that this is an "
    "appropriate request to be submitted to the Police and Crime Commissioner."
)
SIGN_STATEMENT = "Decision of the Police and Crime Commissioner"
DETERMINE_STATEMENT = (
    "As Monitoring Officer for the Office of the Police and Crime Commissioner I have "
    "determined publication of this record as set out."
)

TEXT_FIELDS = (
    "title",
    "officers_present",
    "summary",
    "recommendations",
    "discussion",
    "resolution",
)
RECORD_FIELDS = (*TEXT_FIELDS, "decision_date", "received_on", "expected_on", "on_forward_plan")

# Which determination covers which part: the record's text and assessment, the senior post
# holder's assessment (their note on approval), and the details (what the decision funds).
RECORD_PARTS = ("officers_present", "summary", "recommendations", "discussion", "resolution")
PART_TITLES = {
    "officers_present": "Officers present",
    "summary": "Summary of issue",
    "recommendations": "Recommendations presented",
    "discussion": "Key discussion points",
    "resolution": "Resolution",
    "assessment": "Equality Impact Assessment",
    "approval_note": "Assessment by the Chief Executive or Chief Finance Officer",
}


@dataclass(frozen=True)
class PaperSignature:
    """A signature copied from a paper record: the name and date as written on it."""

    name: str
    signed_on: dt.date


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def reference_for(year: int, number: int) -> str:
    return f"EXE {number:04d}/{year % 100:02d}"


def _slug(reference: str) -> str:
    return reference.lower().replace(" ", "-").replace("/", "-")


def _take_number(year: int, wanted: int | None = None) -> int:
    """The next number in the year, under a row lock so two drafts never share one."""
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    if wanted is not None:
        if DecisionRecord.objects.filter(number_year=year, number=wanted).exists():
            raise ValidationError({"reference": f"{reference_for(year, wanted)} is already used"})
        number = wanted
    else:
        number = counter.last + 1
    if number > counter.last:
        counter.last = number
        counter.save(update_fields=["last"])
    return number


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError({"title": "Enter the decision's title"})
    return cleaned


def record_create(
    *,
    actor,
    title: str,
    on: dt.date | None = None,
    number: int | None = None,
    supersedes: DecisionRecord | None = None,
    **fields,
) -> DecisionRecord:
    """A new draft, numbered in the financial year of `on` (today by default)."""
    require(actor, "decisions.draft")
    fields = _clean_fields({"title": title, **fields})
    day = on or fields.get("decision_date") or timezone.localdate()
    year = first_year_of(day)
    with transaction.atomic():
        if supersedes is not None:
            supersedes = DecisionRecord.objects.select_for_update().get(pk=supersedes.pk)
            if supersedes.status not in (Status.SIGNED, Status.PUBLISHED, Status.NOT_PUBLISHED):
                raise ValidationError(
                    "Only a signed record is superseded; change a draft by editing it"
                )
            if DecisionRecord.objects.filter(supersedes=supersedes).exists():
                raise ValidationError(f"{supersedes.reference} has already been superseded")
        n = _take_number(year, number)
        reference = reference_for(year, n)
        record = DecisionRecord(
            reference=reference,
            slug=_slug(reference),
            number_year=year,
            number=n,
            supersedes=supersedes,
            created_by=_user(actor),
            updated_by=_user(actor),
            **fields,
        )
        record.full_clean(exclude=["supersedes"])
        record.save()
        audit_record(
            actor=actor,
            action="decision.create",
            obj=record,
            after={"reference": reference, "title": record.title},
            reason=f"supersedes {supersedes.reference}" if supersedes else "",
        )
        return record


def _locked_draft(record: DecisionRecord) -> DecisionRecord:
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != Status.DRAFT:
        raise ValidationError(
            f"{record.reference} is {record.get_status_display().lower()}: its content can no "
            "longer change (a correction is a new record that supersedes it)"
        )
    return record


def record_update(*, actor, record: DecisionRecord, **fields) -> DecisionRecord:
    require(actor, "decisions.draft")
    fields = _clean_fields(fields)
    with transaction.atomic():
        record = _locked_draft(record)
        before = {k: getattr(record, k) for k in fields}
        for key, value in fields.items():
            setattr(record, key, value)
        record.updated_by = _user(actor)
        record.full_clean(exclude=["supersedes"])
        record.save()
        audit_record(actor=actor, action="decision.update", obj=record, before=before, after=fields)
        return record


def link_add(
    *,
    actor,
    record: DecisionRecord,
    targets: Iterable[Any],
    purpose: str = "",
    conditions: str = "",
    reasons: str = "",
) -> list[DecisionLink]:
    """Cite allocations, awards (grant applications) or formula runs, in the order given."""
    from commissioning.budgets.models import Allocation
    from commissioning.formula.models import FormulaRun
    from commissioning.grants.models import Application

    require(actor, "decisions.draft")
    with transaction.atomic():
        record = _locked_draft(record)
        order = (record.links.order_by("-order").values_list("order", flat=True).first()) or 0
        made = []
        for target in targets:
            order += 1
            link = DecisionLink(
                record=record,
                order=order,
                purpose=purpose,
                conditions=conditions,
                reasons=reasons,
            )
            if isinstance(target, Allocation):
                link.kind, link.allocation = LinkKind.ALLOCATION, target
            elif isinstance(target, Application):
                if target.allocation_id is None:
                    raise ValidationError(f"{target.reference} has no award yet")
                link.kind, link.application = LinkKind.AWARD, target
                link.purpose = purpose or target.title
                recommendation = getattr(target, "recommendation", None)
                if not reasons and recommendation is not None:
                    link.reasons = recommendation.reasons
            elif isinstance(target, FormulaRun):
                link.kind, link.formula_run = LinkKind.FORMULA_RUN, target
            else:
                raise ValidationError(f"A decision cannot cite {type(target).__name__}")
            link.save()
            made.append(link)
        audit_record(
            actor=actor,
            action="decision.link",
            obj=record,
            after={"links": [lk.order for lk in made], "kinds": sorted({lk.kind for lk in made})},
        )
        return made


def link_remove(*, actor, record: DecisionRecord, orders: Sequence[int]) -> int:
    require(actor, "decisions.draft")
    with transaction.atomic():
        record = _locked_draft(record)
        removed, _ = record.links.filter(order__in=list(orders)).delete()
        audit_record(
            actor=actor, action="decision.unlink", obj=record, before={"links": list(orders)}
        )
        return removed


def attachments_dir():
    return files.store_dir("decision-attachments")


def attachment_add(*, actor, record: DecisionRecord, name: str, data: bytes) -> DecisionAttachment:
    """Attach a paper to a draft: its type and content checked as applicants' files are."""
    from commissioning.core import uploads as attachments

    require(actor, "decisions.draft")
    try:
        checked = attachments.check_upload(name, data)
    except attachments.AttachmentRejected as exc:
        raise ValidationError({"file": str(exc)}) from exc
    with transaction.atomic():
        record = _locked_draft(record)
        order = (record.attachments.order_by("-order").values_list("order", flat=True).first()) or 0
        files.store(attachments_dir(), checked.safe_name, data)
        attachment = DecisionAttachment.objects.create(
            record=record,
            order=order + 1,
            name=attachments.display_name(name),
            stored_name=checked.safe_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            created_by=_user(actor),
            updated_by=_user(actor),
        )
        audit_record(
            actor=actor,
            action="decision.attach",
            obj=record,
            after={"name": attachment.name, "sha256": checked.sha256, "size": checked.size},
        )
        return attachment


ASSESSMENT_FIELDS = {
    f.name for f in EqualityAssessment._meta.get_fields() if f.name not in {"id", "record"}
}


def assessment_save(*, actor, record: DecisionRecord, **fields) -> EqualityAssessment:
    require(actor, "decisions.draft")
    unknown = set(fields) - ASSESSMENT_FIELDS
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        record = _locked_draft(record)
        assessment = EqualityAssessment.objects.filter(record=record).first()
        assessment = assessment or EqualityAssessment(record=record)
        for key, value in fields.items():
            setattr(assessment, key, value)
        characteristics = list(assessment.characteristics or [])
        if ("none" in characteristics or "all" in characteristics) and len(characteristics) > 1:
            raise ValidationError(
                {"characteristics": "Choose 'None' or 'All' on its own, or the ones that apply"}
            )
        assessment.full_clean(exclude=["record"])
        assessment.save()
        audit_record(
            actor=actor,
            action="decision.assessment",
            obj=record,
            after={k: v for k, v in fields.items() if k in {"plan_name", "decision", "marking"}},
        )
        return assessment


def _content(record: DecisionRecord) -> dict[str, Any]:
    from .public import draft_document

    doc = draft_document(record)
    return serialise.to_dict(
        replace(doc, status="", approval=None, pcc_signature=None, determination=None, url="")
    )


def _signer(actor, paper: PaperSignature | None) -> tuple[str, dt.date, bool]:
    if paper is not None:
        return paper.name, paper.signed_on, True
    name = actor.get_full_name() or actor.get_username()
    return name, timezone.localdate(), False


def _role_label(actor, *candidates: str) -> str:
    for role in candidates:
        if actor is not None and actor.has_role(role):
            return Role(role).label.split(" (")[0]
    return Role(candidates[0]).label.split(" (")[0]


def _not_the_drafter(actor, record: DecisionRecord, what: str) -> None:
    if record.created_by_id is not None and record.created_by_id == getattr(actor, "pk", None):
        raise ValidationError(f"You drafted {record.reference}; someone else must {what} it")


def record_approve(
    *,
    actor,
    record: DecisionRecord,
    note: str = "",
    paper: PaperSignature | None = None,
    role: str | None = None,
) -> Signature:
    """The Chief Executive's or CFO's approval, which freezes the content."""
    require(actor, "decisions.approve")
    with transaction.atomic():
        record = _locked_draft(record)
        _not_the_drafter(actor, record, "approve")
        problems = []
        if not record.summary.strip():
            problems.append("the summary of the issue")
        if not record.recommendations.strip():
            problems.append("the recommendations")
        if problems:
            raise ValidationError(f"Before approval, enter {' and '.join(problems)}")
        content = _content(record)
        snapshot = DecisionSnapshot.objects.create(
            record=record, content=content, sha256=serialise.sha256(content)
        )
        name, signed_on, on_paper = _signer(actor, paper)
        signature = Signature.objects.create(
            record=record,
            step=Step.APPROVE,
            signer=_user(actor),
            name=name,
            role=role or _role_label(actor, Role.CHIEF_EXECUTIVE, Role.CFO),
            signed_on=signed_on,
            statement=APPROVAL_STATEMENT,
            note=note.strip(),
            content_sha256=snapshot.sha256,
            on_paper=on_paper,
        )
        record.status = Status.APPROVED
        record.updated_by = _user(actor)
        record.save(update_fields=["status", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="decision.approve",
            obj=record,
            after={"sha256": snapshot.sha256, "name": name, "on_paper": on_paper},
        )
        return signature


def _locked(record: DecisionRecord, status: str, step: str) -> DecisionRecord:
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != status:
        needed = Status(status).label.lower()
        raise ValidationError(
            f"{record.reference} is {record.get_status_display().lower()}; "
            f"the {Step(step).label.lower()} needs it {needed} first"
        )
    return record


def record_sign(
    *,
    actor,
    record: DecisionRecord,
    decision_date: dt.date | None = None,
    paper: PaperSignature | None = None,
) -> Signature:
    """The PCC decides and signs the content the approver saw."""
    require(actor, "decisions.sign")
    with transaction.atomic():
        record = _locked(record, Status.APPROVED, Step.SIGN)
        _not_the_drafter(actor, record, "sign")
        approval = record.signatures.get(step=Step.APPROVE)
        name, signed_on, on_paper = _signer(actor, paper)
        same_user = approval.signer_id is not None and approval.signer_id == getattr(
            actor, "pk", None
        )
        if same_user or (on_paper and approval.name.strip().lower() == name.strip().lower()):
            raise ValidationError("The PCC's signature and the approval must be by two people")
        signature = Signature.objects.create(
            record=record,
            step=Step.SIGN,
            signer=_user(actor),
            name=name,
            role="Police and Crime Commissioner",
            signed_on=signed_on,
            statement=SIGN_STATEMENT,
            content_sha256=record.snapshot.sha256,
            on_paper=on_paper,
        )
        record.status = Status.SIGNED
        if record.decision_date is None:
            # the content is frozen, but the date of the decision is the signature's
            record.decision_date = decision_date or signed_on
        record.updated_by = _user(actor)
        record.save(update_fields=["status", "decision_date", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="decision.sign",
            obj=record,
            after={"name": name, "signed_on": signed_on, "on_paper": on_paper},
        )
        return signature


@dataclass(frozen=True)
class RedactionRequest:
    part: str
    exemption: str
    reason: str


def parts_of(content: dict[str, Any], approval_note: str = "") -> dict[str, str]:
    """The parts of a snapshot (and the approver's note) that may be marked exempt, by key,
    with a title for each."""
    parts: dict[str, str] = {}
    for key in RECORD_PARTS:
        text = (
            content.get("officers_present")
            if key == "officers_present"
            else next((s["text"] for s in content["sections"] if s["key"] == key), "")
        )
        if text:
            parts[key] = PART_TITLES[key]
    if content.get("assessment"):
        parts["assessment"] = PART_TITLES["assessment"]
    for i, link in enumerate(content.get("links", []), start=1):
        parts[f"link:{i}"] = f"Item {i}: {link['recipient']}, {link['description']}"[:200]
    for i, name in enumerate(content.get("attachments", []), start=1):
        parts[f"attachment:{i}"] = f"Attachment {i}: {name}"[:200]
    if approval_note:
        parts["approval_note"] = PART_TITLES["approval_note"]
    return parts


def scope_of(part: str) -> str:
    if part.startswith("link:"):
        return "details"
    if part == "approval_note":
        return "assessment"
    return "record"


def record_determine(
    *,
    actor,
    record: DecisionRecord,
    publish_record: str,
    publish_assessment: str,
    publish_details: str,
    redactions: Sequence[RedactionRequest] = (),
    exemption: str = "",
    reasons: str = "",
    paper: PaperSignature | None = None,
) -> Determination:
    """The Monitoring Officer's determination, which writes the public version once."""
    from . import register
    from .public import public_content

    require(actor, "decisions.determine")
    answers = {
        "record": publish_record,
        "assessment": publish_assessment,
        "details": publish_details,
    }
    errors: dict[str, str] = {}
    for scope, answer in answers.items():
        if answer not in Publish.values:
            errors[f"publish_{scope}"] = "Choose Yes, Part redacted or No"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = _locked(record, Status.SIGNED, Step.DETERMINE)
        content = record.snapshot.content
        approval = record.signatures.get(step=Step.APPROVE)
        parts = parts_of(content, approval.note)
        seen: set[str] = set()
        for r in redactions:
            if r.part not in parts:
                errors[f"part:{r.part}"] = f"{record.reference} has no part “{r.part}” to withhold"
            elif r.part in seen:
                errors[f"part:{r.part}"] = f"“{parts[r.part]}” is marked exempt twice"
            if r.exemption not in Exemption.values:
                errors[f"exemption:{r.part}"] = f"Choose the exemption for “{parts.get(r.part)}”"
            if not r.reason.strip():
                errors[f"reason:{r.part}"] = f"Give the reason “{parts.get(r.part)}” is exempt"
            seen.add(r.part)
        for scope, answer in answers.items():
            in_scope = [r for r in redactions if scope_of(r.part) == scope]
            if answer == Publish.PART and not in_scope:
                errors[f"publish_{scope}"] = (
                    f"“Part redacted” for the {scope} needs at least one part marked exempt"
                )
            if answer != Publish.PART and in_scope:
                errors[f"publish_{scope}"] = (
                    f"Parts of the {scope} are marked exempt: choose “Part redacted”"
                )
        if publish_record == Publish.NO and (publish_assessment != "no" or publish_details != "no"):
            errors["publish_record"] = (
                "If the record is not published, neither are the assessment nor the details"
            )
        if Publish.NO in answers.values():
            if exemption not in Exemption.values:
                errors["exemption"] = "Cite the legislation for not publishing"
            if not reasons.strip():
                errors["reasons"] = "Give the reasons for not publishing"
        if errors:
            raise ValidationError(errors)
        _not_the_drafter(actor, record, "determine publication of")
        for r in redactions:
            Redaction.objects.create(
                record=record, part=r.part, exemption=r.exemption, reason=r.reason.strip()
            )
        determination = Determination.objects.create(
            record=record,
            publish_record=publish_record,
            publish_assessment=publish_assessment,
            publish_details=publish_details,
            exemption=exemption,
            reasons=reasons.strip(),
        )
        name, signed_on, on_paper = _signer(actor, paper)
        Signature.objects.create(
            record=record,
            step=Step.DETERMINE,
            signer=_user(actor),
            name=name,
            role="Monitoring Officer",
            signed_on=signed_on,
            statement=DETERMINE_STATEMENT,
            content_sha256=record.snapshot.sha256,
            on_paper=on_paper,
        )
        now = timezone.now()
        if publish_record == Publish.NO:
            record.status = Status.NOT_PUBLISHED
        else:
            public = public_content(record)
            version = PublishedVersion.objects.create(
                record=record,
                content=serialise.to_dict(public),
                search_text=public.text().lower(),
                published_at=now,
            )
            PublishedGrant.objects.bulk_create(register.grant_rows(version, public))
            record.status = Status.PUBLISHED
        record.updated_by = _user(actor)
        record.save(update_fields=["status", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="decision.determine",
            obj=record,
            after={
                **answers,
                "redactions": [r.part for r in redactions],
                "name": name,
                "on_paper": on_paper,
            },
        )
        return determination


def record_from_round(*, actor, round) -> DecisionRecord:
    """Draft the decision record of a grant round the PCC has approved: the process, the
    awards with the panel's reasons, and a citation of each award."""
    from commissioning.grants.models import Application
    from commissioning.grants.workflow import Status as AppStatus

    require(actor, "decisions.draft")
    decided = getattr(round, "decision", None)
    if decided is None:
        raise ValidationError(f"The PCC has not yet approved {round.title}")
    if DecisionLink.objects.filter(application__round=round).exists():
        raise ValidationError(f"{round.title} already has a decision record")
    awards = list(
        Application.objects.filter(round=round, allocation__isnull=False)
        .select_related("organisation", "recommendation")
        .order_by("reference")
    )
    if not awards:
        raise ValidationError(f"{round.title} made no awards")
    declined = Application.objects.filter(round=round, status=AppStatus.DECLINED).count()
    total = sum((a.award_amount or 0 for a in awards), 0)
    received = round.applications.exclude(status__in=["draft", "withdrawn"]).count()
    summary = (
        f"{round.title} ({round.get_mechanism_display()}, {round.year.label}) opened on "
        f"{timezone.localtime(round.opens_at):%d %B %Y} and closed on "
        f"{timezone.localtime(round.closes_at):%d %B %Y}; {received} applications were "
        f"received. Themed reviewers scored them against the round's weighted criteria, "
        f"declaring any conflict of interest first; the review panel ranked them against the "
        f"pot and recommended {len(awards)} for funding, £{total:,} in all. {declined} were "
        "not recommended."
    )
    recommendations = "1. Approve the grants set out below, with the panel's reasons."
    with transaction.atomic():
        record = record_create(
            actor=actor,
            title=f"Grant awards: {round.title}",
            decision_date=decided.approved_on,
            summary=summary,
            recommendations=recommendations,
            resolution=decided.summary,
        )
        link_add(actor=actor, record=record, targets=awards)
        return record
