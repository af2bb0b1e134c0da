"""Forms only collect: `services.cohort_upload` and `services.cohort_link` check everything
and name each problem by field (and, for the file, by row and column)."""

from __future__ import annotations

from django import forms

from commissioning.agreements.forms import DateField


class UploadForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="What the file is, for example “IOM, PPO and DYO cohorts, April to September”",
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    period_label = forms.CharField(
        label="Period measured",
        help_text="For example 2013/14",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    target = forms.CharField(
        label="Reduction target",
        help_text="The percentage by which offending should fall",
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-5", "spellcheck": "false"}
        ),
    )
    retain_until = DateField(
        label="Keep the data until",
        required=False,
        help_text="Leave blank to keep it for the longest time allowed. It is deleted after this day",
    )
    file = forms.FileField(
        label="Cohort file",
        help_text="A CSV file (UTF-8), up to 10 MB",
        required=False,
    )


class LinkForm(forms.Form):
    """Which agreement outcome a cohort's measures report on."""

    outcome = forms.ChoiceField(label="Agreement outcome", required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["outcome"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Not linked to an outcome"), *choices]
