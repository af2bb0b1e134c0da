"""Builds the front-end assets into the package before setuptools copies its files, so a
wheel (and `pip install .`) carries the styles and scripts that `./run demo` builds. The
metadata is in pyproject.toml."""

import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUILT_CSS = ROOT / "commissioning" / "static" / "dist" / "application.css"


class BuildWithAssets(build_py):
    def run(self):
        if not BUILT_CSS.exists():
            subprocess.run([str(ROOT / "scripts" / "build-assets")], check=True, cwd=ROOT)  # noqa: S603
        super().run()


setup(cmdclass={"build_py": BuildWithAssets})
