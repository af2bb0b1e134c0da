"""The staff applications list (the round dashboard) at 100 and 10,000 applications.

Prints query counts and p50/p95 render times side by side, and the 10,000:100 ratios.
Runs on a throwaway SQLite database unless DATABASE_URL names a scratch database.

    .venv/bin/python bench/applications_list.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal

os.environ.setdefault("COMMISSIONING_DATA_DIR", tempfile.mkdtemp(prefix="bench-apps-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
os.environ["COMMISSIONING_ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from pagetiming import measure

from commissioning.accounts.services import roles_ensure, user_create
from commissioning.budgets import services as budget_services
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.roles import Role
from commissioning.grants import rounds
from commissioning.grants.models import Application, QuestionKind
from commissioning.organisations.models import Organisation

REPEATS = 20


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
    client = Client()
    client.force_login(officer)
    url = f"/funding/{rnd.reference}/dashboard/"
    results = {}
    made = 0
    for size in (100, 10_000):
        Application.objects.bulk_create(
            [
                Application(
                    round=rnd,
                    organisation=orgs[i % len(orgs)],
                    reference=f"BENCH-{i:05d}",
                    title=f"Project {i}",
                    status="submitted",
                    amount_requested=Decimal("5000"),
                    submitted_at=now,
                )
                for i in range(made, size)
            ],
            batch_size=1000,
        )
        made = size
        results[size] = measure(client, url, REPEATS)
    print(f"database: {connection.vendor}; {REPEATS} timed requests each; 50 applications a page")
    print(f"{'applications':>12}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for size, (q, p50, p95) in results.items():
        print(f"{size:>12,}{q:>9}{p50:>9.1f}{p95:>9.1f}")
    (q1, t1, _), (q2, t2, _) = results[100], results[10_000]
    print(f"10,000 vs 100: queries {q2 / q1:.2f}x; p50 {t2 / t1:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
