"""Run N simultaneous commitments against a capped budget line, in threads with their own
database connections, on whatever DATABASE_URL (or the default SQLite) says. Prints JSON.

Used by test_capped_line.py in a subprocess, so it runs against a real database of its own
that it migrates itself, not inside the test runner's rolled-back transaction.

    python capped_worker.py MODE N CAP_COUNT
    MODE = commit (commit N indicative allocations) | create (create N committed ones)
         | approve (the PCC approves N recommended grant applications at once)
         | pay (N CFOs approve N instalments of one agreement at once, when its maximum
           sum has room for CAP_COUNT more)
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
    from django.core.exceptions import ValidationError
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
    if mode == "pay":
        pending = _requested_instalments(year, org, n, affordable, amount)
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
    cfos = _pcc_users(n, role="cfo") if mode == "pay" else []
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
            if mode == "pay":
                from commissioning.agreements.payments import payment_approve

                payment_approve(actor=cfos[i], payment=pending[i])
            elif mode == "approve":
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
        except ValidationError as exc:
            outcome = "refused" if "would go over it" in str(exc) else f"error: {exc}"
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

    if mode == "pay":
        from commissioning.agreements.models import Payment

        approved = Payment.objects.filter(status="approved").aggregate(t=Sum("amount"))["t"]
        print(
            json.dumps(
                {
                    "vendor": connection.vendor,
                    "committed": results.count("committed"),
                    "refused": results.count("refused"),
                    "errors": [r for r in results if r.startswith("error")],
                    "committed_total": str(Decimal(approved or 0).quantize(Decimal("0.01"))),
                    "cap": str(pending[0].agreement.maximum_sum),
                }
            )
        )
        return
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


def _pcc_users(n: int, role: str = "pcc") -> list:
    from django.contrib.auth.models import Group

    from commissioning.accounts.models import User

    group = Group.objects.get_or_create(name=role)[0]
    users = []
    for i in range(n):
        user = User.objects.create_user(username=f"{role}-{i}", password="race-pass-123")
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


def _requested_instalments(year, org, n: int, affordable: int, amount):
    """An accepted agreement whose maximum sum has room for `affordable` more instalments of
    `amount`, with `n` instalments of `amount` requested (their returns accepted): the race
    is in the CFOs' approvals."""
    import datetime as dt

    from commissioning.agreements import payments, returns
    from commissioning.agreements import services as agreements
    from commissioning.agreements.models import Payment
    from commissioning.budgets import services
    from commissioning.budgets.models import Mechanism, Status
    from commissioning.core.actors import COMMAND_LINE

    allocation = services.allocation_create(
        actor=COMMAND_LINE,
        year=year,
        amounts={"FY": amount * affordable},
        organisation=org,
        initiative="Race project",
        mechanism=Mechanism.PCC_GRANT,
        status=Status.COMMITTED,
    )
    agreement = agreements.agreement_draft(actor=COMMAND_LINE, allocation=allocation)
    agreement.payments.all().delete()
    period = agreement.periods.get(final=True)
    agreements.outcome_add(
        actor=COMMAND_LINE,
        agreement=agreement,
        title="An outcome",
        measures=[{"name": "A measure", "unit": "count"}],
    )
    agreements.agreement_issue(actor=COMMAND_LINE, agreement=agreement)
    from django.contrib.auth.models import Group

    from commissioning.accounts.models import User

    partner = User.objects.create_user(
        username="race-partner", password="race-pass-123", organisation=org
    )
    partner.groups.add(Group.objects.get_or_create(name="partner")[0])
    agreements.agreement_accept(
        actor=partner, agreement=agreement, name="Pat Partner", position="Director"
    )
    # More instalments than the maximum sum can pay (as if scheduled by mistake).
    for i in range(n):
        Payment.objects.create(
            agreement=agreement,
            number=i + 1,
            period=period,
            due_on=dt.date(2041, 4, 28),
            amount=amount,
        )
    returns.return_save(
        actor=COMMAND_LINE,
        period=period,
        spend={},
        actuals={m.pk: "1" for m in agreement.outcomes.get().measures.all()},
        partner_rag="green",
    )
    returns.return_submit(actor=COMMAND_LINE, period=period)
    returns.return_accept(actor=COMMAND_LINE, period=period, officer_rag="green", reason="ok")
    pending = []
    for payment in agreement.payments.all():
        pending.append(payments.payment_request(actor=COMMAND_LINE, payment=payment))
    return pending


if __name__ == "__main__":
    main()
