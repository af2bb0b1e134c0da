"""The CFO's forms for a scenario. Each field is taken as typed; the service reads and checks
every value at once (`services.parse_year_value`, `calc.problems`), so the error summary
names every field that is wrong in one go."""

from __future__ import annotations

from django import forms

from . import calc


def _field(label: str, hint: str, width: str = "govuk-input--width-5") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": width, "spellcheck": "false"}
        ),
    )


def _reason() -> forms.CharField:
    return forms.CharField(
        label="Why (optional)",
        help_text="Kept in the audit history with the values before and after",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
    )


class YearForm(forms.Form):
    tax_base_growth_pct = _field("Tax base growth", "On the year before. For example 0.8")
    precept_change_pct = _field(
        "Precept change", "Change of Band D on the year before. For example 2, or 0 for a freeze"
    )
    grant_change_pct = _field(
        "Government grant change", "On the year before; a reduction is negative, like -3.3"
    )
    pay_inflation_pct = _field("Pay inflation", "Growth of pay costs on the year before")
    price_inflation_pct = _field("Price inflation", "Growth of other costs on the year before")
    freeze_grant = _field(
        "Council tax freeze grant",
        "Offered for not raising the precept this year; lost by any increase",
        "govuk-input--width-10",
    )
    savings_planned = _field(
        "Savings planned", "The year's savings against its costs", "govuk-input--width-10"
    )
    use_of_reserves = _field("Use of reserves", "Drawn this year", "govuk-input--width-10")
    reason = _reason()

    PERCENT = calc.PERCENT_FIELDS
    MONEY = calc.MONEY_FIELDS


class BaseForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, required=False)
    base_budget_requirement = _field(
        "Budget requirement", "Of the base year, in pounds", "govuk-input--width-10"
    )
    base_council_tax_requirement = _field(
        "Council tax requirement", "Of the base year, in pounds", "govuk-input--width-10"
    )
    base_tax_base = _field(
        "Tax base", "Band D equivalents, to 2 decimal places", "govuk-input--width-10"
    )
    base_band_d = _field("Band D", "Pounds a year, to 4 decimal places", "govuk-input--width-10")
    pay_share_pct = _field(
        "Pay share of the budget", "The part of the budget grown by pay inflation"
    )
    reason = _reason()

    PERCENT = ("pay_share_pct",)
    MONEY = ("base_budget_requirement", "base_council_tax_requirement", "base_band_d")


class CopyForm(forms.Form):
    name = forms.CharField(
        label="Name of the copy",
        help_text="Lower-case letters, digits and hyphens, like llr-2013-12-precept-plus-1",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    title = forms.CharField(label="Title", max_length=200, required=False)

    PERCENT: tuple[str, ...] = ()
    MONEY: tuple[str, ...] = ()


class CompareForm(forms.Form):
    first = forms.ChoiceField(label="First scenario", choices=())
    second = forms.ChoiceField(label="Second scenario", choices=())

    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, n) for n in names]
        for name in ("first", "second"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
