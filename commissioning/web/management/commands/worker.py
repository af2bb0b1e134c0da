"""`commissioning worker`: run background jobs and send queued email (ADR 14).

django-tasks-db's `db_worker` with the product's defaults: every queue of the default backend,
a look for new tasks every second when idle, no autoreload. Stop it with SIGTERM or Ctrl+C: it
finishes the task in hand first. `--once` runs what is queued and exits (for cron or a test).
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background jobs and send queued email (until stopped, or --once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="run every task queued now, then exit"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between looks for new tasks when idle (default 1)",
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="exit after running this many tasks"
        )

    def handle(self, *args, once: bool, interval: float, max_tasks: int | None, **options):
        worker_options = {
            "queue_name": "*",
            "interval": interval,
            "batch": once,
            "reload": False,
            "startup_delay": not once,
        }
        if max_tasks is not None:
            worker_options["max_tasks"] = max_tasks
        call_command("db_worker", verbosity=options.get("verbosity", 1), **worker_options)
