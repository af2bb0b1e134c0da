"""The CLI contract users script against: export, budget and reconcile."""

import csv
import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_allocations_csv_has_the_contract_columns():
    rows = list(csv.DictReader(io.StringIO(run("export", "allocations", "--year", "2013/14"))))
    required = {
        "year",
        "organisation",
        "initiative",
        "mechanism",
        "theme",
        "primary_priority",
        "secondary_priority",
        "reach",
        "status",
        "H1",
        "H2",
        "total",
    }
    assert required <= set(rows[0])
    assert len(rows) == 98
    by_funding: dict[str, int] = {}
    for r in rows:  # integral pounds in this year
        by_funding[r["funding"]] = by_funding.get(r["funding"], 0) + int(float(r["total"]))
    # Table 1's cash and support in kind, and the pooled budget's award (the pool's money).
    assert by_funding == {"cash": 2956131, "in_kind": 284100, "pooled": 540000}
    assert all(r["year"] == "2013/14" for r in rows)


def test_export_json_and_xlsx(tmp_path):
    data = json.loads(run("export", "allocations", "--year", "2016/17", "--format", "json"))
    assert data["year"] == "2016/17" and len(data["rows"]) == 56
    target = tmp_path / "a.xlsx"
    call_command(
        "export",
        "allocations",
        "--year",
        "2016/17",
        "--format",
        "xlsx",
        "-o",
        str(target),
        stderr=io.StringIO(),
    )
    ws = load_workbook(target).active
    header = [c.value for c in ws[1]]
    assert header[-1] == "total" and ws.max_row == 57


def test_budget_and_reconcile_commands():
    text = run("budget", "--year", "2016/17")
    assert "£4,611,000" in text and "Partnership Locality Fund (capped)" in text
    # A reading command runs no system checks (ADR 23), and still takes --skip-checks.
    assert run("budget", "--year", "2016/17", "--skip-checks") == text
    data = json.loads(run("budget", "--year", "2016/17", "--format", "json"))
    assert data["available"] == "0.00"
    findings = json.loads(run("reconcile", "--year", "2013/14", "--format", "json"))
    assert findings["count"] > 0
    assert "Reconciliation 2013/14" in run("reconcile", "--year", "2013/14")


def test_unknown_year_is_a_clear_error():
    with pytest.raises(CommandError, match="No financial year 2099/00"):
        run("budget", "--year", "2099/00")


def test_console_script_help_runs():
    """The installed `commissioning` command starts (a real process, no database needed)."""
    result = subprocess.run(
        [sys.executable, "-m", "commissioning", "help", "reconcile"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--year" in result.stdout


def test_accounts_with_roles_are_made_on_the_command_line(user_with):
    """No page makes accounts with roles: the rule refuses everyone but the command line."""
    from django.core.exceptions import ValidationError

    from commissioning.accounts.models import User
    from commissioning.accounts.services import user_create
    from commissioning.core.actors import COMMAND_LINE
    from commissioning.core.roles import Role

    details = dict(username="new-cfo", password="x-new-pass-1", full_name="New CFO")
    for actor in (None, user_with(Role.CFO), user_with(Role.PCC)):
        with pytest.raises(ValidationError, match="created on the server's command line"):
            user_create(actor=actor, roles=[Role.CFO], **details)
    assert not User.objects.filter(username="new-cfo").exists()
    made = user_create(actor=COMMAND_LINE, roles=[Role.CFO], **details)
    assert made.has_role(Role.CFO)


def test_load_example_on_a_fresh_database_migrates_first(tmp_path):
    """`load-example llr` into a data directory with no database at all (once a traceback:
    "no such table")."""
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COMMISSIONING_")
        and k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["COMMISSIONING_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "commissioning", "load-example", "llr"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Loaded the LLR example" in result.stdout
    assert "Traceback" not in result.stderr
    assert (tmp_path / "commissioning.sqlite3").stat().st_size > 100_000
