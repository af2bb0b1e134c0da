"""A deadline spike: 200 applicants submit their applications within 60 seconds, to the
product served by its production server (`commissioning serve`, gunicorn) on 127.0.0.1.

Each applicant already has a complete draft and a signed-in session (sign-in is a cost of
its own, PBKDF2 by design, and applicants sign in before the deadline, not all in its last
minute). In the spike each one opens the application's page and presses Submit, as a
browser would: the page's form as it stands, its CSRF token, the session cookie. Arrivals
are spread evenly over the window. Prints, for the submit requests: how many, the status
codes, p50/p95/max latency; the server's CPU seconds over the window (gunicorn's master
and workers; not the database's), per applicant and as a share of the cores; then, from the
database, how many applications are submitted (lost = applicants - submitted). Loopback
only, bounded in count and time.

    .venv/bin/python bench/submit_spike.py                       # SQLite, the embedded default
    .venv/bin/python bench/submit_spike.py --database postgres   # a scratch PostgreSQL database
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from served import environment, request, served, server_cpu_seconds, session_for


class _Form(HTMLParser):
    """The fields of the form that has the Submit button, as a browser would send them
    (without the buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.chosen = -1
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    @property
    def fields(self) -> list[tuple[str, str]]:
        return self.forms[self.chosen] if self.chosen >= 0 else []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
            self._in_form = True
        if not self._in_form:
            return
        fields, name = self.forms[-1], a.get("name")
        if tag == "button" and name == "submit":
            self.chosen = len(self.forms) - 1
        elif tag == "input" and name and a.get("type") not in {"file", "submit", "button"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            fields.append((self._select, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.forms[-1].append((self._textarea, "".join(self._text)))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def setup(applicants: int) -> list[tuple[str, str]]:
    """Migrate, open a round, and give each applicant a complete draft and a session.
    Returns (application uuid, session key) pairs."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from commissioning.accounts.models import User
    from commissioning.accounts.services import roles_ensure
    from commissioning.budgets import services as budget_services
    from commissioning.core.actors import COMMAND_LINE
    from commissioning.core.roles import Role
    from commissioning.grants import rounds, services
    from commissioning.grants.models import QuestionKind
    from commissioning.organisations.models import Organisation
    from tests.pdfs import PDF

    call_command("migrate", verbosity=0)
    roles_ensure()
    year = budget_services.financial_year_get_or_create(actor=COMMAND_LINE, label="2030/31")
    line = budget_services.budget_line_create(
        actor=COMMAND_LINE,
        year=year,
        name="PCC Grant",
        mechanism="pcc_grant",
        amount=Decimal("5000000"),
        capped=True,
    )
    now = timezone.now()
    rnd = rounds.round_draft_create(
        actor=COMMAND_LINE,
        reference="spike",
        title="Community safety grants",
        mechanism="pcc_grant",
        year=year,
        budget_line=line,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(hours=2),
        maximum_award=Decimal("10000"),
    )
    rounds.criterion_save(actor=COMMAND_LINE, round=rnd, title="Need", weight="100")
    rounds.question_save(actor=COMMAND_LINE, round=rnd, label="Summary", kind=QuestionKind.TEXT)
    rounds.question_save(
        actor=COMMAND_LINE,
        round=rnd,
        label="Budget",
        kind=QuestionKind.FILE,
        file_types=["pdf"],
        max_file_mb=5,
    )
    rounds.round_publish(actor=COMMAND_LINE, round=rnd)
    summary_key = rnd.questions.get(kind=QuestionKind.TEXT).key
    budget_key = rnd.questions.get(kind=QuestionKind.FILE).key
    partner = Group.objects.get(name=Role.PARTNER)
    password = make_password("spike-applicant-pass")  # one hash for all: sign-in is not measured
    made = []
    for i in range(applicants):
        org = Organisation.objects.create(key=f"spike-{i}", name=f"Applicant {i}", kind="charity")
        user = User.objects.create(
            username=f"spike-{i}", password=password, organisation=org, email=f"a{i}@example.org"
        )
        user.groups.add(partner)
        app = services.application_start(actor=user, round=rnd, title=f"Project {i}")
        services.application_save(
            actor=user,
            application=app,
            amount_requested="9,500",
            answers={summary_key: "Youth mentoring in three estates"},
        )
        services.application_attach(
            actor=user, application=app, question_key=budget_key, name="budget.pdf", data=PDF
        )
        made.append((str(app.uuid), session_for(user)))
    connections.close_all()
    return made


def applicant(port: int, application: str, session: str) -> dict:
    cookies = {"sessionid": session}
    path = f"/applications/{application}/edit/"
    status, page = request(port, "GET", path, cookies)
    if status != 200:
        return {"page": status, "submit": None, "seconds": None}
    form = _Form()
    form.feed(page.decode("utf-8"))
    body = urllib.parse.urlencode([*form.fields, ("submit", "1")])
    start = time.perf_counter()
    status, _ = request(
        port,
        "POST",
        path,
        cookies,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}{path}",
        },
    )
    return {"page": 200, "submit": status, "seconds": time.perf_counter() - start}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.applicants <= 1000 or not 1 <= args.seconds <= 300:
        parser.error("at most 1,000 applicants over at most 300 seconds")

    with environment(args.database, "bench-spike-") as env:
        started = time.perf_counter()
        pairs = setup(args.applicants)
        print(
            f"set up {len(pairs)} applicants with complete drafts in {time.perf_counter() - started:.1f} s"
        )
        with served(env, args.workers, args.threads) as port:
            return spike(args, port, pairs)


def spike(args: argparse.Namespace, port: int, pairs: list[tuple[str, str]]) -> int:
    """The applicants arrive evenly over the window and submit; what happened, printed."""
    gap = args.seconds / args.applicants
    results: list[dict] = []
    lock = threading.Lock()
    cpu_before = server_cpu_seconds(port)
    t0 = time.perf_counter()

    def arrive(n: int, pair: tuple[str, str]) -> None:
        time.sleep(max(0.0, t0 + n * gap - time.perf_counter()))
        try:
            outcome = applicant(port, *pair)
        except OSError as exc:
            outcome = {"page": None, "submit": None, "seconds": None, "error": str(exc)}
        with lock:
            results.append(outcome)

    with ThreadPoolExecutor(max_workers=64) as pool:
        for n, pair in enumerate(pairs):
            pool.submit(arrive, n, pair)
    window = time.perf_counter() - t0
    server_cpu = server_cpu_seconds(port) - cpu_before

    from django.db import connections

    from commissioning.grants.models import Application
    from commissioning.grants.status import Status

    connections.close_all()
    submitted = Application.objects.filter(status=Status.SUBMITTED).count()
    latencies = sorted(r["seconds"] * 1000 for r in results if r["seconds"] is not None)
    codes: dict[object, int] = {}
    for r in results:
        codes[r["submit"]] = codes.get(r["submit"], 0) + 1
    server_errors = sum(n for code, n in codes.items() if isinstance(code, int) and code >= 500)
    print(f"database: {args.database}; server: {args.workers} worker(s) x {args.threads} thread(s)")
    print(
        f"applicants: {args.applicants} arriving over {args.seconds:.0f} s; all done in {window:.1f} s"
    )
    print("submit responses: " + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items(), key=str)))
    if latencies:
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        print(
            f"submit latency ms: p50 {statistics.median(latencies):.0f}, p95 {p95:.0f}, "
            f"max {latencies[-1]:.0f}"
        )
    print(
        f"server CPU: {server_cpu:.2f} s ({server_cpu / args.applicants * 1000:.0f} ms an"
        f" applicant), {server_cpu / (window * (os.cpu_count() or 1)):.0%} of the"
        f" {os.cpu_count()} cores over the {window:.1f} s"
    )
    print(
        f"submitted in the database: {submitted}; lost: {args.applicants - submitted}; 5xx: {server_errors}"
    )
    return 0 if submitted == args.applicants and server_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
