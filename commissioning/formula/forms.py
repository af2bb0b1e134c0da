from __future__ import annotations

from decimal import Decimal

from django import forms

from commissioning.budgets.forms import MoneyField
from commissioning.budgets.models import FinancialYear, Status

from . import late
from .errors import FormulaInputError
from .models import HarmWeightTable
from .services import POPULATION_SOURCES

LATE_FIELDS = ("late_action", "late_returns", "late_days", "late_percent")
WEIGHT_FIELDS = ("weight_harm", "weight_rate", "weight_population", "extra_weights")


class RunForm(forms.Form):
    title = forms.CharField(
        max_length=300, required=False, help_text="Optional; a title is made for you"
    )
    year = forms.ModelChoiceField(
        queryset=FinancialYear.objects.all(),
        label="Crime data year",
        error_messages={"required": "Choose the year of crime data"},
    )
    pot = MoneyField(label="Pot", error_messages={"required": "Enter the pot to share"})
    weight_harm = forms.DecimalField(
        label="Weight: crime harm (%)", min_value=0, max_value=100, initial=65
    )
    weight_rate = forms.DecimalField(
        label="Weight: crimes per 1,000 people (%)", min_value=0, max_value=100, initial=20
    )
    weight_population = forms.DecimalField(
        label="Weight: population (%)", min_value=0, max_value=100, initial=15
    )
    extra_weights = forms.CharField(
        required=False,
        label="Weights for uploaded indicators",
        help_text="For example deprivation=10 (all weights together must make 100)",
    )
    population_source = forms.ChoiceField(
        choices=list(POPULATION_SOURCES.items()), initial="census2021"
    )
    harm_table = forms.ModelChoiceField(
        queryset=HarmWeightTable.objects.all(),
        required=False,
        empty_label="Default: ONS Crime Severity Score",
    )
    include_asb = forms.BooleanField(
        required=False, label="Count anti-social behaviour (needs a weight for it)"
    )
    join = forms.ChoiceField(
        label="Joint partnerships",
        choices=[
            ("merge", "Merge the districts' indicators, then take shares"),
            ("add", "Compute each district, then add the amounts"),
            ("none", "Treat every district separately"),
        ],
        initial="merge",
    )
    unit = MoneyField(label="Round to (pounds)", required=False, initial="1")
    minimum = MoneyField(label="Minimum allocation per area", required=False)
    previous_year = forms.ModelChoiceField(
        queryset=FinancialYear.objects.all(),
        required=False,
        label="Compare with the Partnership Locality Fund of",
        empty_label="No comparison",
    )
    floor_pct = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        label="Largest fall from the previous allocation (%)",
    )
    cap_pct = forms.DecimalField(
        required=False, min_value=0, label="Largest rise from the previous allocation (%)"
    )
    phase_in = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_value=1,
        label="Phase-in (fraction of the change taken this year)",
    )
    # The late-returns rule (late.py), checked by the same rule the service applies.
    late_action = forms.ChoiceField(
        label="What happens to an area whose partnership's returns were late",
        choices=list(late.ACTIONS.items()),
        initial=late.NONE,
        widget=forms.RadioSelect,
        required=False,  # not chosen: no rule (the page checks "none" to begin with)
    )
    late_returns = forms.IntegerField(
        required=False,
        initial=1,
        label="Number of late returns that applies the rule",
        help_text="An area with this many returns late, or more, is held or reduced",
        error_messages={"invalid": "The number of late returns must be a whole number"},
    )
    late_days = forms.IntegerField(
        required=False,
        initial=0,
        label="Late by more than (days)",
        help_text="0 counts any return that was late at all",
        error_messages={"invalid": "The days late must be a whole number of days"},
    )
    late_percent = forms.DecimalField(
        required=False,
        label="Reduce the allocation by (%)",
        help_text="Only for a reduction; the amount withheld stays unallocated in the fund",
        error_messages={"invalid": "The percentage to reduce by must be a number"},
    )

    def run_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in LATE_FIELDS]

    def late_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in LATE_FIELDS]

    def weights(self) -> dict[str, Decimal]:
        data = self.cleaned_data
        weights = {
            "harm": data["weight_harm"],
            "rate": data["weight_rate"],
            "population": data["weight_population"],
        }
        weights = {k: v for k, v in weights.items() if v}
        for part in (data.get("extra_weights") or "").split(","):
            if part.strip():
                name, _, value = part.partition("=")
                try:
                    weights[name.strip()] = Decimal(value.strip())
                except Exception:
                    raise forms.ValidationError(f"“{part}” should look like name=number") from None
        return weights

    def clean(self):
        data = super().clean() or {}
        try:
            late.late_rule(
                data.get("late_action"),
                data.get("late_returns"),
                data.get("late_days"),
                data.get("late_percent"),
            )
        except FormulaInputError as exc:
            # Every problem at once, under its field; a field that could not be read at all
            # already says so.
            for name, messages in exc.message_dict.items():
                if name not in self.errors:
                    for message in messages:
                        self.add_error(name if name in self.fields else None, message)
        if not any(name in self.errors for name in WEIGHT_FIELDS):
            try:
                total = sum(self.weights().values(), Decimal(0))
            except forms.ValidationError as exc:
                self.add_error("extra_weights", exc)
                return data
            if total != 100:
                self.add_error(
                    None, f"The weights add up to {total.normalize():f}%; they must add up to 100%"
                )
        return data


class AdoptForm(forms.Form):
    year = forms.ModelChoiceField(queryset=FinancialYear.objects.all(), label="Funding year")
    status = forms.ChoiceField(
        choices=[(Status.INDICATIVE, "Indicative (provisional)"), (Status.COMMITTED, "Committed")]
    )


class UploadWeightsForm(forms.Form):
    name = forms.CharField(max_length=200)
    file = forms.FileField(help_text="CSV with columns crime_type,weight")
    source = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Where the weights come from",
    )


class UploadIndicatorForm(forms.Form):
    name = forms.SlugField(max_length=40, help_text="Short name used in weights, e.g. deprivation")
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(
        choices=[("count", "A count (adds up across areas)"), ("index", "An index or score")]
    )
    file = forms.FileField(help_text="CSV with columns area_code,value")
    source = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class CrimeUploadForm(forms.Form):
    upload = MultipleFileField(
        label="police.uk street-level files",
        help_text="Street-level CSV files (such as 2024-03-leicestershire-street.csv) or the "
        "zip archive police.uk gives you. Loading a month again replaces it.",
        error_messages={"required": "Choose one or more police.uk files to load"},
    )
