"""A decision record as one plain value that every surface renders, and what its parts are.

`DecisionDocument` is built by `commissioning.decisions.public`, either in full (for
signed-in staff) or in its public form, where every part the Monitoring Officer marked
exempt is simply absent and `exemptions` says what was left out and why. The parts that may
be marked exempt, their titles and which determination covers each are here too
(`parts_of`, `scope_of`, `public_part_title`), beneath everything that uses them.
The page, the PDF, the JSON, the CSV and XLSX downloads, search and the feed all read this
value and nothing else, so a withheld part cannot reach one surface by a side door.

Pure Python, no Django: the PDF and the exports can be tested on hand-built documents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SECTION_TITLES = (
    ("summary", "Summary of issue"),
    ("recommendations", "Recommendations presented"),
    ("discussion", "Key discussion points"),
    ("resolution", "It was resolved that"),
)

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
    """Which of the three determinations covers a part: the record, the assessment or the
    details."""
    if part.startswith("link:"):
        return "details"
    if part == "approval_note":
        return "assessment"
    return "record"


def public_part_title(part: str) -> str:
    """A withheld part's title as the public sees it: never the withheld words themselves."""
    if part.startswith("link:"):
        return f"Item {part.split(':', 1)[1]} of what the decision funds"
    if part.startswith("attachment:"):
        return f"Attachment {part.split(':', 1)[1]}"
    return PART_TITLES.get(part, part)
