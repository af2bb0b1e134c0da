"""`table_response`: the same columns and records as CSV, XLSX or JSON, amounts exact, as a
download that browsers will not sniff; any other format is a 404."""

import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.http import Http404
from openpyxl import load_workbook

from commissioning.core.downloads import file_response, sheet_title, table_response, to_xlsx

COLUMNS = ["row_type", "organisation", "H1", "total"]
RECORDS = [
    {
        "row_type": "allocation",
        "organisation": "Alpha Trust",
        "H1": D("1000.5"),
        "total": D("1000.50"),
    },
    {"row_type": "allocation", "organisation": "Bêta, “Council”", "H1": D("0"), "total": D("2")},
    {"row_type": "total", "organisation": "", "H1": D("1000.50"), "total": D("1002.50")},
]


def test_csv():
    response = table_response(COLUMNS, RECORDS, fmt="csv", name="by-org", title="By organisation")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="by-org.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [
        COLUMNS,
        ["allocation", "Alpha Trust", "1000.50", "1000.50"],
        ["allocation", "Bêta, “Council”", "0.00", "2.00"],
        ["total", "", "1000.50", "1002.50"],
    ]


def test_json_carries_amounts_as_exact_strings_and_the_meta():
    response = table_response(
        COLUMNS, RECORDS, fmt="json", name="by-org", title="By organisation", year="2013/14"
    )
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="by-org.json"'
    assert response["X-Content-Type-Options"] == "nosniff"
    data = json.loads(response.content)
    assert data["title"] == "By organisation" and data["year"] == "2013/14"
    assert data["columns"] == COLUMNS
    assert data["rows"][0] == {
        "row_type": "allocation",
        "organisation": "Alpha Trust",
        "H1": "1000.50",
        "total": "1000.50",
    }
    assert [r["total"] for r in data["rows"]] == ["1000.50", "2.00", "1002.50"]
    assert data["rows"][1]["organisation"] == "Bêta, “Council”"


def test_xlsx_has_numbers_with_a_money_format():
    response = table_response(COLUMNS, RECORDS, fmt="xlsx", name="by-org", title="By organisation")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="by-org.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "By organisation"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == COLUMNS
    assert rows[1][:2] == ["allocation", "Alpha Trust"]
    assert D(str(rows[1][3])) == D("1000.50")
    assert D(str(rows[3][3])) == D("1002.50")
    assert sheet["D2"].number_format.startswith("#,##0.00")
    assert sheet["A1"].font.bold and sheet["D4"].font.bold  # the header and the total row
    assert not sheet["D2"].font.bold


def test_a_long_title_is_cut_to_a_sheet_name():
    response = table_response(COLUMNS, [], fmt="xlsx", name="t", title="x" * 40)
    assert load_workbook(io.BytesIO(response.content)).active.title == "x" * 31


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xls", "", "html"])
def test_any_other_format_is_a_404(fmt):
    with pytest.raises(Http404):
        table_response(COLUMNS, RECORDS, fmt=fmt, name="by-org", title="By organisation")


def test_an_empty_table_still_has_its_header():
    response = table_response(COLUMNS, [], fmt="csv", name="empty", title="Empty")
    assert response.content.decode() == "row_type,organisation,H1,total\n"


def test_file_response_downloads_or_shows_inline():
    download = file_response(b"%PDF-1.4", filename="r.pdf", content_type="application/pdf")
    assert download["Content-Disposition"] == 'attachment; filename="r.pdf"'
    assert download.content == b"%PDF-1.4"
    inline = file_response(b"%PDF", filename="r.pdf", content_type="application/pdf", inline=True)
    assert inline["Content-Disposition"] == 'inline; filename="r.pdf"'
    assert inline["X-Content-Type-Options"] == "nosniff"


def test_a_year_label_with_a_slash_makes_a_sheet_excel_accepts():
    content = to_xlsx(["a"], [{"a": 1}], title="Reconciliation 2016/17: findings [all]")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet.title == "Reconciliation 2016-17- finding"
    assert sheet_title("") == "Sheet"


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x.example","Click")', "+1+2", "-2+3", "@SUM(A1)"]
)
def test_text_that_a_spreadsheet_would_run_is_written_as_text(text):
    import io

    from openpyxl import load_workbook

    from commissioning.core.downloads import to_csv, to_json, to_xlsx

    records = [{"initiative": text, "amount": D("-5.00")}]
    csv_text = to_csv(["initiative", "amount"], records)
    assert csv_text.splitlines()[1].startswith(("'", "\"'"))  # after an apostrophe
    assert csv_text.splitlines()[1].endswith(",-5.00")  # an amount stays a number
    sheet = load_workbook(io.BytesIO(to_xlsx(["initiative", "amount"], records, "T"))).active
    cell = sheet["A2"]
    assert cell.value == text and cell.data_type == "s"  # text, not a formula
    assert sheet["B2"].value == -5
    assert f'"initiative": {json.dumps(text)}' in to_json(["initiative", "amount"], records)
