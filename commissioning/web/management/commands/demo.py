import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from commissioning.accounts.services import demo_users_ensure
from commissioning.core.roles import Role
from commissioning.examples.loader import load_llr
from commissioning.notifications.services import quiet


class Command(BaseCommand):
    help = (
        "Migrate, load the LLR example, print the sign-ins and serve the demo on 127.0.0.1 "
        "(gunicorn), with one background worker beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and print, but do not serve"
        )
        parser.add_argument("--workers", type=int, default=1, help="server processes")

    def handle(self, *args, port: int, no_serve: bool, workers: int, **options):
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_llr()
        if counts:
            self.stdout.write(
                "Loaded the LLR example: " + ", ".join(f"{n} {k}" for k, n in counts.items())
            )
        from commissioning.examples.formula_demo import (
            crime_data_ensure,
            scheme_run_ensure,
            vli_run_ensure,
        )

        self.stdout.write(f"Crime data 2023/24: {crime_data_ensure()}")
        run = scheme_run_ensure()
        self.stdout.write(f"Needs-based allocation: run {run.reference}")
        vli_run = vli_run_ensure()
        if vli_run is not None:
            self.stdout.write(f"Vulnerable Localities Index: run {vli_run.reference}")
        # The example's activity is history by the time anyone signs in: nobody is notified.
        with quiet():
            users = demo_users_ensure()
            from commissioning.examples.grants_demo import grant_round_ensure

            self.stdout.write(f"Grant round open: {grant_round_ensure().title}")
            from commissioning.examples.decisions_demo import paper_decisions_ensure

            records = paper_decisions_ensure()
            self.stdout.write("Decision records: " + ", ".join(r.reference for r in records))
            from commissioning.examples.agreements_demo import agreements_ensure

            self.stdout.write(
                f"Agreements, returns and payments (example activity): {agreements_ensure()}"
            )
            from commissioning.examples.yearend_demo import yearend_ensure

            self.stdout.write(f"Year end (example activity): {yearend_ensure()}")
            from commissioning.cohorts.demo import cohorts_ensure

            self.stdout.write(f"Reoffending cohorts (synthetic): {cohorts_ensure()}")
        css = Path(settings.STATICFILES_DIRS[0]) / "dist" / "application.css"
        if not css.exists():
            self.stderr.write(
                "Styles are not built: run scripts/build-assets (./run demo does it for you)."
            )
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write("")
        self.stdout.write(f"Commissioning demo: {url}")
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write("Sign in as (username / password, role):")
        for u in users:
            self.stdout.write(
                f"  {u.username:<12} {u.password:<20} {u.name} ({Role(u.role).label})"
                + (f"; authenticator secret {u.totp_secret}" if u.totp_secret else "")
            )
        self.stdout.write("")
        if not no_serve:
            # The demo key is public: fine here, on 127.0.0.1 with example data only.
            settings.DEMO = True
            worker = start_worker()
            self.stdout.write(f"Background worker: process {worker.pid} (stops with the server)")
            try:
                call_command("serve", bind=f"127.0.0.1:{port}", workers=workers)
            finally:
                stop_worker(worker)


def start_worker() -> subprocess.Popen:
    """One `commissioning worker` process beside the server, with the same settings."""
    connections.close_all()
    return subprocess.Popen(
        [sys.executable, "-m", "commissioning", "worker"], env=os.environ.copy()
    )


def stop_worker(worker: subprocess.Popen, timeout: float = 30) -> None:
    """Ask the worker to finish its task in hand and stop; end it if it will not."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
