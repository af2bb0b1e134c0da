"""An agreement as an A4 PDF in the papers' plain style.

It renders one terms document (`terms.terms_document`: what was frozen when the agreement was
issued, or a draft's terms now, marked DRAFT on every page) and the partner's acceptance of
it, and nothing else, so the PDF says exactly what was signed. The boxed grid, text helpers,
tables and page footer are the decision record's (`decisions.pdf_form`,
`formula.report_pdf`); amounts are shown in the product's one money format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

from reportlab.platypus import Flowable, KeepTogether, Spacer

from commissioning.core.templatetags.govuk import money
from commissioning.decisions.document import Signature
from commissioning.decisions.pdf import _draft_marker, _no_marker
from commissioning.decisions.pdf_form import _boxed_table, _date, _Form, _p, _text_flowables
from commissioning.formula.report_pdf import (
    _data_table,
    _numbered_canvas,
    _plain,
    a4_document,
)

FUNDER = "Office of the Police and Crime Commissioner for Leicestershire"
UNITS = {"count": "Number", "percent": "Percentage", "pounds": "Pounds"}
KINDS = {"precedent": "Before the first payment", "ongoing": "Throughout the agreement"}


def _day(text: str | None) -> str:
    return _date(dt.date.fromisoformat(text)) if text else ""


def _figure(value: str | None, unit: str = "") -> str:
    if value is None or value == "":
        return ""
    if unit == "pounds":
        return money(value)
    number = Decimal(value).normalize()
    text = f"{number:,f}"
    return f"{text}%" if unit == "percent" else text


def _period_names(periods: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Short names for table headings: the label up to its bracket ("Q1 2031/32")."""
    return {str(p["number"]): str(p["label"]).split(" (")[0] for p in periods}


def _outcomes(doc: Mapping[str, Any], names: dict[str, str], width: float) -> list[Flowable]:
    story: list[Flowable] = []
    for n, outcome in enumerate(doc.get("outcomes", []), start=1):
        measures = outcome["measures"]
        table = _data_table(
            ["Measure", "Unit", "Baseline", "Strategic priority", "Proposed by"],
            [
                [
                    m["name"],
                    UNITS.get(m["unit"], m["unit"]),
                    _figure(m.get("baseline"), m["unit"]),
                    m.get("priority") or "",
                    "The partner" if m.get("proposed_by_partner") else "The OPCC",
                ]
                for m in measures
            ],
            None,
            width,
        )
        story += _boxed_table(f"Outcome {n}: {outcome['title']}", table, width)
        targets = _data_table(
            ["Period", *[m["name"] for m in measures]],
            [
                [label, *[_figure(m["targets"].get(number), m["unit"]) for m in measures]]
                for number, label in names.items()
            ],
            None,
            width,
        )
        story += _boxed_table(f"Outcome {n}: targets by reporting period", targets, width)
    return story


def _budget(doc: Mapping[str, Any], names: dict[str, str], width: float) -> list[Flowable]:
    budget = doc.get("budget", [])
    if not budget:
        return []
    rows = []
    for number, label in names.items():
        amounts = [Decimal(c["profile"].get(number, "0")) for c in budget]
        rows.append([label, *[money(a) for a in amounts], money(sum(amounts, Decimal(0)))])
    total = sum((Decimal(c["amount"]) for c in budget), Decimal(0))
    table = _data_table(
        ["Period", *[c["category"] for c in budget], "Total"],
        rows,
        ["Total", *[money(c["amount"]) for c in budget], money(total)],
        width,
    )
    return _boxed_table("Eligible expenditure: budget by category and period", table, width)


def _periods(doc: Mapping[str, Any], width: float) -> list[Flowable]:
    table = _data_table(
        ["Period", "From", "To", "Return due", "Final return"],
        [
            [
                p["label"],
                _day(p["starts_on"]),
                _day(p["ends_on"]),
                _day(p["return_due_on"]),
                "Yes" if p.get("final") else "",
            ]
            for p in doc.get("periods", [])
        ],
        None,
        width,
    )
    return _boxed_table("Reporting schedule", table, width)


def _payments(doc: Mapping[str, Any], names: dict[str, str], width: float) -> list[Flowable]:
    payments = doc.get("payments", [])
    table = _data_table(
        ["Instalment", "Due", "Amount", "Paid", "Once accepted: the return for"],
        [
            [
                str(p["number"]) + (" (retention)" if p.get("retention") else ""),
                _day(p["due_on"]),
                money(p["amount"]),
                "In advance" if p.get("timing") == "advance" else "In arrears",
                names.get(str(p.get("after_return_for")), ""),
            ]
            for p in payments
        ],
        ["Total", "", money(sum((Decimal(p["amount"]) for p in payments), Decimal(0))), "", ""],
        width,
    )
    story = _boxed_table("Payment schedule", table, width)
    advances = [p for p in payments if p.get("advance")]
    if advances:
        form = _Form(width)
        form.band(
            "Payments in advance", "Managing Public Money: agreed, identifiable need, necessary"
        )
        for p in advances:
            a = p["advance"]
            form.field(
                f"Instalment {p['number']}",
                [
                    _p(f"Agreed: {a['agreed']}"),
                    _p(f"Identifiable need: {a['need']}"),
                    _p(f"Why it is necessary: {a['necessary']}", spaceAfter=0),
                ],
            )
        story.append(form.table())
    return story


def agreement_pdf(
    doc: Mapping[str, Any],
    *,
    draft: bool,
    version: int | None = None,
    issued_on: dt.date | None = None,
    acceptance: Mapping[str, Any] | None = None,
) -> bytes:
    """Render a terms document as A4 PDF bytes. `acceptance` is the partner's signature
    (name, position, signed_on) on this version, if they have signed it."""
    reference = _plain(doc.get("reference", ""))
    title = _plain(doc.get("title", ""))
    partner = _plain(doc.get("partner", ""))
    buffer = BytesIO()
    template, width = a4_document(
        buffer,
        title=" ".join(p for p in ("Grant agreement", reference, "(draft)" if draft else "") if p)
        + (f": {title}" if title else ""),
        author=FUNDER,
        subject=f"Agreement with {partner}" if partner else "Grant agreement",
        creator="Commissioning: grant agreement",
        keywords=", ".join(p for p in ("grant agreement", reference) if p),
    )
    names = _period_names(doc.get("periods", []))

    story: list[Flowable] = [
        _p(f"{(doc.get('funder') or FUNDER).upper()} \u2014 GRANT AGREEMENT", "heading"),
        _p(
            "Draft terms: not yet issued to the partner"
            if draft
            else f"Terms version {version}, issued on {_date(issued_on)}",
            "note",
        ),
    ]
    parties = _Form(width)
    parties.band("The agreement")
    parties.field("Reference", reference)
    parties.field("Between", f"{doc.get('funder') or FUNDER} (the funder)")
    parties.field("And", f"{partner} (the partner)")
    parties.field("Title", title)
    parties.field("Allocation", doc.get("allocation", ""))
    parties.field(
        "Decision record", doc.get("decision") or "No decision record is cited for it yet"
    )
    parties.field("From", _day(doc.get("starts_on")))
    parties.field("To", _day(doc.get("ends_on")))
    parties.field("Maximum sum", money(doc.get("maximum_sum", "0")))
    retention = Decimal(doc.get("retention_percent") or "0")
    if retention:
        parties.field(
            "Retention",
            f"{retention.normalize():f}% held back until the final return is accepted",
        )
    parties.titled("Purpose", doc.get("purpose", ""))
    story.append(parties.table())
    story.append(Spacer(1, 8))

    story += _outcomes(doc, names, width)

    terms = _Form(width)
    terms.band("Conditions")
    conditions = doc.get("conditions", [])
    if conditions:
        for n, c in enumerate(conditions, start=1):
            terms.field(
                f"Condition {n}",
                [_p(c["text"]), _p(KINDS.get(c["kind"], c["kind"]), "small", spaceAfter=0)],
            )
    else:
        terms.block([_p("None beyond the standard terms", spaceAfter=0)])
    terms.band("Quality standards")
    terms.block(_text_flowables(doc.get("quality_standards") or "None stated", terms.inner))
    terms.band("If outcomes are not being achieved")
    terms.block(_text_flowables(doc.get("underperformance") or "None stated", terms.inner))
    story.append(terms.table())
    story.append(Spacer(1, 8))

    story += _budget(doc, names, width)
    story += _periods(doc, width)
    story += _payments(doc, names, width)

    signed = _Form(width)
    signed.band(f"Accepted for {partner}" if partner else "Accepted for the partner")
    signature = (
        Signature(
            role=str(acceptance["position"]),
            name=str(acceptance["name"]),
            signed_on=acceptance["signed_on"],
        )
        if acceptance
        else None
    )
    signed.signature(signature, position=True)
    story.append(KeepTogether([signed.table()]))

    footer = " \u00b7 ".join(
        p for p in (reference or "Grant agreement", "DRAFT" if draft else "", title) if p
    )
    footer = _plain(footer if len(footer) <= 100 else footer[:97] + "...")
    marker = _draft_marker if draft else _no_marker
    template.build(
        story, onFirstPage=marker, onLaterPages=marker, canvasmaker=_numbered_canvas(footer)
    )
    return buffer.getvalue()
