"""Maps and bar charts of formula results as inline SVG, and the map geometry the PDF shares.

Pure Python, no Django. Amounts stay ``Decimal`` from input to label: floats are used only for
coordinates on the page. The SVGs reference nothing outside themselves (no fonts, images or
stylesheets), so they work with no network and can be inlined in a page.

The boundaries are the nine local authority districts of Leicester, Leicestershire and Rutland
(ONS, 2013), simplified and shipped in ``data/llr_districts.json``; see ``data/ATTRIBUTION.md``.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from commissioning.core.money import money_text
from commissioning.core.svg import (
    FONT_SIZE,
    STROKE,
    TEXT_COLOUR,
    Point,
    Ring,
    ValueLabel,
    id_prefix,
    names_list,
    num,
    ring_path,
    svg_open,
    wrap_text,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "llr_districts.json"

#: Must accompany any map drawn from the shipped boundaries.
BOUNDARY_ATTRIBUTION = (
    "Boundaries: ONS local authority districts (2013). Contains OS data © Crown copyright and "
    "database right. Contains public sector information licensed under the Open Government "
    "Licence v3.0."
)

#: Sequential, single hue (the product's teal), lightest to darkest. Each step is 1.6:1 in
#: contrast from the one before it, and the lightest 1.6:1 from the white of a district with
#: no value, so neighbouring classes are told apart at a glance (the earlier palette's steps
#: were 1.4:1). Boundaries are drawn #0b0c0c on a white casing, so every district's edge
#: shows whatever its class, and names carry a white halo.
PALETTE: tuple[str, ...] = ("#a7d4dd", "#4aafc3", "#2d889b", "#196676", "#0c4651")
#: Districts with no value are left white (no class colour is near white).
NO_VALUE_FILL = "#ffffff"
CLASS_COUNT = 5
DISTRICT_STROKE_WIDTH = 1.0
GROUP_STROKE_WIDTH = 3.5
#: White casing under boundary lines, so a line between two dark districts stays visible.
CASING_COLOUR = "#ffffff"
CASING_WIDTH = 3.0
GROUP_CASING_WIDTH = 6.5
MINUS = "\u2212"


# --------------------------------------------------------------------------------------------
# Boundaries and projection
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _districts_text() -> str:
    return DATA_FILE.read_text(encoding="utf-8")


def load_districts() -> dict[str, dict[str, Any]]:
    """The shipped boundaries: ``{code: {"name": str, "rings": [[[lon, lat], ...], ...]}}``.

    Each call returns a fresh dict, so callers may change it.
    """
    data: dict[str, dict[str, Any]] = json.loads(_districts_text())
    return data


@dataclass(frozen=True)
class Projection:
    """Equirectangular: x = lon·cos(mean latitude), y = latitude, fitted into a box.

    Screen coordinates grow rightwards and downwards (as in SVG); flip y for PDF.
    """

    lon0: float
    lat_top: float
    x_scale: float
    scale: float
    offset_x: float
    offset_y: float

    def __call__(self, lon: float, lat: float) -> Point:
        return (
            self.offset_x + (lon - self.lon0) * self.x_scale * self.scale,
            self.offset_y + (self.lat_top - lat) * self.scale,
        )


def fit_projection(
    rings: Iterable[Sequence[Sequence[float]]],
    width: float,
    height: float | None = None,
    margin: float = 10.0,
) -> tuple[Projection, float]:
    """Fit the rings' bounding box into ``width`` × ``height`` less ``margin`` on every side.

    With no ``height`` the box is as tall as the shapes need at that width. Returns the
    projection and the height used.
    """
    lons: list[float] = []
    lats: list[float] = []
    for ring in rings:
        for point in ring:
            lons.append(float(point[0]))
            lats.append(float(point[1]))
    if not lons:
        raise ValueError("no coordinates to fit")
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * x_scale, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    inner_w = max(width - 2 * margin, 1.0)
    if height is None:
        scale = inner_w / span_x
        height = span_y * scale + 2 * margin
    else:
        scale = min(inner_w / span_x, max(height - 2 * margin, 1.0) / span_y)
    offset_x = (width - span_x * scale) / 2
    offset_y = (height - span_y * scale) / 2
    return Projection(min_lon, max_lat, x_scale, scale, offset_x, offset_y), height


@dataclass(frozen=True)
class ProjectedMap:
    """The districts in screen coordinates (y down) for a box ``width`` × ``height``."""

    width: float
    height: float
    #: district code -> rings of points
    shapes: dict[str, list[Ring]]
    #: district code -> where to centre its name (a point well inside the district)
    label_points: dict[str, Point]


def project_districts(
    width: float, height: float | None = None, margin: float = 10.0
) -> ProjectedMap:
    """Project every district into a box ``width`` wide (and ``height`` tall, if given)."""
    districts = load_districts()
    projection, used_height = fit_projection(
        (ring for d in districts.values() for ring in d["rings"]), width, height, margin
    )
    shapes = {
        code: [[projection(lon, lat) for lon, lat in ring] for ring in d["rings"]]
        for code, d in districts.items()
    }
    labels = {}
    for code, d in districts.items():
        if d.get("label"):
            labels[code] = projection(*d["label"])
        else:  # the middle of the district's bounding box
            xs = [x for ring in shapes[code] for x, _ in ring]
            ys = [y for ring in shapes[code] for _, y in ring]
            labels[code] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return ProjectedMap(width, used_height, shapes, labels)


def label_lines(name: str, max_chars: int = 12) -> list[str]:
    """A district name on one line, or two split at the space nearest the middle."""
    if len(name) <= max_chars or " " not in name:
        return [name]
    middle = len(name) / 2
    spaces = [i for i, char in enumerate(name) if char == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return [name[:cut], name[cut + 1 :]]


def _segment_key(a: Point, b: Point) -> tuple[Point, Point]:
    return (a, b) if a <= b else (b, a)


def outline_segments(rings_by_code: Mapping[str, Sequence[Ring]]) -> list[tuple[Point, Point]]:
    """The outer edge of the union of some districts: the segments no two of them share.

    The shipped boundaries were simplified arc by arc, so neighbours share identical vertices
    along their common border and those segments cancel out here.
    """
    counts: dict[tuple[Point, Point], int] = {}
    order: list[tuple[Point, Point]] = []
    for rings in rings_by_code.values():
        for ring in rings:
            for a, b in itertools.pairwise(ring):
                if a == b:
                    continue
                key = _segment_key(a, b)
                if key not in counts:
                    order.append(key)
                counts[key] = counts.get(key, 0) + 1
    return [key for key in order if counts[key] == 1]


# --------------------------------------------------------------------------------------------
# Classes and labels
# --------------------------------------------------------------------------------------------


def format_money(value: Decimal) -> str:
    """Pounds as the product shows them (`core.money.money_text`)."""
    return money_text(value)


@dataclass(frozen=True)
class ShadeClass:
    """One legend class: values from ``lower`` (inclusive) up to ``upper``."""

    lower: Decimal
    upper: Decimal
    colour: str


def _palette_for(count: int, palette: Sequence[str]) -> list[str]:
    if count == 1:
        return [palette[len(palette) // 2]]
    last = len(palette) - 1
    return [palette[round(i * last / (count - 1))] for i in range(count)]


def equal_interval_classes(
    values: Iterable[Decimal], count: int = CLASS_COUNT, palette: Sequence[str] = PALETTE
) -> list[ShadeClass]:
    """Equal-interval classes from the lowest to the highest value, in Decimal.

    Inner breaks are rounded to about three significant figures of the class width, never
    finer than the values themselves (so pounds-and-pence data get at most pence). When the
    range is too narrow for ``count`` distinct breaks at the values' precision there are
    fewer classes; one value (or all equal) gives one class.
    """
    vals = [Decimal(v) for v in values]
    if not vals:
        return []
    low, high = min(vals), max(vals)
    if low == high:
        return [ShadeClass(low, high, _palette_for(1, palette)[0])]
    data_exponent = min(min(int(v.as_tuple().exponent) for v in vals), 0)
    count = max(1, min(count, int((high - low).scaleb(-data_exponent))))
    step = (high - low) / count
    quantum = Decimal(1).scaleb(max(data_exponent, step.adjusted() - 2))
    lowers = [low] + [
        (low + step * i).quantize(quantum, rounding=ROUND_HALF_UP) for i in range(1, count)
    ]
    uppers = [*lowers[1:], high]
    colours = _palette_for(count, palette)
    return [ShadeClass(lo, up, c) for lo, up, c in zip(lowers, uppers, colours, strict=True)]


def class_index(classes: Sequence[ShadeClass], value: Decimal) -> int:
    """The class a value falls in: the last whose lower bound it reaches."""
    index = 0
    for i, shade in enumerate(classes):
        if value >= shade.lower:
            index = i
    return index


def class_label(shade: ShadeClass, value_label: ValueLabel) -> str:
    if shade.lower == shade.upper:
        return value_label(shade.lower)
    return f"{value_label(shade.lower)} to {value_label(shade.upper)}"


# --------------------------------------------------------------------------------------------
# The choropleth model shared by the SVG and the PDF
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictShade:
    code: str
    name: str
    value: Decimal | None
    fill: str
    group: str | None
    #: "Blaby: £1,234 (shared by joint partnership LLR-JOINT-BHB with Hinckley and Bosworth)"
    label: str


@dataclass(frozen=True)
class LegendEntry:
    kind: str  # "class", "none" or "group"
    label: str
    colour: str = NO_VALUE_FILL


@dataclass(frozen=True)
class ChoroplethModel:
    districts: list[DistrictShade]
    classes: list[ShadeClass]
    legend: list[LegendEntry]
    #: group code -> member district codes, in map order (only groups with two or more)
    groups: dict[str, list[str]]
    #: Plain-language summary: highest, lowest, classes, joint partnerships, missing values.
    description: str


def build_choropleth(
    values: Mapping[str, Decimal],
    *,
    value_label: ValueLabel,
    groups: Mapping[str, str] | None = None,
) -> ChoroplethModel:
    """Work out every district's value, class, colour and label, the legend and a summary.

    ``values`` is keyed by district code, and may also hold a value under a group code.
    A district in a group shows the group's value: ``values[group]`` when given, otherwise
    the sum of its members' values (the group receives what its members would have).
    Codes that are neither one of the nine districts nor a group are ignored.
    """
    districts = load_districts()
    groups = dict(groups or {})
    members: dict[str, list[str]] = {}
    for code in districts:
        group = groups.get(code)
        if group:
            members.setdefault(group, []).append(code)

    def own_value(code: str) -> Decimal | None:
        value = values.get(code)
        return None if value is None else Decimal(value)

    group_values: dict[str, Decimal | None] = {}
    for group, codes in members.items():
        if values.get(group) is not None:
            group_values[group] = Decimal(values[group])
        else:
            present = [v for v in (own_value(c) for c in codes) if v is not None]
            group_values[group] = sum(present, Decimal(0)) if present else None

    resolved: dict[str, Decimal | None] = {}
    for code in districts:
        group = groups.get(code)
        resolved[code] = group_values[group] if group else own_value(code)

    classes = equal_interval_classes(v for v in resolved.values() if v is not None)
    shades: list[DistrictShade] = []
    for code, district in districts.items():
        value = resolved[code]
        group = groups.get(code)
        fill = NO_VALUE_FILL if value is None else classes[class_index(classes, value)].colour
        text = f"{district['name']}: {'no value' if value is None else value_label(value)}"
        if group:
            partners = [districts[c]["name"] for c in members[group] if c != code]
            if partners:
                text += f" (shared by joint partnership {group} with {names_list(partners)})"
        shades.append(DistrictShade(code, district["name"], value, fill, group, text))

    legend = [LegendEntry("class", class_label(c, value_label), c.colour) for c in classes]
    if any(s.value is None for s in shades):
        legend.append(LegendEntry("none", "No value", NO_VALUE_FILL))
    joint = {g: codes for g, codes in members.items() if len(codes) > 1}
    for codes in joint.values():
        names = " + ".join(districts[c]["name"] for c in codes)
        legend.append(LegendEntry("group", f"Joint partnership, one shared value: {names}"))

    return ChoroplethModel(
        shades, classes, legend, joint, _describe(shades, classes, joint, value_label)
    )


def _describe(
    shades: Sequence[DistrictShade],
    classes: Sequence[ShadeClass],
    joint: Mapping[str, Sequence[str]],
    value_label: ValueLabel,
) -> str:
    # A joint partnership counts once, under its members' names together.
    units: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    names = {s.code: s.name for s in shades}
    for shade in shades:
        if shade.value is None:
            continue
        if shade.group is not None and shade.group in joint:
            if shade.group in seen:
                continue
            seen.add(shade.group)
            units.append((" + ".join(names[c] for c in joint[shade.group]), shade.value))
        else:
            units.append((shade.name, shade.value))
    if not units:
        return "Map of the districts of Leicester, Leicestershire and Rutland. No values to show."
    high = max(v for _, v in units)
    low = min(v for _, v in units)
    highest = names_list([n for n, v in units if v == high])
    lowest = names_list([n for n, v in units if v == low])
    parts = [f"Highest: {highest}, {value_label(high)}.", f"Lowest: {lowest}, {value_label(low)}."]
    if len(classes) > 1:
        parts.append(
            f"Districts are shaded in {len(classes)} equal bands from {value_label(low)} to "
            f"{value_label(high)}; darker means higher."
        )
    for group, codes in joint.items():
        parts.append(
            f"{' + '.join(names[c] for c in codes)} form joint partnership {group}, "
            "outlined together and sharing one value."
        )
    missing = [s.name for s in shades if s.value is None]
    if missing:
        parts.append(f"No value for {names_list(missing)}.")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Choropleth
# --------------------------------------------------------------------------------------------

_LEGEND_ROW = 24
_LEGEND_BOX = 18
_LINE = 18


def choropleth_svg(
    values: Mapping[str, Decimal],
    *,
    title: str,
    value_label: ValueLabel,
    groups: Mapping[str, str] | None = None,
    width: int = 560,
) -> str:
    """An inline SVG map of the nine LLR districts shaded by value, with a legend below.

    Five equal-interval classes of one hue; #0b0c0c 1px boundaries; joint partnerships
    (``groups``: district code -> group code) share one value and are outlined together.
    Each district has a ``<title>`` (name and value) for a tooltip; the root is
    ``role="img"`` labelled by its ``<title>`` and a ``<desc>`` naming the highest and lowest.
    """
    model = build_choropleth(values, value_label=value_label, groups=groups)
    margin = 8.0
    projected = project_districts(width, margin=margin)
    shapes = projected.shapes
    legend_top = projected.height + 8
    text_room = width - 2 * margin - _LEGEND_BOX - 8
    legend_lines = [wrap_text(entry.label, text_room, FONT_SIZE) for entry in model.legend]
    legend_h = sum(_LEGEND_ROW + (len(lines) - 1) * _LINE for lines in legend_lines)
    height = legend_top + 26 + legend_h + 4
    label_size = max(8.0, min(12.0, width / 50))
    prefix = id_prefix(
        "choropleth",
        title,
        sorted((k, str(v)) for k, v in values.items()),
        sorted((groups or {}).items()),
        width,
    )
    out = [svg_open(width, height, prefix, title, model.description, "app-choropleth")]
    out.append('<g class="app-choropleth__districts" stroke="none">')
    for shade in model.districts:
        # The fill sits on a wrapper so the boundary layers can <use> the path with no fill.
        out.append(
            f'<g fill="{shade.fill}"><path id="{prefix}-{shade.code}" data-code="{shade.code}" '
            f'fill-rule="evenodd" d="{ring_path(shapes[shade.code])}">'
            f"<title>{escape(shade.label)}</title></path></g>"
        )
    out.append("</g>")
    for colour, stroke_width in (
        (CASING_COLOUR, CASING_WIDTH),
        (STROKE, DISTRICT_STROKE_WIDTH),
    ):
        out.append(
            f'<g class="app-choropleth__boundaries" fill="none" stroke="{colour}" '
            f'stroke-width="{num(stroke_width)}" stroke-linejoin="round">'
        )
        out.extend(f'<use href="#{prefix}-{shade.code}"/>' for shade in model.districts)
        out.append("</g>")
    for group, codes in model.groups.items():
        segments = outline_segments({c: shapes[c] for c in codes})
        d = "".join(f"M{num(a[0])} {num(a[1])}L{num(b[0])} {num(b[1])}" for a, b in segments)
        out.append(
            f'<g class="app-choropleth__group" data-group={quoteattr(group)} fill="none" '
            f'stroke-linecap="round" stroke-linejoin="round">'
            f"<title>{escape('Joint partnership ' + group)}</title>"
            f'<path stroke="{CASING_COLOUR}" stroke-width="{num(GROUP_CASING_WIDTH)}" d="{d}"/>'
            f'<path stroke="{STROKE}" stroke-width="{num(GROUP_STROKE_WIDTH)}" d="{d}"/></g>'
        )

    # Names, so the map can be read without hovering (touch screens, print): dark text on a
    # white halo reads on any class colour.
    out.append(
        f'<g class="app-choropleth__labels" aria-hidden="true" pointer-events="none" '
        f'font-size="{num(label_size)}" text-anchor="middle" fill="{TEXT_COLOUR}" '
        f'stroke="{CASING_COLOUR}" stroke-width="3" stroke-linejoin="round" '
        f'paint-order="stroke">'
    )
    for shade in model.districts:
        x, y = projected.label_points[shade.code]
        lines = label_lines(shade.name)
        first_y = y - (len(lines) - 1) * label_size * 0.55 + label_size * 0.35
        tspans = "".join(
            f'<tspan x="{num(x)}" y="{num(first_y + i * label_size * 1.1)}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        out.append(f"<text>{tspans}</text>")
    out.append("</g>")

    out.append(
        f'<g class="app-choropleth__legend" transform="translate({num(margin)} '
        f'{num(legend_top)})" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        f'<text x="0" y="14" font-weight="700">Key</text>'
    )
    y = 26.0
    for entry, lines in zip(model.legend, legend_lines, strict=True):
        text_y = y + _LEGEND_BOX / 2 + FONT_SIZE * 0.35
        if entry.kind == "group":
            out.append(
                f'<rect x="1.5" y="{num(y + 1.5)}" width="{_LEGEND_BOX - 3}" '
                f'height="{_LEGEND_BOX - 3}" fill="none" stroke="{STROKE}" '
                f'stroke-width="{num(GROUP_STROKE_WIDTH - 0.5)}"/>'
            )
        else:
            out.append(
                f'<rect class="app-choropleth__key" x="0.5" y="{num(y + 0.5)}" '
                f'width="{_LEGEND_BOX - 1}" height="{_LEGEND_BOX - 1}" fill="{entry.colour}" '
                f'stroke="{STROKE}" stroke-width="1"/>'
            )
        tspans = "".join(
            f'<tspan x="{_LEGEND_BOX + 8}" y="{num(text_y + i * _LINE)}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        out.append(f"<text>{tspans}</text>")
        y += _LEGEND_ROW + (len(lines) - 1) * _LINE
    out.append("</g></svg>")
    return "".join(out)
