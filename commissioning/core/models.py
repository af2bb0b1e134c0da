"""Base models and the audit log.

`AuditEvent` rows are append-only: the application never updates or deletes them, and
database triggers (see migration 0002) refuse UPDATE and DELETE on PostgreSQL and SQLite.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from .audit_words import action_words, kind_words


class BaseModel(models.Model):
    """Public UUID for URLs, and who made and last changed the row."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an append-only row."""


class AppendOnlyModel(models.Model):
    """A row that is written once. Corrections are new rows, never edits."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class AuditEvent(AppendOnlyModel):
    """One write: who did what to which object, when (UTC), with before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Name at the time, or 'system'")
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["object_type", "object_uuid"]),
            # The audit log, newest first, a page at a time, alone or with a date range, and
            # each of its filters with the same order (migration 0007 says why).
            models.Index(fields=["created_at", "id"], name="core_audit_when"),
            models.Index(fields=["actor", "created_at", "id"], name="core_audit_actor_when"),
            models.Index(fields=["action", "created_at", "id"], name="core_audit_action_when"),
            models.Index(fields=["object_type", "created_at", "id"], name="core_audit_kind_when"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )

    @property
    def action_words(self) -> str:
        """What was done, in plain English (`core.audit_words`); the code stays in `action`."""
        return action_words(self.action, self.before)

    @property
    def object_kind(self) -> str:
        """What kind of thing the event is about, in words ("Decision record")."""
        return kind_words(self.object_type)


class Message(AppendOnlyModel):
    """An email the product sent, kept so the recipient can read it in the product too."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    about_type = models.CharField(max_length=100, blank=True)
    about_uuid = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    """A piece of work someone started that runs in the background (`core.jobs`): what it is,
    how far it has got and how it ended, for the person who started it to follow."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=100, help_text="A kind registered with core.jobs.job_kind")
    title = models.CharField(max_length=200)
    key = models.CharField(
        max_length=200, help_text="The same key while queued or running is the same job"
    )
    status = models.CharField(max_length=20, choices=JobStatus, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict, blank=True, help_text="What the job's runner is given")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0, help_text="0 when there is nothing to count")
    stage = models.CharField(max_length=200, blank=True)
    outcome = models.TextField(blank=True, help_text="How it ended, in words for its starter")
    link_name = models.CharField(max_length=100, blank=True, help_text="URL name of the result")
    link_args = models.JSONField(default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["started_by", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_one_active_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(total=0) | models.Q(done__lte=models.F("total")),
                name="job_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        return min(100, self.done * 100 // self.total) if self.total else None
