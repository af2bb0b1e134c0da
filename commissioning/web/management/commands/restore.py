"""`commissioning restore FILE`: a backup into an empty data directory and database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commissioning.web.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `commissioning backup` into an empty data directory and database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            members = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {len(members)} files from {file}; every checksum matched")
