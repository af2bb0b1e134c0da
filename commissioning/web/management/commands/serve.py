"""`commissioning serve`: the product under gunicorn, the production WSGI server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.wsgi import get_wsgi_application
from django.db import connections
from gunicorn.app.base import BaseApplication

from commissioning.web.checks import refuse_demo_key


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return get_wsgi_application()


class Command(BaseCommand):
    help = "Serve the product with gunicorn (workers and threads from the settings)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port")
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--threads", type=int, default=None)
        parser.add_argument("--access-log", default=None, help="a file, or - for the console")

    def handle(self, *args, bind: str, workers, threads, access_log, **options):
        refuse_demo_key()
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        connections.close_all()  # never hand a parent's database connection to the workers
        options = {
            "bind": bind,
            "workers": workers or settings.WORKERS,
            "threads": threads or settings.THREADS,
            "worker_class": "gthread",
            "timeout": 120,
            "graceful_timeout": 30,
            "accesslog": access_log,
            "errorlog": "-",
            "forwarded_allow_ips": "127.0.0.1",
            "control_socket_disable": True,
        }
        self.stdout.write(
            f"Serving on http://{bind}/ with {options['workers']} worker(s) x "
            f"{options['threads']} thread(s)"
        )
        _Server(options).run()
