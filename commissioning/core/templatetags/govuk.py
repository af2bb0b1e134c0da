"""Template helpers for GOV.UK Frontend markup written by hand in Django templates.

Load with ``{% load govuk %}``.

Filters
    ``widget_type``     the widget's short type, as Django's ``BoundField.widget_type``:
                        "text", "number", "email", "password", "select", "textarea",
                        "clearablefile", "file", "checkbox", "date", "radioselect", ...
    ``govuk_class``     the GOV.UK class(es) for a bound field's widget, with the error
                        modifier when the field has errors ("govuk-input govuk-input--error").
    ``add_class``       renders a bound field's widget with extra CSS classes.
    ``error_anchor``    the id an error summary link should point at for a field.
    ``money``           "£1,234", "£1,234.56", negative with U+2212 before "£"; None/"" -> "".
    ``percent``         "8.04%" as the data carries it, negative with U+2212: "−8.04%".
    ``page_href``       "?<query_string>&page=N" for pagination links.
    ``elided_pages``    page numbers with ``None`` for the gaps, for GOV.UK pagination.
    ``described_by``    "<id>-hint <id>-error" for aria-describedby (``field|described_by:hint``).
    ``date_parts``      a GOV.UK date input's boxes (day, month, year) for a bound
                        ``core.forms.DateInputField``: label, name, id, value, width.

Tag
    ``{% govuk_widget field hint=... classes=... %}`` renders the widget with the
    GOV.UK class for its type, the error modifier and ``aria-describedby`` pointing
    at the hint (``<id>-hint``) and error message (``<id>-error``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils.safestring import SafeString

from commissioning.core.money import MINUS, money_text, percent_text

register = template.Library()


# widget_type -> (GOV.UK class, error modifier)
_GOVUK_CLASSES: dict[str, tuple[str, str]] = {
    "text": ("govuk-input", "govuk-input--error"),
    "number": ("govuk-input", "govuk-input--error"),
    "email": ("govuk-input", "govuk-input--error"),
    "password": ("govuk-input", "govuk-input--error"),
    "url": ("govuk-input", "govuk-input--error"),
    "date": ("govuk-input govuk-input--width-10", "govuk-input--error"),
    "datetime": ("govuk-input", "govuk-input--error"),
    "time": ("govuk-input", "govuk-input--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "nullbooleanselect": ("govuk-select", "govuk-select--error"),
    "selectmultiple": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "clearablefile": ("govuk-file-upload", "govuk-file-upload--error"),
    "multiplefile": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "radioselect": ("govuk-radios__input", ""),
    "checkboxselectmultiple": ("govuk-checkboxes__input", ""),
}

_MULTIPLE_CHOICE = {"radioselect", "checkboxselectmultiple"}


def _widget_type_of(widget: object) -> str:
    return re.sub(r"widget$|input$", "", widget.__class__.__name__.lower())


@register.filter
def period_short(label: str) -> str:
    """A reporting period's label up to its bracket, for a column heading:
    "Q1 2031/32 (April to June)" -> "Q1 2031/32"."""
    return str(label).split(" (")[0]


@register.filter
def widget_type(field: object) -> str:
    """Short widget type of a bound field (or a widget): "text", "select", "checkbox"..."""
    if isinstance(field, BoundField):
        return field.widget_type
    widget = getattr(getattr(field, "field", None), "widget", None) or field
    return _widget_type_of(widget)


@register.filter
def govuk_class(field: BoundField) -> str:
    """GOV.UK class(es) for the field's widget, with the error modifier if it has errors."""
    base, error = _GOVUK_CLASSES.get(widget_type(field), ("govuk-input", "govuk-input--error"))
    if error and getattr(field, "errors", None):
        return f"{base} {error}"
    return base


def _merge_classes(*parts: str | None) -> str:
    seen: list[str] = []
    for part in parts:
        for name in (part or "").split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


@register.filter
def add_class(field: BoundField, css: str) -> SafeString:
    """Render the field's widget with extra classes (kept alongside the widget's own)."""
    if not isinstance(field, BoundField):
        return field
    existing = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": _merge_classes(existing, css)})


@register.filter
def error_anchor(field: BoundField) -> str:
    """Id to link to from the error summary: the input itself, or the first option."""
    auto_id = field.auto_id or f"id_{field.html_name}"
    if widget_type(field) in _MULTIPLE_CHOICE:
        return f"{auto_id}_0"
    return auto_id


@register.filter
def described_by(field: BoundField, hint: object = "") -> str:
    """Value for aria-describedby: "<id>-hint" if there is a hint, "<id>-error" if errors."""
    field_id = field.id_for_label or field.auto_id
    if widget_type(field) in _MULTIPLE_CHOICE:
        field_id = field.auto_id
    ids = [f"{field_id}-hint"] if hint else []
    if field.errors:
        ids.append(f"{field_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_widget(field: BoundField, hint: object = "", classes: str = "") -> SafeString:
    """Render ``field``'s widget with GOV.UK classes and aria-describedby.

    ``hint``: the hint shown for the field (truthy means a ``<id>-hint`` element exists).
    ``classes``: extra classes, e.g. "govuk-input--width-10".
    """
    attrs: dict[str, str | bool] = {
        "class": _merge_classes(govuk_class(field), field.field.widget.attrs.get("class"), classes)
    }
    ids = described_by(field, hint)
    if ids:
        attrs["aria-describedby"] = ids
    return field.as_widget(attrs=attrs)


def _to_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    # A float's str() is its shortest exact repr ("0.1"), so no binary noise leaks in;
    # the arithmetic below is all Decimal.
    text = str(value).strip().replace(",", "").replace("£", "").replace(" ", "")
    text = text.replace(MINUS, "-")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@register.filter(is_safe=False)
def percent(value: object) -> str:
    """A percentage as the data carries it, negative with a true minus: "−8.04%".
    None and "" give ""; values that are not numbers are returned unchanged."""
    if value is None or value == "":
        return ""
    number = _to_decimal(value)
    if number is None or not number.is_finite():
        return str(value)
    return percent_text(number)


@register.filter(is_safe=False)
def money(value: object, arg: str = "") -> str:
    """Format an amount in pounds: "£1,234" when whole pounds, "£1,234.56" otherwise.

    Negative amounts start with a true minus sign (U+2212), as in "\u2212£1,234".
    None and "" give "".
    ``{{ amount|money:"pence" }}`` always shows pence ("£1,234.00").
    Values that are not amounts are returned unchanged.
    """
    if value is None or value == "":
        return ""
    amount = _to_decimal(value)
    if amount is None or not amount.is_finite():
        return str(value)
    return money_text(amount, pence=arg == "pence")


@register.filter
def page_href(query_string: object, page_number: object) -> str:
    """Link for page N: "?<other params>&page=N", replacing any page parameter."""
    query = QueryDict(str(query_string or "").lstrip("?&"), mutable=True)
    query.pop("page", None)
    query["page"] = str(page_number)
    return "?" + query.urlencode()


@register.filter
def elided_pages(page_obj: object) -> list[int | None]:
    """Page numbers around the current page, with ``None`` where pages are left out."""
    paginator = page_obj.paginator  # type: ignore[attr-defined]
    pages = paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)  # type: ignore[attr-defined]
    return [None if p == paginator.ELLIPSIS else p for p in pages]


_DATE_PART_WIDTHS = {"day": 2, "month": 2, "year": 4}


@register.filter
def date_parts(field: BoundField) -> list[dict[str, object]]:
    """The boxes of a GOV.UK date input, for ``includes/date_input.html``. The day box takes
    the field's own id, so the error summary's link (``error_anchor``) lands in it."""
    widget: Any = field.field.widget
    value = field.value()
    values = list(value) if isinstance(value, list | tuple) else widget.decompress(value)
    auto_id = field.auto_id or f"id_{field.html_name}"
    parts: list[dict[str, object]] = []
    for i, suffix in enumerate(widget.widgets_names):  # "_day", "_month", "_year"
        part = suffix.lstrip("_")
        parts.append(
            {
                "label": part.capitalize(),
                "name": f"{field.html_name}{suffix}",
                "id": auto_id if i == 0 else f"{auto_id}-{part}",
                "value": "" if values[i] in (None, "") else values[i],
                "width": _DATE_PART_WIDTHS.get(part, 4),
            }
        )
    return parts
