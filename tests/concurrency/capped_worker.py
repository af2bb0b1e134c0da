"""Run N simultaneous commitments against a capped budget line, in threads with their own
database connections, on whatever DATABASE_URL (or the default SQLite) says. Prints JSON.

Used by test_capped_line.py in a subprocess, so it runs against a real database of its own
that it migrates itself, not inside the test runner's rolled-back transaction.

    python capped_worker.py MODE N CAP_COUNT
    MODE = commit (commit N indicative allocations) | create (create N committed ones)
         | approve (the PCC approves N recommended grant applications at once)
"""

from __future__ import annotations

import json
import os
import sys
import threading
from decimal import Decimal


def main() -> None:
    mode, n, affordable = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.models import Sum

    from commissioning.budgets import services
    from commissioning.budgets.models import LedgerEntry, Mechanism, Status
    from commissioning.core.actors import COMMAND_LINE
    from commissioning.organisations.models import Organisation

    call_command("migrate", verbosity=0, interactive=False)
    amount = Decimal("10000.00")
    year = services.financial_year_get_or_create(actor=COMMAND_LINE, label="2040/41")
    services.budget_line_create(
        actor=COMMAND_LINE,
        year=year,
        name="PCC Grant",
        mechanism=Mechanism.PCC_GRANT,
        amount=amount * affordable,
        capped=True,
    )
    org = Organisation.objects.create(key="race-charity", name="Race Charity", kind="charity")
    pending: list = []
    if mode == "approve":
        pending = _recommended_applications(year, org, n, amount)
    if mode == "commit":
        for i in range(n):
            pending.append(
                services.allocation_create(
                    actor=COMMAND_LINE,
                    year=year,
                    amounts={"FY": amount},
                    organisation=org,
                    initiative=f"Project {i}",
                    mechanism=Mechanism.PCC_GRANT,
                    status=Status.INDICATIVE,
                )
            )
    pccs = _pcc_users(2) if mode == "approve" else []
    connection.close()

    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        outcome = "error"
        try:
            # Connect first, so that all threads reach the write at the same moment.
            connection.ensure_connection()
            barrier.wait(timeout=30)
            if mode == "approve":
                from commissioning.grants import review

                review.application_approve(actor=pccs[i % len(pccs)], application=pending[i])
            elif mode == "commit":
                services.allocation_commit(actor=COMMAND_LINE, allocation=pending[i], reason="race")
            else:
                services.allocation_create(
                    actor=COMMAND_LINE,
                    year=year,
                    amounts={"FY": amount},
                    organisation=org,
                    initiative=f"Project {i}",
                    mechanism=Mechanism.PCC_GRANT,
                    status=Status.COMMITTED,
                )
            outcome = "committed"
        except services.CapExceeded:
            outcome = "refused"
        except Exception as exc:  # reported, and the test fails on it
            outcome = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    committed_total = LedgerEntry.objects.filter(
        year=year, version__status=Status.COMMITTED, version__mechanism=Mechanism.PCC_GRANT
    ).aggregate(t=Sum("amount"))["t"]
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "committed": results.count("committed"),
                "refused": results.count("refused"),
                "errors": [r for r in results if r.startswith("error")],
                "committed_total": str(Decimal(committed_total or 0).quantize(Decimal("0.01"))),
                "cap": str(amount * affordable),
            }
        )
    )


def _pcc_users(n: int) -> list:
    from django.contrib.auth.models import Group

    from commissioning.accounts.models import User
    from commissioning.core.roles import Role

    group = Group.objects.get_or_create(name=Role.PCC)[0]
    users = []
    for i in range(n):
        user = User.objects.create_user(username=f"pcc-{i}", password="race-pass-123")
        user.groups.add(group)
        users.append(user)
    return users


def _recommended_applications(year, org, n: int, amount):
    """N applications already through review and recommended for `amount`, set up directly
    (the race is in the approval, not in getting there)."""
    import datetime as dt

    from django.utils import timezone

    from commissioning.budgets.models import BudgetLine
    from commissioning.grants.models import Application, PanelRecommendation, Round

    now = timezone.now()
    rnd = Round.objects.create(
        reference="race",
        title="Race round",
        mechanism="pcc_grant",
        year=year,
        budget_line=BudgetLine.objects.get(year=year, mechanism="pcc_grant"),
        opens_at=now - dt.timedelta(days=2),
        closes_at=now - dt.timedelta(days=1),
        maximum_award=amount,
        published=True,
    )
    apps = []
    for i in range(n):
        app = Application.objects.create(
            round=rnd,
            organisation=org,
            reference=f"RACE-{i:04d}",
            title=f"Project {i}",
            status="recommended",
            amount_requested=amount,
            submitted_at=now - dt.timedelta(days=1, hours=1),
        )
        PanelRecommendation.objects.create(
            application=app, recommendation="fund", amount=amount, reasons="race"
        )
        apps.append(app)
    return apps


if __name__ == "__main__":
    main()
