"""The sheet writer: every workbook it writes is read back through openpyxl, cell by cell."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from commissioning.core.xlsx import SheetWriter, column_letters

FORMAT = "#,##0.00;[Red]-#,##0.00"


def written(rows, *, title="Sheet & co", formatted=None, bold_rows=()):
    out = io.BytesIO()
    with SheetWriter(out, title, number_format=FORMAT) as sheet:
        for n, row in enumerate(rows):
            sheet.append(row, bold=n in bold_rows, formatted=formatted)
    return out.getvalue()


def test_column_letters():
    assert [column_letters(n) for n in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_values_read_back_as_written():
    when = dt.datetime(2026, 12, 7, 13, 30, 15)
    rows = [
        ["Name", "Amount", "Count", "Paid on", "At", "Open"],
        ["A & B <Ltd>", Decimal("1234.50"), 7, dt.date(2026, 4, 1), when, True],
        ["=SUM(B2:B3)", Decimal("-20"), None, "", None, False],
        ["  padded  ", 0.25, 3],
    ]
    book = load_workbook(io.BytesIO(written(rows, bold_rows={0})))
    sheet = book.active
    assert sheet.title == "Sheet & co"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == rows[0]
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b

    assert sheet["A2"].value == "A & B <Ltd>"
    assert sheet["B2"].value == 1234.5 and sheet["B2"].number_format == FORMAT
    assert sheet["C2"].value == 7 and sheet["C2"].number_format == FORMAT
    assert (
        sheet["D2"].value == dt.datetime(2026, 4, 1) and sheet["D2"].number_format == "yyyy-mm-dd"
    )
    assert sheet["E2"].value == when and sheet["E2"].is_date
    assert sheet["F2"].value is True and sheet["F3"].value is False

    # Text that looks like a formula stays text; empty values leave empty cells.
    assert sheet["A3"].value == "=SUM(B2:B3)" and sheet["A3"].data_type == "s"
    assert sheet["B3"].value == -20
    assert sheet["C3"].value is None and sheet["D3"].value is None and sheet["E3"].value is None
    assert sheet["A4"].value == "  padded  "  # spaces kept
    assert sheet.max_row == 4


def test_only_the_columns_named_take_the_number_format():
    book = load_workbook(io.BytesIO(written([["a", "b"], [5, Decimal("5.5")]], formatted={1})))
    sheet = book.active
    assert sheet["A2"].number_format == "General" and sheet["A2"].value == 5
    assert sheet["B2"].number_format == FORMAT and sheet["B2"].value == 5.5


def test_a_bold_row_is_bold_across_its_empty_cells():
    sheet = load_workbook(io.BytesIO(written([["a", "b", "c"], ["Total", "", 10]], bold_rows={1})))
    row = sheet.active[2]
    assert [c.value for c in row] == ["Total", None, 10]
    assert all(c.font.b for c in row)


def test_characters_xml_cannot_carry_are_replaced_not_refused():
    sheet = load_workbook(io.BytesIO(written([["bell\x07here", "tab\tand\nline"]]))).active
    assert sheet["A1"].value == "bell\ufffdhere"
    assert sheet["B1"].value == "tab\tand\nline"


def test_many_rows_and_columns_in_bounded_pieces():
    rows = [[f"r{r}c{c}" for c in range(30)] for r in range(2500)]
    data = written(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert "xl/worksheets/sheet1.xml" in zf.namelist()
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    assert got == rows


def test_anything_else_is_written_as_its_text():
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    sheet = load_workbook(io.BytesIO(written([[key, "   "]]))).active
    assert sheet["A1"].value == str(key) and sheet["A1"].data_type == "s"
    assert sheet["B1"].value == "   "


def test_a_date_with_a_time_zone_is_refused():
    with pytest.raises(TypeError, match="time zone"):
        written([[dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]])
