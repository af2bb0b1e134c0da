"""A decision record as one plain value that every surface renders.

`DecisionDocument` is built once, by `commissioning.decisions.public.document_for`, either
in full (for signed-in staff) or in its public form, where every part the Monitoring
Officer marked exempt is simply absent and `exemptions` says what was left out and why.
The page, the PDF, the JSON, the CSV and XLSX downloads, search and the feed all read this
value and nothing else, so a withheld part cannot reach one surface by a side door.

Pure Python, no Django: the PDF and the exports can be tested on hand-built documents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Section:
    """A titled part of the record: the summary, recommendations, discussion or resolution."""

    key: str
    title: str
    text: str


@dataclass(frozen=True)
class Link:
    """Something the decision made or relied on: an allocation, an award or a formula run.

    `purpose`, `conditions` and `reasons` are what the Specified Information Order asks an
    OPCC to publish for each crime and disorder reduction grant.
    """

    kind: str  # "allocation", "award" or "formula_run"
    reference: str
    recipient: str
    description: str
    amount: Decimal | None
    year: str
    purpose: str = ""
    conditions: str = ""
    reasons: str = ""
    mechanism: str = ""  # the funding mechanism's name, for allocations and awards
    area_code: str = ""  # the ONS code of the area it serves, where known


@dataclass(frozen=True)
class Signature:
    """One signature on the form: who signed, as what, when, and the words they signed."""

    role: str  # "Police and Crime Commissioner", "Chief Finance Officer", ...
    name: str
    signed_on: dt.date
    statement: str = ""
    on_paper: bool = False  # entered from a paper record, not signed in the product


@dataclass(frozen=True)
class Determination:
    """The Monitoring Officer's publication scheme decision (Yes / Part redacted / No)."""

    record: str  # "Yes", "Part redacted" or "No"
    assessment: str
    details: str
    reasons: str
    signature: Signature


@dataclass(frozen=True)
class Exemption:
    """A part left out of the public version, with the legislation relied on."""

    part: str  # the part's title, e.g. "Key discussion points"
    exemption: str  # e.g. "FOI Act 2000 s.43(2) Commercial interests"
    reason: str


@dataclass(frozen=True)
class Assessment:
    """An Equality Impact Assessment in the form of paper 001's."""

    plan_name: str
    owner: str
    completed_by: str
    completed_on: dt.date | None
    aim: str
    characteristics: tuple[str, ...]
    data_used: str
    data_gaps: str
    impacts: str
    mitigations: str
    consultation: str
    decision: str  # "Plan to remain unchanged", ...
    marking: str  # "Not Protectively Marked", ...
    review_date: str
    reviews: str


@dataclass(frozen=True)
class DecisionDocument:
    reference: str
    title: str
    status: str  # "Draft", "Approved", "Signed", "Published", "Not published"
    decision_date: dt.date | None
    officers_present: str
    received_on: dt.date | None
    sections: tuple[Section, ...]
    links: tuple[Link, ...]
    assessment: Assessment | None
    approval: Signature | None  # the Chief Executive's or CFO's "I have been consulted ..."
    approval_note: str  # the senior post holder's assessment, if any words were added
    pcc_signature: Signature | None
    determination: Determination | None
    exemptions: tuple[Exemption, ...] = ()
    supersedes: str = ""
    superseded_by: str = ""
    public: bool = False
    url: str = ""
    attachments: tuple[str, ...] = field(default=())

    @property
    def links_total(self) -> Decimal:
        return sum((link.amount for link in self.links if link.amount is not None), Decimal(0))

    def text(self) -> str:
        """Every word of the document, for search: only what this version shows."""
        parts = [self.reference, self.title, self.officers_present, self.approval_note]
        parts += [s.title + "\n" + s.text for s in self.sections]
        parts += [
            " ".join((lk.reference, lk.recipient, lk.description, lk.purpose, lk.reasons))
            for lk in self.links
        ]
        if self.assessment is not None:
            a = self.assessment
            parts += [a.plan_name, a.aim, a.data_used, a.data_gaps, a.impacts, a.mitigations]
            parts += [a.consultation, a.reviews]
        parts += list(self.attachments)
        return "\n".join(p for p in parts if p)
