"""`commissioning report panel --year 2016/17 --format xlsx|pdf|json [-o FILE]`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_to_the_screen(handmade):
    out = io.StringIO()
    call_command("report", "panel", "--year", "2031/32", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["title"] == "Outcomes by priority" and data["total"]["spent"] == "4900.00"


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "json"])
def test_each_format_to_a_file(handmade, tmp_path, fmt):
    target = tmp_path / f"pack.{fmt}"
    err = io.StringIO()
    call_command(
        "report", "panel", "--year", "2031-32", "--format", fmt, "-o", str(target), stderr=err
    )
    data = target.read_bytes()
    assert data.startswith({"xlsx": b"PK", "pdf": b"%PDF", "json": b"{"}[fmt])
    assert "Wrote the 2031/32 Panel pack" in err.getvalue() and "2 agreements" in err.getvalue()
    if fmt == "xlsx":
        assert "Outcomes 2031-32" in load_workbook(target).sheetnames


def test_an_unknown_year_names_the_option(handmade):
    with pytest.raises(CommandError, match=r"--year 2099/00: there is no financial year"):
        call_command("report", "panel", "--year", "2099/00", stdout=io.StringIO())


def test_the_year_is_needed(handmade):
    with pytest.raises(CommandError, match="--year"):
        call_command("report", "panel", "--format", "json", stdout=io.StringIO())


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_binary_to_a_terminal_needs_an_output_file(handmade, fmt):
    with pytest.raises(CommandError, match=rf"--format {fmt} is binary: give -o FILE"):
        call_command("report", "panel", "--year", "2031/32", "--format", fmt, stdout=Terminal())


def test_only_the_panel_report_is_known():
    with pytest.raises(CommandError):
        call_command("report", "budget", "--year", "2016/17", stdout=io.StringIO())
