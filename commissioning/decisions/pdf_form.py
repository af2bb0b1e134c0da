"""The boxed form of the OPCC's paper decision record, for `pdf`: text styles, paragraphs
from plain text (lists and tab-separated tables kept), the two-column ruled grid with its
bands, fields, blocks and signature lines, tick boxes, and boxed data tables.

Pure Python with reportlab (platypus), no Django. Text is reduced to Windows-1252 as the
formula report does, whose table and text helpers this module shares.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from commissioning.formula.report_pdf import (
    FONT,
    FONT_BOLD,
    SECONDARY,
    TEXT,
    _data_table,
    _plain,
)

from .document import Signature

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


def _boxed_table(title: str, table: Table, width: float) -> list[Flowable]:
    """A band and a data table under it, boxed like the form: a new page first if only a
    few rows would fit under the band here, else the table follows and splits over pages."""
    band = _Form(width)
    band.band(title)
    table.setStyle(TableStyle(_BOX))
    return [CondPageBreak(90), band.table(), table]
