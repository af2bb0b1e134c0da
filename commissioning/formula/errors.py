"""The one error of bad formula inputs, shared by the reads and the writes."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FormulaInputError(ValidationError):
    """Inputs that cannot make a run: a clear message, nothing stored."""
