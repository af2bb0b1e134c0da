"""`commissioning backup FILE`: everything the product keeps, in one archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commissioning.web.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database, the crime store and the uploaded files into FILE (.tar.gz)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            members = backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(m.size for m in members)
        self.stdout.write(f"Backed up {len(members)} files ({total:,} bytes) to {file}")
