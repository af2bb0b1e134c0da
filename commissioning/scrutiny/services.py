"""The one write the Panel's pages make: the audit event of a view of reoffending cohort
figures. Cohort data is criminal-offence data (UK GDPR article 10) and every view of it is
recorded, as the cohort team's own pages record theirs (`cohorts.services.cohort_viewed`).
The pack shows only the aggregate measures with small counts withheld, but it is still a view
of them: one event for each showing of a pack that holds any, naming the uploads shown. A pack
with no cohorts records nothing, and nothing else is ever written."""

from __future__ import annotations

from django.db import transaction

from commissioning.core.audit import audit_record
from commissioning.core.models import AuditEvent
from commissioning.core.permissions import require

from .permissions import READ
from .selectors import OutcomesPack

ACTION = "cohort.view_pack"
SAW = "the measures in the Police and Crime Panel's outcomes pack (small counts withheld)"
FORMATS = {
    "page": "the page",
    "pdf": "the PDF",
    "xlsx": "the spreadsheet (XLSX)",
    "json": "the data (JSON)",
}


def pack_cohorts_viewed(*, actor, pack: OutcomesPack, fmt: str) -> AuditEvent | None:
    """Record that `actor` saw the reoffending cohorts of `pack` as `fmt` ("page", "pdf",
    "xlsx" or "json"): one audit event on the pack's year naming each upload shown, or
    nothing when the pack shows none. One insert, whatever the number of uploads."""
    require(actor, READ)
    if fmt not in FORMATS:
        raise ValueError(f"no such form of the pack: {fmt!r}")
    if not pack.cohorts:
        return None
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=ACTION,
            obj=pack.year,
            after={
                "saw": SAW,
                "as": FORMATS[fmt],
                "year": pack.year.label,
                "uploads": [
                    {"upload": s.uuid, "name": s.name, "period": s.period_label}
                    for s in pack.cohorts
                ],
            },
        )
