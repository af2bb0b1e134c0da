"""Putting a service's refusal on the form the user filled in."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django import forms
from django.core.exceptions import ValidationError


def attach_errors(
    form: forms.Form,
    exc: ValidationError,
    fields: Mapping[str, str] | Callable[[str], str | None] | None = None,
) -> None:
    """Every message of `exc` on `form`: by field where it names one the form has (after
    `fields`, a mapping or function from the service's name to the form's), otherwise at the
    top of the form. All of them at once, so the user sees every problem in one go."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, messages in exc.message_dict.items():
        if callable(fields):
            target = fields(key)
        else:
            target = (fields or {}).get(key, key)
        if target not in form.fields:
            target = None
        for message in messages:
            form.add_error(target, message)
