"""`DecisionDocument` to and from plain JSON, and the canonical bytes a signature names."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from .document import (
    Assessment,
    DecisionDocument,
    Determination,
    Exemption,
    Link,
    Section,
    Signature,
)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _signature_out(sig: Signature | None) -> dict | None:
    if sig is None:
        return None
    return {
        "role": sig.role,
        "name": sig.name,
        "signed_on": sig.signed_on.isoformat(),
        "statement": sig.statement,
        "on_paper": sig.on_paper,
    }


def _signature_in(data: dict | None) -> Signature | None:
    if not data:
        return None
    return Signature(
        role=data["role"],
        name=data["name"],
        signed_on=dt.date.fromisoformat(data["signed_on"]),
        statement=data.get("statement", ""),
        on_paper=bool(data.get("on_paper", False)),
    )


def to_dict(doc: DecisionDocument) -> dict[str, Any]:
    a = doc.assessment
    d = doc.determination
    return {
        "reference": doc.reference,
        "title": doc.title,
        "status": doc.status,
        "decision_date": doc.decision_date.isoformat() if doc.decision_date else None,
        "officers_present": doc.officers_present,
        "received_on": doc.received_on.isoformat() if doc.received_on else None,
        "sections": [{"key": s.key, "title": s.title, "text": s.text} for s in doc.sections],
        "links": [
            {
                "kind": lk.kind,
                "reference": lk.reference,
                "recipient": lk.recipient,
                "description": lk.description,
                "amount": str(lk.amount) if lk.amount is not None else None,
                "year": lk.year,
                "purpose": lk.purpose,
                "conditions": lk.conditions,
                "reasons": lk.reasons,
                "mechanism": lk.mechanism,
                "area_code": lk.area_code,
            }
            for lk in doc.links
        ],
        "assessment": None
        if a is None
        else {
            "plan_name": a.plan_name,
            "owner": a.owner,
            "completed_by": a.completed_by,
            "completed_on": a.completed_on.isoformat() if a.completed_on else None,
            "aim": a.aim,
            "characteristics": list(a.characteristics),
            "data_used": a.data_used,
            "data_gaps": a.data_gaps,
            "impacts": a.impacts,
            "mitigations": a.mitigations,
            "consultation": a.consultation,
            "decision": a.decision,
            "marking": a.marking,
            "review_date": a.review_date,
            "reviews": a.reviews,
        },
        "approval": _signature_out(doc.approval),
        "approval_note": doc.approval_note,
        "pcc_signature": _signature_out(doc.pcc_signature),
        "determination": None
        if d is None
        else {
            "record": d.record,
            "assessment": d.assessment,
            "details": d.details,
            "reasons": d.reasons,
            "signature": _signature_out(d.signature),
        },
        "exemptions": [
            {"part": e.part, "exemption": e.exemption, "reason": e.reason} for e in doc.exemptions
        ],
        "supersedes": doc.supersedes,
        "superseded_by": doc.superseded_by,
        "public": doc.public,
        "url": doc.url,
        "attachments": list(doc.attachments),
    }


def from_dict(data: dict[str, Any]) -> DecisionDocument:
    a = data.get("assessment")
    d = data.get("determination")
    determination = None
    if d:
        signature = _signature_in(d["signature"])
        assert signature is not None
        determination = Determination(
            record=d["record"],
            assessment=d["assessment"],
            details=d["details"],
            reasons=d["reasons"],
            signature=signature,
        )
    return DecisionDocument(
        reference=data["reference"],
        title=data["title"],
        status=data["status"],
        decision_date=_date(data.get("decision_date")),
        officers_present=data.get("officers_present", ""),
        received_on=_date(data.get("received_on")),
        sections=tuple(Section(**s) for s in data.get("sections", [])),
        links=tuple(
            Link(**{**lk, "amount": Decimal(lk["amount"]) if lk["amount"] is not None else None})
            for lk in data.get("links", [])
        ),
        assessment=None
        if not a
        else Assessment(
            **{
                **a,
                "completed_on": _date(a.get("completed_on")),
                "characteristics": tuple(a.get("characteristics", ())),
            }
        ),
        approval=_signature_in(data.get("approval")),
        approval_note=data.get("approval_note", ""),
        pcc_signature=_signature_in(data.get("pcc_signature")),
        determination=determination,
        exemptions=tuple(Exemption(**e) for e in data.get("exemptions", [])),
        supersedes=data.get("supersedes", ""),
        superseded_by=data.get("superseded_by", ""),
        public=data.get("public", False),
        url=data.get("url", ""),
        attachments=tuple(data.get("attachments", ())),
    )


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()
