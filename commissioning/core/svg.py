"""SVG pieces shared by the maps and the charts: the colours, numbers, ids, text widths and
wrapping, the opening tag and ring paths. Pure Python."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
    '"Liberation Sans", Arial, sans-serif'
)

Point = tuple[float, float]
Ring = list[Point]
ValueLabel = Callable[[Decimal], str]

# GOV.UK text colours; one bar colour, dark enough for white text and 3:1 against white.
STROKE = "#0b0c0c"
TEXT_COLOUR = "#0b0c0c"
SECONDARY_TEXT_COLOUR = "#484949"
BAR_FILL = "#0e5a6b"
FONT_SIZE = 14


def names_list(names: Sequence[str]) -> str:
    return ", ".join(names)


def num(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def id_prefix(kind: str, *parts: object) -> str:
    digest = hashlib.blake2s(repr((kind, parts)).encode("utf-8"), digest_size=4).hexdigest()
    return f"{kind}-{digest}"


_NARROW = set(" ,.;:'|!il()[]-")
_WIDE = set("MWmw@%")


def text_width(text: str, size: float) -> float:
    """A slightly generous estimate of a sans-serif string's width, for laying out columns."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.32
        elif char in _WIDE:
            em += 0.9
        elif char.isupper():
            em += 0.7
        elif char.isdigit() or char in "£$€#+−":
            em += 0.64  # wide enough for DejaVu Sans, the usual fallback on Linux
        else:
            em += 0.58
    return em * size


def wrap_text(text: str, max_width: float, size: float) -> list[str]:
    """Greedy word wrap by estimated width (a word longer than a line gets a line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def svg_open(width: float, height: float, prefix: str, title: str, desc: str, cls: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" '
        f'viewBox="0 0 {num(width)} {num(height)}" width="{num(width)}" '
        f'height="{num(height)}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f"font-family={quoteattr(FONT_FAMILY)}>"
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>'
    )


def ring_path(rings: Sequence[Ring]) -> str:
    parts = []
    for ring in rings:
        points = []
        last = ""
        for x, y in ring[:-1] if ring and ring[0] == ring[-1] else ring:
            point = f"{num(x)} {num(y)}"
            if point != last:
                points.append(point)
                last = point
        if len(points) >= 3:
            parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)
