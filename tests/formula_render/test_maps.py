"""The choropleth and bar-chart SVGs: well-formed, accessible, Decimal-exact, self-contained."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from commissioning.core.charts import bar_chart_svg
from commissioning.formula import maps
from commissioning.formula.maps import (
    DATA_FILE,
    NO_VALUE_FILL,
    PALETTE,
    build_choropleth,
    choropleth_svg,
    class_index,
    equal_interval_classes,
    format_money,
    load_districts,
    outline_segments,
    project_districts,
)

SVG = "{http://www.w3.org/2000/svg}"
NAMES = {
    "E06000016": "Leicester",
    "E06000017": "Rutland",
    "E07000129": "Blaby",
    "E07000130": "Charnwood",
    "E07000131": "Harborough",
    "E07000132": "Hinckley and Bosworth",
    "E07000133": "Melton",
    "E07000134": "North West Leicestershire",
    "E07000135": "Oadby and Wigston",
}
VALUES = {
    "E06000016": Decimal("4123456.78"),
    "E06000017": Decimal("350000.00"),
    "E07000129": Decimal("900000.00"),
    "E07000130": Decimal("1800000.00"),
    "E07000131": Decimal("700000.00"),
    "E07000132": Decimal("850000.00"),
    "E07000133": Decimal("400000.00"),
    "E07000134": Decimal("1100000.00"),
    "E07000135": Decimal("600000.00"),
}
BHB = {"E07000129": "LLR-JOINT-BHB", "E07000132": "LLR-JOINT-BHB"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def district_paths(root: ET.Element) -> dict[str, ET.Element]:
    return {p.get("data-code"): p for p in root.iter(f"{SVG}path") if p.get("data-code")}


def fill_of(root: ET.Element, code: str) -> str:
    """Fills sit on each path's wrapping <g>, so the boundary layers can reuse the path."""
    for g in root.iter(f"{SVG}g"):
        for child in g:
            if child.tag == f"{SVG}path" and child.get("data-code") == code:
                return g.get("fill", "")
    raise AssertionError(code)


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


# --- boundaries -----------------------------------------------------------------------------


def test_shipped_boundaries_have_the_nine_districts_and_stay_small():
    districts = load_districts()
    assert {code: d["name"] for code, d in districts.items()} == NAMES
    for d in districts.values():
        assert d["rings"] and all(len(r) >= 4 and r[0] == r[-1] for r in d["rings"])
        for lon, lat in (p for r in d["rings"] for p in r):
            assert -1.7 < lon < -0.4 and 52.3 < lat < 53.0
    assert DATA_FILE.stat().st_size < 150_000
    assert (DATA_FILE.parent / "ATTRIBUTION.md").read_text().count("Crown copyright") == 1


def test_load_districts_returns_a_fresh_copy():
    load_districts()["E06000016"]["name"] = "changed"
    assert load_districts()["E06000016"]["name"] == "Leicester"


def test_projection_fits_the_box_and_neighbours_share_borders():
    projected = project_districts(500, margin=10)
    xs = [x for rings in projected.shapes.values() for r in rings for x, _ in r]
    ys = [y for rings in projected.shapes.values() for r in rings for _, y in r]
    assert min(xs) == pytest.approx(10) and max(xs) == pytest.approx(490)
    assert min(ys) == pytest.approx(10) and max(ys) == pytest.approx(projected.height - 10)
    # cos(latitude) scaling: LLR is a little wider than tall on the page
    assert 0.7 < projected.height / 500 < 0.95
    # Blaby and Hinckley share a border, which drops out of their joint outline
    both = {c: projected.shapes[c] for c in ("E07000129", "E07000132")}
    own = sum(len(r) - 1 for rings in both.values() for r in rings)
    assert 0 < len(outline_segments(both)) < own - 50


# --- classes --------------------------------------------------------------------------------


def test_each_class_is_told_apart_from_the_next_and_from_no_value():
    assert len(PALETTE) == 5
    lums = [luminance(c) for c in PALETTE]
    assert lums == sorted(lums, reverse=True)  # lightest to darkest
    steps = [NO_VALUE_FILL, *PALETTE]
    for lighter, darker in itertools.pairwise(steps):
        assert contrast(lighter, darker) >= 1.5, (lighter, darker)


def test_equal_interval_classes_are_decimal_and_cover_the_range():
    values = list(VALUES.values())
    classes = equal_interval_classes(values)
    assert len(classes) == 5
    assert classes[0].lower == min(values) and classes[-1].upper == max(values)
    for a, b in itertools.pairwise(classes):
        assert isinstance(a.upper, Decimal) and a.upper == b.lower
    widths = [c.upper - c.lower for c in classes]
    assert max(widths) - min(widths) < Decimal("2000")  # equal, give or take rounding
    assert class_index(classes, min(values)) == 0
    assert class_index(classes, max(values)) == 4
    assert [c.colour for c in classes] == list(PALETTE)


def test_equal_values_make_one_class_and_narrow_ranges_fewer():
    assert len(equal_interval_classes([Decimal("5"), Decimal("5")])) == 1
    assert len(equal_interval_classes([Decimal("1.00"), Decimal("1.02")])) == 2
    assert equal_interval_classes([]) == []


# --- choropleth -----------------------------------------------------------------------------


def test_choropleth_is_well_formed_accessible_svg_with_nine_titled_districts():
    svg = choropleth_svg(VALUES, title="Allocation by district", value_label=format_money)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert by_id[title_id].tag == f"{SVG}title"
    assert by_id[title_id].text == "Allocation by district"
    desc = by_id[desc_id]
    assert desc.tag == f"{SVG}desc"
    assert "Highest: Leicester, £4,123,456.78." in desc.text
    assert "Lowest: Rutland, £350,000." in desc.text

    paths = district_paths(root)
    assert set(paths) == set(NAMES)
    for code, path in paths.items():
        title = path.find(f"{SVG}title")
        assert title is not None
        assert title.text == f"{NAMES[code]}: {format_money(VALUES[code])}"
        assert re.fullmatch(r"(M[-\d. L]+Z)+", path.get("d"))
    assert fill_of(root, "E06000016") == PALETTE[-1]
    assert fill_of(root, "E06000017") == PALETTE[0]

    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "app-choropleth__legend")
    keys = [r for r in legend.iter(f"{SVG}rect") if r.get("class") == "app-choropleth__key"]
    assert [k.get("fill") for k in keys] == list(PALETTE)
    texts = ["".join(t.itertext()) for t in legend.iter(f"{SVG}text")]
    assert texts[0] == "Key"
    assert texts[1].startswith("£350,000 to ")
    assert texts[-1].endswith(" to £4,123,456.78")
    # boundary lines: white casing under 1px #0b0c0c
    strokes = [
        (g.get("stroke"), g.get("stroke-width"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "app-choropleth__boundaries"
    ]
    assert strokes == [("#ffffff", "3"), ("#0b0c0c", "1")]
    # names are drawn on the map too (hidden from assistive technology: the desc covers it)
    labels = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "app-choropleth__labels")
    assert labels.get("aria-hidden") == "true"
    assert "Leicester" in "".join(labels.itertext())


def test_choropleth_references_nothing_outside_itself():
    svg = choropleth_svg(VALUES, title="t", value_label=format_money, groups=BHB)
    svg += bar_chart_svg(
        [("a", Decimal(1))], title="t", value_label=str, compare=[("a", Decimal(2))]
    )
    assert "xlink" not in svg and "<image" not in svg and "@import" not in svg
    assert re.findall(r"https?://[^\"]*", svg) == ["http://www.w3.org/2000/svg"] * 2
    for ref in re.findall(r'href="([^"]*)"', svg) + re.findall(r"url\(([^)]*)\)", svg):
        assert ref.startswith("#")


def test_joint_partnership_members_share_the_sum_of_their_values():
    svg = choropleth_svg(VALUES, title="t", value_label=format_money, groups=BHB)
    root = parse(svg)
    paths = district_paths(root)
    joint = format_money(VALUES["E07000129"] + VALUES["E07000132"])  # £1,750,000
    for code in ("E07000129", "E07000132"):
        assert paths[code].find(f"{SVG}title").text.startswith(f"{NAMES[code]}: {joint} ")
        assert "joint partnership LLR-JOINT-BHB" in paths[code].find(f"{SVG}title").text
    assert fill_of(root, "E07000129") == fill_of(root, "E07000132")
    outlines = [g for g in root.iter(f"{SVG}g") if g.get("data-group") == "LLR-JOINT-BHB"]
    assert len(outlines) == 1
    widths = [p.get("stroke-width") for p in outlines[0].iter(f"{SVG}path")]
    assert float(widths[-1]) > 1  # thicker than the district lines
    assert "Blaby + Hinckley and Bosworth" in "".join(root.itertext())
    assert "joint partnership LLR-JOINT-BHB" in root.find(f"{SVG}desc").text


def test_a_value_under_the_group_code_wins_over_members_values():
    values = {**VALUES, "LLR-JOINT-BHB": Decimal("2000000.01")}
    model = build_choropleth(values, value_label=format_money, groups=BHB)
    shared = {s.code: s.value for s in model.districts if s.group}
    assert shared == {"E07000129": Decimal("2000000.01"), "E07000132": Decimal("2000000.01")}
    # the joint partnership counts once in the summary
    model = build_choropleth(
        {**VALUES, "LLR-JOINT-BHB": Decimal("9000000")}, value_label=format_money, groups=BHB
    )
    assert "Highest: Blaby + Hinckley and Bosworth, £9,000,000." in model.description


def test_missing_values_are_white_and_named():
    values = {k: v for k, v in VALUES.items() if k != "E06000017"}
    root = parse(choropleth_svg(values, title="t", value_label=format_money))
    assert fill_of(root, "E06000017") == "#ffffff"
    assert district_paths(root)["E06000017"].find(f"{SVG}title").text == "Rutland: no value"
    assert "No value for Rutland." in root.find(f"{SVG}desc").text
    assert "No value" in "".join(root.itertext())


def test_labels_get_decimals_and_text_is_escaped():
    seen: list[type] = []

    def label(value: Decimal) -> str:
        seen.append(type(value))
        return f"<{value}> & co"

    values = {"E06000016": Decimal("0.1") + Decimal("0.2"), "E06000017": Decimal("0.7")}
    svg = choropleth_svg(values, title="A & B <map>", value_label=label)
    root = parse(svg)
    assert seen and set(seen) == {Decimal}
    assert district_paths(root)["E06000016"].find(f"{SVG}title").text == "Leicester: <0.3> & co"
    assert root.find(f"{SVG}title").text == "A & B <map>"


def test_different_charts_get_different_ids():
    a = parse(choropleth_svg(VALUES, title="a", value_label=format_money))
    b = parse(choropleth_svg(VALUES, title="b", value_label=format_money))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")


# --- bar chart ------------------------------------------------------------------------------


ROWS = [(NAMES[c], v) for c, v in sorted(VALUES.items(), key=lambda kv: -kv[1])]


def bar_rows(root: ET.Element) -> list[ET.Element]:
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "app-bar-chart__rows")
    return [g for g in group if g.tag == f"{SVG}g"]


def test_bar_chart_without_comparison():
    svg = bar_chart_svg(ROWS, title="Allocation by district", value_label=format_money)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Allocation by district"
    desc = root.find(f"{SVG}desc").text
    assert "Highest: Leicester, £4,123,456.78." in desc and "Lowest: Rutland, £350,000." in desc
    rows = bar_rows(root)
    assert [r.find(f"{SVG}title").text for r in rows] == [
        f"{name}: {format_money(v)}" for name, v in ROWS
    ]
    texts = [[t.text for t in r.iter(f"{SVG}text")] for r in rows]
    assert texts[0] == ["Leicester", "£4,123,456.78"]  # label left, value right, given order
    widths = [float(r.find(f"{SVG}rect").get("width")) for r in rows]
    assert widths == sorted(widths, reverse=True)
    assert widths[0] / widths[-1] == pytest.approx(float(ROWS[0][1] / ROWS[-1][1]), rel=0.01)
    assert "pattern" not in svg
    width = float(root.get("width"))
    for r in rows:
        x = float(r.find(f"{SVG}rect").get("x"))
        assert 0 < x and x + float(r.find(f"{SVG}rect").get("width")) < width


def test_bar_chart_with_comparison_uses_a_hatched_outlined_bar():
    compare = [(name, v - Decimal("1000.50")) for name, v in ROWS[:-1]]  # Rutland has none
    svg = bar_chart_svg(
        ROWS,
        title="Allocation",
        value_label=format_money,
        compare=compare,
        compare_label="2024/25",
        label="2025/26",
    )
    root = parse(svg)
    pattern = next(root.iter(f"{SVG}pattern"))
    rows = bar_rows(root)
    first = rows[0].findall(f"{SVG}rect")
    assert len(first) == 2
    assert first[1].get("fill") == f"url(#{pattern.get('id')})"
    assert first[1].get("stroke") == "#0b0c0c"  # outlined: not told apart by colour alone
    assert rows[0].find(f"{SVG}title").text == "Leicester: £4,123,456.78; 2024/25: £4,122,456.28"
    assert len(rows[-1].findall(f"{SVG}rect")) == 1
    key = "".join(
        next(g for g in root.iter(f"{SVG}g") if g.get("class") == "app-bar-chart__key").itertext()
    )
    assert "2025/26" in key and "2024/25" in key
    assert "2024/25" in root.find(f"{SVG}desc").text


def test_bar_chart_handles_negative_and_zero_values():
    rows = [("Up", Decimal("10")), ("Zero", Decimal("0")), ("Down", Decimal("-5"))]
    root = parse(bar_chart_svg(rows, title="Change", value_label=format_money))
    rects = [r.findall(f"{SVG}rect") for r in bar_rows(root)]
    assert [len(r) for r in rects] == [1, 0, 1]
    up, down = rects[0][0], rects[2][0]
    assert float(down.get("x")) + float(down.get("width")) == pytest.approx(
        float(up.get("x")), abs=0.11
    )
    assert "−£5" in "".join(root.itertext())


def test_format_money_matches_the_product():
    assert format_money(Decimal("1234")) == "£1,234"
    assert format_money(Decimal("1234.5")) == "£1,234.50"
    assert format_money(Decimal("-5")) == "\u2212£5"
    assert maps.format_money(Decimal("0.005")) == "£0.01"


def test_a_long_name_in_a_bar_chart_wraps_instead_of_being_cut_off():
    """The label column takes at most 40% of the chart: a longer name ("Blaby with Hinckley
    and Bosworth" at 560 px) goes onto two lines, each starting inside the chart, and its
    row is taller by a line."""
    import re

    from commissioning.core.svg import text_width

    long = "Blaby with Hinckley and Bosworth"
    rows = [("Rutland", Decimal("100")), (long, Decimal("300"))]
    svg = bar_chart_svg(rows, title="Allocations", value_label=str, width=560)
    short = bar_chart_svg(
        [("Rutland", Decimal("100")), ("Melton", Decimal("300"))],
        title="Allocations",
        value_label=str,
        width=560,
    )
    lines = re.findall(r"<tspan [^>]*>([^<]*)</tspan>", svg)
    assert " ".join(lines) == long and len(lines) == 2
    label_w = 560 * 0.4
    assert all(text_width(line, 16) <= label_w for line in lines)
    height = lambda s: float(re.search(r'height="([\d.]+)"', s).group(1))  # noqa: E731
    assert height(svg) > height(short)
    assert long not in re.findall(r"<text [^>]*>([^<]*)</text>", svg)
