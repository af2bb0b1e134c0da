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


def imported_after(code: str, tmp_path) -> set[str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "commissioning.config.settings"
    env["COMMISSIONING_DATA_DIR"] = str(tmp_path)
    env.pop("DATABASE_URL", None)
    probe = (
        code
        + "\nimport json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    ("code", "forbidden"),
    [(SETUP, HEAVY + API), (COMMAND, HEAVY)],
    ids=["django.setup", "command start-up with checks"],
)
def test_start_up_imports_no_heavy_library(code, forbidden, tmp_path):
    heavy = sorted(imported_after(code, tmp_path) & set(forbidden))
    assert not heavy, f"imported at start-up: {', '.join(heavy)} (import them where they are used)"
