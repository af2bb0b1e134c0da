"""The pack's XLSX, PDF and JSON: the same figures as the page, and nothing about a person."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from commissioning.core.roles import Role
from commissioning.scrutiny import exports
from commissioning.scrutiny.selectors import outcomes_pack

pytestmark = pytest.mark.django_db

PEOPLE = ("Sam Signatory", "Test police_crime_panel", "Test partner")


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("the PDF tests need pdftotext (poppler-utils)")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_the_xlsx_has_the_figures_in_cells(client, user_with, handmade):
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    response = client.get(reverse("outcomes-pack-download", args=["2031-32", "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="panel-pack-2031-32.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Outcomes 2031-32",
        "Year on year",
        "Intentions 2031-32",
        "Intentions by year",
        "Reoffending cohorts",
        "Notes",
    ]
    ws = book["Outcomes 2031-32"]
    header = [c.value for c in ws[4]]
    rows = {
        r[1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=5, values_only=True)
    }
    sp1 = rows["SP1 Preventing and diverting young people from offending"]
    assert sp1["Measures"] == 2
    assert D(str(sp1["Number: target for the year"])) == 40
    assert D(str(sp1["Number: actual"])) == 20
    assert D(str(sp1["Percentage (mean): actual"])) == 80
    assert D(str(sp1["Budget for the year"])) == D("6666.67")
    assert sp1["Returns rated amber"] == 2
    total = rows["Total"]
    assert D(str(total["Spent (returns accepted)"])) == 4900
    assert D(str(total["Budget for the year"])) == 13000
    assert D(str(rows["Not linked to a priority"]["Returns rated red"])) == 1
    theme_total = rows["Total Theme 1: Reducing offending and re-offending"]
    assert D(str(theme_total["Achieved (numbers) %"])) == D("96.7")
    intentions = book["Intentions 2031-32"]
    found = {r[0] or r[1]: r for r in intentions.iter_rows(min_row=5, values_only=True)}
    assert D(str(found["CI006"][3])) == 10000 and D(str(found["CI006"][5])) == 2500
    assert D(str(found["Total"][3])) == 17000
    text = " ".join(
        str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c
    )
    assert not any(name in text for name in PEOPLE) and "@" not in text


def test_the_pdf_has_the_headings_and_the_totals(client, user_with, handmade):
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    response = client.get(reverse("outcomes-pack-download", args=["2031-32", "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for heading in (
        "REPORT TO THE POLICE AND CRIME PANEL",
        "Theme 1: Reducing offending and re-offending: targets and actuals",
        "spend against budget, and ratings of accepted returns",
        "Commissioning intentions: the plan's estimates and the ledger, 2031/32",
        "How the pack counts",
    ):
        assert heading in text, heading
    total_line = next(
        line for line in text.splitlines() if line.strip().startswith("Total ") and "£4,900" in line
    )
    assert "£13,000" in total_line and "£5,750" in total_line
    assert "£17,000" in text  # committed in the ledger for the year
    assert not any(name in text for name in PEOPLE) and "@" not in text


def test_the_json_is_exact(handmade):
    data = json.loads(exports.pack_json_text(outcomes_pack(handmade.year)))
    assert data["year"] == "2031/32" and data["agreements"] == 2
    assert data["total"]["spent"] == "4900.00" and data["total"]["budget"] == "13000.00"
    sp2 = data["themes"][0]["priorities"][1]
    assert sp2["code"] == "SP2" and sp2["units"][0]["actual"] == "9.00"
    assert data["not_linked_to_a_priority"]["ratings"]["red"] == 1
    assert data["intentions"]["total"]["committed"] == "17000.00"
    assert data["year_on_year"]["years"] == ["2031/32"]


def test_each_format_is_made_from_the_same_pack(handmade):
    pack = outcomes_pack(handmade.year)
    assert exports.pack_filename(pack, "pdf") == "panel-pack-2031-32.pdf"
    assert isinstance(exports.pack_file(pack, "xlsx"), bytes)
    with pytest.raises(ValueError, match="xlsx, pdf or json"):
        exports.pack_file(pack, "csv")
