"""The staff applications list (the round dashboard) at 100 and 100,000 applications, sorted,
filtered, searched and paged, over real HTTP from the production server.

For each size and each way of asking for the list (the first page, the last, sorted by
organisation or by amount, filtered by status, searched), prints the queries of one request
(counted in this process through Django's test client) and the p50/p95 of `--repeats`
requests, one after another, to `commissioning serve` on 127.0.0.1 (gunicorn, its default
workers), signed in as an officer with a verified second factor; then the ratios of the
large size to the small. Runs on a throwaway SQLite database, or with `--database postgres`
on a scratch PostgreSQL database.

    .venv/bin/python bench/applications_list.py [--database postgres] [--sizes 100 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from served import environment, request, served, session_for

# The ways of asking for the list; "last" is the last page, whatever the size.
VIEWS = {
    "first page": "",
    "last page": "?page=last",
    "sorted by organisation": "?sort=organisation",
    "sorted by amount, page 3": "?sort=-requested&page=3",
    "filtered: in review": "?status=in_review",
    "searched: a project word": "?q=lantern",
    "searched and filtered, by amount": "?q=Organisation+4&status=submitted&sort=-requested",
}
STATUSES = ("submitted", "submitted", "in_review", "reviewed", "draft", "ineligible")


def setup() -> tuple[object, object, str]:
    """Migrate and open a round; returns (the round, its organisations, the officer's session)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from commissioning.accounts.services import roles_ensure, user_create
    from commissioning.budgets import services as budget_services
    from commissioning.core.actors import COMMAND_LINE
    from commissioning.core.roles import Role
    from commissioning.grants import rounds
    from commissioning.grants.models import QuestionKind
    from commissioning.organisations.models import Organisation

    call_command("migrate", verbosity=0)
    roles_ensure()
    officer = user_create(
        actor=COMMAND_LINE,
        username="bench",
        password="bench-pass-1",
        full_name="Bench Officer",
        roles=[Role.COMMISSIONING_OFFICER],
    )
    year = budget_services.financial_year_get_or_create(actor=COMMAND_LINE, label="2030/31")
    line = budget_services.budget_line_create(
        actor=COMMAND_LINE,
        year=year,
        name="PCC Grant",
        mechanism="pcc_grant",
        amount=Decimal("1000000"),
        capped=True,
    )
    now = timezone.now()
    rnd = rounds.round_draft_create(
        actor=officer,
        reference="bench",
        title="Bench round",
        mechanism="pcc_grant",
        year=year,
        budget_line=line,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
        maximum_award=Decimal("10000"),
    )
    rounds.criterion_save(actor=officer, round=rnd, title="Need", weight="100")
    rounds.question_save(actor=officer, round=rnd, label="Summary", kind=QuestionKind.TEXT)
    rounds.round_publish(actor=officer, round=rnd)
    orgs = Organisation.objects.bulk_create(
        [Organisation(key=f"org-{i}", name=f"Organisation {i}", kind="charity") for i in range(500)]
    )
    return rnd, orgs, session_for(officer, second_factor=True)


def grow(rnd, orgs, made: int, size: int, reviewers: list) -> None:
    """Applications `made` to `size`, in bulk: statuses mixed, amounts varied, one title in
    seven with "lantern" in it; two reviewers on each one in review or reviewed."""
    from django.utils import timezone

    from commissioning.grants.models import Application, ReviewAssignment

    now = timezone.now()
    apps = Application.objects.bulk_create(
        [
            Application(
                round=rnd,
                organisation=orgs[(i * 7919) % len(orgs)],
                reference=f"BENCH-{i:06d}",
                title=f"Project {'lantern' if i % 7 == 0 else 'bridge'} {i}",
                status=STATUSES[i % len(STATUSES)],
                amount_requested=Decimal(1000 + (i * 37) % 9000),
                submitted_at=None if STATUSES[i % len(STATUSES)] == "draft" else now,
            )
            for i in range(made, size)
        ],
        batch_size=2000,
    )
    ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(
                application=app,
                reviewer=reviewer,
                completed_at=now if app.status == "reviewed" else None,
            )
            for app in apps
            if app.status in ("in_review", "reviewed")
            for reviewer in reviewers
        ],
        batch_size=2000,
    )


def queries(url: str, session: str) -> int:
    from django.db import connection
    from django.test import Client

    client = Client()
    client.cookies["sessionid"] = session
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    assert client.get(url).status_code == 200  # the session's first request may do more
    with connection.execute_wrapper(counter):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return count[0]


def timed(port: int, url: str, session: str, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        status, _ = request(port, "GET", url, {"sessionid": session})
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (url, status)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", type=int, nargs=2, default=[100, 100_000])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with environment(args.database, "bench-apps-") as env:
        rnd, orgs, session = setup()
        from django.db import connections

        from commissioning.accounts.services import user_create
        from commissioning.core.actors import COMMAND_LINE
        from commissioning.core.roles import Role

        reviewers = [
            user_create(
                actor=COMMAND_LINE,
                username=f"reviewer-{n}",
                password="bench-pass-1",
                full_name=f"Reviewer {n}",
                roles=[Role.REVIEWER],
            )
            for n in range(2)
        ]
        base = f"/funding/{rnd.reference}/dashboard/"
        results: dict[int, dict[str, tuple[int, float, float]]] = {}
        made = 0
        for size in args.sizes:
            started = time.perf_counter()
            grow(rnd, orgs, made, size, reviewers)
            made = size
            if connections["default"].vendor == "postgresql":
                # as autovacuum leaves a table some minutes after a bulk load: its statistics
                # and visibility map up to date
                with connections["default"].cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE grants_application")
            print(f"{size:,} applications made in {time.perf_counter() - started:.1f} s")
            last = -(-size // 50)
            urls = {
                name: base + q.replace("page=last", f"page={last}") for name, q in VIEWS.items()
            }
            counted = {name: queries(url, session) for name, url in urls.items()}
            connections.close_all()
            with served(env, workers=3, threads=1) as port:
                for url in urls.values():  # each worker's first request pays its start-up
                    for _ in range(3):
                        request(port, "GET", url, {"sessionid": session})
                results[size] = {
                    name: (counted[name], *timed(port, url, session, args.repeats))
                    for name, url in urls.items()
                }
        small, large = args.sizes
        print(f"database: {args.database}; {args.repeats} timed requests each over HTTP")
        print(f"{'list':<36}{'size':>9}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}")
        for name in VIEWS:
            for size in args.sizes:
                q, p50, p95 = results[size][name]
                print(f"{name:<36}{size:>9,}{q:>9}{p50:>9.1f}{p95:>9.1f}")
            (q1, t1, _), (q2, t2, _) = results[small][name], results[large][name]
            print(f"{'':<36}{'ratio':>9}{q2 / q1:>9.2f}{t2 / t1:>9.2f}")
        worst = max(results[large][name][2] for name in VIEWS)
        print(f"worst p95 at {large:,}: {worst:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
