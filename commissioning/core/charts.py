"""Bar charts as inline SVG, for any page or PDF: the formula's allocations, the MTFS's gaps,
the year's budget by theme. Pure Python, no Django. Amounts stay ``Decimal`` from input to
label; floats are used only for coordinates. The SVG references nothing outside itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from .svg import (
    BAR_FILL,
    FONT_SIZE,
    SECONDARY_TEXT_COLOUR,
    STROKE,
    TEXT_COLOUR,
    ValueLabel,
    id_prefix,
    names_list,
    num,
    svg_open,
    text_width,
    wrap_text,
)


def bar_chart_svg(
    rows: Sequence[tuple[str, Decimal]],
    *,
    title: str,
    value_label: ValueLabel,
    width: int = 560,
    compare: Sequence[tuple[str, Decimal]] | None = None,
    compare_label: str = "",
    label: str = "",
) -> str:
    """Horizontal bars in the order given: labels left, values right.

    ``compare`` adds a second, hatched and outlined bar under each row whose label it matches
    (so the comparison is told apart by pattern, not colour alone); ``compare_label`` and
    ``label`` name the two series in the key (``label`` defaults to the title).
    """
    compare_by_label = {name: Decimal(v) for name, v in compare or ()}
    with_compare = compare is not None
    size = FONT_SIZE
    small = 13
    margin = 8.0
    all_values = [Decimal(v) for _, v in rows] + list(compare_by_label.values())
    low = min([Decimal(0), *all_values])
    high = max([Decimal(0), *all_values])
    span = high - low

    label_w = min(max([text_width(name, size) for name, _ in rows] + [0.0]), width * 0.4)
    value_texts = [value_label(Decimal(v)) for _, v in rows] + [
        value_label(v) for v in compare_by_label.values()
    ]
    value_w = max([text_width(t, size) for t in value_texts] + [0.0])
    bar_left = margin + label_w + 10
    bar_right = width - margin - value_w - 12
    bar_span = max(bar_right - bar_left, 40.0)

    def x_of(value: Decimal) -> float:
        if span == 0:
            return bar_left
        return bar_left + float((value - low) / span) * bar_span

    zero_x = x_of(Decimal(0))
    bar_h = 16.0 if with_compare else 18.0
    compare_h = 12.0
    row_h = (bar_h + compare_h + 16) if with_compare else (bar_h + 12)
    key_h = 30.0 if with_compare else 0.0
    # A name longer than the label column wraps onto more lines (never clipped); its row
    # grows by a line for each.
    label_lines = [wrap_text(name, label_w, size) for name, _ in rows]
    line_h = size * 1.2
    height = (
        margin + key_h + sum(row_h + (len(lines) - 1) * line_h for lines in label_lines) + margin
    )

    prefix = id_prefix(
        "bars", title, [(n, str(v)) for n, v in rows], [(n, str(v)) for n, v in compare or ()]
    )
    desc = _describe_bars(rows, compare_by_label, value_label, compare_label)
    out = [svg_open(width, height, prefix, title, desc, "app-bar-chart")]
    hatch = f"{prefix}-hatch"
    if with_compare:
        out.append(
            f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BAR_FILL}" stroke-width="3"/>'
            f"</pattern></defs>"
        )
        first = label or title
        second = compare_label or "Comparison"
        out.append(
            f'<g class="app-bar-chart__key" font-size="{small}" fill="{TEXT_COLOUR}">'
            f'<rect x="{num(margin)}" y="{num(margin + 2)}" width="18" height="14" '
            f'fill="{BAR_FILL}"/>'
            f'<text x="{num(margin + 24)}" y="{num(margin + 14)}">{escape(first)}</text>'
        )
        second_x = margin + 24 + min(text_width(first, small), width / 2) + 20
        out.append(
            f'<rect x="{num(second_x + 0.5)}" y="{num(margin + 2.5)}" width="17" height="13" '
            f'fill="url(#{hatch})" stroke="{STROKE}" stroke-width="1"/>'
            f'<text x="{num(second_x + 24)}" y="{num(margin + 14)}">{escape(second)}</text></g>'
        )

    out.append(f'<g class="app-bar-chart__rows" font-size="{size}" fill="{TEXT_COLOUR}">')
    y = margin + key_h
    for (name, raw), lines in zip(rows, label_lines, strict=True):
        value = Decimal(raw)
        other = compare_by_label.get(name)
        extra = (len(lines) - 1) * line_h
        tip = f"{name}: {value_label(value)}"
        if other is not None:
            tip += f"; {compare_label or 'comparison'}: {value_label(other)}"
        bar_y = y + 4 + extra / 2
        text_y = bar_y + bar_h / 2 + size * 0.35
        out.append(f"<g><title>{escape(tip)}</title>")
        label_x = num(margin + label_w)
        if len(lines) == 1:
            out.append(
                f'<text x="{label_x}" y="{num(text_y)}" text-anchor="end">{escape(name)}</text>'
            )
        else:
            first_y = text_y - extra / 2
            tspans = "".join(
                f'<tspan x="{label_x}" y="{num(first_y + i * line_h)}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            out.append(f'<text text-anchor="end">{tspans}</text>')
        x0, x1 = sorted((zero_x, x_of(value)))
        if x1 - x0 > 0:
            out.append(
                f'<rect x="{num(x0)}" y="{num(bar_y)}" width="{num(x1 - x0)}" '
                f'height="{num(bar_h)}" fill="{BAR_FILL}"/>'
            )
        out.append(
            f'<text x="{num(width - margin)}" y="{num(text_y)}" text-anchor="end">'
            f"{escape(value_label(value))}</text>"
        )
        if other is not None:
            c_y = bar_y + bar_h + 3
            c0, c1 = sorted((zero_x, x_of(other)))
            if c1 - c0 > 0:
                out.append(
                    f'<rect x="{num(c0 + 0.5)}" y="{num(c_y + 0.5)}" '
                    f'width="{num(max(c1 - c0 - 1, 0.5))}" height="{num(compare_h - 1)}" '
                    f'fill="url(#{hatch})" stroke="{STROKE}" stroke-width="1"/>'
                )
            out.append(
                f'<text x="{num(width - margin)}" y="{num(c_y + compare_h - 1)}" '
                f'text-anchor="end" font-size="{small}" fill="{SECONDARY_TEXT_COLOUR}">'
                f"{escape(value_label(other))}</text>"
            )
        out.append("</g>")
        y += row_h + extra
    if low < 0:
        out.append(
            f'<line x1="{num(zero_x)}" y1="{num(margin + key_h)}" x2="{num(zero_x)}" '
            f'y2="{num(y)}" stroke="{STROKE}" stroke-width="1"/>'
        )
    out.append("</g></svg>")
    return "".join(out)


def _describe_bars(
    rows: Sequence[tuple[str, Decimal]],
    compare: Mapping[str, Decimal],
    value_label: ValueLabel,
    compare_label: str,
) -> str:
    if not rows:
        return "No values to show."
    values = [Decimal(v) for _, v in rows]
    high, low = max(values), min(values)
    highest = names_list([n for n, v in rows if Decimal(v) == high])
    lowest = names_list([n for n, v in rows if Decimal(v) == low])
    text = (
        f"{len(rows)} bars. Highest: {highest}, {value_label(high)}. "
        f"Lowest: {lowest}, {value_label(low)}."
    )
    if compare:
        text += f" Each bar has a hatched bar beneath it for {compare_label or 'comparison'}."
    return text
