"""`commissioning jobs daily`: the scheduled housekeeping of background jobs, run once a day
by a systemd timer or cron (docs/deploy.md).

Today: finished task rows older than TASKS_PRUNE_DAYS are removed (a job's own row, which
its starter reads, is kept), and jobs that have not moved for JOBS_STALE_HOURS (their worker
was killed) are marked failed so they can be started again; reminders of monitoring returns
are sent, reoffending cohorts past their retention date deleted, and notifications read more
than NOTIFICATIONS_KEEP_DAYS ago removed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from commissioning.core.actors import SYSTEM
from commissioning.core.jobs import jobs_fail_stale
from commissioning.notifications.services import notifications_prune


class Command(BaseCommand):
    help = "Scheduled background work: `jobs daily` (prune finished task rows, fail stuck jobs)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser("daily", help="what a daily timer runs")
        daily.add_argument(
            "--prune-days",
            type=int,
            default=None,
            help=f"remove finished task rows older than this (default {settings.TASKS_PRUNE_DAYS})",
        )

    def handle(self, *args, action: str, prune_days: int | None = None, **options):
        days = settings.TASKS_PRUNE_DAYS if prune_days is None else prune_days
        call_command(
            "prune_db_task_results",
            queue_name="*",
            min_age_days=days,
            verbosity=options.get("verbosity", 1),
            stdout=self.stdout,
        )
        stale = jobs_fail_stale()
        self.stdout.write(f"Marked {stale} stuck job(s) failed.")
        # Monitoring returns: a reminder before each is due and one once it is late, each
        # sent once however often this runs.
        call_command("returns", "remind", stdout=self.stdout)
        # Reoffending cohorts past their retention date: deleted, the one deletion the
        # product performs, itself audited.
        call_command("cohort", "prune", stdout=self.stdout)
        # Notifications read long ago: the list stays short; unread ones are kept.
        keep = settings.NOTIFICATIONS_KEEP_DAYS
        pruned = notifications_prune(actor=SYSTEM, keep_days=keep)
        self.stdout.write(f"Removed {pruned} notification(s) read more than {keep} days ago.")
