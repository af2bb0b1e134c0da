"""The public register at 10 and 1,000 published decisions (each citing 20 grants).

Prints query counts and p50/p95 render times side by side for the decisions list (25 a
page), the grants register (50 a page, with the count and total of all) and the JSON feed
(the latest 50), and the 1,000:10 ratios. Runs on a throwaway SQLite database
unless DATABASE_URL names a scratch database.

    .venv/bin/python bench/register_pages.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal

os.environ.setdefault("COMMISSIONING_DATA_DIR", tempfile.mkdtemp(prefix="bench-register-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
os.environ["COMMISSIONING_ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from pagetiming import measure

from commissioning.decisions import serialise
from commissioning.decisions.document import DecisionDocument, Link, Section
from commissioning.decisions.models import (
    DecisionRecord,
    PublishedGrant,
    PublishedVersion,
    Status,
)
from commissioning.decisions.public import grant_rows

REPEATS = 20
LINKS = 20
URLS = {
    "decisions list": "/register/decisions/",
    "grants register": "/register/grants/",
    "feed": "/register/decisions/feed.json",
}


def publish(start: int, stop: int) -> None:
    now = timezone.now()
    records = DecisionRecord.objects.bulk_create(
        [
            DecisionRecord(
                reference=f"EXE {n:04d}/30",
                slug=f"exe-{n:04d}-30",
                number_year=2030,
                number=n,
                title=f"Grants decision {n}",
                status=Status.PUBLISHED,
                decision_date=dt.date(2030, 4, 1) + dt.timedelta(days=n % 300),
            )
            for n in range(start + 1, stop + 1)
        ],
        batch_size=500,
    )
    versions = []
    for record in records:
        doc = DecisionDocument(
            reference=record.reference,
            title=record.title,
            status="Published",
            decision_date=record.decision_date,
            officers_present="Officers",
            received_on=None,
            sections=(Section("summary", "Summary of issue", "Grants for partners. " * 20),),
            links=tuple(
                Link(
                    kind="allocation",
                    reference=f"2030/31-{record.number:04d}-{i:02d}",
                    recipient=f"Organisation {i}",
                    description=f"Project {i}",
                    amount=Decimal("12500.50"),
                    year="2030/31",
                    purpose=f"Project {i}",
                    mechanism="PCC Grant",
                )
                for i in range(LINKS)
            ),
            assessment=None,
            approval=None,
            approval_note="",
            pcc_signature=None,
            determination=None,
            public=True,
            url=f"/register/decisions/{record.slug}/",
        )
        versions.append(
            PublishedVersion(
                record=record,
                content=serialise.to_dict(doc),
                search_text=doc.text().lower(),
                published_at=now,
            )
        )
    PublishedVersion.objects.bulk_create(versions, batch_size=500)
    grants = []
    for version in versions:
        grants += grant_rows(version, serialise.from_dict(version.content))
    PublishedGrant.objects.bulk_create(grants, batch_size=1000)


def main() -> int:
    call_command("migrate", verbosity=0)
    client = Client()
    results: dict[int, dict[str, tuple[int, float, float]]] = {}
    made = 0
    for size in (10, 1_000):
        publish(made, size)
        made = size
        results[size] = {name: measure(client, url, REPEATS) for name, url in URLS.items()}
    print(
        f"database: {connection.vendor}; {REPEATS} timed requests each; {LINKS} grants a decision"
    )
    print(f"{'page':<16}{'decisions':>10}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name in URLS:
        for size in results:
            q, p50, p95 = results[size][name]
            print(f"{name:<16}{size:>10,}{q:>9}{p50:>9.1f}{p95:>9.1f}")
        (q1, t1, _), (q2, t2, _) = results[10][name], results[1_000][name]
        print(f"{name:<16}{'ratio':>10}{q2 / q1:>9.2f}{t2 / t1:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
