"""The public grants register as 360Giving open data.

Only grants that a published decision shows are exported: the list comes from the
`PublishedGrant` rows written with each public version (the grants register's rows), so a
withheld grant is never a row. They are read in chunks with only the columns needed, never
a decision's document, and written as they are read (`giving_file`): the number of queries
and the memory held do not grow with the number of grants.
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
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from commissioning.budgets.models import Mechanism
from commissioning.budgets.selectors import current_versions
from commissioning.grants.models import Application
from commissioning.opendata import giving360 as g
from commissioning.opendata import spreadsheet
from commissioning.organisations.models import Area, AreaKind, Organisation
from commissioning.plans.models import StrategicPriority, Theme

from .models import PublishedGrant

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


_ORG_FIELDS = ("name", "kind", "key", "org_id", "charity_number", "company_number")


def _org(org: Organisation | Mapping[str, Any]) -> g.Org:
    """The organisation as 360Giving names it: from a model or from its `.values()` row."""

    def get(field: str) -> str:
        return str(org[field] if isinstance(org, Mapping) else getattr(org, field))

    kind = get("kind")
    return g.Org(
        name=get("name"),
        kind=kind if kind in g.ORG_KINDS else "other",
        key=get("key"),
        org_id=get("org_id"),
        charity_number=get("charity_number"),
        company_number=get("company_number"),
    )


def org_id_problems() -> list[str]:
    """Organisations whose `org_id` is not an org-id.guide identifier, in words: the 360Giving
    data identifies them as if they had none."""
    found = Organisation.objects.exclude(org_id="").order_by("name")
    return [p for p in (g.org_id_problem(_org(o)) for o in found) if p]


_AREA_FIELDS = ("id", "code", "name", "kind")


@dataclass(frozen=True)
class _Area:
    """An area as read for the export: its code, name, kind and member districts."""

    code: str
    name: str
    kind: str
    districts: tuple[_Area, ...] = ()

    @property
    def is_ons_code(self) -> bool:
        return not self.code.startswith("LLR-")  # as `Area.is_ons_code`


def _locations(area: _Area | None) -> tuple[g.Location, ...]:
    """The area served, by its ONS code; a joint partnership by its member districts."""
    if area is None:
        return ()
    if area.is_ons_code and area.kind in GEO_TYPES:
        return (g.Location(name=area.name, geo_code=area.code, geo_code_type=GEO_TYPES[area.kind]),)
    return tuple(
        g.Location(name=d.name, geo_code=d.code, geo_code_type=GEO_TYPES[d.kind])
        for d in area.districts
        if d.kind in GEO_TYPES and d.is_ons_code
    )


def _beneficiaries(
    recipient_kind: str, recipient_area: _Area | None, reach: _Area | None
) -> tuple[g.Location, ...]:
    """Where the grant serves: a partnership's own CSP area first, then the reach's areas."""
    out: list[g.Location] = []
    if recipient_kind == "csp" and recipient_area is not None:
        out += _locations(recipient_area)
    out += [loc for loc in _locations(reach) if loc not in out]
    return tuple(out)


def _identifier(reference: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", reference).strip("-").lower()


@dataclass(frozen=True)
class _Made:
    """What the allocation or award behind a grant says of it, by the ids of what it names."""

    organisation: int
    area: int | None
    theme: int | None
    primary_priority: int | None
    secondary_priority: int | None
    programme: str
    applied_for: Decimal | None


class _Facts:
    """Everything a grant's row is matched with, read once for the whole export as plain
    values (no model instances, no decision documents): the current version of every
    published allocation, every published award, the organisations, areas, themes and
    priorities they name. A constant number of queries, whatever the number of grants."""

    def __init__(self) -> None:
        published = PublishedGrant.objects.filter(amount__gt=0, decision_date__isnull=False)
        mechanisms = dict(Mechanism.choices)
        self.allocations = {
            ref: _Made(org, reach, theme, p1, p2, str(mechanisms.get(mechanism, mechanism)), None)
            for ref, org, reach, theme, p1, p2, mechanism in current_versions()
            .filter(
                allocation__reference__in=published.filter(kind="allocation").values("reference")
            )
            .values_list(
                "allocation__reference",
                "organisation_id",
                "reach_id",
                "theme_id",
                "primary_priority_id",
                "secondary_priority_id",
                "mechanism",
            )
            .iterator(chunk_size=CHUNK)
        }
        self.awards = {
            ref: _Made(org, area, theme, p1, p2, title, requested)
            for ref, org, area, theme, p1, p2, title, requested in Application.objects.filter(
                reference__in=published.filter(kind="award").values("reference")
            )
            .values_list(
                "reference",
                "organisation_id",
                "area_id",
                "theme_id",
                "primary_priority_id",
                "secondary_priority_id",
                "round__title",
                "amount_requested",
            )
            .iterator(chunk_size=CHUNK)
        }
        rows = {row["id"]: row for row in Area.objects.values(*_AREA_FIELDS)}
        members: dict[int, list[int]] = {}
        for group, district in (
            Area.districts.through.objects.order_by("to_area__code")
            .values_list("from_area_id", "to_area_id")
            .iterator()
        ):
            members.setdefault(group, []).append(district)
        plain = {
            pk: _Area(code=r["code"], name=r["name"], kind=r["kind"]) for pk, r in rows.items()
        }
        self.areas = {
            pk: _Area(
                code=a.code,
                name=a.name,
                kind=a.kind,
                districts=tuple(plain[d] for d in members.get(pk, ())),
            )
            for pk, a in plain.items()
        }
        self.organisations: dict[int, tuple[g.Org, int | None]] = {
            row["id"]: (_org(row), row["area_id"])
            for row in Organisation.objects.values("id", "area_id", *_ORG_FIELDS).iterator()
        }
        self.themes = {
            pk: g.Classification(PLAN_THEME, f"T{number}", title)
            for pk, number, title in Theme.objects.values_list("id", "number", "title")
        }
        self.priorities = {
            pk: g.Classification(PLAN_PRIORITY, code, title)
            for pk, code, title in StrategicPriority.objects.values_list("id", "code", "title")
        }
        funder = Organisation.objects.filter(kind="opcc").values(*_ORG_FIELDS).first()
        self.funder = (
            _org(funder)
            if funder
            else g.Org(name=settings.SITE_ORGANISATION_NAME, kind="opcc", key="opcc")
        )
        self._places: dict[tuple[int, int | None], tuple[g.Location, ...]] = {}
        self._classes: dict[tuple[int | None, ...], tuple[g.Classification, ...]] = {}

    def made(self, kind: str, reference: str) -> _Made:
        return (self.allocations if kind == "allocation" else self.awards)[reference]

    def beneficiaries(self, made: _Made) -> tuple[g.Location, ...]:
        key = (made.organisation, made.area)
        found = self._places.get(key)
        if found is None:
            org, org_area = self.organisations[made.organisation]
            area = self.areas[made.area] if made.area is not None else None
            home = self.areas[org_area] if org_area is not None else None
            found = self._places[key] = _beneficiaries(org.kind, home, area)
        return found

    def classifications(self, made: _Made) -> tuple[g.Classification, ...]:
        key = (made.theme, made.primary_priority, made.secondary_priority)
        found = self._classes.get(key)
        if found is None:
            theme = [self.themes[made.theme]] if made.theme is not None else []
            found = self._classes[key] = tuple(
                theme + [self.priorities[p] for p in key[1:] if p is not None]
            )
        return found


#: Grants read from the database at a time.
CHUNK = 2000
_GRANT_ORDER = ("-decision_date", "-version_id", "position")


def _published_rows():
    """The grants register's rows that can be grants (an amount, a decision date), newest
    decision first: where a correction cites the same item again, the first one wins."""
    return PublishedGrant.objects.filter(amount__gt=0, decision_date__isnull=False).order_by(
        *_GRANT_ORDER
    )


def grants_stream(
    *, base_url: str = "", facts: Mapping[str, GrantFacts] | None = None
) -> Iterator[g.Grant]:
    """The 360Giving grants of published decisions, one at a time, read in chunks of
    `CHUNK` rows with only the columns they need (never a decision's document). What could
    stop the package being written is checked at once, before the first grant: no grants,
    two grants with one identifier, or a recipient's malformed charity or company number
    raise `ValueError` here, as `g.package` would."""
    found = _Facts()
    seen: set[str] = set()
    ids: set[str] = set()
    recipients: dict[int, g.Org] = {}
    prefix = publisher_prefix()
    for reference, kind in _published_rows().values_list("reference", "kind").iterator(CHUNK):
        if reference in seen:
            continue
        seen.add(reference)
        identifier = g.grant_id(_identifier(reference), prefix)
        if identifier in ids:
            raise ValueError(f"package: two grants have the identifier {identifier!r}")
        ids.add(identifier)
        organisation = found.made(kind, reference).organisation
        recipients.setdefault(organisation, found.organisations[organisation][0])
    if not seen:
        raise ValueError("package: a 360Giving package needs at least one grant")
    for org in recipients.values():
        g.org_identifier(org, prefix)
        g.company_number(org)
    for problem in sorted({g.org_id_problem(o) for o in recipients.values()} - {""}):
        log.warning("360Giving: %s; identified without it", problem)
    return _grants(found, base_url=base_url, facts=facts or {})


def _grants(found: _Facts, *, base_url: str, facts: Mapping[str, GrantFacts]) -> Iterator[g.Grant]:
    seen: set[str] = set()
    none = GrantFacts()
    rows = _published_rows().values_list(
        "reference",
        "kind",
        "amount",
        "decision_date",
        "purpose",
        "description",
        "year",
        "conditions",
        "reasons",
        "version__record__reference",
        "version__record__slug",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        reference, kind, amount, decided, purpose, description, year = row[:7]
        conditions, reasons, decision, slug = row[7:]
        if reference in seen:
            continue
        seen.add(reference)
        made = found.made(kind, reference)
        known = facts.get(reference, none)
        yield g.Grant(
            identifier=_identifier(reference),
            title=purpose,
            description=" ".join(
                part
                for part in (
                    f"{description.rstrip('.')}.",
                    f"{made.programme}, {year}, decided in {decision}.",
                    f"Conditions: {conditions}" if conditions else "",
                    f"Reasons: {reasons}" if reasons else "",
                )
                if part
            ),
            amount=amount,
            award_date=decided,
            recipient=found.organisations[made.organisation][0],
            funder=found.funder,
            beneficiary_locations=found.beneficiaries(made),
            classifications=found.classifications(made),
            programme_title=made.programme,
            decision_reference=decision,
            decision_url=f"{base_url}/register/decisions/{slug}/" if base_url else "",
            amount_applied_for=made.applied_for,
            amount_disbursed=known.amount_disbursed,
            planned_start=known.planned_start,
            planned_end=known.planned_end if known.planned_start else None,
            from_open_call=True if kind == "award" else None,
        )


def grants(*, base_url: str = "", facts: Mapping[str, GrantFacts] | None = None) -> list[g.Grant]:
    return list(grants_stream(base_url=base_url, facts=facts))


def package_details(*, base_url: str = "", now: dt.datetime | None = None) -> dict[str, Any]:
    """The package's own fields (publisher, licence, title), for `g.package` and
    `g.package_chunks`."""
    return {
        "publisher_name": settings.SITE_ORGANISATION_NAME,
        "publisher_prefix": publisher_prefix(),
        "generated_at": now or timezone.now(),
        "licence_url": LICENCE,
        "publisher_website": base_url,
        "title": f"{settings.SITE_ORGANISATION_NAME}: grants made",
        "description": "Crime and disorder reduction grants made by published decisions of the "
        "Police and Crime Commissioner.",
    }


FORMATS = ("json", "csv", "xlsx")


def giving_file(
    fmt: str,
    *,
    base_url: str = "",
    now: dt.datetime | None = None,
    facts: Mapping[str, GrantFacts] | None = None,
) -> Iterator[str] | IO[bytes]:
    """The grants of published decisions as a 360Giving file, written while the grants are
    read: JSON (the package) or CSV as pieces of text, XLSX as a temporary file ready to
    read from its start. Raises `ValueError` at once when there is no package to write (see
    `grants_stream`)."""
    found = grants_stream(base_url=base_url, facts=facts)
    if fmt == "json":
        return g.package_chunks(found, **package_details(base_url=base_url, now=now))
    items = g.grant_dicts(found, publisher_prefix=publisher_prefix())
    if fmt == "csv":
        return spreadsheet.csv_chunks(items)
    if fmt == "xlsx":
        file = tempfile.TemporaryFile()
        spreadsheet.write_workbook(items, file)
        file.seek(0)
        return file
    raise ValueError(f"no 360Giving format {fmt!r}: json, csv or xlsx")


def grants_package(
    *,
    base_url: str = "",
    now: dt.datetime | None = None,
    facts: Mapping[str, GrantFacts] | None = None,
) -> dict[str, Any]:
    """The grants of published decisions as a 360Giving package; `facts` adds what a higher
    layer knows of each grant after its award (see the module's docstring). The whole
    package is held: to write a file, `giving_file` holds a grant at a time."""
    return g.package(
        grants_stream(base_url=base_url, facts=facts),
        **package_details(base_url=base_url, now=now),
    )
