"""Background jobs: work someone started that must not hold their request (ADR 14).

A `Job` row is one piece of work a person started (loading police.uk files, say): its kind,
an idempotency key, its status, how far it has got and how it ended, and where its result is.
The work itself runs as a django-tasks task (`run_job`) in `commissioning worker`, the
database backend's worker, which on PostgreSQL takes tasks with SELECT ... FOR UPDATE SKIP
LOCKED so several workers can share a queue.

- **Kinds** are registered by the app that owns the work, in its `jobs.py` (loaded when Django
  starts): `@job_kind(NAME, rule=RULE)` on a runner `run(progress, *, actor, **params) -> str`
  that does the work through the app's services (which check their own rules again, as the
  person who started the job) and returns the outcome in plain words. A runner says why it
  could not do the work by raising `JobFailed` or a `ValidationError`; anything else is an
  error for the administrators: the person sees a plain sentence, the log and the task's row
  keep the traceback.
- **`job_start`** checks the kind's rule, and returns the job already queued or running with
  the same key instead of starting a second one (a partial unique index holds this even for
  two requests at once); the task is enqueued when the caller's transaction commits.
- **Status** moves through the `JOB` workflow table as the system (each move audited: the
  start and the end); progress (`Progress`) is a cheap update of the job's own row, at most
  a few a second, not audited.
- A task delivered twice runs its job once: `job_run` only starts a job that is still queued.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from .actors import COMMAND_LINE, SYSTEM, is_command_line
from .audit import audit_record
from .locks import locked
from .models import ACTIVE_JOB_STATUSES, Job, JobStatus
from .permissions import SYSTEM_ONLY, require
from .workflow import Move, Workflow

logger = logging.getLogger(__name__)

JOB = Workflow(
    "job",
    JobStatus,
    [
        Move(JobStatus.QUEUED, JobStatus.RUNNING, SYSTEM_ONLY, "a worker started the job"),
        Move(JobStatus.RUNNING, JobStatus.SUCCEEDED, SYSTEM_ONLY, "the job finished"),
        Move(JobStatus.RUNNING, JobStatus.FAILED, SYSTEM_ONLY, "the job stopped with a problem"),
        Move(JobStatus.QUEUED, JobStatus.FAILED, SYSTEM_ONLY, "the job could not be started"),
    ],
)

# Shown when a runner fails in a way it did not expect; the details go to the log.
UNEXPECTED = (
    "Something went wrong and the job stopped. Nothing was changed by it. The error has been "
    "recorded for the administrators; please try again later or tell them."
)
STOPPED = (
    "The job stopped before it finished because the background worker was shut down. "
    "Nothing was changed by it; please start it again."
)
STALE = (
    "The job stopped without finishing (the background worker was probably restarted). "
    "Please start it again."
)


class JobFailed(Exception):
    """A runner could not do the work; the message is shown to the person as it is."""


Runner = Callable[..., str]


@dataclass(frozen=True)
class JobKind:
    name: str
    rule: str  # the rule the person starting it must pass
    run: Runner


KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, rule: str) -> Callable[[Runner], Runner]:
    """Register a runner for jobs of kind `name`, which those passing `rule` may start."""

    def register(run: Runner) -> Runner:
        if name in KINDS:
            raise ValueError(f"job kind {name!r} registered twice")
        KINDS[name] = JobKind(name, rule, run)
        return run

    return register


def load_kinds(app_names: list[str]) -> None:
    """Import each app's `jobs` module (if it has one) so its kinds are registered."""
    from importlib import import_module
    from importlib.util import find_spec

    for app in app_names:
        module = f"{app}.jobs"
        if find_spec(module) is not None:
            import_module(module)


# --- starting ---------------------------------------------------------------------------


def job_start(
    *,
    actor,
    kind: str,
    key: str,
    title: str,
    params: Mapping[str, Any] | None = None,
    link: tuple[str, list[Any]] | None = None,
) -> Job:
    """Queue a job of `kind` for `actor`, or return the one already queued or running with
    the same `key` (keys are per kind). The task is enqueued when the transaction commits."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"no job kind {kind!r}: register it with core.jobs.job_kind")
    require(actor, spec.rule)
    full_key = f"{kind}:{key}"[:200]
    with transaction.atomic():
        existing = _active(full_key)
        if existing is not None:
            return existing
        link_name, link_args = link or ("", [])
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    title=title[:200],
                    key=full_key,
                    params=dict(params or {}),
                    link_name=link_name,
                    link_args=list(link_args),
                    started_by=actor if getattr(actor, "pk", None) else None,
                    stage="Waiting for the background worker",
                )
        except IntegrityError:
            # Another request started the same job a moment ago (PostgreSQL: the partial
            # unique index; on SQLite the write lock already orders the two).
            again = _active(full_key)
            if again is None:
                raise
            return again
        audit_record(
            actor=actor,
            action="job.queued",
            obj=job,
            after={"kind": kind, "key": full_key, "status": job.status},
        )
        transaction.on_commit(partial(_enqueue, job.pk, str(job.uuid)))
    return job


def _locked_job(**where: Any) -> Job | None:
    return cast("Job | None", locked(Job.objects.filter(**where)))


def _active(full_key: str) -> Job | None:
    job = Job.objects.filter(key=full_key, status__in=ACTIVE_JOB_STATUSES).first()
    if job is not None and _is_stale(job):
        job_fail_stale(job)
        return None
    return job


def _is_stale(job: Job) -> bool:
    return job.updated_at < timezone.now() - timedelta(hours=settings.JOBS_STALE_HOURS)


def _enqueue(job_pk: int, job_uuid: str) -> None:
    try:
        result = run_job.enqueue(job_uuid)
    except Exception:
        logger.exception("job %s could not be queued", job_pk)
        _finish(job_pk, JobStatus.FAILED, UNEXPECTED, source=JobStatus.QUEUED)
        return
    Job.objects.filter(pk=job_pk).update(task_result_id=str(result.id)[:64])


# --- running ----------------------------------------------------------------------------


@task()
def run_job(job_uuid: str) -> str:
    """The one task: run the job's kind. Its return value is the job's status."""
    return job_run(job_uuid)


class Progress:
    """How a runner says how far it has got: `progress(stage, done, total)` ("Reading 12 of
    480 files", 12, 480; total 0 when there is nothing to count). Writes the job's own row
    (not audited), at most every `every` seconds unless the total changes or the count is
    complete."""

    def __init__(self, job: Job, every: float = 0.5) -> None:
        self.job = job
        self.every = every
        self._last = 0.0
        self._last_total = -1

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        total = max(0, int(total))
        done = min(max(0, int(done)), total) if total else 0
        finished = bool(total) and done == total
        if now - self._last < self.every and total == self._last_total and not finished:
            return
        self._last, self._last_total = now, total
        self.job.stage, self.job.done, self.job.total = stage[:200], done, total
        Job.objects.filter(pk=self.job.pk).update(
            stage=self.job.stage, done=done, total=total, updated_at=timezone.now()
        )


def job_run(job_uuid: str) -> str:
    """Run a queued job to its end: running, then succeeded or failed with a plain message."""
    with transaction.atomic():
        job = _locked_job(uuid=job_uuid)
        if job is None:
            logger.warning("job %s does not exist", job_uuid)
            return "missing"
        if job.status != JobStatus.QUEUED:
            return str(job.status)  # delivered twice, or already failed: nothing to do
        job.started_at = timezone.now()
        job.stage = "Starting"
        JOB.apply(
            actor=SYSTEM,
            obj=job,
            target=JobStatus.RUNNING,
            also_save=["started_at", "stage", "updated_at"],
        )
    spec = KINDS.get(job.kind)
    try:
        if spec is None:
            raise RuntimeError(f"no runner for job kind {job.kind!r}")
        actor = job.started_by if job.started_by_id else COMMAND_LINE
        outcome = spec.run(Progress(job), actor=actor, **job.params)
    except JobFailed as exc:
        return _finish(job.pk, JobStatus.FAILED, str(exc))
    except ValidationError as exc:
        return _finish(job.pk, JobStatus.FAILED, " ".join(exc.messages))
    except Exception:
        logger.exception("job %s (%s) failed", job.uuid, job.kind)
        _finish(job.pk, JobStatus.FAILED, UNEXPECTED)
        raise  # the task's row keeps the traceback for the administrators
    except BaseException:
        _finish(job.pk, JobStatus.FAILED, STOPPED)
        raise
    return _finish(job.pk, JobStatus.SUCCEEDED, str(outcome or "Done."))


def _finish(job_pk: int, target: str, outcome: str, *, source: str = JobStatus.RUNNING) -> str:
    with transaction.atomic():
        job = _locked_job(pk=job_pk)
        if job is None or job.status != source:
            return str(job.status) if job else "missing"
        job.outcome = outcome
        job.finished_at = timezone.now()
        if target == JobStatus.SUCCEEDED and job.total:
            job.done = job.total
        JOB.apply(
            actor=SYSTEM,
            obj=job,
            target=target,
            also_save=["outcome", "finished_at", "done", "updated_at"],
            after={"outcome": outcome[:500]},
        )
    return str(target)


def job_fail_stale(job: Job) -> None:
    """Mark a job that stopped moving (its worker was killed) as failed."""
    _finish(job.pk, JobStatus.FAILED, STALE, source=job.status)


def jobs_fail_stale() -> int:
    """Every queued or running job that has not moved for JOBS_STALE_HOURS: failed."""
    cutoff = timezone.now() - timedelta(hours=settings.JOBS_STALE_HOURS)
    stale = list(Job.objects.filter(status__in=ACTIVE_JOB_STATUSES, updated_at__lt=cutoff))
    for job in stale:
        job_fail_stale(job)
    return len(stale)


# --- reading ----------------------------------------------------------------------------


def jobs_of(user, *, limit: int = 20, kind: str | None = None) -> QuerySet[Job]:
    """The jobs `user` started, newest first (none for the system or the command line)."""
    if not getattr(user, "pk", None) or is_command_line(user):
        return Job.objects.none()
    jobs = Job.objects.filter(started_by=user)
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    return jobs[:limit]


def job_get(uuid) -> Job | None:
    return Job.objects.select_related("started_by").filter(uuid=uuid).first()


def job_link(job: Job) -> str:
    """The URL of the job's result, or '' when it has none."""
    if not job.link_name:
        return ""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(job.link_name, args=job.link_args)
    except NoReverseMatch:
        return ""
