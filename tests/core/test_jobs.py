"""`core.jobs`: a job is queued once per key, runs when the transaction commits, moves through
its workflow table with an audit event at its start and its end, records its progress, and
ends with a plain message; a failure never shows the person a traceback. Its page is for the
person who started it and OPCC staff only (404 for anyone else), and follows the job with a
script, or a Refresh link without one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from commissioning.core import jobs
from commissioning.core.jobs import KINDS, JobFailed, JobKind, job_run, job_start
from commissioning.core.models import AuditEvent, Job, JobStatus
from commissioning.core.permissions import PUBLIC, SYSTEM_ONLY
from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db

SECRET = "/srv/commissioning/var/uploads/3f2a9c.csv"


@pytest.fixture
def ran(monkeypatch):
    """Kinds for these tests; `ran` lists the params of every run."""
    calls: list[dict] = []

    def count(progress, *, actor, n):
        calls.append({"n": n, "actor": actor})
        for i in range(n):
            progress(f"Counting {i + 1} of {n}", i, n)
        progress(f"Counted {n} of {n}", n, n)
        return f"Counted {n} things."

    def refuse(progress, *, actor):
        raise JobFailed("The file is not police.uk data.")

    def invalid(progress, *, actor):
        raise ValidationError(["The pot must be more than £0.", "Choose a year."])

    def crash(progress, *, actor):
        progress("Half way", 1, 2)
        raise RuntimeError(f"KeyError in {SECRET}")

    for name, run, rule in [
        ("test.count", count, PUBLIC),
        ("test.refuse", refuse, PUBLIC),
        ("test.invalid", invalid, PUBLIC),
        ("test.crash", crash, PUBLIC),
        ("test.system", count, SYSTEM_ONLY),
    ]:
        monkeypatch.setitem(KINDS, name, JobKind(name, rule, run))
    return calls


def start(user, kind="test.count", key="k", **params) -> Job:
    return job_start(actor=user, kind=kind, key=key, title=f"A {kind} job", params=params)


def test_the_same_key_while_queued_or_running_is_the_same_job(ran, officer):
    """Enqueueing twice with one key gives one job; once it has ended, the key starts anew."""
    first = start(officer, n=2)
    again = start(officer, n=2)
    assert again.pk == first.pk
    assert Job.objects.filter(key="test.count:k").count() == 1
    assert start(officer, key="other", n=2).pk != first.pk

    assert job_run(str(first.uuid)) == "succeeded"
    third = start(officer, n=2)
    assert third.pk != first.pk
    assert Job.objects.filter(key="test.count:k").count() == 2


def test_the_database_holds_one_active_job_per_key(ran, officer):
    """Even a second row written past `job_start` (two requests at once) is refused."""
    from django.db import IntegrityError

    first = start(officer, n=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="test.count", title="again", key=first.key)


def test_a_job_is_enqueued_on_commit_and_runs_to_success_with_progress_and_audit(
    ran, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(officer, n=3)
    assert callbacks and Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert ran == []  # nothing runs before the transaction commits
    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.outcome == "Counted 3 things."
    assert (job.done, job.total, job.stage) == (3, 3, "Counted 3 of 3")
    assert job.started_at and job.finished_at and job.started_at <= job.finished_at
    assert job.task_result_id
    assert ran == [{"n": 3, "actor": officer}]  # run as the officer who started it
    events = AuditEvent.objects.filter(object_uuid=job.uuid).order_by("id")
    assert [(e.action, e.actor_label) for e in events] == [
        ("job.queued", officer.get_full_name()),
        ("job.running", "system"),
        ("job.succeeded", "system"),
    ]


def test_a_task_delivered_twice_runs_its_job_once(ran, officer):
    job = start(officer, n=1)
    assert job_run(str(job.uuid)) == "succeeded"
    assert job_run(str(job.uuid)) == "succeeded"
    assert len(ran) == 1


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("test.refuse", "The file is not police.uk data."),
        ("test.invalid", "The pot must be more than £0. Choose a year."),
    ],
)
def test_a_refused_job_fails_with_its_plain_message(ran, officer, kind, message):
    job = start(officer, kind=kind)
    assert job_run(str(job.uuid)) == "failed"
    job.refresh_from_db()
    assert (job.status, job.outcome) == (JobStatus.FAILED, message)
    assert AuditEvent.objects.filter(object_uuid=job.uuid, action="job.failed").exists()


def test_an_unexpected_error_fails_the_job_without_a_traceback_for_the_person(
    ran, officer, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(officer, kind="test.crash")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.outcome == jobs.UNEXPECTED
    client.force_login(officer)
    page = client.get(reverse("job", args=[job.uuid])).content.decode()
    assert "There is a problem" in page and "Something went wrong" in page
    for leak in ("Traceback", "RuntimeError", "KeyError", SECRET):
        assert leak not in page


def test_the_rule_of_the_kind_is_checked_when_it_is_started(ran, officer):
    with pytest.raises(ValidationError, match="nobody makes it happen by hand"):
        start(officer, kind="test.system")
    with pytest.raises(ValueError, match="no job kind"):
        start(officer, kind="test.unknown")


def test_a_stale_job_is_failed_and_its_key_can_start_again(ran, officer, settings):
    job = start(officer, n=1)
    Job.objects.filter(pk=job.pk).update(updated_at=job.updated_at - dt.timedelta(hours=7))
    settings.JOBS_STALE_HOURS = 6
    fresh = start(officer, n=1)
    assert fresh.pk != job.pk
    job.refresh_from_db()
    assert (job.status, job.outcome) == (JobStatus.FAILED, jobs.STALE)


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def partner_job(ran, user_with):
    partner = user_with(Role.PARTNER)
    return partner, start(partner, n=4)


def test_the_starter_and_staff_see_the_job_and_everyone_else_gets_404(
    partner_job, client, user_with
):
    partner, job = partner_job
    url = reverse("job", args=[job.uuid])
    progress = reverse("job-progress", args=[job.uuid])
    for who, status in [
        (partner, 200),
        (user_with(Role.COMMISSIONING_OFFICER), 200),
        (user_with(Role.PARTNER), 404),
        (user_with(Role.REVIEWER), 404),
    ]:
        client.force_login(who)
        assert client.get(url).status_code == status, who
        assert client.get(progress).status_code == status, who
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_a_running_job_page_follows_it_with_a_script_and_a_refresh_link(partner_job, client):
    partner, job = partner_job
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, stage="Counting 2 of 4", done=1, total=4
    )
    client.force_login(partner)
    response = client.get(reverse("job", args=[job.uuid]))
    page = response.content.decode()
    assert "Counting 2 of 4" in page and "1 of 4" in page
    assert 'data-job-finished="false"' in page
    assert f'href="{reverse("job", args=[job.uuid])}" data-job-refresh>Refresh</a>' in page
    assert "js/job-progress.js" in page
    assert "<script>" not in page and "style=" not in page  # the CSP allows neither inline

    data = client.get(reverse("job-progress", args=[job.uuid])).json()
    assert data == {
        "status": "running",
        "status_label": "Running",
        "finished": False,
        "stage": "Counting 2 of 4",
        "done": 1,
        "total": 4,
        "percent": 25,
    }


def test_a_finished_job_page_shows_the_outcome_and_no_refresh(partner_job, client):
    partner, job = partner_job
    job_run(str(job.uuid))
    client.force_login(partner)
    page = client.get(reverse("job", args=[job.uuid])).content.decode()
    assert "Counted 4 things." in page and "Finished" in page
    assert "data-job-refresh" not in page and 'data-job-finished="true"' in page


def test_your_recent_jobs_lists_only_your_own(partner_job, client, user_with, ran):
    partner, job = partner_job
    other = user_with(Role.PARTNER)
    theirs = start(other, key="theirs", n=1)
    client.force_login(partner)
    page = client.get(reverse("job-list")).content.decode()
    assert str(job.uuid) in page and str(theirs.uuid) not in page
