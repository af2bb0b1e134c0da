"""The 360Giving export (JSON, CSV, XLSX) and the grants register's downloads at 5,000 and
50,000 grants (and 500,000 with ``--sizes 5000 50000 500000``): wall time and peak memory.

The grants are made cheaply, in bulk (no services): each decision cites 20 allocations and
carries a public version of about 40 KB, as the example's do. Each export then runs in a
fresh subprocess (``commissioning export 360giving`` through ``call_command``, or the
register's download through Django's test client, not signed in), so its peak resident
memory (``ru_maxrss``) is its own; ``base MB`` is that process's resident memory just before
the export, so ``peak MB`` less ``base MB`` is what the export added. Runs on a throwaway SQLite
database unless DATABASE_URL names a scratch database (which it empties first).

    .venv/bin/python bench/open_data_stream.py [--sizes 5000 50000] [--formats json csv xlsx]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

LINKS = 20
FORMATS = ("json", "csv", "xlsx", "register.csv", "register.xlsx", "register.json")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
    os.environ["COMMISSIONING_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()


def _reference_data() -> dict:
    """A year, a plan with themes and priorities, areas with ONS codes and 300 partners."""
    import datetime as dt

    from commissioning.budgets.models import FinancialYear
    from commissioning.organisations.models import Area, AreaKind, Organisation
    from commissioning.plans.models import Plan, StrategicPriority, Theme

    year = FinancialYear.objects.create(
        label="2030/31", starts=dt.date(2030, 4, 1), ends=dt.date(2031, 3, 31)
    )
    plan = Plan.objects.create(
        title="Police and Crime Plan 2030-2034",
        starts=dt.date(2030, 4, 1),
        ends=dt.date(2034, 3, 31),
    )
    themes = [Theme.objects.create(plan=plan, number=n, title=f"Theme {n}") for n in range(1, 5)]
    priorities = [
        StrategicPriority.objects.create(
            plan=plan, code=f"P{n}", number=n, title=f"Priority {n}", theme=themes[n % 4]
        )
        for n in range(1, 13)
    ]
    districts = [
        Area.objects.create(code=f"E070001{n:02d}", name=f"District {n}", kind=AreaKind.DISTRICT)
        for n in range(10)
    ]
    csps = []
    for n in range(5):
        csp = Area.objects.create(code=f"E220001{n:02d}", name=f"CSP {n}", kind=AreaKind.CSP)
        csp.districts.set(districts[2 * n : 2 * n + 2])
        csps.append(csp)
    joint = Area.objects.create(code="LLR-JOINT", name="Joint", kind=AreaKind.JOINT_PARTNERSHIP)
    joint.districts.set(districts[:4])
    reaches = [*districts, *csps, joint, None]
    Organisation.objects.create(key="opcc", name="Office of the PCC", kind="opcc")
    organisations = []
    for n in range(300):
        kind = ("charity", "csp", "council", "company", "cic")[n % 5]
        organisations.append(
            Organisation.objects.create(
                key=f"partner-{n}",
                name=f"Partner {n}",
                kind=kind,
                charity_number=f"{1100000 + n}" if kind == "charity" else "",
                company_number=f"{4500000 + n}" if kind == "company" else "",
                area=csps[n % 5] if kind == "csp" else None,
            )
        )
    return {
        "year": year,
        "themes": themes,
        "priorities": priorities,
        "reaches": reaches,
        "organisations": organisations,
    }


def make(start: int, stop: int) -> None:
    """Grants ``start`` to ``stop`` (counted from 0), 20 to a published decision."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from commissioning.budgets.models import Allocation, AllocationVersion, FinancialYear
    from commissioning.decisions import serialise
    from commissioning.decisions.document import DecisionDocument, Link, Section
    from commissioning.decisions.models import (
        DecisionRecord,
        PublishedGrant,
        PublishedVersion,
        Status,
    )
    from commissioning.decisions.public import grant_rows
    from commissioning.organisations.models import Area, Organisation
    from commissioning.plans.models import StrategicPriority, Theme

    if start == 0:
        ref = _reference_data()
    else:
        ref = {
            "year": FinancialYear.objects.get(label="2030/31"),
            "themes": list(Theme.objects.order_by("number")),
            "priorities": list(StrategicPriority.objects.order_by("number")),
            "reaches": [*Area.objects.order_by("id"), None],
            "organisations": list(Organisation.objects.exclude(kind="opcc").order_by("id")),
        }
    orgs, reaches, themes, priorities = (
        ref["organisations"],
        ref["reaches"],
        ref["themes"],
        ref["priorities"],
    )
    now = timezone.now()
    padding = "The Commissioner grants funding to partners for the work set out below. " * 420
    batch = 250  # decisions a batch: 5,000 grants
    for first in range(start // LINKS, stop // LINKS, batch):
        numbers = range(first + 1, min(first + batch, stop // LINKS) + 1)
        records = DecisionRecord.objects.bulk_create(
            [
                DecisionRecord(
                    reference=f"EXE {n:06d}/30",
                    slug=f"exe-{n:06d}-30",
                    number_year=2030,
                    number=n,
                    title=f"Grants decision {n}",
                    status=Status.PUBLISHED,
                    decision_date=dt.date(2030, 4, 1) + dt.timedelta(days=n % 300),
                )
                for n in numbers
            ]
        )
        allocations = Allocation.objects.bulk_create(
            [
                Allocation(year=ref["year"], reference=f"2030/31-{r.number:06d}-{i:02d}")
                for r in records
                for i in range(LINKS)
            ],
            batch_size=2000,
        )
        av = []
        for n, allocation in enumerate(allocations):
            org = orgs[n % len(orgs)]
            p1 = priorities[n % 12]
            av.append(
                AllocationVersion(
                    allocation=allocation,
                    number=1,
                    organisation=org,
                    initiative=f"Project {n}",
                    mechanism="pcc_grant",
                    theme=themes[n % 4],
                    primary_priority=p1,
                    secondary_priority=priorities[(n + 5) % 12] if n % 3 else None,
                    reach=reaches[n % len(reaches)],
                    status="committed",
                    total=Decimal("12500.50"),
                )
            )
        AllocationVersion.objects.bulk_create(av, batch_size=2000)
        versions = []
        for record in records:
            doc = DecisionDocument(
                reference=record.reference,
                title=record.title,
                status="Published",
                decision_date=record.decision_date,
                officers_present="Officers",
                received_on=None,
                sections=(Section("summary", "Summary of issue", padding),),
                links=tuple(
                    Link(
                        kind="allocation",
                        reference=f"2030/31-{record.number:06d}-{i:02d}",
                        recipient=orgs[((record.number - 1) * LINKS + i) % len(orgs)].name,
                        description=f"Project {i} of decision {record.number}",
                        amount=Decimal("12500.50") + i,
                        year="2030/31",
                        purpose=f"Reducing crime, project {i}",
                        conditions="Quarterly monitoring returns." if i % 2 else "",
                        reasons="Meets priority P1." if i % 3 else "",
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
        PublishedVersion.objects.bulk_create(versions)
        grants = []
        for version in versions:
            grants += grant_rows(version, serialise.from_dict(version.content))
        PublishedGrant.objects.bulk_create(grants, batch_size=2000)


def measure(fmt: str, out: str) -> dict:
    import resource
    import time

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    base = _rss_mb()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        if fmt.startswith("register."):
            from django.test import Client

            response = Client().get(f"/register/grants.{fmt.split('.')[1]}")
            assert response.status_code == 200, response.status_code
            with open(out, "wb") as f:
                if response.streaming:
                    for chunk in response.streaming_content:
                        f.write(chunk)
                else:
                    f.write(response.content)
                response.close()
        else:
            from django.core.management import call_command

            call_command(
                "export", "360giving", "--format", fmt, "-o", out, stdout=open(os.devnull, "w")
            )
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "base_mb": base,
        "queries": len(queries),
        "bytes": os.path.getsize(out),
    }


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(argv: list[str]) -> int:
    _django()
    if argv[0] == "make":
        from django.core.management import call_command

        start, stop = int(argv[1]), int(argv[2])
        if start == 0:
            call_command("migrate", verbosity=0)
            call_command("flush", interactive=False, verbosity=0)
        make(start, stop)
    else:
        print(json.dumps(measure(argv[1], argv[2])))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ["COMMISSIONING_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-opendata-")
    work = tempfile.mkdtemp(prefix="bench-opendata-out-")
    me = [sys.executable, os.path.abspath(__file__), "--child"]
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    print(
        f"database: {database}; {LINKS} grants a decision, each decision's public version about 40 KB"
    )
    print(
        f"{'export':<16}{'grants':>9}{'queries':>9}{'seconds':>9}{'peak MB':>9}{'base MB':>9}{'MB out':>8}"
    )
    made = 0
    for size in sorted(args.sizes):
        subprocess.run([*me, "make", str(made), str(size)], check=True)
        made = size
        for fmt in args.formats:
            out = os.path.join(work, f"export.{fmt}")
            result = subprocess.run(
                [*me, "measure", fmt, out], check=True, capture_output=True, text=True
            )
            r = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"{fmt:<16}{size:>9,}{r['queries']:>9}{r['seconds']:>9.2f}{r['peak_mb']:>9.0f}"
                f"{r['base_mb']:>9.0f}{r['bytes'] / 1e6:>8.1f}",
                flush=True,
            )
            os.remove(out)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2:]))
    sys.exit(main())
