"""The year end's forms: collecting an underspend, raising what is owed back, recording a
repayment. The services check the rules (how much is collectable or owed); the forms check
what was typed."""

from __future__ import annotations

from django import forms

from commissioning.agreements.forms import DateField
from commissioning.budgets.forms import MoneyField


def _text(label: str, hint: str, required: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
        error_messages={"required": required},
    )


class CollectForm(forms.Form):
    amount = MoneyField(
        label="Underspend to collect",
        help_text="In pounds. At most what is unspent and not paid (shown above).",
        error_messages={"required": "Enter the amount to collect"},
    )
    source = _text(
        "Where the underspend was identified",
        "For example: the final return for Q4 reports £7,500 spent of £10,000",
        "Say where the underspend was identified",
    )


class OwedForm(forms.Form):
    amount = MoneyField(
        label="Amount owed back",
        help_text="In pounds: money paid in advance that was not spent.",
        error_messages={"required": "Enter the amount owed back"},
    )
    reason = _text(
        "Why it is owed",
        "For example: Q4 was paid in advance and the final return reports it unspent",
        "Say why the money is owed back",
    )


class RepaidForm(forms.Form):
    received_on = DateField(
        label="Date received",
        help_text="For example 28/4/2017",
        error_messages={"required": "Enter the date the money was received"},
        past="The date received cannot be in the future",
    )
    reference = forms.CharField(
        label="Finance system reference",
        max_length=100,
        help_text="The receipt's reference in the finance system",
        error_messages={"required": "Enter the finance system's reference for the money"},
    )
