"""A decision record as an A4 PDF laid out like the OPCC's paper form.

Pure Python with reportlab (platypus), no Django: ``decision_pdf`` renders a
``DecisionDocument`` and nothing else, so the public version of a record (where every exempt
part is already absent) cannot show a withheld word. The layout follows the papers' forms
(EXE 0025/13 and the 2015 framework refresh): a boxed grid for the decision of the Police and
Crime Commissioner, the PCC's signature, the Office of the PCC report and approval, the
Monitoring Officer's publication scheme decision, then the Equality Impact Assessment form.

This module lays out the record's sections; the boxed form they are drawn in (text, bands,
fields, signature lines, tick boxes) is `pdf_form`. Fonts are reportlab's built-in Helvetica,
so nothing is fetched or embedded; text is reduced to Windows-1252 as the formula report
does, whose table, footer and text helpers both modules share.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
)

from commissioning.formula.maps import format_money
from commissioning.formula.report_pdf import (
    FONT_BOLD,
    PAGE_MARGIN,
    _data_table,
    _numbered_canvas,
    _plain,
    a4_document,
)

from .document import Assessment, DecisionDocument, Determination, Link, Signature
from .pdf_form import (
    DRAFT_COLOUR,
    STRUCK,
    _boxed_table,
    _date,
    _Form,
    _markup,
    _match,
    _p,
    _p_markup,
    _text_flowables,
    _tick_table,
    _ticked,
)

DEFAULT_COMMISSIONER = "Police and Crime Commissioner for Leicestershire"
CHOICES = ("Yes", "Part redacted", "No")
_CHOICE_ALIASES = {"part": "Part redacted", "partial": "Part redacted", "redacted": "Part redacted"}
# The nine protected characteristics of the Equality Act 2010, then the form's two others.
CHARACTERISTICS = (
    "Age",
    "Disability",
    "Gender reassignment",
    "Marriage and civil partnership",
    "Pregnancy and maternity",
    "Race",
    "Religion or belief",
    "Sex",
    "Sexual orientation",
    "All protected characteristics",
    "None",
)
_CHARACTERISTIC_ALIASES = {
    "all": "All protected characteristics",
    "marriage civil partnership": "Marriage and civil partnership",
    "pregnancy maternity": "Pregnancy and maternity",
    "religion belief": "Religion or belief",
    "religion and belief": "Religion or belief",
}
EIA_DECISIONS = ("Plan to remain unchanged", "Plan to be amended", "Stop and remove the Plan")
_DECISION_ALIASES = {
    "unchanged": "Plan to remain unchanged",
    "amended": "Plan to be amended",
    "stopped": "Stop and remove the Plan",
}
MARKINGS = ("Secret", "Confidential", "Restricted", "Not Protectively Marked")
_MARKING_ALIASES = {"not marked": "Not Protectively Marked"}
LINK_KINDS = {"allocation": "Allocation", "award": "Award", "formula_run": "Formula run"}


# --------------------------------------------------------------------------------------------
# Parts of the record
# --------------------------------------------------------------------------------------------


def _links_table(links: Sequence[Link], total: Decimal, width: float) -> Table:
    rows = [
        [
            LINK_KINDS.get(link.kind, link.kind.replace("_", " ").capitalize()),
            link.reference,
            link.recipient,
            link.description,
            link.year,
            format_money(link.amount) if link.amount is not None else "",
        ]
        for link in links
    ]
    return _data_table(
        ["Type", "Reference", "Recipient", "Description", "Year", "Amount"],
        rows,
        ["Total", "", "", "", "", format_money(total)],
        width,
    )


def _grant_details(links: Sequence[Link]) -> list[Flowable]:
    """What the Specified Information Order asks for each grant: purpose, conditions and
    why it will reduce crime and disorder, where the document holds them."""
    content: list[Flowable] = []
    for link in links:
        details = [
            ("Purpose", link.purpose),
            ("Conditions", link.conditions),
            ("Why it will reduce crime and disorder", link.reasons),
        ]
        if not any(text.strip() for _, text in details):
            continue
        name = " ".join(p for p in (link.reference, link.recipient and f"({link.recipient})") if p)
        content.append(_p(name, "label", spaceBefore=4, spaceAfter=2, keepWithNext=1))
        for label, text in details:
            if text.strip():
                content.append(_p_markup(f"<b>{escape(label)}:</b> {_markup(text)}", spaceAfter=2))
    return content


def _choices(value: str) -> str:
    """The line "Yes / Part redacted / No", the chosen one in bold, the others struck."""
    chosen = _match(value, CHOICES, _CHOICE_ALIASES) if value.strip() else None
    parts = []
    for option in CHOICES:
        if chosen is None:
            parts.append(escape(option))
        elif option == chosen:
            parts.append(f"<b>{escape(option)}</b>")
        else:
            parts.append(
                f'<font color="{STRUCK.hexval()}"><strike>{escape(option)}</strike></font>'
            )
    markup = " / ".join(parts)
    if value.strip() and chosen is None:
        markup += f" ({_markup(value)})"
    return markup


def _determination_form(
    determination: Determination | None, title: str, commissioner: str, width: float
) -> _Form:
    office = f"Office of the {commissioner}"
    form = _Form(width)
    form.band("Publication Scheme")
    form.field("Subject", title)
    form.band("Decision of Monitoring Officer")
    questions = (
        (
            f"It is appropriate to publish this record of decision made by the {_short(commissioner)}:",
            determination.record if determination else "",
        ),
        (
            "It is appropriate to publish the contents of the assessment of the decision by "
            f"either of the senior post holders in the {office} (i.e. either the Chief "
            "Executive or Chief Finance Officer):",
            determination.assessment if determination else "",
        ),
        (
            f"It is appropriate to publish details of the decision by the {commissioner}:",
            determination.details if determination else "",
        ),
    )
    content: list[Flowable] = [
        _p(f"As Monitoring Officer for the {office} I have determined that:", spaceAfter=6)
    ]
    for question, answer in questions:
        content.append(_p(question, spaceAfter=1))
        content.append(_p_markup(_choices(answer), leftIndent=16, spaceAfter=7))
    form.block(content)
    statement = determination.signature.statement.strip() if determination else ""
    if statement:
        form.block([_p(statement, spaceAfter=0)])
    form.titled(
        "Reasons for any non-publication (referencing appropriate legislation)",
        determination.reasons if determination else "",
    )
    form.signature(determination.signature if determination else None, position=False)
    return form


def _short(commissioner: str) -> str:
    """The title without its area ("Police and Crime Commissioner"), as the paper has it."""
    return commissioner.split(" for ")[0]


def _assessment_story(a: Assessment, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        PageBreak(),
        _p("Equality Impact Assessment Form", "heading", alignment=0, spaceAfter=8),
    ]
    form = _Form(width, label_width=46 * mm)
    form.field("Name of the plan", a.plan_name)
    form.field("Owner of the plan", a.owner)
    form.field("Person completing the EIA", a.completed_by)
    form.field("Date EIA completed", _date(a.completed_on))
    form.titled("What is the aim of this plan?", a.aim)
    form.block(
        [
            _p(
                "Which of the protected characteristics is the plan likely to impact upon?",
                "label",
                spaceAfter=4,
            ),
            _tick_table(
                _ticked(a.characteristics, CHARACTERISTICS, _CHARACTERISTIC_ALIASES),
                2,
                form.inner,
            ),
        ]
    )

    def step(number: int, name: str, parts: list[Flowable]) -> None:
        form.field(f"Step {number}:\n{name}", parts)

    def qa(question: str, answer: str) -> list[Flowable]:
        flow: list[Flowable] = [_p(question, "label", spaceAfter=3, keepWithNext=1)]
        if answer.strip():
            flow += _text_flowables(answer, form.value_width)
        else:
            flow.append(Spacer(1, 12))
        return flow

    step(
        1,
        "Collecting the data",
        qa(
            "What data or statistical information or evidence based research have been used "
            "to identify how this plan might affect equality?",
            a.data_used,
        )
        + qa("What gaps in the information or research have been identified?", a.data_gaps),
    )
    step(
        2,
        "Assessing likely impacts",
        qa(
            "Describe any adverse or positive impact of the plan on any of the equality groups.",
            a.impacts,
        )
        + qa("What actions can be taken to mitigate any adverse impact?", a.mitigations),
    )
    step(
        3,
        "Consulting",
        qa(
            "Describe who has been consulted and how this has influenced the assessment.",
            a.consultation,
        ),
    )
    decisions = _ticked([a.decision], EIA_DECISIONS, _DECISION_ALIASES)
    numbered = [(f"{i}. {label}", ticked) for i, (label, ticked) in enumerate(decisions, 1)]
    step(
        4,
        "Decision making",
        [
            _p(
                "Which of the following decisions has been taken? Please select one of the "
                "following options.",
                "label",
                spaceAfter=3,
                keepWithNext=1,
            ),
            _tick_table(numbered, 1, form.value_width),
            _p(
                "NB. Where any further actions have been identified an EIA Action Plan will "
                "need to be completed.",
                "small",
                spaceBefore=4,
            ),
        ],
    )
    step(
        5,
        "Publishing",
        [
            _p(
                "Please select one of the following publishing options for the EIA.",
                "label",
                spaceAfter=3,
                keepWithNext=1,
            ),
            _tick_table(_ticked([a.marking], MARKINGS, _MARKING_ALIASES), 1, form.value_width),
        ],
    )
    step(
        6,
        "Reviewing",
        [
            _p_markup(f"<b>Date of next review:</b> {_markup(a.review_date)}", spaceAfter=6),
            *qa(
                "Please provide details of all reviews completed (including date, person "
                "completing review and any changes made as a result of the review).",
                a.reviews,
            ),
        ],
    )
    story.append(form.table())
    return story


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------


def _is_draft(doc: DecisionDocument) -> bool:
    return doc.status.strip().lower() == "draft"


def _draft_marker(canvas: Canvas, _doc: Any) -> None:
    """Writes "DRAFT" across the page, faint, and in its top corner."""
    width, height = A4
    canvas.saveState()
    canvas.setFillColor(DRAFT_COLOUR)
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawRightString(width - PAGE_MARGIN, height - PAGE_MARGIN + 4 * mm, "DRAFT")
    canvas.setFillAlpha(0.08)
    canvas.setFont(FONT_BOLD, 120)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -40, "DRAFT")
    canvas.restoreState()


def _no_marker(canvas: Canvas, _doc: Any) -> None:
    """Nothing on a page beyond the footer."""


def decision_pdf(doc: DecisionDocument, *, commissioner: str = DEFAULT_COMMISSIONER) -> bytes:
    """Render a decision record as A4 PDF bytes, in the paper form's layout.

    Shows exactly what ``doc`` holds: a public document's exempt parts are already absent
    and are listed, with the legislation relied on, under "Parts not published".
    """
    commissioner = _plain(commissioner.strip() or DEFAULT_COMMISSIONER)
    office = f"Office of the {commissioner}"
    reference = _plain(doc.reference)
    title = _plain(doc.title)
    draft = _is_draft(doc)

    buffer = BytesIO()
    template, width = a4_document(
        buffer,
        title=" ".join(p for p in ("Decision record", reference, "(draft)" if draft else "") if p)
        + (f": {title}" if title else ""),
        author=office,
        subject=f"Decision of the {commissioner}" + (f": {title}" if title else ""),
        creator="Commissioning: decision record",
        keywords=", ".join(p for p in ("decision record", reference, doc.status) if p),
    )

    story: list[Flowable] = [
        _p(f"{commissioner.upper()} \u2014 DECISION RECORD", "heading"),
        _p("To be completed in cases where a decision is required", "note"),
    ]
    if doc.public and doc.exemptions:
        story.append(
            _p(
                "Published version: parts exempt from publication are left out and listed "
                "under \u201cParts not published\u201d.",
                "note",
            )
        )

    decision = _Form(width)
    decision.band(f"Decision of {_short(commissioner)}")
    decision.field("Date", _date(doc.decision_date))
    decision.field("Officers present", doc.officers_present)
    decision.field("Received in OPCC date", _date(doc.received_on))
    decision.field("OPCC Ref", doc.reference)
    decision.field("Title", doc.title)
    decision.field("Status", doc.status)
    if doc.supersedes:
        decision.field("Supersedes", doc.supersedes)
    if doc.superseded_by:
        decision.field("Superseded by", doc.superseded_by)
    if doc.url:
        decision.field("Online", doc.url)
    for section in doc.sections:
        decision.titled(section.title, section.text)
    story.append(decision.table())
    if doc.links:
        story += _boxed_table(
            "Allocations, awards and formula runs",
            _links_table(doc.links, doc.links_total, width),
            width,
        )
        details = _grant_details(doc.links)
        if details:
            grants = _Form(width)
            grants.block(details)
            story.append(grants.table())
    if doc.attachments:
        attachments = _Form(width)
        attachments.band("Attachments")
        attachments.block(
            _text_flowables("\n".join(f"- {a}" for a in doc.attachments), attachments.inner)
        )
        story.append(attachments.table())
    if doc.exemptions:
        story += _boxed_table(
            "Parts not published"
            if doc.public
            else "Parts to be left out of the published version",
            _data_table(
                ["Part", "Legislation", "Reason"],
                [[e.part, e.exemption, e.reason] for e in doc.exemptions],
                None,
                width,
            ),
            width,
        )

    pcc = _Form(width)
    pcc.band(commissioner)
    if doc.pcc_signature and doc.pcc_signature.statement.strip():
        pcc.block([_p(doc.pcc_signature.statement, spaceAfter=0)])
    pcc.signature(doc.pcc_signature, position=_unusual_pcc_role(doc.pcc_signature))
    story.append(KeepTogether([pcc.table()]))
    story.append(Spacer(1, 10))

    report = _Form(width)
    report.band(
        "Office of the PCC report",
        "To be completed by either Chief Executive or Chief Finance Officer",
    )
    report.field("Subject", doc.title)
    report.band("Office of PCC approval")
    report.field(
        "Chief Executive or Chief Finance Officer", doc.approval.role if doc.approval else ""
    )
    if doc.approval and doc.approval.statement.strip():
        report.block([_p(doc.approval.statement, spaceAfter=0)])
    if doc.approval_note.strip():
        report.titled("Assessment by the senior post holder", doc.approval_note)
    report.signature(doc.approval, position=False)
    story.append(KeepTogether([report.table()]))
    story.append(Spacer(1, 10))

    story.append(
        KeepTogether([_determination_form(doc.determination, title, commissioner, width).table()])
    )

    if doc.assessment is not None:
        story += _assessment_story(doc.assessment, width)

    footer = " \u00b7 ".join(
        p for p in (reference or "Decision record", "DRAFT" if draft else "", title) if p
    )
    footer = _plain(footer if len(footer) <= 100 else footer[:97] + "...")
    marker = _draft_marker if draft else _no_marker
    template.build(
        story, onFirstPage=marker, onLaterPages=marker, canvasmaker=_numbered_canvas(footer)
    )
    return buffer.getvalue()


def _unusual_pcc_role(signature: Signature | None) -> bool:
    """Show the signer's position when it is not simply the PCC (a deputy, say)."""
    return bool(signature and signature.role and signature.role != "Police and Crime Commissioner")


__all__ = ["DEFAULT_COMMISSIONER", "decision_pdf"]
