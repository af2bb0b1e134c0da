"""The public grants register as 360Giving open data.

Only grants that a published decision shows are exported: the list comes from
`register.grants()`, the rows written with each public version, so a withheld grant is
never a row.
Each row is then matched to its allocation or award for the facts 360Giving wants (the
recipient's identifiers and area, the plan priorities) that a decision's text does not
carry. A recipient is identified by the org-id.guide identifier it carries (`org_id`, any
list), else by its charity or company number, else by the publisher's prefix; an `org_id`
that is not an org-id.guide identifier is passed over, logged and listed by
`org_id_problems`. Building the package and validating it is
`commissioning.opendata.giving360`'s job.

What happens after the award (the amount paid so far, the dates the work is planned for) is
known to apps above this one (agreements). They are not imported here: the caller passes
them in as `facts`, a mapping from the grants register's reference for a grant (the
allocation's or the award's) to its `GrantFacts`; `web` passes
`agreements.exports.giving_facts()`. A grant without facts is written without them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from commissioning.budgets.models import AllocationVersion
from commissioning.budgets.selectors import current_versions
from commissioning.grants.models import Application
from commissioning.opendata import giving360 as g
from commissioning.organisations.models import Area, AreaKind, Organisation

from . import register

log = logging.getLogger(__name__)

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
GEO_TYPES: dict[str, str] = {
    AreaKind.CSP: "CSP",
    AreaKind.UNITARY: "UA",
    AreaKind.DISTRICT: "NMD",
    AreaKind.COUNTY: "CTY",
    AreaKind.FORCE_AREA: "PFA",
}
PLAN_THEME = "Police and Crime Plan theme"
PLAN_PRIORITY = "Police and Crime Plan strategic priority"


@dataclass(frozen=True)
class GrantFacts:
    """What is known of a grant after its award, from a layer above this one: the amount
    paid under it so far (360Giving's `amountDisbursed`) and its planned dates
    (`plannedDates`: the agreement's start and end)."""

    amount_disbursed: Decimal | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None


def publisher_prefix() -> str:
    return getattr(settings, "GIVING360_PREFIX", "360G-opcc-llr")


def _org(org: Organisation) -> g.Org:
    return g.Org(
        name=org.name,
        kind=org.kind if org.kind in g.ORG_KINDS else "other",
        key=org.key,
        org_id=org.org_id,
        charity_number=org.charity_number,
        company_number=org.company_number,
    )


def org_id_problems() -> list[str]:
    """Organisations whose `org_id` is not an org-id.guide identifier, in words: the 360Giving
    data identifies them as if they had none."""
    found = Organisation.objects.exclude(org_id="").order_by("name")
    return [p for p in (g.org_id_problem(_org(o)) for o in found) if p]


def _locations(area: Area | None) -> tuple[g.Location, ...]:
    """The area served, by its ONS code; a joint partnership by its member districts."""
    if area is None:
        return ()
    if area.is_ons_code and area.kind in GEO_TYPES:
        return (g.Location(name=area.name, geo_code=area.code, geo_code_type=GEO_TYPES[area.kind]),)
    return tuple(
        g.Location(name=d.name, geo_code=d.code, geo_code_type=GEO_TYPES[d.kind])
        for d in area.districts.all()
        if d.kind in GEO_TYPES and d.is_ons_code
    )


def _beneficiaries(recipient: Organisation, reach: Area | None) -> tuple[g.Location, ...]:
    """Where the grant serves: a partnership's own CSP area first, then the reach's areas."""
    out: list[g.Location] = []
    if recipient.kind == "csp" and recipient.area is not None:
        out += _locations(recipient.area)
    out += [loc for loc in _locations(reach) if loc not in out]
    return tuple(out)


def _classifications(theme, *priorities) -> tuple[g.Classification, ...]:
    out = []
    if theme is not None:
        out.append(g.Classification(PLAN_THEME, f"T{theme.number}", theme.title))
    for p in priorities:
        if p is not None:
            out.append(g.Classification(PLAN_PRIORITY, p.code, p.title))
    return tuple(out)


def _identifier(reference: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", reference).strip("-").lower()


def grants(*, base_url: str = "", facts: Mapping[str, GrantFacts] | None = None) -> list[g.Grant]:
    rows = []
    seen: set[str] = set()
    # newest decision first: where a correction cites the same item again, it wins
    for row in register.grants().order_by("-decision_date", "-version_id", "position"):
        if row.reference in seen or row.amount is None or row.amount <= 0:
            continue
        if row.decision_date is None:
            continue
        seen.add(row.reference)
        rows.append(row)
    allocation_refs = [r.reference for r in rows if r.kind == "allocation"]
    award_refs = [r.reference for r in rows if r.kind == "award"]
    versions = (
        current_versions()
        .filter(allocation__reference__in=allocation_refs)
        .select_related("organisation__area")
        .prefetch_related("reach__districts", "organisation__area__districts")
    )
    latest: dict[str, AllocationVersion] = {v.allocation.reference: v for v in versions}
    awards = {
        a.reference: a
        for a in Application.objects.filter(reference__in=award_refs).select_related(
            "organisation__area", "area", "theme", "primary_priority", "secondary_priority", "round"
        )
    }
    funder_org = Organisation.objects.filter(kind="opcc").first()
    funder = (
        _org(funder_org)
        if funder_org
        else g.Org(name=settings.SITE_ORGANISATION_NAME, kind="opcc", key="opcc")
    )
    out = []
    for row in rows:
        record = row.version.record
        assert row.amount is not None and row.decision_date is not None
        if row.kind == "allocation":
            v = latest[row.reference]
            recipient, area = v.organisation, v.reach
            theme, p1, p2 = v.theme, v.primary_priority, v.secondary_priority
            programme = v.get_mechanism_display()
            applied_for = None
        else:
            a = awards[row.reference]
            recipient, area = a.organisation, a.area
            theme, p1, p2 = a.theme, a.primary_priority, a.secondary_priority
            programme = a.round.title
            applied_for = a.amount_requested
        known = (facts or {}).get(row.reference, GrantFacts())
        out.append(
            g.Grant(
                identifier=_identifier(row.reference),
                title=row.purpose,
                description=" ".join(
                    part
                    for part in (
                        f"{row.description.rstrip('.')}.",
                        f"{programme}, {row.year}, decided in {record.reference}.",
                        f"Conditions: {row.conditions}" if row.conditions else "",
                        f"Reasons: {row.reasons}" if row.reasons else "",
                    )
                    if part
                ),
                amount=row.amount,
                award_date=row.decision_date,
                recipient=_org(recipient),
                funder=funder,
                beneficiary_locations=_beneficiaries(recipient, area),
                classifications=_classifications(theme, p1, p2),
                programme_title=programme,
                decision_reference=record.reference,
                decision_url=f"{base_url}/register/decisions/{record.slug}/" if base_url else "",
                amount_applied_for=applied_for,
                amount_disbursed=known.amount_disbursed,
                planned_start=known.planned_start,
                planned_end=known.planned_end if known.planned_start else None,
                from_open_call=True if row.kind == "award" else None,
            )
        )
    for problem in sorted({g.org_id_problem(grant.recipient) for grant in out} - {""}):
        log.warning("360Giving: %s; identified without it", problem)
    return out


def grants_package(
    *,
    base_url: str = "",
    now: dt.datetime | None = None,
    facts: Mapping[str, GrantFacts] | None = None,
) -> dict[str, Any]:
    """The grants of published decisions as a 360Giving package; `facts` adds what a higher
    layer knows of each grant after its award (see the module's docstring)."""
    return g.package(
        grants(base_url=base_url, facts=facts),
        publisher_name=settings.SITE_ORGANISATION_NAME,
        publisher_prefix=publisher_prefix(),
        generated_at=now or timezone.now(),
        licence_url=LICENCE,
        publisher_website=base_url,
        title=f"{settings.SITE_ORGANISATION_NAME}: grants made",
        description="Crime and disorder reduction grants made by published decisions of the "
        "Police and Crime Commissioner.",
    )
