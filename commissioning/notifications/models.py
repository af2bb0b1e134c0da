"""Notifications: one plain-English sentence to one person when work comes to them, with a
link to the work, shown in the product and (unless they chose otherwise) emailed as well.

The apps above call `services.notify` where they assign work; this app knows none of them,
only the kinds of notification below and who each kind is for.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from commissioning.core.roles import Role


class Kind(models.TextChoices):
    """What a notification is about; each person chooses, kind by kind, whether to be
    emailed as well. The labels are the choices on the Notifications page."""

    REVIEW_ASSIGNED = "review_assigned", "Applications assigned to you to review"
    PANEL_READY = "panel_ready", "Rounds whose applications are ready for the panel"
    AWARDS_TO_APPROVE = "awards_to_approve", "Panel recommendations ready for your decision"
    DECISION_TO_SIGN = "decision_to_sign", "Decision records approved, waiting for your signature"
    DECISION_TO_DETERMINE = (
        "decision_to_determine",
        "Signed decision records waiting for the publication determination",
    )
    RETURN_SUBMITTED = "return_submitted", "Monitoring returns submitted for you to review"
    RETURN_DECIDED = "return_decided", "Your monitoring returns sent back for changes or accepted"
    VARIATION_TO_SIGN = "variation_to_sign", "Changes to your agreements waiting for your signature"
    RETURN_REMINDER = "return_reminder", "Reminders of monitoring returns due soon or late"


#: The roles each kind is sent to: the page offers a person the kinds their roles receive.
FOR_ROLES: dict[str, frozenset[str]] = {
    Kind.REVIEW_ASSIGNED: frozenset({Role.REVIEWER}),
    Kind.PANEL_READY: frozenset({Role.PANEL_MEMBER}),
    Kind.AWARDS_TO_APPROVE: frozenset({Role.PCC}),
    Kind.DECISION_TO_SIGN: frozenset({Role.PCC}),
    Kind.DECISION_TO_DETERMINE: frozenset({Role.CHIEF_EXECUTIVE}),
    Kind.RETURN_SUBMITTED: frozenset({Role.COMMISSIONING_OFFICER}),
    Kind.RETURN_DECIDED: frozenset({Role.PARTNER}),
    Kind.VARIATION_TO_SIGN: frozenset({Role.PARTNER}),
    Kind.RETURN_REMINDER: frozenset({Role.PARTNER}),
}


class Notification(models.Model):
    """One sentence to one person about work that has come to them. `read_at` is set when
    they mark their notifications as read; nothing else ever changes."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    message = models.CharField(max_length=500, help_text="A sentence in plain English")
    link = models.CharField(max_length=500, help_text="Where the work is: a path in the product")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(
        default=False, help_text="Whether an email was queued as well (core.models.Message)"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


class EmailChoice(models.Model):
    """A person's choice for one kind of notification: emailed as well, or shown only in the
    product. With no row for a kind, the person is emailed (the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_choices"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_choice_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {'by email' if self.email else 'in the product only'}"
