"""Grants as 360Giving open data: a grants data package (JSON) and its spreadsheet.

The 360Giving Data Standard (1.4.3) is how UK funders publish their grants. This module takes
grants as plain frozen dataclasses and returns:

* :func:`package`: a grants data package, a ``dict`` ready for :func:`dumps`;
* :func:`dumps`: its JSON text, with amounts written exactly as the ``Decimal`` says (the
  standard library's ``json`` would refuse a ``Decimal`` or, through ``float``, round it);
* checking a package against the official schemas, offline, is in
  :mod:`commissioning.opendata.validation`;
* the same grants flattened to the standard's spreadsheet column titles ("Recipient
  Org:Identifier") are in :mod:`commissioning.opendata.spreadsheet`.

It has no Django and no database; the callers build the dataclasses from the models.

What the schema demands, and what this module does about it
-----------------------------------------------------------
* **Dates.** ``awardDate`` and the planned dates take either ``YYYY-MM-DD`` or a full RFC 3339
  date-time, written as ``oneOf`` a ``format: date-time`` branch and a pattern branch. With
  format checking off (or on but without ``rfc3339-validator`` installed, in which case
  ``jsonschema`` quietly skips the format) a plain date matches *both* branches and so fails
  ``oneOf``, while ``05/09/2013`` passes. Award and planned dates are written as
  ``YYYY-MM-DD``; ``issued``, ``modified`` and ``dateModified`` as date-times in UTC.
* **Money** is a JSON number: whole amounts become ``int``, others stay ``Decimal`` and
  :func:`dumps` writes their digits as they are.
* **Identifiers.** Every grant ``id`` starts with the publisher's 360Giving prefix
  (``360G-...``); organisations get org-id.guide identifiers from :func:`org_identifier`:
  the one they carry (any list: ``GB-CHC``, ``GB-COH``, ``GB-EDU`` ...), else one built from
  their charity, company or council register number, else the publisher's prefix.
* **At least one grant.** The package schema requires ``minItems: 1``, so :func:`package`
  refuses an empty list rather than write a file that cannot validate.
* **Extra fields** are allowed (no ``additionalProperties: false``): a grant carries its
  ``decisionReference`` (the PCC decision record that made it, such as ``EXE 0025/13``), and
  the decision record's web page, when known, as a ``relatedDocument``.

Finding the schemas
-------------------
The official schemas live in ``shared/data/360giving`` beside the repository. The package
schema refers to the grant schema by a remote URL (of release 1.4.2, while the file itself
says 1.4.3); :func:`validate` maps that URL to the local file so nothing is fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

#: The schema files: ``<repository>/../shared/data/360giving``.


#: The standard's version as the package's ``version`` field wants it (major.minor).
STANDARD_VERSION = "1.4"

#: Fields this module adds beyond the standard, as they appear in JSON and as column titles.
EXTRA_FIELDS = ("decisionReference",)

ORG_KINDS = (
    "charity",
    "company",
    "cic",
    "council",
    "csp",
    "police_force",
    "probation",
    "board",
    "opcc",
    "other",
)

#: ``organisationType``, in words a reader of the data understands.
ORG_KIND_LABELS = {
    "charity": "Charity",
    "company": "Company",
    "cic": "Community interest company",
    "council": "Local authority",
    "csp": "Community Safety Partnership",
    "police_force": "Police force",
    "probation": "Probation service",
    "board": "Partnership board",
    "opcc": "Office of the Police and Crime Commissioner",
}

_PREFIX = re.compile(r"^360G-[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$")
_CHARITY_EW = re.compile(r"^[1-9][0-9]{5,6}$")
_CHARITY_SCOTLAND = re.compile(r"^SC[0-9]{6}$")
_CHARITY_NI = re.compile(r"^NIC([0-9]{6})$")
_COMPANY_DIGITS = re.compile(r"^[0-9]{1,8}$")
_COMPANY_PREFIXED = re.compile(r"^([A-Z]{2})([0-9]{1,6})$")
_LA_CODE = re.compile(r"^[A-Z]{3,4}$")
#: An org-id.guide identifier: a list's prefix (two letters, a dash, letters) and the
#: organisation's identifier on that list: ``GB-CHC-1123456``, ``GB-EDU-123456``.
_ORG_ID = re.compile(r"^([A-Za-z]{2}-[A-Za-z]+)-([A-Za-z0-9]+(?:[-._/][A-Za-z0-9]+)*)$")
_KEY = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_GEO_CODE = re.compile(r"^[EKLMNSW][0-9]{8}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


# --------------------------------------------------------------------------------------------
# Input


def _require_text(owner: str, field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{owner}: {field} is required")


@dataclass(frozen=True)
class Location:
    """A place: a beneficiary area of a grant or the area of an organisation.

    ``geo_code`` is an ONS code (``E22000168``, Leicester CSP) and ``geo_code_type`` its type
    from the 360Giving codelist (``CSP``, ``NMD``, ``UA``, ``CTY``, ``PFA``)."""

    name: str
    geo_code: str = ""
    geo_code_type: str = ""
    country_code: str = "GB"

    def __post_init__(self) -> None:
        _require_text("location", "name", self.name)
        if bool(self.geo_code) != bool(self.geo_code_type):
            raise ValueError(
                f"location {self.name!r}: give both a geographic code and its type, or neither"
            )
        if self.geo_code and not _GEO_CODE.match(self.geo_code):
            raise ValueError(
                f"location {self.name!r}: {self.geo_code!r} is not an ONS code (a letter and 8 digits, such as E22000168)"
            )
        if self.country_code and not re.match(r"^[A-Z]{2}$", self.country_code):
            raise ValueError(
                f"location {self.name!r}: {self.country_code!r} is not a two-letter country code"
            )


@dataclass(frozen=True)
class Org:
    """A recipient or funder. ``kind`` is one of :data:`ORG_KINDS`; ``org_id`` the
    org-id.guide identifier it carries, if any; ``key`` is the local key (a slug) used for
    the identifier when the organisation is on no register we know."""

    name: str
    kind: str
    key: str = ""
    org_id: str = ""
    charity_number: str = ""
    company_number: str = ""
    la_register_code: str = ""
    street_address: str = ""
    city: str = ""
    county: str = ""
    postal_code: str = ""
    country: str = ""
    url: str = ""
    area: Location | None = None

    def __post_init__(self) -> None:
        _require_text("organisation", "name", self.name)
        if self.kind not in ORG_KINDS:
            raise ValueError(
                f"organisation {self.name!r}: kind {self.kind!r} is not one of {', '.join(ORG_KINDS)}"
            )


@dataclass(frozen=True)
class Classification:
    """A code from a named vocabulary, such as a priority of the Police and Crime Plan:
    ``Classification("Police and Crime Plan 2021-2025 priorities", "P1", "Victims")``."""

    vocabulary: str
    code: str
    title: str = ""

    def __post_init__(self) -> None:
        _require_text("classification", "vocabulary", self.vocabulary)
        _require_text(f"classification in {self.vocabulary!r}", "code", self.code)


def _check_amount(grant: str, field: str, amount: object) -> None:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(
            f"grant {grant}: {field} must be a Decimal, not {type(amount).__name__} (floats lose pence)"
        )
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise ValueError(f"grant {grant}: {field} must be zero or more, not {amount}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise ValueError(f"grant {grant}: {field} {amount} is not a whole number of pence")


def _check_date(grant: str, field: str, value: object) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"grant {grant}: {field} must be a date, not {type(value).__name__}")


@dataclass(frozen=True)
class Grant:
    """One grant as published. ``identifier`` is the publisher's own reference for it; the
    package prefixes it with the publisher's 360Giving prefix unless it already starts so."""

    identifier: str
    title: str
    description: str
    amount: Decimal
    award_date: date
    recipient: Org
    funder: Org
    currency: str = "GBP"
    planned_start: date | None = None
    planned_end: date | None = None
    beneficiary_locations: tuple[Location, ...] = ()
    classifications: tuple[Classification, ...] = ()
    programme_title: str = ""
    programme_code: str = ""
    data_source: str = ""
    url: str = ""
    decision_reference: str = ""
    decision_url: str = ""
    amount_applied_for: Decimal | None = None
    amount_disbursed: Decimal | None = None
    from_open_call: bool | None = None
    date_modified: datetime | None = None

    def __post_init__(self) -> None:
        _require_text("grant", "identifier", self.identifier)
        who = repr(self.identifier)
        _require_text(f"grant {who}", "title", self.title)
        _require_text(f"grant {who}", "description", self.description)
        _check_amount(who, "amount", self.amount)
        if self.amount_applied_for is not None:
            _check_amount(who, "amount applied for", self.amount_applied_for)
        if self.amount_disbursed is not None:
            _check_amount(who, "amount disbursed", self.amount_disbursed)
        if not isinstance(self.currency, str) or not _CURRENCY.match(self.currency):
            raise ValueError(
                f"grant {who}: currency {self.currency!r} is not a three-letter code such as GBP"
            )
        _check_date(who, "award date", self.award_date)
        if self.planned_start is not None:
            _check_date(who, "planned start", self.planned_start)
        if self.planned_end is not None:
            _check_date(who, "planned end", self.planned_end)
            if self.planned_start is None:
                raise ValueError(f"grant {who}: a planned end needs a planned start")
            if self.planned_end < self.planned_start:
                raise ValueError(f"grant {who}: the planned end is before the planned start")
        if not isinstance(self.recipient, Org) or not isinstance(self.funder, Org):
            raise TypeError(f"grant {who}: recipient and funder must be Org")
        if not all(isinstance(x, Location) for x in self.beneficiary_locations):
            raise TypeError(f"grant {who}: beneficiary locations must be Location")
        if not all(isinstance(x, Classification) for x in self.classifications):
            raise TypeError(f"grant {who}: classifications must be Classification")
        if self.decision_url and not self.decision_reference:
            raise ValueError(f"grant {who}: a decision URL needs the decision reference")
        if self.date_modified is not None and self.date_modified.utcoffset() is None:
            raise ValueError(f"grant {who}: date modified must carry a time zone")


# --------------------------------------------------------------------------------------------
# Organisation identifiers


def _check_prefix(prefix: str) -> str:
    cleaned = prefix.strip() if isinstance(prefix, str) else ""
    if not _PREFIX.match(cleaned):
        raise ValueError(
            f"{prefix!r} is not a 360Giving publisher prefix (360G- followed by letters, digits, - or _)"
        )
    return cleaned


def _compact(value: str) -> str:
    """Upper case with all whitespace removed: ``" sc 012 345 "`` → ``"SC012345"``."""
    return re.sub(r"\s+", "", value).upper()


def company_number(org: Org) -> str:
    """The organisation's Companies House number in its eight-character form
    (``"4567890"`` → ``"04567890"``, ``"sc 12345"`` → ``"SC012345"``), or ``""`` if it has
    none. Raises ``ValueError`` for a malformed number."""
    company = _compact(org.company_number)
    if not company:
        return ""
    if _COMPANY_DIGITS.match(company) and int(company) > 0:
        return company.zfill(8)
    prefixed = _COMPANY_PREFIXED.match(company)
    if prefixed and int(prefixed.group(2)) > 0:
        return f"{prefixed.group(1)}{prefixed.group(2).zfill(6)}"
    raise ValueError(
        f"{org.name}: company number {org.company_number!r} is not a Companies House number "
        "(up to 8 digits, or two letters and up to 6 digits)"
    )


def standard_org_id(value: str) -> str:
    """An org-id.guide identifier in its standard form (the list's prefix in capitals:
    ``" gb-chc-1123456 "`` → ``"GB-CHC-1123456"``), or ``""`` if ``value`` is not one."""
    found = _ORG_ID.match(re.sub(r"\s+", "", value or ""))
    return f"{found.group(1).upper()}-{found.group(2)}" if found else ""


def org_id_problem(org: Org) -> str:
    """Why the organisation's ``org_id`` cannot be used (``""`` if it can, or it has none):
    :func:`org_identifier` then falls back as if it had none."""
    if not org.org_id.strip() or standard_org_id(org.org_id):
        return ""
    return (
        f"{org.name}: {org.org_id!r} is not an org-id.guide identifier (a list's prefix such "
        "as GB-CHC, a dash, and the identifier on that list: GB-CHC-1123456)"
    )


def org_identifier(org: Org, fallback_prefix: str) -> str:
    """The organisation's identifier in org-id.guide form.

    In order of preference: the org-id.guide identifier it carries in ``org_id``, whatever
    the list (``GB-CHC-1123456``, ``GB-COH-01234567``, ``GB-EDU-123456``; one that is not in
    that form is passed over, see :func:`org_id_problem`); a registered charity (``GB-CHC-1123456`` in England and Wales,
    ``GB-SC-SC012345`` in Scotland, ``GB-NIC-100012`` in Northern Ireland); a company
    (``GB-COH-`` and its eight-character number, zero-padded: ``GB-COH-01234567``,
    ``GB-COH-SC012345``); a council with its local authority register code
    (``GB-LAE-LCE``); otherwise the publisher's prefix and the organisation's key
    (``360G-opcc-llr-blaby-csp``). Raises ``ValueError`` naming the organisation when a
    number is malformed or there is nothing to build an identifier from."""
    prefix = _check_prefix(fallback_prefix)
    name = org.name
    carried = standard_org_id(org.org_id)
    if carried:
        return carried

    charity = _compact(org.charity_number)
    if charity:
        if _CHARITY_EW.match(charity):
            return f"GB-CHC-{charity}"
        if _CHARITY_SCOTLAND.match(charity):
            return f"GB-SC-{charity}"
        ni = _CHARITY_NI.match(charity)
        if ni:
            return f"GB-NIC-{ni.group(1)}"
        raise ValueError(
            f"{name}: charity number {org.charity_number!r} is not a registered charity number "
            "(England and Wales: 6 or 7 digits; Scotland: SC and 6 digits; Northern Ireland: NIC and 6 digits)"
        )

    company = company_number(org)
    if company:
        return f"GB-COH-{company}"

    register_code = _compact(org.la_register_code)
    if register_code:
        if org.kind != "council":
            raise ValueError(
                f"{name}: only a council has a local authority register code (this is a {org.kind})"
            )
        if not _LA_CODE.match(register_code):
            raise ValueError(
                f"{name}: {org.la_register_code!r} is not a local authority register code (3 or 4 letters, such as LCE)"
            )
        return f"GB-LAE-{register_code}"

    key = re.sub(r"\s+", "-", org.key.strip()).lower()
    if not key:
        raise ValueError(
            f"{name}: no charity number, company number, register code or key to identify it by"
        )
    if not _KEY.match(key):
        raise ValueError(
            f"{name}: key {org.key!r} may hold only letters, digits and single . _ - between them"
        )
    return f"{prefix}-{key}"


# --------------------------------------------------------------------------------------------
# The package


def _number(amount: Decimal) -> int | Decimal:
    """A JSON number for an amount: ``int`` when whole, else the ``Decimal`` itself."""
    value = Decimal(amount)
    if value == value.to_integral_value():
        return int(value)
    return value


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _location(location: Location) -> dict[str, Any]:
    out: dict[str, Any] = {"name": location.name}
    if location.country_code:
        out["countryCode"] = location.country_code
    if location.geo_code:
        out["geoCode"] = location.geo_code
        out["geoCodeType"] = location.geo_code_type
    return out


def _organisation(org: Org, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": org_identifier(org, prefix), "name": org.name.strip()}
    if org.charity_number.strip():
        out["charityNumber"] = _compact(org.charity_number)
    if org.company_number.strip():
        out["companyNumber"] = company_number(org)
    optional = (
        ("streetAddress", org.street_address),
        ("addressLocality", org.city),
        ("addressRegion", org.county),
        ("addressCountry", org.country),
        ("postalCode", org.postal_code),
        ("organisationType", ORG_KIND_LABELS.get(org.kind, "")),
        ("url", org.url),
    )
    for field, value in optional:
        if value.strip():
            out[field] = value.strip()
    if org.area is not None:
        out["location"] = [_location(org.area)]
    return out


class _Shared(dict[Any, dict[str, Any]]):
    """The JSON objects of organisations, locations and classifications, made once and
    shared by every grant that names them, with their text once written (:func:`_encode`
    writes a shared object once at each depth and then repeats the text)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[int] = set()
        self.texts: dict[tuple[int, int], str] = {}

    def get_or_make(self, key: Any, make: Any) -> dict[str, Any]:
        found = self.get(key)
        if found is None:
            found = self[key] = make()
            self.ids.add(id(found))
        return found


def _classification(c: Classification) -> dict[str, Any]:
    return {"vocabulary": c.vocabulary, "code": c.code, **({"title": c.title} if c.title else {})}


def _grant(grant: Grant, prefix: str, shared: _Shared | None = None) -> dict[str, Any]:
    known = _Shared() if shared is None else shared

    def organisation(org: Org) -> dict[str, Any]:
        return known.get_or_make(org, lambda: _organisation(org, prefix))

    out: dict[str, Any] = {
        "id": grant_id(grant.identifier, prefix),
        "title": grant.title.strip(),
        "description": grant.description.strip(),
        "currency": grant.currency,
    }
    if grant.amount_applied_for is not None:
        out["amountAppliedFor"] = _number(grant.amount_applied_for)
    out["amountAwarded"] = _number(grant.amount)
    if grant.amount_disbursed is not None:
        out["amountDisbursed"] = _number(grant.amount_disbursed)
    out["awardDate"] = grant.award_date.isoformat()
    if grant.url:
        out["url"] = grant.url
    if grant.planned_start is not None:
        dates = {"startDate": grant.planned_start.isoformat()}
        if grant.planned_end is not None:
            dates["endDate"] = grant.planned_end.isoformat()
        out["plannedDates"] = [dates]
    out["recipientOrganization"] = [organisation(grant.recipient)]
    if grant.beneficiary_locations:
        out["beneficiaryLocation"] = [
            known.get_or_make(x, lambda x=x: _location(x)) for x in grant.beneficiary_locations
        ]
    out["fundingOrganization"] = [organisation(grant.funder)]
    if grant.programme_title or grant.programme_code:
        programme: dict[str, Any] = {}
        if grant.programme_code:
            programme["code"] = grant.programme_code
        if grant.programme_title:
            programme["title"] = grant.programme_title
        out["grantProgramme"] = [programme]
    if grant.from_open_call is not None:
        out["fromOpenCall"] = "Yes" if grant.from_open_call else "No"
    if grant.classifications:
        out["classifications"] = [
            known.get_or_make(c, lambda c=c: _classification(c)) for c in grant.classifications
        ]
    if grant.decision_url:
        out["relatedDocument"] = [
            {
                "id": grant.decision_reference,
                "title": f"Decision record {grant.decision_reference}",
                "url": grant.decision_url,
                "documentType": "Decision record",
            }
        ]
    if grant.date_modified is not None:
        out["dateModified"] = _timestamp(grant.date_modified)
    if grant.data_source:
        out["dataSource"] = grant.data_source
    if grant.decision_reference:
        out["decisionReference"] = grant.decision_reference
    return out


def grant_id(identifier: str, prefix: str) -> str:
    """The grant's 360Giving ``id``: its identifier, with the publisher's prefix in front
    unless it already starts with it."""
    identifier = identifier.strip()
    return identifier if identifier.startswith(f"{prefix}-") else f"{prefix}-{identifier}"


def grant_dicts(
    grants: Iterable[Grant], *, publisher_prefix: str, _shared: _Shared | None = None
) -> Iterator[dict[str, Any]]:
    """Each grant as the package's JSON object, one at a time and in order. Raises
    ``ValueError`` on reaching a grant with the identifier of one before it, or a malformed
    organisation number. An organisation met again is the same object as before (its
    identifier is worked out once)."""
    prefix = _check_prefix(publisher_prefix)
    shared = _Shared() if _shared is None else _shared
    seen: set[str] = set()
    for grant in grants:
        item = _grant(grant, prefix, shared)
        if item["id"] in seen:
            raise ValueError(f"package: two grants have the identifier {item['id']!r}")
        seen.add(item["id"])
        yield item


def _package_head(
    *,
    publisher_name: str,
    publisher_prefix: str,
    generated_at: datetime,
    licence_url: str,
    publisher_identifier: str = "",
    publisher_website: str = "",
    title: str = "",
    description: str = "",
    download_url: str = "",
    access_url: str = "",
) -> dict[str, Any]:
    """The package without its grants (which come last), its arguments checked."""
    prefix = _check_prefix(publisher_prefix)
    _require_text("package", "publisher name", publisher_name)
    _require_text("package", "licence URL", licence_url)
    if not isinstance(generated_at, datetime) or generated_at.utcoffset() is None:
        raise ValueError("package: generated_at must be a datetime with a time zone")
    issued = _timestamp(generated_at)
    publisher: dict[str, Any] = {"name": publisher_name.strip()}
    if publisher_identifier:
        publisher["identifier"] = publisher_identifier
    if publisher_website:
        publisher["website"] = publisher_website
    out: dict[str, Any] = {
        "version": STANDARD_VERSION,
        "title": title or f"{publisher_name.strip()}: grants",
        "identifier": f"{prefix}-grants-{generated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "issued": issued,
        "modified": issued,
        "publisher": publisher,
        "license": licence_url,
    }
    if description:
        out["description"] = description
    if download_url:
        out["downloadURL"] = download_url
    if access_url:
        out["accessURL"] = access_url
    return out


def package(
    grants: Iterable[Grant],
    *,
    publisher_name: str,
    publisher_prefix: str,
    generated_at: datetime,
    licence_url: str,
    publisher_identifier: str = "",
    publisher_website: str = "",
    title: str = "",
    description: str = "",
    download_url: str = "",
    access_url: str = "",
) -> dict[str, Any]:
    """A 360Giving grants data package of ``grants``, issued at ``generated_at``.

    ``publisher_prefix`` is the publisher's 360Giving prefix (``360G-opcc-llr``): it begins
    every grant identifier and identifies organisations on no register. ``generated_at`` must
    carry a time zone. Raises ``ValueError`` for no grants, two grants with one identifier,
    or a malformed organisation number (see :func:`org_identifier`). Serialise the result
    with :func:`dumps` (amounts may be ``Decimal``), or write the same text without holding
    the package with :func:`package_chunks`."""
    out = _package_head(
        publisher_name=publisher_name,
        publisher_prefix=publisher_prefix,
        generated_at=generated_at,
        licence_url=licence_url,
        publisher_identifier=publisher_identifier,
        publisher_website=publisher_website,
        title=title,
        description=description,
        download_url=download_url,
        access_url=access_url,
    )
    items = list(grant_dicts(grants, publisher_prefix=publisher_prefix))
    if not items:
        raise ValueError("package: a 360Giving package needs at least one grant")
    out["grants"] = items
    return out


def package_chunks(
    grants: Iterable[Grant],
    *,
    publisher_name: str,
    publisher_prefix: str,
    generated_at: datetime,
    licence_url: str,
    publisher_identifier: str = "",
    publisher_website: str = "",
    title: str = "",
    description: str = "",
    download_url: str = "",
    access_url: str = "",
    indent: int = 2,
) -> Iterator[str]:
    """The text of ``dumps(package(grants, ...), indent=indent)``, in pieces, written while
    ``grants`` is read: one grant is held at a time. The package's details and the first
    grant are checked at once (``ValueError`` for no grants, before any text); a later
    grant with an identifier met before raises when it is reached."""
    head = _package_head(
        publisher_name=publisher_name,
        publisher_prefix=publisher_prefix,
        generated_at=generated_at,
        licence_url=licence_url,
        publisher_identifier=publisher_identifier,
        publisher_website=publisher_website,
        title=title,
        description=description,
        download_url=download_url,
        access_url=access_url,
    )
    shared = _Shared()
    items = grant_dicts(grants, publisher_prefix=publisher_prefix, _shared=shared)
    first = next(items, None)
    if first is None:
        raise ValueError("package: a 360Giving package needs at least one grant")
    return _package_text(head, first, items, indent, shared)


def _package_text(
    head: dict[str, Any],
    first: dict[str, Any],
    rest: Iterator[dict[str, Any]],
    indent: int,
    shared: _Shared,
) -> Iterator[str]:
    text = dumps({**head, "grants": [None]}, indent=indent)
    before, after = text.rsplit("null", 1)  # the one null: where the grants go
    level = 2
    separator = "," + "\n" + " " * (indent * level)
    out: list[str] = [before]
    _encode(first, out, indent, level, shared)
    for n, item in enumerate(rest, start=1):
        out.append(separator)
        _encode(item, out, indent, level, shared)
        if n % 500 == 0:
            yield "".join(out)
            out = []
    out.append(after)
    yield "".join(out)


# --------------------------------------------------------------------------------------------
# JSON text


_encode_text = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses
_KEY_TEXT: dict[str, str] = {}


def _encode(
    value: Any, out: list[str], indent: int | None, level: int, shared: _Shared | None = None
) -> None:
    kind = type(value)
    if kind is str:
        out.append(_encode_text(value))
    elif kind is int:
        out.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be written as a JSON number")
        out.append(format(value, "f"))
    elif isinstance(value, float):
        out.append(json.dumps(value, allow_nan=False))
    elif value is None or isinstance(value, str | int | bool):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping | list | tuple):
        if shared is not None and id(value) in shared.ids:
            text = shared.texts.get((id(value), level))
            if text is None:
                part: list[str] = []
                _encode_items(value, part, indent, level, shared)
                text = shared.texts[(id(value), level)] = "".join(part)
            out.append(text)
        else:
            _encode_items(value, out, indent, level, shared)
    else:
        raise TypeError(f"{type(value).__name__} cannot be written as JSON: {value!r}")


def _encode_items(
    value: Any, out: list[str], indent: int | None, level: int, shared: _Shared | None
) -> None:
    is_map = isinstance(value, Mapping)
    items = list(value.items()) if is_map else list(value)
    opening, closing = ("{", "}") if is_map else ("[", "]")
    if not items:
        out.append(opening + closing)
        return
    if indent is None:
        inner_sep, item_sep, close_sep = "", ", ", ""
    else:
        inner_sep = "\n" + " " * (indent * (level + 1))
        item_sep = "," + inner_sep
        close_sep = "\n" + " " * (indent * level)
    out.append(opening + inner_sep)
    for n, item in enumerate(items):
        if n:
            out.append(item_sep)
        if is_map:
            key, item = item
            text = _KEY_TEXT.get(key) if type(key) is str else None
            if text is None:
                if not isinstance(key, str):
                    raise TypeError(f"JSON object keys must be strings, not {key!r}")
                text = json.dumps(key, ensure_ascii=False) + ": "
                if len(_KEY_TEXT) < 1000:
                    _KEY_TEXT[key] = text
            out.append(text)
        _encode(item, out, indent, level + 1, shared)
    out.append(close_sep + closing)


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text for ``value``, writing each ``Decimal`` as its own digits (``1234.56``,
    never ``1234.5599999``). Anything that is not JSON (a ``date``, NaN) raises."""
    out: list[str] = []
    _encode(value, out, indent, 0)
    return "".join(out)


__all__ = [
    "EXTRA_FIELDS",
    "ORG_KINDS",
    "Classification",
    "Grant",
    "Location",
    "Org",
    "company_number",
    "dumps",
    "grant_dicts",
    "grant_id",
    "org_id_problem",
    "org_identifier",
    "package",
    "package_chunks",
    "standard_org_id",
]
