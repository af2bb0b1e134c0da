"""Writing decision records: draft, approve, sign, determine publication, supersede.

Every function checks its permission rule (`require`), runs in one transaction with its
audit event, and refuses a step out of order. Every status change is a move of the record's
workflow (`workflow.RECORD`), made by `_advance` with the signature it is given with. Nobody
signs off a record they drafted, and the PCC's signature and the approval come from
different people. Approval freezes the content into a `DecisionSnapshot`; later signatures
name its sha256, and `record_update` refuses anything but a draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.budgets.models import Allocation
from commissioning.budgets.periods import first_year_of
from commissioning.core import files
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.locks import locked
from commissioning.core.money import money_text
from commissioning.core.permissions import require
from commissioning.core.roles import Role
from commissioning.core.uploads import display_name
from commissioning.formula.models import FormulaRun
from commissioning.grants.models import Application
from commissioning.grants.status import Status as AppStatus
from commissioning.notifications.models import Kind
from commissioning.notifications.services import notify, people_with

from . import serialise
from .document import parts_of, scope_of
from .models import (
    ATTACHMENT_FOLDER,
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
)
from .permissions import APPROVE, DETERMINE, DRAFT, SIGN
from .public import draft_document, grant_rows, public_content, staff_document
from .status import Status, Step
from .workflow import RECORD, SIGNED_OR_LATER, STEP_OF, drafted_by, needed_before, same_person

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


@dataclass(frozen=True)
class PaperSignature:
    """A signature copied from a paper record: the name and date as written on it."""

    name: str
    signed_on: dt.date


def reference_for(year: int, number: int) -> str:
    return f"EXE {number:04d}/{year % 100:02d}"


def _slug(reference: str) -> str:
    return reference.lower().replace(" ", "-").replace("/", "-")


def _take_number(year: int, wanted: int | None = None) -> int:
    """The next number in the year, under a row lock so two drafts never share one."""
    ReferenceCounter.objects.get_or_create(year=year)
    counter = cast(ReferenceCounter, locked(ReferenceCounter.objects.filter(year=year)))
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


def _row(record: DecisionRecord) -> DecisionRecord:
    """The record's row, locked for the rest of the transaction."""
    row = locked(DecisionRecord.objects.filter(pk=record.pk))
    if row is None:
        raise DecisionRecord.DoesNotExist(f"No decision record {record.pk}")
    return cast(DecisionRecord, row)


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
    require(actor, DRAFT)
    fields = _clean_fields({"title": title, **fields})
    day = on or fields.get("decision_date") or timezone.localdate()
    year = first_year_of(day)
    with transaction.atomic():
        if supersedes is not None:
            supersedes = _row(supersedes)
            if supersedes.status not in SIGNED_OR_LATER:
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
            created_by=user_of(actor),
            updated_by=user_of(actor),
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


def record_supersede(*, actor, record: DecisionRecord) -> DecisionRecord:
    """Start the correction of a signed record: a new draft carrying its title and text."""
    doc = staff_document(record)
    text = {s.key: s.text for s in doc.sections}
    return record_create(
        actor=actor,
        title=doc.title,
        supersedes=record,
        officers_present=doc.officers_present,
        summary=text.get("summary", ""),
        recommendations=text.get("recommendations", ""),
        discussion=text.get("discussion", ""),
        resolution=text.get("resolution", ""),
    )


def _locked_draft(record: DecisionRecord) -> DecisionRecord:
    record = _row(record)
    if record.status != Status.DRAFT:
        raise ValidationError(
            f"{record.reference} is {record.get_status_display().lower()}: its content can no "
            "longer change (a correction is a new record that supersedes it)"
        )
    return record


def record_update(*, actor, record: DecisionRecord, **fields) -> DecisionRecord:
    require(actor, DRAFT, record)
    fields = _clean_fields(fields)
    with transaction.atomic():
        record = _locked_draft(record)
        before = {k: getattr(record, k) for k in fields}
        for key, value in fields.items():
            setattr(record, key, value)
        record.updated_by = user_of(actor)
        record.full_clean(exclude=["supersedes"])
        record.save()
        audit_record(actor=actor, action="decision.update", obj=record, before=before, after=fields)
        return record


def _last_order(items) -> int:
    """The highest `order` among a record's links or attachments (0 for none)."""
    return items.order_by("-order").values_list("order", flat=True).first() or 0


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
    require(actor, DRAFT, record)
    with transaction.atomic():
        record = _locked_draft(record)
        order = _last_order(record.links)
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
    require(actor, DRAFT, record)
    with transaction.atomic():
        record = _locked_draft(record)
        removed, _ = record.links.filter(order__in=list(orders)).delete()
        audit_record(
            actor=actor, action="decision.unlink", obj=record, before={"links": list(orders)}
        )
        return removed


def attachment_add(*, actor, record: DecisionRecord, name: str, data: bytes) -> DecisionAttachment:
    """Attach a paper to a draft: its type and content checked as applicants' files are."""
    require(actor, DRAFT, record)
    with transaction.atomic():
        record = _locked_draft(record)
        checked = files.accept_upload(name, data, field="file", folder=ATTACHMENT_FOLDER)
        order = _last_order(record.attachments)
        attachment = DecisionAttachment.objects.create(
            record=record,
            order=order + 1,
            name=display_name(name),
            **checked.columns(),
            created_by=user_of(actor),
            updated_by=user_of(actor),
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
    require(actor, DRAFT, record)
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
    doc = draft_document(record)
    return serialise.to_dict(
        replace(doc, status="", approval=None, pcc_signature=None, determination=None, url="")
    )


@dataclass(frozen=True)
class _Signer:
    name: str
    signed_on: dt.date
    on_paper: bool


def _signer(actor, paper: PaperSignature | None) -> _Signer:
    if paper is not None:
        return _Signer(paper.name, paper.signed_on, True)
    return _Signer(actor.get_full_name() or actor.get_username(), timezone.localdate(), False)


def _role_label(actor, *candidates: str) -> str:
    for role in candidates:
        if actor is not None and actor.has_role(role):
            return Role(role).label.split(" (")[0]
    return Role(candidates[0]).label.split(" (")[0]


def _not_the_drafter(actor, record: DecisionRecord, what: str) -> None:
    if drafted_by(actor, record):
        raise ValidationError(f"You drafted {record.reference}; someone else must {what} it")


def _locked(record: DecisionRecord, target: str) -> DecisionRecord:
    """The record's row, locked, if its workflow has the move to `target` from where it is."""
    record = _row(record)
    try:
        RECORD.move(record.status, target)
    except ValidationError:
        raise ValidationError(
            f"{record.reference} is {record.get_status_display().lower()}; "
            f"the {Step(STEP_OF[target]).label.lower()} needs it {needed_before(target)} first"
        ) from None
    return record


def _advance(
    *,
    actor,
    record: DecisionRecord,
    target: str,
    signer: _Signer,
    role: str,
    statement: str,
    content_sha256: str,
    note: str = "",
    also_save: Sequence[str] = (),
    after: dict[str, Any] | None = None,
) -> Signature:
    """The one way a record's status changes: the signature its move is made with, then the
    move itself through the workflow table (its rule, the new status, the audit event)."""
    signature = Signature.objects.create(
        record=record,
        step=STEP_OF[target],
        signer=user_of(actor),
        name=signer.name,
        role=role,
        signed_on=signer.signed_on,
        statement=statement,
        note=note,
        content_sha256=content_sha256,
        on_paper=signer.on_paper,
    )
    RECORD.apply(
        actor=actor,
        obj=record,
        target=target,
        also_save=also_save,
        after={"name": signer.name, "on_paper": signer.on_paper, **(after or {})},
    )
    return signature


def record_approve(
    *,
    actor,
    record: DecisionRecord,
    note: str = "",
    paper: PaperSignature | None = None,
    role: str | None = None,
) -> Signature:
    """The Chief Executive's or CFO's approval, which freezes the content."""
    require(actor, APPROVE, record)
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
        signature = _advance(
            actor=actor,
            record=record,
            target=Status.APPROVED,
            signer=_signer(actor, paper),
            role=role or _role_label(actor, Role.CHIEF_EXECUTIVE, Role.CFO),
            statement=APPROVAL_STATEMENT,
            note=note.strip(),
            content_sha256=snapshot.sha256,
            after={"sha256": snapshot.sha256},
        )
        notify(
            users=people_with(Role.PCC).exclude(pk=record.created_by_id),
            message=f"Decision record {record.reference}, “{record.title}”, has been approved and is waiting for your decision and signature.",
            link=reverse("decision", args=[record.slug]),
            kind=Kind.DECISION_TO_SIGN,
        )
        return signature


def record_sign(
    *,
    actor,
    record: DecisionRecord,
    decision_date: dt.date | None = None,
    paper: PaperSignature | None = None,
) -> Signature:
    """The PCC decides and signs the content the approver saw."""
    require(actor, SIGN, record)
    with transaction.atomic():
        record = _locked(record, Status.SIGNED)
        _not_the_drafter(actor, record, "sign")
        signer = _signer(actor, paper)
        approval = record.signatures.get(step=Step.APPROVE)
        if same_person(approval, user=actor, name=signer.name, on_paper=signer.on_paper):
            raise ValidationError("The PCC's signature and the approval must be by two people")
        if record.decision_date is None:
            # the content is frozen, but the date of the decision is the signature's
            record.decision_date = decision_date or signer.signed_on
        signature = _advance(
            actor=actor,
            record=record,
            target=Status.SIGNED,
            signer=signer,
            role="Police and Crime Commissioner",
            statement=SIGN_STATEMENT,
            content_sha256=record.snapshot.sha256,
            also_save=("decision_date",),
            after={"signed_on": signer.signed_on},
        )
        notify(
            users=people_with(Role.CHIEF_EXECUTIVE).exclude(pk=record.created_by_id),
            message=f"Decision record {record.reference}, “{record.title}”, has been signed by the Commissioner and is waiting for your publication determination.",
            link=reverse("decision", args=[record.slug]),
            kind=Kind.DECISION_TO_DETERMINE,
        )
        return signature


@dataclass(frozen=True)
class RedactionRequest:
    part: str
    exemption: str
    reason: str


def _determination_errors(
    reference: str,
    parts: dict[str, str],
    answers: dict[str, str],
    redactions: Sequence[RedactionRequest],
    exemption: str,
    reasons: str,
) -> dict[str, str]:
    """Every way the answers and the parts marked exempt fail to agree, by form field."""
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for r in redactions:
        if r.part not in parts:
            errors[f"part:{r.part}"] = f"{reference} has no part “{r.part}” to withhold"
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
    if answers["record"] == Publish.NO and (
        answers["assessment"] != Publish.NO or answers["details"] != Publish.NO
    ):
        errors["publish_record"] = (
            "If the record is not published, neither are the assessment nor the details"
        )
    if Publish.NO in answers.values():
        if exemption not in Exemption.values:
            errors["exemption"] = "Cite the legislation for not publishing"
        if not reasons.strip():
            errors["reasons"] = "Give the reasons for not publishing"
    return errors


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
    require(actor, DETERMINE, record)
    answers = {
        "record": publish_record,
        "assessment": publish_assessment,
        "details": publish_details,
    }
    errors = {
        f"publish_{scope}": "Choose Yes, Part redacted or No"
        for scope, answer in answers.items()
        if answer not in Publish.values
    }
    if errors:
        raise ValidationError(errors)
    target = Status.NOT_PUBLISHED if publish_record == Publish.NO else Status.PUBLISHED
    with transaction.atomic():
        record = _locked(record, target)
        approval = record.signatures.get(step=Step.APPROVE)
        parts = parts_of(record.snapshot.content, approval.note)
        errors = _determination_errors(
            record.reference, parts, answers, redactions, exemption, reasons
        )
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
        _advance(
            actor=actor,
            record=record,
            target=target,
            signer=_signer(actor, paper),
            role="Monitoring Officer",
            statement=DETERMINE_STATEMENT,
            content_sha256=record.snapshot.sha256,
            after={**answers, "redactions": [r.part for r in redactions]},
        )
        if target == Status.PUBLISHED:
            public = public_content(record)
            version = PublishedVersion.objects.create(
                record=record,
                content=serialise.to_dict(public),
                search_text=public.text().lower(),
                published_at=timezone.now(),
            )
            PublishedGrant.objects.bulk_create(grant_rows(version, public))
        return determination


def _day(moment) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _applications(n: int) -> str:
    return f"{n} application" if n == 1 else f"{n} applications"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def record_from_round(*, actor, round) -> DecisionRecord:
    """Draft the decision record of a grant round the PCC has approved: the process, the
    awards with the panel's reasons, and a citation of each award."""
    require(actor, DRAFT)
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
    received = round.applications.exclude(status__in=[AppStatus.DRAFT, AppStatus.WITHDRAWN]).count()
    opens, closes = timezone.localtime(round.opens_at), timezone.localtime(round.closes_at)
    if closes <= timezone.now():
        when = f"closed on {_day(closes)}; {_applications(received)} {_were(received)} received"
    else:
        when = (
            f"closes on {_day(closes)}; so far {_applications(received)} "
            f"{'has' if received == 1 else 'have'} been received"
        )
    summary = (
        f"{round.title} ({round.get_mechanism_display()}, {round.year.label}) opened on "
        f"{_day(opens)} and {when}. Themed reviewers scored them against the round's "
        f"weighted criteria, declaring any conflict of interest first; the review panel ranked "
        f"them against the pot and recommended {len(awards)} for funding, {money_text(total)} "
        f"in all. {declined} {_were(declined)} not recommended."
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
