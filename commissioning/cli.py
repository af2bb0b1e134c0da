"""The `commissioning` console command.

It is Django's management command line with the product's settings preselected, plus a
few spelling conveniences so the documented CLI contract reads naturally
(`commissioning load-example llr` runs the `load_example` command).
"""

from __future__ import annotations

import os
import sys

ALIASES = {"load-example": "load_example", "import": "import_allocations", "year-end": "year_end"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    argv[0] = "commissioning"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0
