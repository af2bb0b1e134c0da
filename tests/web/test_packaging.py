"""A wheel built from the checkout carries the built styles and scripts, the licence text and
the SPDX licence, so `pip install` then `commissioning demo` looks as `./run demo` does."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    if not (ROOT / "commissioning" / "static" / "dist" / "application.css").exists():
        pytest.skip("the assets are not built (scripts/build-assets): ./run test builds them")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "scripts", src / "scripts")
    shutil.copytree(
        ROOT / "commissioning",
        src / "commissioning",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [built] = out.glob("commissioning-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_carries_the_built_assets(wheel):
    names = set(wheel.namelist())
    for asset in (
        "commissioning/static/dist/application.css",
        "commissioning/static/dist/govuk-frontend.min.js",
        "commissioning/static/js/init.js",
        "commissioning/static/js/js-enabled.js",
        "commissioning/templates/base.html",
    ):
        assert asset in names
    css = wheel.read("commissioning/static/dist/application.css")
    assert b".govuk-header" in css or b"govuk-" in css


def test_the_wheel_names_its_licence_in_spdx_form_and_carries_the_text(wheel):
    [metadata] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    headers = Parser().parsestr(wheel.read(metadata).decode())
    assert headers["License-Expression"] == "AGPL-3.0-or-later"
    [licence] = [n for n in wheel.namelist() if n.endswith("licenses/LICENSE")]
    assert wheel.read(licence).startswith(b"                    GNU AFFERO GENERAL PUBLIC LICENSE")
