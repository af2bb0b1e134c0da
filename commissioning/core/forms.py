"""Putting a service's refusal on the form the user filled in; GOV.UK date inputs."""

from __future__ import annotations

import datetime as dt
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


class DatePartsWidget(forms.MultiWidget):
    """A GOV.UK date input's three boxes: `<name>_day`, `<name>_month` and `<name>_year`
    (drawn by `includes/date_input.html`)."""

    PARTS = ("day", "month", "year")

    def __init__(self, attrs=None):
        super().__init__(
            widgets={part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in self.PARTS},
            attrs=attrs,
        )

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateInputField(forms.MultiValueField):
    """A date entered in GOV.UK date input boxes (day, month, year), checked as GOV.UK says:
    every part given, each a number, and together a real date. Empty boxes are no date."""

    widget = DatePartsWidget

    def __init__(self, **kwargs):
        parts = tuple(forms.CharField(required=False) for _ in DatePartsWidget.PARTS)
        kwargs.setdefault("required", False)
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        parts = [str(p or "").strip() for p in data_list] if data_list else []
        if not any(parts):
            return None
        name = str(self.label or "The date")
        missing = [p for p, v in zip(DatePartsWidget.PARTS, parts, strict=True) if not v]
        if missing:
            raise ValidationError(f"{name} must include a {' and a '.join(missing)}")
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValidationError(f"{name} must be a real date, for example 27 3 2026")
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValidationError(f"{name} must be a real date") from None


class AuditSearchForm(forms.Form):
    """The audit log's filters, read from the query string (GET: searching changes nothing).
    A filter that does not check out is reported and left out of the search; the rest apply."""

    person = forms.ChoiceField(label="Who", required=False)
    kind = forms.ChoiceField(label="Kind of thing", required=False)
    text = forms.CharField(
        label="Reference or description",
        required=False,
        max_length=100,
        help_text="For example, a reference or a name",
    )
    action = forms.ChoiceField(label="What was done", required=False)
    since = DateInputField(label="Date from")
    until = DateInputField(label="Date to")

    def __init__(self, *args, people, kinds, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Anyone"), *people]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", "Any kind"), *kinds]  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", "Anything"), *actions]  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "Date to must be the same as or after date from")
        return data

    def search_terms(self) -> dict[str, object]:
        """The filters that checked out (after `is_valid`), by name."""
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "")}
