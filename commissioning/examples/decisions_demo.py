"""The papers' two decision records, entered through the same services an OPCC would use.

`llr/decisions.yaml` holds their text as printed and the signatures' names and dates. Each
is drafted by the demo officer, then approved, signed and determined by the demo users in
those roles, recording the paper's signatory and date ("signed on paper"). Each cites the
ledger allocations of the year its Table 1 sets out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from django.db import transaction

from commissioning.accounts.models import User
from commissioning.accounts.services import DEMO_USERS
from commissioning.budgets.models import Allocation, FinancialYear
from commissioning.budgets.selectors import allocation_lines
from commissioning.decisions import services
from commissioning.decisions.models import DecisionRecord

SOURCE = Path(__file__).parent / "llr" / "decisions.yaml"


def _user(role: str) -> User:
    return User.objects.get(username=next(u.username for u in DEMO_USERS if u.role == role))


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def paper_decisions_ensure() -> list[DecisionRecord]:
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    officer = _user("commissioning_officer")
    approvers = {"Chief Finance Officer": _user("cfo"), "Chief Executive": _user("chief_executive")}
    pcc = _user("pcc")
    monitoring_officer = _user("chief_executive")
    made = []
    for entry in data["records"]:
        existing = DecisionRecord.objects.filter(title=entry["title"]).first()
        if existing is not None:
            made.append(existing)
            continue
        with transaction.atomic():  # a record is entered whole or not at all
            made.append(_enter(entry, officer, approvers, pcc, monitoring_officer))
    return made


def _enter(entry, officer, approvers, pcc, monitoring_officer) -> DecisionRecord:
    day = _date(entry["decision_date"])
    record = services.record_create(
        actor=officer,
        title=entry["title"],
        on=day,
        number=entry.get("reference_number"),
        decision_date=day,
        officers_present=entry["officers_present"],
        summary=entry["summary"],
        recommendations=entry["recommendations"],
        discussion=entry.get("discussion") or "",
        resolution=entry.get("resolution") or "",
    )
    year = FinancialYear.objects.get(label=entry["year"])
    references = [
        line.reference
        for line in allocation_lines(year)
        if line.status != "cancelled" and not line.pooled  # the pool's award is not the PCC's
    ]
    by_reference = Allocation.objects.in_bulk(references, field_name="reference")
    services.link_add(actor=officer, record=record, targets=[by_reference[r] for r in references])
    if entry.get("assessment"):
        a = dict(entry["assessment"])
        a["completed_on"] = _date(a["completed_on"]) if a.get("completed_on") else None
        services.assessment_save(actor=officer, record=record, **a)
    approval = entry["approval"]
    services.record_approve(
        actor=approvers[approval["role"]],
        record=record,
        role=approval["role"],
        paper=services.PaperSignature(approval["name"], _date(approval["signed_on"])),
    )
    signed = entry["pcc"]
    services.record_sign(
        actor=pcc,
        record=record,
        paper=services.PaperSignature(signed["name"], _date(signed["signed_on"])),
    )
    mo = entry["monitoring_officer"]
    d = entry["determination"]
    services.record_determine(
        actor=monitoring_officer,
        record=record,
        publish_record=d["record"],
        publish_assessment=d["assessment"],
        publish_details=d["details"],
        paper=services.PaperSignature(mo["name"], _date(mo["signed_on"])),
    )

    return record
