"""The formula run report PDF: metadata, text, tables and the map."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from commissioning.formula.maps import format_money
from commissioning.formula.report_pdf import is_numeric_text, map_drawing, run_report_pdf

VALUES = {
    "E06000016": Decimal("4123456.78"),
    "E06000017": Decimal("350000"),
    "E07000129": Decimal("900000"),
    "E07000130": Decimal("1800000"),
    "E07000131": Decimal("700000"),
    "E07000132": Decimal("850000"),
    "E07000133": Decimal("400000"),
    "E07000134": Decimal("1100000"),
    "E07000135": Decimal("600000"),
}
NAMES = [
    "Leicester",
    "Rutland",
    "Blaby",
    "Charnwood",
    "Harborough",
    "Hinckley and Bosworth",
    "Melton",
    "North West Leicestershire",
    "Oadby and Wigston",
]
TITLE = "Community safety fund allocation 2025/26"


def report_data(rows: int = 9) -> dict:
    table_rows = [
        [NAMES[i % 9], format_money(v), "12.5%"]
        for i, v in enumerate(list(VALUES.values()) * (rows // 9 + 1))
    ][:rows]
    return {
        "title": TITLE,
        "subtitle": "Needs-based formula",
        "organisation": "Office of the Police and Crime Commissioner for Leicestershire",
        "generated": "2025-06-01",
        "method": ["Each district's share is its weighted need over the total, times the fund."],
        "parameters": [("Fund", "£10,000,000"), ("Floor", "\u22122.5% on last year")],
        "inputs": [
            ("Recorded crime", "April 2023 to March 2024 (12 months)"),
            ("SHA-256", "9f2c4a0b7d1e3f5a6b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"),
        ],
        "table": {
            "columns": ["District", "Allocation", "Share"],
            "rows": table_rows,
            "total": ["Total", "£9,923,456.78", "100.0%"],
        },
        "areas_geo_values": VALUES,
        "groups": {"E07000129": "LLR-JOINT-BHB", "E07000132": "LLR-JOINT-BHB"},
        "comparison": {
            "title": "Compared with 2024/25",
            "columns": ["District", "2024/25", "2025/26"],
            "rows": [["Leicester", "£4,000,000", "£4,123,456.78"]],
        },
        "notes": ["Figures are rounded to the nearest pound."],
        "attribution": ["Crime data: Home Office."],
    }


def pdf_text(pdf: bytes, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", *args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def test_pdf_starts_with_header_and_has_metadata():
    pdf = run_report_pdf(report_data())
    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    info = dict(re.findall(rb"/(Title|Author|Subject) \((.*?)\)", pdf))
    assert info[b"Title"] == TITLE.encode()
    assert info[b"Author"].startswith(b"Office of the Police")
    assert info[b"Subject"] == b"Needs-based formula"
    assert b"/Lang (en-GB)" in pdf


@needs_poppler
def test_pdf_text_has_title_figures_districts_and_attribution():
    text = pdf_text(run_report_pdf(report_data()))
    assert TITLE in text
    assert "Generated 1 June 2025" in text
    assert "Leicester" in text and "Hinckley and" in text
    assert "£4,123,456.78" in text
    assert "\u20132.5% on last year" in text  # the minus sign, as Helvetica can draw it
    assert "Crown copyright" in text  # the boundary attribution comes with the map
    assert "Highest: Leicester" in text  # the map's text summary
    assert re.search(r"Page 1 of \d", text)


@needs_poppler
def test_numbers_are_right_aligned_and_the_header_repeats():
    pdf = run_report_pdf(report_data(rows=120))
    first = pdf_text(pdf, "-f", "1", "-l", "1")
    assert "Results" in first  # a long table starts on the page it is reached, and splits
    # right-aligned: amounts of different widths share their right edge
    boxes = re.findall(
        r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(£[\d,.]+)</word>',
        pdf_text(pdf, "-bbox", "-f", "1", "-l", "1"),
    )
    table = [(float(x0), float(x1), word) for x0, x1, word in boxes if word != "£10,000,000"]
    assert len(table) >= 9 and len({word for *_, word in table}) > 3
    assert max(x1 for _, x1, _ in table) - min(x1 for _, x1, _ in table) < 0.5
    assert max(x0 for x0, _, _ in table) - min(x0 for x0, _, _ in table) > 5
    second = pdf_text(pdf, "-f", "2", "-l", "2")
    assert re.search(r"District\s+Allocation\s+Share", second)


def test_minimal_report_and_no_map():
    pdf = run_report_pdf({"title": "Just a title"})
    assert pdf.startswith(b"%PDF")
    assert b"/Title (Just a title)" in pdf
    assert b"Crown copyright" not in pdf


def test_map_drawing_shares_the_svg_model():
    drawing, summary = map_drawing(VALUES, width=480)
    assert drawing.width == 480 and drawing.height > 200
    assert summary.startswith("Highest: Leicester, £4,123,456.78.")


@pytest.mark.parametrize(
    ("text", "numeric"),
    [
        ("£1,234", True),
        ("\u2212£1,234.56", True),
        ("12.5%", True),
        ("(1,234)", True),
        ("0", True),
        ("Leicester", False),
        ("2024/25", False),
        ("E06000016", False),
        ("", False),
    ],
)
def test_numeric_cells(text, numeric):
    assert is_numeric_text(text) is numeric


@needs_poppler
def test_a_wide_table_shrinks_to_stay_inside_the_margins():
    columns = ["Partnership", *[f"Allocation {n}" for n in range(8)]]
    rows = [["North West Leicestershire Community Safety Partnership", *["£1,234,567.89"] * 8]]
    pdf = run_report_pdf({"title": "Wide", "table": {"columns": columns, "rows": rows}})
    right_edges = [
        float(x)
        for x in re.findall(r'xMax="([\d.]+)"', pdf_text(pdf, "-bbox", "-f", "1", "-l", "1"))
    ]
    a4_width, margin = 595.27, 18 * 72 / 25.4
    assert max(right_edges) <= a4_width - margin + 1
