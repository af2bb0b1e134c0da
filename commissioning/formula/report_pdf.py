"""A formula run as a printable A4 PDF: method, parameters, results, map, inputs and notes.

Pure Python with reportlab (platypus), no Django. The caller builds ``data`` (see
``run_report_pdf``); every figure arrives already formatted as text except the map's values,
which are Decimals shaded exactly as ``maps.choropleth_svg`` shades them (the same projection,
classes, palette and legend come from ``maps``).

Fonts are reportlab's built-in Helvetica, so nothing is fetched or embedded; text is reduced to
the characters Helvetica's encoding (Windows-1252) has, e.g. the minus sign becomes an en dash.
reportlab does not write tagged PDF; the document title, author, subject and language are set.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import FILL_EVEN_ODD, Drawing, Line, Path, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from commissioning.formula.maps import (
    BOUNDARY_ATTRIBUTION,
    CASING_COLOUR,
    STROKE,
    build_choropleth,
    format_money,
    label_lines,
    outline_segments,
    project_districts,
)

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
TEXT = colors.HexColor("#0b0c0c")
SECONDARY = colors.HexColor("#484949")
RULE = colors.HexColor("#b1b4b6")
BRAND = colors.HexColor("#0e5a6b")
PAGE_MARGIN = 18 * mm
BODY_SIZE = 10
TABLE_SIZE = 9
MIN_TABLE_SIZE = 6.5
CELL_PAD = 4

_STYLES = {
    "title": ParagraphStyle(
        "title", fontName=FONT_BOLD, fontSize=20, leading=24, textColor=TEXT, spaceAfter=4
    ),
    "subtitle": ParagraphStyle(
        "subtitle", fontName=FONT, fontSize=13, leading=17, textColor=SECONDARY, spaceAfter=6
    ),
    "meta": ParagraphStyle("meta", fontName=FONT, fontSize=BODY_SIZE, leading=14, textColor=TEXT),
    "h2": ParagraphStyle(
        "h2",
        fontName=FONT_BOLD,
        fontSize=14,
        leading=18,
        textColor=TEXT,
        spaceBefore=14,
        spaceAfter=6,
        keepWithNext=1,
    ),
    "body": ParagraphStyle(
        "body", fontName=FONT, fontSize=BODY_SIZE, leading=14, textColor=TEXT, spaceAfter=6
    ),
    "small": ParagraphStyle(
        "small", fontName=FONT, fontSize=8.5, leading=11, textColor=TEXT, spaceAfter=4
    ),
    "cell": ParagraphStyle(
        "cell", fontName=FONT, fontSize=TABLE_SIZE, leading=11.5, textColor=TEXT
    ),
}

# "£1,234", "−£1,234.56", "(1,234)", "12.5%", "1.5pp", "-3", "£2.1m", "0.123456"
_NUMERIC = re.compile(
    r"^\(?[+\-\u2212\u2013]?\s*[£$€]?\s*[+\-\u2212\u2013]?\d[\d,]*(\.\d+)?\s*"
    r"(%|pp|p|k|m|bn)?\)?$"
)
_REPLACEMENTS = {"\u2212": "\u2013", "\u2011": "-", "\u2009": " ", "\u202f": " ", "\u00a0": " "}


def a4_document(
    buffer, *, title: str, author: str, subject: str, creator: str, keywords: str
) -> tuple[SimpleDocTemplate, float]:
    """Every PDF's page: A4, the house margins (room for the page number below), the PDF's
    own title shown by readers, in British English; with the width a flowable has (the
    frame pads 6pt each side)."""
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN + 4 * mm,
        title=title,
        author=author,
        subject=subject,
        creator=creator,
        keywords=keywords,
        lang="en-GB",
        displayDocTitle=True,
    )
    return template, template.width - 12


def _plain(value: object) -> str:
    """Text that Helvetica (Windows-1252) can show: a minus becomes an en dash, others "?"."""
    text = "" if value is None else str(value)
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
            char = folded or "?"
        out.append(char)
    return "".join(out)


def _para(value: object, style: str | ParagraphStyle = "body", **overrides: Any) -> Paragraph:
    base = _STYLES[style] if isinstance(style, str) else style
    if overrides:
        base = ParagraphStyle(f"{base.name}-x", parent=base, **overrides)
    return Paragraph(escape(_plain(value)), base)


def _readable_date(value: object) -> str:
    text = str(value or "")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    readable = f"{parsed.day} {parsed:%B %Y}"
    if len(text) > 10 and (parsed.hour or parsed.minute):
        readable += f", {parsed:%H:%M}"
    return readable


def is_numeric_text(value: object) -> bool:
    """Whether a formatted cell is a number (right-aligned in tables)."""
    return bool(_NUMERIC.match(str(value).strip()))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _column_widths(
    columns: Sequence[str],
    body: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    avail: float,
    size: float,
    cell_pad: float = CELL_PAD,
) -> list[float]:
    """Column widths for ``avail`` points: numbers never wrap, text and headers wrap only
    between words. If even that is too wide, the total is over ``avail`` (the caller then
    sets the table in a smaller size)."""
    pad = 2 * cell_pad + 1
    natural: list[float] = []  # every cell on one line
    minimum: list[float] = []  # wrapped at every space
    header_line: list[float] = []  # the header on one line
    for i, header in enumerate(columns):
        cells = [_plain(row[i]) for row in body if i < len(row)]
        one_line = max([stringWidth(c, FONT, size) for c in cells] + [0.0])
        header_words = [stringWidth(w, FONT_BOLD, size) for w in _plain(header).split()]
        if numeric[i]:
            words = one_line
        else:
            words = max([stringWidth(w, FONT, size) for c in cells for w in c.split()] + [0.0])
        minimum.append(max(words, *header_words, 18.0) + pad)
        natural.append(max(one_line, *header_words, 18.0) + pad)
        header_line.append(stringWidth(_plain(header), FONT_BOLD, size) + pad)
    text_cols = [i for i, n in enumerate(numeric) if not n] or list(range(len(columns)))
    if sum(natural) <= avail:
        widths = list(natural)
        spare = avail - sum(widths)
        # first let headers sit on one line where that fits, then widen the text columns
        for i in range(len(widths)):
            extra = min(max(header_line[i] - widths[i], 0.0), spare)
            widths[i] += extra
            spare -= extra
        for i in text_cols:
            widths[i] += spare / len(text_cols)
        return widths
    widths = list(minimum)
    spare = avail - sum(widths)
    if spare <= 0:
        return widths
    # share what is left among the text columns, by how much wrapping each would save
    wants = {i: natural[i] - minimum[i] for i in text_cols}
    total_want = sum(wants.values())
    for i, want in wants.items():
        widths[i] += spare * (want / total_want if total_want else 1 / len(wants))
    return widths


def _data_table(
    columns: Sequence[object],
    rows: Sequence[Sequence[object]],
    total: Sequence[object] | None,
    avail: float,
) -> Table:
    headers = [_plain(c) for c in columns]
    body = [[_plain(c) for c in row] for row in rows]
    total_row = [_plain(c) for c in total] if total else None
    ncols = max([len(headers)] + [len(r) for r in body] + [len(total_row or [])])
    headers += [""] * (ncols - len(headers))
    body = [r + [""] * (ncols - len(r)) for r in body]
    if total_row:
        total_row += [""] * (ncols - len(total_row))
    every = body + ([total_row] if total_row else [])
    numeric = [
        bool([r[i] for r in every if r[i].strip()])
        and all(is_numeric_text(r[i]) for r in every if r[i].strip())
        for i in range(ncols)
    ]
    size = float(TABLE_SIZE)
    widths = _column_widths(headers, every, numeric, avail, size)
    pad = float(CELL_PAD)
    while sum(widths) > avail + 0.5 and (size > MIN_TABLE_SIZE or pad > 2):
        # padding does not shrink with the text, so step down until the table fits; at the
        # smallest size, tighten the padding. (A table wider still runs into the margin.)
        if size > MIN_TABLE_SIZE:
            size = max(MIN_TABLE_SIZE, min(size - 0.25, size * avail / sum(widths)))
        else:
            pad = 2.0
        widths = _column_widths(headers, every, numeric, avail, size, pad)

    def cell(text: str, i: int, bold: bool = False) -> Paragraph:
        return _para(
            text,
            "cell",
            fontSize=size,
            leading=size * 1.28,
            fontName=FONT_BOLD if bold else FONT,
            alignment=TA_RIGHT if numeric[i] else TA_LEFT,
        )

    data: list[list[Any]] = [[cell(c, i, bold=True) for i, c in enumerate(headers)]]
    data += [[cell(c, i) for i, c in enumerate(r)] for r in body]
    if total_row:
        data.append([cell(c, i, bold=True) for i, c in enumerate(total_row)])
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, TEXT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
    ]
    if total_row:
        style += [
            ("LINEABOVE", (0, -1), (-1, -1), 1.2, TEXT),
            ("LINEBELOW", (0, -1), (-1, -1), 1.2, TEXT),
        ]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _pairs_table(pairs: Sequence[Sequence[object]], avail: float) -> Table:
    """Label/value pairs: labels bold on the left, values wrapping (hashes break anywhere)."""
    label_w = min(
        max([stringWidth(_plain(p[0]), FONT_BOLD, TABLE_SIZE) for p in pairs] + [60.0])
        + 2 * CELL_PAD
        + 1,
        avail * 0.4,
    )
    data = [
        [
            _para(p[0], "cell", fontName=FONT_BOLD),
            _para(p[1] if len(p) > 1 else "", "cell", wordWrap="CJK" if _long_token(p) else None),
        ]
        for p in pairs
    ]
    table = Table(data, colWidths=[label_w, avail - label_w], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
            ]
        )
    )
    return table


def _long_token(pair: Sequence[object]) -> bool:
    """A value with a word too long to wrap (a hash, a path) wraps anywhere instead."""
    return len(pair) > 1 and any(len(w) > 40 for w in str(pair[1]).split())


# --------------------------------------------------------------------------------------------
# Map
# --------------------------------------------------------------------------------------------


def _halo_string(drawing: Drawing, x: float, y: float, text: str, size: float) -> None:
    """Dark text with a white halo, readable on every class colour."""
    h, d = 0.5, 0.35
    for dx, dy in ((-h, 0), (h, 0), (0, -h), (0, h), (-d, -d), (d, d), (-d, d), (d, -d)):
        drawing.add(
            String(
                x + dx,
                y + dy,
                text,
                fontName=FONT,
                fontSize=size,
                fillColor=colors.white,
                textAnchor="middle",
            )
        )
    drawing.add(
        String(x, y, text, fontName=FONT, fontSize=size, fillColor=TEXT, textAnchor="middle")
    )


def map_drawing(
    values: Mapping[str, Decimal],
    *,
    width: float,
    value_label: Callable[[Decimal], str] = format_money,
    groups: Mapping[str, str] | None = None,
) -> tuple[Drawing, str]:
    """The choropleth as a reportlab Drawing (map left, key right) and its text summary."""
    model = build_choropleth(values, value_label=value_label, groups=groups)
    map_w = width * 0.62
    projected = project_districts(map_w, margin=4)
    key_x = map_w + 12
    key_w = width - key_x
    box = 10.0
    key_size = 8.5
    key_lines = [
        simpleSplit(_plain(e.label), FONT, key_size, key_w - box - 6) for e in model.legend
    ]
    key_h = 16 + sum(max(len(lines), 1) * (key_size + 2.5) + 6 for lines in key_lines)
    height = max(projected.height, key_h)
    top = height  # screen y runs down from the top of the drawing
    drawing = Drawing(width, height)

    def pt(p: tuple[float, float]) -> tuple[float, float]:
        return p[0], top - p[1]

    def district_path(code: str, **kwargs: Any) -> Path:
        path = Path(fillMode=FILL_EVEN_ODD, **kwargs)
        for ring in projected.shapes[code]:
            x, y = pt(ring[0])
            path.moveTo(x, y)
            for point in ring[1:]:
                path.lineTo(*pt(point))
            path.closePath()
        return path

    for shade in model.districts:
        drawing.add(
            district_path(
                shade.code, fillColor=colors.HexColor(shade.fill), strokeColor=None, strokeWidth=0
            )
        )
    for colour, stroke_width in ((CASING_COLOUR, 1.6), (STROKE, 0.6)):
        for shade in model.districts:
            drawing.add(
                district_path(
                    shade.code,
                    fillColor=None,
                    strokeColor=colors.HexColor(colour),
                    strokeWidth=stroke_width,
                    strokeLineJoin=1,
                )
            )
    for codes in model.groups.values():
        segments = outline_segments({c: projected.shapes[c] for c in codes})
        for colour, stroke_width in ((CASING_COLOUR, 3.6), (STROKE, 2.0)):
            for a, b in segments:
                (x1, y1), (x2, y2) = pt(a), pt(b)
                drawing.add(
                    Line(
                        x1,
                        y1,
                        x2,
                        y2,
                        strokeColor=colors.HexColor(colour),
                        strokeWidth=stroke_width,
                        strokeLineCap=1,
                    )
                )
    label_size = 7.0
    for shade in model.districts:
        x, y = pt(projected.label_points[shade.code])
        lines = label_lines(shade.name)
        first = y + (len(lines) - 1) * label_size * 0.55 - label_size * 0.35
        for i, line in enumerate(lines):
            _halo_string(drawing, x, first - i * label_size * 1.1, _plain(line), label_size)

    y = top - 10
    drawing.add(String(key_x, y, "Key", fontName=FONT_BOLD, fontSize=9, fillColor=TEXT))
    y -= 8
    for entry, lines in zip(model.legend, key_lines, strict=True):
        rows = max(len(lines), 1)
        box_top = y - 1
        if entry.kind == "group":
            drawing.add(
                Rect(
                    key_x + 1,
                    box_top - box + 1,
                    box - 2,
                    box - 2,
                    fillColor=None,
                    strokeColor=TEXT,
                    strokeWidth=2,
                )
            )
        else:
            drawing.add(
                Rect(
                    key_x,
                    box_top - box,
                    box,
                    box,
                    fillColor=colors.HexColor(entry.colour),
                    strokeColor=TEXT,
                    strokeWidth=0.6,
                )
            )
        for i, line in enumerate(lines):
            drawing.add(
                String(
                    key_x + box + 6,
                    box_top - 8 - i * (key_size + 2.5),
                    line,
                    fontName=FONT,
                    fontSize=key_size,
                    fillColor=TEXT,
                )
            )
        y -= rows * (key_size + 2.5) + 6
    return drawing, model.description


# --------------------------------------------------------------------------------------------
# Document
# --------------------------------------------------------------------------------------------


def _numbered_canvas(footer: str) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        """Writes "Page N of M" once the number of pages is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.setFillColor(SECONDARY)
                width, _ = A4
                self.drawString(PAGE_MARGIN, 10 * mm, footer)
                self.drawRightString(
                    width - PAGE_MARGIN, 10 * mm, f"Page {self._pageNumber} of {count}"
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def _heading(text: str) -> Paragraph:
    return _para(text, "h2")


def _table_heading(text: str) -> list[Flowable]:
    """A heading for a table: a new page if little room is left, else the table follows it
    here and splits across pages (keepWithNext would push a long table to the next page)."""
    return [CondPageBreak(90), _para(text, "h2", keepWithNext=0)]


def run_report_pdf(data: Mapping[str, Any]) -> bytes:
    """Render a formula run report as A4 PDF bytes.

    ``data`` keys (all optional except ``title``):
    ``title``, ``subtitle``, ``organisation``, ``generated`` (ISO date or datetime);
    ``method``: paragraphs; ``parameters`` and ``inputs``: (label, value) pairs;
    ``table``: {"columns", "rows", "total"} of formatted strings (numbers right-aligned);
    ``areas_geo_values``: {district or group code: Decimal} for the map, with ``groups``
    {district code: group code}; ``map_title`` (default "Map by district") and
    ``map_value_label`` (a callable, default pounds); ``comparison``: {"title", "columns",
    "rows"}; ``notes``: strings; ``attribution``: strings (the boundary attribution is added
    whenever a map is drawn).
    """
    title = _plain(data.get("title") or "Formula report")
    subtitle = _plain(data.get("subtitle") or "")
    organisation = _plain(data.get("organisation") or "")
    generated = _readable_date(data.get("generated"))

    buffer = BytesIO()
    doc, avail = a4_document(
        buffer,
        title=title,
        author=organisation,
        subject=subtitle or title,
        creator="Commissioning: formula report",
        keywords="formula allocation report",
    )
    story: list[Flowable] = [_para(title, "title")]
    if subtitle:
        story.append(_para(subtitle, "subtitle"))
    meta = [text for text in (organisation, generated and f"Generated {generated}") if text]
    for text in meta:
        story.append(_para(text, "meta"))
    story.append(Spacer(1, 4))

    if data.get("method"):
        story.append(_heading("Method"))
        story += [_para(p) for p in data["method"]]

    if data.get("parameters"):
        story += _table_heading("Parameters")
        story.append(_pairs_table(data["parameters"], avail))

    table = data.get("table")
    if table and (table.get("rows") or table.get("columns")):
        story += _table_heading(table.get("title") or "Results")
        story.append(
            _data_table(table.get("columns", []), table.get("rows", []), table.get("total"), avail)
        )

    geo_values = data.get("areas_geo_values") or {}
    drew_map = False
    if geo_values:
        value_label = data.get("map_value_label") or format_money
        drawing, summary = map_drawing(
            geo_values, width=avail, value_label=value_label, groups=data.get("groups") or {}
        )
        story.append(
            KeepTogether(
                [
                    _heading(data.get("map_title") or "Map by district"),
                    drawing,
                    Spacer(1, 6),
                    _para(summary, "small"),
                ]
            )
        )
        drew_map = True

    comparison = data.get("comparison")
    if comparison and comparison.get("rows"):
        story += _table_heading(comparison.get("title") or "Comparison")
        story.append(
            _data_table(
                comparison.get("columns", []),
                comparison["rows"],
                comparison.get("total"),
                avail,
            )
        )

    if data.get("inputs"):
        story += _table_heading("Data inputs")
        story.append(_pairs_table(data["inputs"], avail))

    if data.get("notes"):
        story.append(_heading("Notes"))
        story.append(
            ListFlowable(
                [ListItem(_para(n), leftIndent=12) for n in data["notes"]],
                bulletType="bullet",
                start="\u2022",
                leftIndent=12,
                bulletFontName=FONT,
                bulletFontSize=BODY_SIZE,
            )
        )

    attribution = [str(a) for a in data.get("attribution") or []]
    if drew_map and not any("Crown copyright" in a for a in attribution):
        attribution.append(BOUNDARY_ATTRIBUTION)
    if attribution:
        story.append(
            KeepTogether(
                [_heading("Sources and attribution")] + [_para(a, "small") for a in attribution]
            )
        )

    footer = " · ".join(t for t in (title, organisation) if t)
    footer = _plain(footer if len(footer) <= 110 else footer[:107] + "...")
    doc.build(story, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


__all__ = ["is_numeric_text", "map_drawing", "run_report_pdf"]
