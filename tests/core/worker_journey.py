"""A crime ingest through the real task queue, on whatever DATABASE_URL (or the default
SQLite) and COMMISSIONING_DATA_DIR say: used by tests/core/test_worker.py in subprocesses, so
the job is committed to a database of its own and a real `commissioning worker` runs it.

    python -m tests.core.worker_journey start    set up; an officer uploads a police.uk file
    python -m tests.core.worker_journey report   the job, its task and the crime store, as JSON
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
    import django

    django.setup()
    if sys.argv[1] == "start":
        start()
    else:
        report()


def start() -> None:
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from commissioning.accounts.models import User
    from commissioning.accounts.services import roles_ensure
    from commissioning.core.roles import Role
    from commissioning.formula import services
    from commissioning.organisations.models import Area, AreaKind
    from tests.policeuk import BLABY, street_csv, street_name

    call_command("migrate", verbosity=0, interactive=False)
    roles_ensure()
    Area.objects.create(code=BLABY, name="Blaby", kind=AreaKind.DISTRICT)
    officer = User.objects.create(
        username="worker-officer", first_name="Olive", last_name="Officer"
    )
    officer.groups.set(Group.objects.filter(name=Role.COMMISSIONING_OFFICER))
    files = [(street_name(m), street_csv(m, crimes=n)) for m, n in (("2023-04", 3), ("2023-05", 4))]
    job = services.crime_ingest_start(actor=officer, files=files)
    again = services.crime_ingest_start(actor=officer, files=files)  # the same upload twice
    print(json.dumps({"job": str(job.uuid), "again": str(again.uuid)}))


def report() -> None:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from commissioning.core.models import AuditEvent, Job
    from commissioning.formula import selectors

    jobs = list(Job.objects.all())
    tasks = list(DBTaskResult.objects.all())
    store = selectors.crime_store()
    print(
        json.dumps(
            {
                "jobs": [
                    {
                        "uuid": str(j.uuid),
                        "status": j.status,
                        "done": j.done,
                        "total": j.total,
                        "stage": j.stage,
                        "outcome": j.outcome,
                        "task": j.task_result_id,
                        "audit": list(
                            AuditEvent.objects.filter(object_uuid=j.uuid)
                            .order_by("id")
                            .values_list("action", flat=True)
                        ),
                    }
                    for j in jobs
                ],
                "tasks": [{"id": str(t.id), "status": str(t.status)} for t in tasks],
                "months": store.months(),
                "coverage": store.coverage(["2023-04", "2023-05"]),
                "vendor": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
