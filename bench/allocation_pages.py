"""Cost of the allocation list and table pages at 50 and 1,000 allocations, side by side.

Runs on a throwaway SQLite database (or DATABASE_URL if set to a scratch database).
Prints query counts and median/p95 render times, and the 1,000:50 ratios. The list is paged
(50 a page): its first page, its last, and sorted by total; the table shows every row.

    .venv/bin/python bench/allocation_pages.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("COMMISSIONING_DATA_DIR", tempfile.mkdtemp(prefix="bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
os.environ["COMMISSIONING_ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commissioning.accounts.services import roles_ensure, user_create
from commissioning.budgets import services
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation

REPEATS = 15
SIZES = (50, 1000)


def measure(client: Client, url: str) -> tuple[int, float, float]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return queries, statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> int:
    call_command("migrate", verbosity=0)
    roles_ensure()
    officer = user_create(
        actor=COMMAND_LINE,
        username="bench",
        password="bench-pass-1",
        full_name="Bench Officer",
        roles=[Role.COMMISSIONING_OFFICER],
    )
    year = services.financial_year_get_or_create(actor=COMMAND_LINE, label="2030/31")
    orgs = [
        Organisation.objects.create(key=f"org-{i}", name=f"Organisation {i}", kind="charity")
        for i in range(50)
    ]
    from served import session_for  # beside this file

    client = Client()
    # Staff pages need the second factor too: a session as the sign-in pages leave it.
    client.cookies["sessionid"] = session_for(officer, second_factor=True)
    base = f"/years/{year.slug}/allocations/"
    urls = {
        "allocation list": base,
        "list, last page": base + "?page=last",
        "list by total": base + "?sort=-total",
        "table by organisation": f"/years/{year.slug}/tables/organisation/",
    }
    results: dict[int, dict[str, tuple[int, float, float]]] = {}
    made = 0
    for size in SIZES:
        while made < size:
            services.allocation_create(
                actor=officer,
                year=year,
                amounts={"H1": "100.00", "H2": "50.00"},
                organisation=orgs[made % len(orgs)],
                initiative=f"Initiative {made}",
                mechanism="pcc_grant",
                status="committed",
            )
            made += 1
        last = -(-size // 50)
        results[size] = {
            name: measure(client, url.replace("page=last", f"page={last}"))
            for name, url in urls.items()
        }
    print(f"database: {connection.vendor}; {REPEATS} timed requests per page and size")
    print(f"{'page':<24}{'rows':>6}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for size, pages in results.items():
        for name, (q, p50, p95) in pages.items():
            print(f"{name:<24}{size:>6}{q:>9}{p50:>9.1f}{p95:>9.1f}")
    small, large = SIZES
    for name in urls:
        q1, t1, _ = results[small][name]
        q2, t2, _ = results[large][name]
        print(
            f"{name}: queries {large}/{small} = {q2 / q1:.2f}; p50 time {large}/{small} = {t2 / t1:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
