"""Importing allocations: a report naming every bad row and field, and nothing written
unless every row is good."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from commissioning.budgets.importing import import_allocations
from commissioning.budgets.models import Allocation, LedgerEntry
from commissioning.budgets.selectors import allocation_lines, year_get
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db

HEADER = "organisation,initiative,mechanism,theme,primary_priority,status,H1,H2\n"
GOOD = (
    HEADER
    + 'Catch22,Victim support,direct,2,SP9,committed,"1,000",500.50\n'
    + "Leicester City Council,Youth diversion,Co-commissioning with existing commissioners,"
    + "Reducing offending and re-offending,SP1,indicative,250,250\n"
)


def run(year, text, name="allocations.csv", actor=COMMAND_LINE):
    return import_allocations(actor=actor, year=year, filename=name, content=text.encode())


def counts():
    return Allocation.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count()


def test_good_file_imports_every_row(year, officer):
    report = run(year, GOOD, actor=officer)
    assert report.ok, report.problems
    assert len(report.created) == 2
    lines = {l.initiative: l for l in allocation_lines(year)}
    assert lines["Victim support"].amounts == {"H1": D("1000.00"), "H2": D("500.50")}
    assert lines["Victim support"].theme == "Supporting victims and witnesses"
    assert lines["Youth diversion"].status == "indicative"


@pytest.mark.parametrize(
    ("bad_line", "field", "message"),
    [
        ("Nobody Ltd,X,direct,,,committed,1,1", "organisation", "not a known organisation"),
        ("Catch22,X,lottery,,,committed,1,1", "mechanism", "not a funding mechanism"),
        ("Catch22,X,direct,9,,committed,1,1", "theme", "not a theme"),
        ("Catch22,X,direct,,SP99,committed,1,1", "primary_priority", "not a strategic priority"),
        # SP9 is a priority of theme 2: refused where it is entered, naming the field
        ("Catch22,X,direct,1,SP9,committed,1,1", "primary_priority", "belongs to another theme"),
        ("Catch22,X,direct,,,committed,ten,1", "h1", "not an amount"),
        ("Catch22,X,direct,,,committed,-5,1", "h1", "negative"),
        ("Catch22,X,direct,,,maybe,1,1", "status", "not indicative or committed"),
        ("Catch22,,direct,,,committed,1,1", "initiative", "blank"),
        ("Catch22,Victim support,direct,,,committed,1,1", "initiative", "duplicates row 2"),
        # once a server error (the CSV reader's 131,072-character limit)
        ("Catch22," + "x" * 200_000 + ",direct,,,committed,1,1", "initiative", "at most 2,000"),
        ("Catch22,X,direct,,,committed,1e309,1", "h1", "not an amount of money"),
        ('Catch22,X,direct,,,committed,"1,2,3",1', "h1", "not an amount of money"),
    ],
)
def test_one_bad_row_names_row_and_field_and_writes_nothing(year, bad_line, field, message):
    before = counts()
    report = run(year, GOOD + bad_line + "\n")
    assert not report.ok and report.created == []
    problem = next(p for p in report.problems if p.field == field)
    assert problem.row == 4 and message in problem.message, report.problems
    assert f"Row 4, {field}:" in str(problem)
    assert counts() == before


def test_period_outside_the_year_is_refused(year):
    text = "organisation,initiative,mechanism,2030-04..2030-09\nCatch22,X,direct,100\n"
    report = run(year, text)
    (problem,) = report.problems
    assert problem.field == "2030-04..2030-09" and "outside the financial year" in problem.message


def test_month_range_inside_the_year_is_a_period(year):
    text = "organisation,initiative,mechanism,2031-10..2032-03\nCatch22,Winter,direct,100\n"
    report = run(year, text)
    assert report.ok, report.problems
    (line,) = [l for l in allocation_lines(year) if l.initiative == "Winter"]
    assert line.amounts == {"H2": D("100.00")}


def test_year_column_must_match_and_existing_allocation_is_a_duplicate(year):
    run(year, GOOD)
    report = run(
        year,
        HEADER.replace("organisation", "year,organisation")
        + "2030/31,Catch22,Victim support,direct,,,committed,1,1\n",
    )
    fields = {p.field for p in report.problems}
    assert {"year", "initiative"} <= fields


def test_unknown_column_missing_column_and_empty_file(year):
    assert "not a column" in str(
        run(year, "organisation,initiative,mechanism,amount\nA,B,direct,1\n").problems[0]
    )
    assert "missing" in str(run(year, "organisation,initiative,H1\nCatch22,B,1\n").problems[0])
    assert "empty" in str(run(year, "").problems[0])
    assert "choose a .csv or .xlsx" in str(run(year, GOOD, name="allocations.txt").problems[0])


def test_xlsx_import_and_a_corrupt_workbook(year):
    wb = Workbook()
    ws = wb.active
    ws.append(["organisation", "initiative", "mechanism", "FY"])
    ws.append(["Catch22", "Spreadsheet row", "pcc_grant", 1234.5])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = import_allocations(
        actor=COMMAND_LINE, year=year, filename="a.xlsx", content=buffer.getvalue()
    )
    assert report.ok, report.problems
    (line,) = [l for l in allocation_lines(year) if l.initiative == "Spreadsheet row"]
    assert line.amounts == {"FY": D("1234.50")}
    bad = import_allocations(
        actor=COMMAND_LINE, year=year, filename="b.xlsx", content=b"PK\x03\x04 not really"
    )
    assert "could not be read" in str(bad.problems[0])


def test_capped_line_refusing_a_row_rolls_back_all_rows(year, user_with):
    from commissioning.budgets import services

    services.budget_line_create(
        actor=user_with(Role.CFO),
        year=year,
        name="Direct",
        mechanism="direct",
        amount="1200",
        capped=True,
    )
    before = counts()
    report = run(year, GOOD)  # row 2 commits £1,500.50 of direct commissioning against £1,200
    assert not report.ok and report.created == []
    assert "capped" in str(report.problems[0]) and report.problems[0].row == 2
    assert counts() == before


def test_llr_year_is_used_by_label(db):
    assert year_get("2013-14").label == "2013/14"
