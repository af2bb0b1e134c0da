"""A decision record as an A4 PDF laid out like the OPCC's paper form.

Pure Python with reportlab (platypus), no Django: ``decision_pdf`` renders a
``DecisionDocument`` and nothing else, so the public version of a record (where every exempt
part is already absent) cannot show a withheld word. The layout follows the papers' forms
(EXE 0025/13 and the 2015 framework refresh): a boxed grid for the decision of the Police and
Crime Commissioner, the PCC's signature, the Office of the PCC report and approval, the
Monitoring Officer's publication scheme decision, then the Equality Impact Assessment form.

Fonts are reportlab's built-in Helvetica (ZapfDingbats for ticks), so nothing is fetched or
embedded; text is reduced to Windows-1252 as the formula report does, whose table, footer and
text helpers this module shares.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from commissioning.formula.maps import format_money
from commissioning.formula.report_pdf import (
    FONT,
    FONT_BOLD,
    PAGE_MARGIN,
    SECONDARY,
    TEXT,
    _data_table,
    _numbered_canvas,
    _plain,
)

from .document import Assessment, DecisionDocument, Determination, Link, Signature

DEFAULT_COMMISSIONER = "Police and Crime Commissioner for Leicestershire"
FONT_ITALIC = "Helvetica-Oblique"
BAND = colors.HexColor("#dedede")
LABEL_FILL = colors.HexColor("#f3f2f1")
STRUCK = colors.HexColor("#6f777b")
DRAFT_COLOUR = colors.HexColor("#b10e1e")
PAD = 5
SIZE = 9.5
MAX_ROW = 320  # points: a taller paragraph or table is cut into rows of at most this

_STYLES = {
    "heading": ParagraphStyle(
        "heading",
        fontName=FONT_BOLD,
        fontSize=11.5,
        leading=15,
        textColor=TEXT,
        alignment=TA_CENTER,
    ),
    "note": ParagraphStyle(
        "note",
        fontName=FONT_ITALIC,
        fontSize=8.5,
        leading=11,
        textColor=SECONDARY,
        alignment=TA_CENTER,
        spaceBefore=2,
        spaceAfter=6,
    ),
    "band": ParagraphStyle("band", fontName=FONT_BOLD, fontSize=10, leading=13, textColor=TEXT),
    "label": ParagraphStyle("label", fontName=FONT_BOLD, fontSize=SIZE, leading=12.5),
    "body": ParagraphStyle(
        "body", fontName=FONT, fontSize=SIZE, leading=12.5, textColor=TEXT, spaceAfter=4
    ),
    "small": ParagraphStyle(
        "small", fontName=FONT, fontSize=8.5, leading=11, textColor=SECONDARY, spaceAfter=2
    ),
}

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

# The form's outer rule, closed where a table breaks across pages.
_BOX: list[tuple[Any, ...]] = [
    ("BOX", (0, 0), (-1, -1), 0.9, TEXT),
    ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.9, TEXT),
    ("LINEABOVE", (0, "splitfirst"), (-1, "splitfirst"), 0.9, TEXT),
]
_LIST_ITEM = re.compile(r"^(\s*)(\d{1,3}[.)]|[-\u2022\u2013])\s+(\S.*)$")


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


def _markup(value: object) -> str:
    """Paragraph markup for plain text: Windows-1252, escaped, line breaks kept."""
    return "<br/>".join(escape(_plain(line)) for line in str(value or "").split("\n"))


def _p(value: object, style: str = "body", **overrides: Any) -> Paragraph:
    return _p_markup(_markup(value), style, **overrides)


def _p_markup(markup: str, style: str = "body", **overrides: Any) -> Paragraph:
    base = _STYLES[style]
    if overrides:
        base = ParagraphStyle(f"{base.name}-x", parent=base, **overrides)
    return Paragraph(markup, base)


def _date(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _key(value: str) -> str:
    """A choice compared loosely: case, underscores, '&' and list numbering do not matter."""
    text = re.sub(r"^\s*\d+[.)]\s*", "", value).lower().replace("&", " and ")
    return " ".join(re.sub(r"[_\-/]", " ", text).split())


def _match(value: str, options: Sequence[str], aliases: dict[str, str]) -> str | None:
    key = _key(value)
    for option in options:
        if _key(option) == key:
            return option
    return aliases.get(key)


def _text_flowables(text: str, width: float) -> list[Flowable]:
    """A field's text as paragraphs: blank lines part paragraphs, "1." and "-" lines become
    list items (indented by their leading spaces), tab-separated lines a small table."""
    out: list[Flowable] = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.rstrip().split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            if "\t" in line:
                rows = []
                while i < len(lines) and "\t" in lines[i]:
                    rows.append([cell.strip() for cell in lines[i].split("\t")])
                    i += 1
                out.append(_tab_table(rows, width))
                continue
            item = _LIST_ITEM.match(line)
            if item:
                indent, marker, body = item.groups()
                level = min(len(indent.expandtabs(4)) // 2, 3)
                left = 16 + 14 * level
                bullet = marker if marker[0].isdigit() else "\u2022"
                out.append(
                    Paragraph(
                        _markup(body),
                        ParagraphStyle(
                            f"item{level}",
                            parent=_STYLES["body"],
                            leftIndent=left,
                            bulletIndent=left - 14,
                            spaceAfter=2 if i < len(lines) - 1 else 6,
                        ),
                        bulletText=_plain(bullet),
                    )
                )
                i += 1
                continue
            start = i
            while i < len(lines) and "\t" not in lines[i] and not _LIST_ITEM.match(lines[i]):
                i += 1
            out.append(_p("\n".join(lines[start:i]).strip()))
    return out


def _tab_table(rows: list[list[str]], width: float) -> Table:
    """Tab-separated lines: the first is the header, a last "Total ..." line the total."""
    header, body = rows[0], rows[1:]
    total = None
    if body and body[-1][0].lower().startswith("total"):
        total, body = body[-1], body[:-1]
    table = _data_table(header, body, total, width)
    table.spaceBefore, table.spaceAfter = 2, 6
    return table


# --------------------------------------------------------------------------------------------
# The boxed form
# --------------------------------------------------------------------------------------------


class _Form:
    """A boxed two-column grid like the paper's: bands across the width, label/value fields
    and blocks across the width. Each flowable of a field or block is a row of its own (with
    no rule between them), so a long summary runs on over the page between paragraphs."""

    def __init__(self, width: float, label_width: float = 44 * mm) -> None:
        self.width = width
        self.label_width = label_width
        self.rows: list[list[Any]] = []
        self.style: list[tuple[Any, ...]] = []
        self.min_heights: dict[int, float] = {}

    @property
    def inner(self) -> float:
        """The width a block's content has."""
        return self.width - 2 * PAD

    @property
    def value_width(self) -> float:
        return self.width - self.label_width - 2 * PAD

    def _unit(self, label: Flowable | None, content: list[Flowable], fill: Any = None) -> None:
        """One ruled unit: the first row has the label and the first (kept) flowables."""
        width = self.inner if label is None else self.value_width
        pieces = _rows_of(content, width) or [[]]
        first = len(self.rows)
        for i, piece in enumerate(pieces):
            row = len(self.rows)
            if label is None:
                self.rows.append([piece, ""])
                self.style.append(("SPAN", (0, row), (1, row)))
            else:
                self.rows.append([label if i == 0 else "", piece])
            self.style.append(("TOPPADDING", (0, row), (-1, row), 4 if i == 0 else 0))
            # a cell drops its last flowable's space after: keep it between rows
            gap = piece[-1].getSpaceAfter() if piece else 0
            self.style.append(("BOTTOMPADDING", (0, row), (-1, row), gap))
        last = len(self.rows) - 1
        self.style += [
            ("LINEABOVE", (0, first), (-1, first), 0.5, TEXT),
            ("BOTTOMPADDING", (0, last), (-1, last), 5),
        ]
        if label is not None:
            self.style += [
                ("BACKGROUND", (0, first), (0, last), LABEL_FILL),
                ("LINEAFTER", (0, first), (0, last), 0.5, TEXT),
            ]
        if fill is not None:
            self.style.append(("BACKGROUND", (0, first), (-1, last), fill))

    def band(self, text: str, note: str = "") -> None:
        markup = escape(_plain(text))
        if note:
            markup += f'<br/><font name="{FONT_ITALIC}" size="8.5">{escape(_plain(note))}</font>'
        self._unit(None, [_p_markup(markup, "band")], fill=BAND)

    def field(self, label: str, value: object, *, min_height: float = 0) -> None:
        if isinstance(value, list):
            content = value
        elif isinstance(value, Flowable):
            content = [value]
        else:
            content = [_p(value, spaceAfter=0)]
        if min_height:
            self.min_heights[len(self.rows)] = min_height
        self._unit(_p(label, "label"), content)

    def block(self, content: list[Flowable]) -> None:
        self._unit(None, content)

    def titled(self, title: str, text: str) -> None:
        """A block with a bold title and the text under it (an empty box if no text)."""
        content: list[Flowable] = [_p(_with_colon(title), "label", spaceAfter=4, keepWithNext=1)]
        content += _text_flowables(text, self.inner) if text.strip() else [Spacer(1, 14)]
        self.block(content)

    def signature(self, signature: Signature | None, *, position: bool) -> None:
        """Signature, name, (position) and date; blank lines when not yet signed."""
        if signature is None:
            self.field("Signature", _p("Not yet signed", "small", spaceAfter=0), min_height=30)
            self.field("Name", "", min_height=18)
            self.field("Date", "", min_height=18)
            return
        self.field(
            "Signature",
            f"Signed {'on paper' if signature.on_paper else 'electronically'} by "
            f"{signature.name} on {_date(signature.signed_on)}"
            + (" (entered from the paper record)" if signature.on_paper else ""),
        )
        self.field("Name", signature.name)
        if position and signature.role:
            self.field("Position", signature.role)
        self.field("Date", _date(signature.signed_on))

    def table(self) -> Table:
        table = Table(
            self.rows,
            colWidths=[self.label_width, self.width - self.label_width],
            hAlign="LEFT",
            minRowHeights=[self.min_heights.get(i, 0) for i in range(len(self.rows))],
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                    ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    *self.style,
                    *_BOX,
                ]
            )
        )
        return table


def _rows_of(content: list[Flowable], width: float) -> list[list[Flowable]]:
    """Flowables grouped into table rows: one a row, a heading kept with what follows it, and
    anything taller than ``MAX_ROW`` cut into pieces that fit on a page."""
    rows: list[list[Flowable]] = []
    pending: list[Flowable] = []
    for flowable in content:
        pieces = [flowable]
        while True:
            _, height = pieces[-1].wrap(width, MAX_ROW * 10)
            if height <= MAX_ROW:
                break
            split = pieces[-1].split(width, MAX_ROW)
            if len(split) < 2:
                break  # cannot be cut: the table reports the overflow
            pieces[-1:] = split
        for piece in pieces:
            pending.append(piece)
            if not piece.getKeepWithNext():
                rows.append(pending)
                pending = []
    if pending:
        rows.append(pending)
    return rows


def _with_colon(title: str) -> str:
    title = title.strip()
    return title if not title or title[-1] in ":?." else title + ":"


class _Tick(Flowable):
    """The mark in a ticked box: a check mark drawn as lines (no font has one that every
    viewer shows), with the word "ticked" as invisible text so that text extraction, search
    and screen readers find it, as they would find an OCR layer."""

    size = 9.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        s = self.size
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(TEXT)
        canvas.setLineWidth(1.6)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        path = canvas.beginPath()
        path.moveTo(s * 0.1, s * 0.5)
        path.lineTo(s * 0.4, s * 0.15)
        path.lineTo(s * 0.95, s * 0.95)
        canvas.drawPath(path, stroke=1, fill=0)
        text = canvas.beginText(0, s * 0.2)
        text.setTextRenderMode(3)
        text.setFont(FONT, 4)
        text.textOut("ticked")
        canvas.drawText(text)
        canvas.restoreState()


def _tick_box(ticked: bool) -> Flowable | str:
    return _Tick() if ticked else ""


def _tick_table(items: Sequence[tuple[str, bool]], columns: int, width: float) -> Table:
    """Labels each with a box, ticked or empty, filled down the columns as the paper does."""
    per_column = -(-len(items) // columns)
    box = 16.0
    label_w = width / columns - box
    data: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("GRID", (0, 0), (-1, -1), 0.5, TEXT),
    ]
    style += [("ALIGN", (2 * c + 1, 0), (2 * c + 1, -1), "CENTER") for c in range(columns)]
    for r in range(per_column):
        row: list[Any] = []
        for c in range(columns):
            index = c * per_column + r
            if index < len(items):
                label, ticked = items[index]
                row += [_p(label, spaceAfter=0), _tick_box(ticked)]
            else:
                row += ["", ""]
        data.append(row)
    table = Table(data, colWidths=[label_w, box] * columns, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _ticked(
    chosen: Iterable[str], options: Sequence[str], aliases: dict[str, str]
) -> list[tuple[str, bool]]:
    """The options with the chosen ones ticked; a chosen value that is none of them is
    added, ticked, rather than dropped."""
    picked: set[str] = set()
    extra: list[str] = []
    for value in chosen:
        if not value.strip():
            continue
        option = _match(value, options, aliases)
        if option is None:
            extra.append(value)
        else:
            picked.add(option)
    return [(o, o in picked) for o in options] + [(e, True) for e in extra]


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


def _boxed_table(title: str, table: Table, width: float) -> list[Flowable]:
    """A band and a data table under it, boxed like the form: a new page first if only a
    few rows would fit under the band here, else the table follows and splits over pages."""
    band = _Form(width)
    band.band(title)
    table.setStyle(TableStyle(_BOX))
    return [CondPageBreak(90), band.table(), table]


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
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN + 4 * mm,
        title=" ".join(p for p in ("Decision record", reference, "(draft)" if draft else "") if p)
        + (f": {title}" if title else ""),
        author=office,
        subject=f"Decision of the {commissioner}" + (f": {title}" if title else ""),
        creator="Commissioning: decision record",
        keywords=", ".join(p for p in ("decision record", reference, doc.status) if p),
        lang="en-GB",
        displayDocTitle=True,
    )
    width = template.width - 12  # SimpleDocTemplate's frame pads 6pt each side

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
