"""The officer's monitoring view and a partner's returns page at 50 and 5,000 agreements,
four quarterly returns each (two accepted, one submitted, one not yet in).

Prints query counts and p50/p95 render times side by side, and the 5,000:50 ratios. The
partner's organisation holds one agreement in ten. The rows are made in bulk (the bench
times the pages, not the services). Runs on a throwaway SQLite database unless
DATABASE_URL names a scratch database.

    .venv/bin/python bench/agreements_pages.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal

os.environ.setdefault("COMMISSIONING_DATA_DIR", tempfile.mkdtemp(prefix="bench-agreements-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
os.environ["COMMISSIONING_ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from pagetiming import measure

from commissioning.accounts.services import roles_ensure, user_create
from commissioning.accounts.testing import trust_forced_logins
from commissioning.agreements.models import (
    Agreement,
    BudgetCategory,
    BudgetProfile,
    Measure,
    MeasureActual,
    MeasureTarget,
    MonitoringReturn,
    Outcome,
    Payment,
    ReportingPeriod,
    SpendLine,
)
from commissioning.budgets import services as budget_services
from commissioning.budgets.models import Allocation, AllocationVersion, LedgerEntry
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation

REPEATS = 20
PARTNER_SHARE = 10  # the partner's organisation holds one agreement in this many
QUARTER = Decimal("2500.00")


def make(year, orgs, start: int, stop: int) -> None:
    """Agreements `start`..`stop` with their allocations, periods, payments and returns."""
    now = timezone.now()
    with transaction.atomic():
        allocations = Allocation.objects.bulk_create(
            [Allocation(year=year, reference=f"{year.label}-B{i:05d}") for i in range(start, stop)]
        )
        versions = AllocationVersion.objects.bulk_create(
            [
                AllocationVersion(
                    allocation=a,
                    number=1,
                    organisation=orgs[i % len(orgs)],
                    initiative=f"Project {i}",
                    mechanism="pcc_grant",
                    status="committed",
                    total=QUARTER * 4,
                )
                for i, a in zip(range(start, stop), allocations, strict=True)
            ]
        )
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    allocation=a,
                    version=v,
                    year=year,
                    period="FY",
                    amount=QUARTER * 4,
                    kind="original",
                )
                for a, v in zip(allocations, versions, strict=True)
            ]
        )
        agreements = Agreement.objects.bulk_create(
            [
                Agreement(
                    reference=f"AG-{a.reference}",
                    allocation=a,
                    organisation=v.organisation,
                    title=v.initiative,
                    purpose="Benchmark",
                    starts_on=year.starts,
                    ends_on=year.ends,
                    maximum_sum=QUARTER * 4,
                    status="active",
                )
                for a, v in zip(allocations, versions, strict=True)
            ]
        )
        periods = ReportingPeriod.objects.bulk_create(
            [
                ReportingPeriod(
                    agreement=ag,
                    number=q,
                    label=f"Q{q}",
                    starts_on=year.starts + dt.timedelta(days=91 * (q - 1)),
                    ends_on=year.starts + dt.timedelta(days=91 * q - 1),
                    due_on=year.starts + dt.timedelta(days=91 * q + 13),
                    final=q == 4,
                )
                for ag in agreements
                for q in (1, 2, 3, 4)
            ]
        )
        outcomes = Outcome.objects.bulk_create(
            [Outcome(agreement=ag, order=1, title="Outcome") for ag in agreements]
        )
        measures = Measure.objects.bulk_create(
            [Measure(outcome=o, order=1, name="People supported") for o in outcomes]
        )
        categories = BudgetCategory.objects.bulk_create(
            [
                BudgetCategory(agreement=ag, order=1, name="Staff", amount=QUARTER * 4)
                for ag in agreements
            ]
        )
        by_agreement = [periods[i * 4 : i * 4 + 4] for i in range(len(agreements))]
        MeasureTarget.objects.bulk_create(
            [
                MeasureTarget(measure=m, period=p, target=10)
                for m, ps in zip(measures, by_agreement, strict=True)
                for p in ps
            ]
        )
        BudgetProfile.objects.bulk_create(
            [
                BudgetProfile(category=c, period=p, amount=QUARTER)
                for c, ps in zip(categories, by_agreement, strict=True)
                for p in ps
            ]
        )
        Payment.objects.bulk_create(
            [
                Payment(
                    agreement=ag,
                    number=p.number,
                    period=p,
                    due_on=p.due_on + dt.timedelta(days=14),
                    amount=QUARTER,
                )
                for ag, ps in zip(agreements, by_agreement, strict=True)
                for p in ps
            ]
        )
        reports = MonitoringReturn.objects.bulk_create(
            [
                MonitoringReturn(
                    period=p,
                    status="accepted" if p.number <= 2 else "submitted",
                    partner_rag="green",
                    officer_rag="green" if p.number <= 2 else "",
                    officer_rag_reason="On track" if p.number <= 2 else "",
                    submitted_at=now,
                )
                for ps in by_agreement
                for p in ps[:3]
            ]
        )
        SpendLine.objects.bulk_create(
            [
                SpendLine(report=r, category=c, amount=QUARTER)
                for r, c in zip(reports, [c for c in categories for _ in range(3)], strict=True)
            ]
        )
        MeasureActual.objects.bulk_create(
            [
                MeasureActual(report=r, measure=m, value=9)
                for r, m in zip(reports, [m for m in measures for _ in range(3)], strict=True)
            ]
        )


def main() -> int:
    call_command("migrate", verbosity=0)
    roles_ensure()
    trust_forced_logins()
    officer = user_create(
        actor=COMMAND_LINE,
        username="bench-officer",
        password="bench-pass-1",
        full_name="Bench Officer",
        roles=[Role.COMMISSIONING_OFFICER],
    )
    year = budget_services.financial_year_get_or_create(actor=COMMAND_LINE, label="2030/31")
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(key=f"org-{i}", name=f"Organisation {i}", kind="charity")
            for i in range(PARTNER_SHARE)
        ]
    )
    partner = user_create(
        actor=COMMAND_LINE,
        username="bench-partner",
        password="bench-pass-1",
        full_name="Bench Partner",
        roles=[Role.PARTNER],
        organisation=orgs[0],
    )
    staff, theirs = Client(), Client()
    staff.force_login(officer)
    theirs.force_login(partner)
    pages = {
        "monitoring view (officer)": (staff, "/agreements/"),
        "returns (partner)": (theirs, "/our-returns/"),
    }
    results: dict[str, dict[int, tuple[int, float, float]]] = {name: {} for name in pages}
    made = 0
    for size in (50, 5_000):
        make(year, orgs, made, size)
        made = size
        for name, (client, url) in pages.items():
            results[name][size] = measure(client, url, REPEATS)
    print(
        f"database: {connection.vendor}; {REPEATS} timed requests each; "
        f"4 returns an agreement; the partner holds 1 in {PARTNER_SHARE}"
    )
    print(f"{'page':<28}{'agreements':>11}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name, sizes in results.items():
        for size, (q, p50, p95) in sizes.items():
            print(f"{name:<28}{size:>11,}{q:>9}{p50:>9.1f}{p95:>9.1f}")
        (q1, t1, _), (q2, t2, _) = sizes[50], sizes[5_000]
        print(f"{'':<28}{'5,000 vs 50':>11}: queries {q2 / q1:.2f}x; p50 {t2 / t1:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
