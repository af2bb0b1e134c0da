"""The statuses an application passes through (the moves between them are in workflow.py)."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    INELIGIBLE = "ineligible", "Not eligible"
    IN_REVIEW = "in_review", "In review"
    REVIEWED = "reviewed", "Reviewed"
    RECOMMENDED = "recommended", "Recommended by the panel"
    NOT_RECOMMENDED = "not_recommended", "Not recommended"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
