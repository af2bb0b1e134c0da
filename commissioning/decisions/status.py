"""A decision record's statuses and the signatures on its form (plain choices, no table)."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved for the PCC"
    SIGNED = "signed", "Signed by the PCC"
    PUBLISHED = "published", "Published"
    NOT_PUBLISHED = "not_published", "Not published"


class Step(models.TextChoices):
    """The signatures on the form, one for each move of the record's workflow."""

    APPROVE = "approve", "Office of the PCC approval"
    SIGN = "sign", "Decision of the Police and Crime Commissioner"
    DETERMINE = "determine", "Decision of the Monitoring Officer"
