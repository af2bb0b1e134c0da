"""Start-up stays light: heavy libraries are imported where they are used, not at start-up.

Every `commissioning` command pays for what Django imports before the command's own work:
the settings, the apps and their models (`django.setup()`), then the system checks, which
import the whole URL configuration and so every view module. A module-level import of a
heavy library (a PDF toolkit, a spreadsheet reader, an analytical database) anywhere on
that path costs every command, every time. Each check runs in a fresh interpreter, since
this test session has long since imported all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# Top-level packages that must not be imported before a command does its work.
HEAVY = [
    "reportlab",  # PDF packs and reports
    "duckdb",  # the crime store
    "openpyxl",  # spreadsheet downloads and imports
    "numpy",  # pulled in by openpyxl when it is installed
    "pandas",
    "PIL",  # pulled in by openpyxl's drawing support
    "pypdf",  # reading uploaded PDFs
    "jsonschema",  # 360Giving validation
    "tqdm",  # progress bars of long commands
    "segno",  # the two-factor set-up QR code
    "yaml",  # the example loader
]
# The API is built with django-ninja (on pydantic): the URL configuration has to import it,
# but nothing before the URLs needs it.
API = ["ninja", "pydantic"]

SETUP = "import django; django.setup()"
# What `commissioning <command>` does before the command's handle(): django.setup(), the
# command looked up and loaded, and the system checks (which import the URL configuration).
COMMAND = (
    SETUP
    + "\nfrom django.core.management import get_commands, load_command_class"
    + "\nload_command_class(get_commands()['budget'], 'budget')"
    + "\nfrom django.core import checks; checks.run_checks()"
)


# The apps' own modules that only their work needs: jobs.py and the apps' ready() register a
# job kind and the late-returns source as Django starts, and import these when they run.
SERVICES = ["commissioning.formula.services", "commissioning.agreements.monitoring"]
# A command that only reads (ADR 23) starts without the system checks, so without the URL
# configuration and the API.
READING_COMMAND = (
    SETUP
    + "\nfrom django.core.management import get_commands, load_command_class"
    + "\ncommand = load_command_class(get_commands()['budget'], 'budget')"
    + "\nif command.requires_system_checks: from django.core import checks; checks.run_checks()"
)


def modules_after(code: str, tmp_path) -> set[str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "commissioning.config.settings"
    env["COMMISSIONING_DATA_DIR"] = str(tmp_path)
    env.pop("DATABASE_URL", None)
    probe = code + "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def imported_after(code: str, tmp_path) -> set[str]:
    """The top-level packages imported once `code` has run."""
    return {m.split(".")[0] for m in modules_after(code, tmp_path)}


@pytest.mark.parametrize(
    ("code", "forbidden"),
    [(SETUP, HEAVY + API), (COMMAND, HEAVY)],
    ids=["django.setup", "command start-up with checks"],
)
def test_start_up_imports_no_heavy_library(code, forbidden, tmp_path):
    heavy = sorted(imported_after(code, tmp_path) & set(forbidden))
    assert not heavy, f"imported at start-up: {', '.join(heavy)} (import them where they are used)"


def test_django_setup_imports_no_services_only_their_work_needs(tmp_path):
    loaded = sorted(modules_after(SETUP, tmp_path) & set(SERVICES))
    assert not loaded, f"imported by django.setup(): {', '.join(loaded)}"


def test_a_reading_command_starts_without_the_url_configuration(tmp_path):
    loaded = modules_after(READING_COMMAND, tmp_path)
    assert "commissioning.budgets.management.commands.budget" in loaded
    assert not {"commissioning.config.urls", "ninja"} & loaded
