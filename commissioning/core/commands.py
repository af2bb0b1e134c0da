"""The base of the commands that only read the database and print or write a file (ADR 23).

    class Command(ReadingCommand):
        ...

Such a command starts without Django's system checks (which import the whole URL
configuration and the API before any work): `commissioning check`, `migrate`, `serve` and the
test suite run them. It still accepts `--skip-checks`, as every other command does, so a
script that passes it to every command keeps working.
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand


class ReadingCommand(BaseCommand):
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Nothing to skip: accepted and ignored, hidden from --help.
        parser.add_argument("--skip-checks", action="store_true", help=argparse.SUPPRESS)
        return parser
