from __future__ import annotations

from decimal import Decimal

from django import forms

from commissioning.core.money import money_text, to_money
from commissioning.organisations.models import Area, Organisation
from commissioning.plans.models import StrategicPriority, Theme

from .models import (
    Allocation,
    FinancialYear,
    Funding,
    FundingStream,
    Mechanism,
    Pool,
    Status,
    StreamKind,
)
from .periods import PERIOD_ORDER, PERIODS
from .selectors import allocation_lines


class MoneyField(forms.CharField):
    """An amount in pounds as people type it: "12,500", "£12,500.50" or "12500"."""

    widget = forms.TextInput(
        attrs={"inputmode": "decimal", "class": "govuk-input--width-10", "spellcheck": "false"}
    )

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            amount = to_money(value)
        except ValueError:
            raise forms.ValidationError(
                f"Enter the amount for {self.label} in pounds, like 1,250 or 1,250.50"
            ) from None
        if amount < 0:
            raise forms.ValidationError(f"The amount for {self.label} cannot be negative")
        return amount


class PriorityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class AllocationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation",
            "invalid_choice": "Choose an organisation from the list",
        },
    )
    initiative = forms.CharField(
        max_length=500, error_messages={"required": "Enter the initiative"}
    )
    mechanism = forms.ChoiceField(
        choices=[("", "Choose a mechanism"), *Mechanism.choices],
        label="Funding mechanism",
        error_messages={"required": "Choose the funding mechanism"},
    )
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(), required=False, empty_label="Across all themes"
    )
    primary_priority = PriorityChoice(
        queryset=StrategicPriority.objects.all(), required=False, empty_label="None"
    )
    secondary_priority = PriorityChoice(
        queryset=StrategicPriority.objects.all(), required=False, empty_label="None"
    )
    reach = forms.ModelChoiceField(
        queryset=Area.objects.all(),
        required=False,
        empty_label="Not stated",
        label="Geographical reach",
    )
    funding_stream = forms.ModelChoiceField(
        queryset=FundingStream.objects.none(), required=False, empty_label="Not attributed"
    )
    status = forms.ChoiceField(
        choices=[(Status.INDICATIVE, "Indicative"), (Status.COMMITTED, "Committed")]
    )
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    funding = forms.ChoiceField(
        choices=[(Funding.CASH, Funding.CASH.label), (Funding.IN_KIND, Funding.IN_KIND.label)],
        initial=Funding.CASH,
        widget=forms.RadioSelect,
        required=False,  # not chosen: cash
        label="Cash or support in kind",
        help_text="Support in kind (staff or services, valued) is not cash: it is left out of "
        "the budget's totals and never paid",
    )
    valuation_basis = forms.CharField(
        max_length=300,
        required=False,
        label="How the support in kind was valued",
        help_text="Only for support in kind, for example “two officers' time at force rates”",
    )

    def __init__(self, *args, year: FinancialYear, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["funding_stream"].queryset = FundingStream.objects.filter(year=year)  # type: ignore[attr-defined]
        pools = Pool.objects.filter(year=year)
        if "funding" in self.fields and pools.exists():
            # The year has pooled budgets: an award can be paid from one.
            funding = self.fields["funding"]
            funding.choices = [*funding.choices, (Funding.POOLED, Funding.POOLED.label)]  # type: ignore[attr-defined]
            funding.label = "Whose money"
            funding.help_text = (
                "Support in kind (staff or services, valued) is not cash. An award from a pooled "
                "budget is paid from the pool, not the PCC's budget: choose the pool below"
            )
            self.fields["pool"] = forms.ModelChoiceField(
                queryset=pools,
                required=False,
                empty_label="Not from a pool",
                label="Pooled budget",
                help_text="Only for an award from a pooled budget",
            )
            order = list(self.fields)
            order.remove("pool")
            order.insert(order.index("funding") + 1, "pool")
            self.order_fields(order)
        for code in PERIOD_ORDER:
            spec = PERIODS[code]
            self.fields[f"amount_{code}"] = MoneyField(
                label=f"{spec.label} ({code})", required=False
            )

    def clean(self):
        data = super().clean() or {}
        if (
            "funding" in self.fields
            and data.get("valuation_basis")
            and data.get("funding", "") != Funding.IN_KIND
        ):
            self.add_error(
                "valuation_basis", "Only support in kind is valued: leave this blank for cash"
            )
        if "pool" in self.fields:
            pooled = data.get("funding") == Funding.POOLED
            if pooled and not data.get("pool"):
                self.add_error("pool", "Choose the pooled budget the award is paid from")
            elif not pooled and data.get("pool"):
                self.add_error("pool", "Only an award from a pooled budget names a pool")
        return data

    def clean_funding(self):
        return self.cleaned_data.get("funding") or Funding.CASH

    def amounts(self) -> dict[str, Decimal]:
        return {
            code: self.cleaned_data[f"amount_{code}"]
            for code in PERIOD_ORDER
            if self.cleaned_data.get(f"amount_{code}") not in (None, "")
        }

    def amount_fields(self):
        return [self[f"amount_{code}"] for code in PERIOD_ORDER]

    def dimension_fields(self):
        return [self[name] for name in self.fields if not name.startswith("amount_")]

    def dimensions(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("amount_")}
        for key in ("comment",):
            data[key] = data.get(key) or ""
        return data


class VaryForm(AllocationForm):
    """Cash, in kind or pooled (and the pool) is part of the allocation's identity: a variation
    cannot change it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["funding"]
        del self.fields["valuation_basis"]
        self.fields.pop("pool", None)

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the variation",
        help_text="Recorded in the history",
        error_messages={"required": "Say why the allocation is being varied"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or Excel .xlsx, up to 5 MB")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB")
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Choose a .csv or .xlsx file")
        return upload


class TransitionForm(forms.Form):
    source_year = forms.ModelChoiceField(queryset=FinancialYear.objects.all(), label="Prior year")
    percentage = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=Decimal("50"),
        help_text="Share of each partner's prior-year funding",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
    )
    period = forms.ChoiceField(
        choices=[(c, f"{PERIODS[c].label} ({c})") for c in PERIOD_ORDER], initial="H1"
    )
    status = forms.ChoiceField(
        choices=[(Status.INDICATIVE, "Indicative"), (Status.COMMITTED, "Committed")]
    )
    mechanism = forms.ChoiceField(
        choices=[("", "Keep each allocation's mechanism"), *Mechanism.choices], required=False
    )


class YearForm(forms.Form):
    label = forms.CharField(
        label="Financial year",
        help_text="For example 2024/25 (1 April to 31 March)",
        max_length=7,
        error_messages={"required": "Enter the financial year, like 2024/25"},
    )

    def clean_label(self):
        try:
            FinancialYear.parse_label(self.cleaned_data["label"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return self.cleaned_data["label"]


class StreamForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the stream's name"})
    amount = MoneyField(label="Amount", error_messages={"required": "Enter the amount"})
    kind = forms.ChoiceField(choices=StreamKind.choices)
    reserve = forms.CharField(
        max_length=200, required=False, help_text="For a draw from a reserve: the reserve's name"
    )
    source_body = forms.CharField(label="Provided by", max_length=200, required=False)
    ring_fenced = forms.BooleanField(required=False, label="Ring-fenced")
    conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("kind") == StreamKind.RESERVE_DRAW and not data.get("reserve"):
            self.add_error("reserve", "Name the reserve this draw comes from")
        if data.get("kind") != StreamKind.RESERVE_DRAW and data.get("reserve"):
            self.add_error("reserve", "Only a draw from a reserve names a reserve")
        return data


class BudgetLineForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the line's name"})
    mechanism = forms.ChoiceField(
        choices=[("", "None: this line holds a reserve"), *Mechanism.choices],
        required=False,
        label="Funding mechanism",
    )
    amount = MoneyField(label="Amount", error_messages={"required": "Enter the amount"})
    capped = forms.BooleanField(
        required=False,
        label="Capped: refuse any commitment that would take the line over its amount",
    )


class FindingExplainForm(forms.Form):
    """Mark a reconciliation finding explained. The service says what is wrong (an empty
    note, a finding that is no longer there), so both fields are left to it."""

    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class PoolForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the pool's name"})
    host = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        empty_label="Choose the partner that holds the pool",
        label="Held by",
        help_text="The partner that holds the pool and accounts for it",
        error_messages={"required": "Choose the partner that holds the pool"},
    )
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What the pool is for",
        error_messages={"required": "Say what the pool is for"},
    )
    agreed_total = MoneyField(
        label="Agreed total",
        help_text="What the partners agreed to put in, in pounds",
        error_messages={"required": "Enter the agreed total"},
    )


class AllocationChoice(forms.ModelChoiceField):
    """An allocation named as a person would pick it: "2013/14-0042: Leicester City Council,
    Drug and alcohol pool (£199,960)", from `labels` (reference -> words) where given."""

    labels: dict[str, str] = {}

    def label_from_instance(self, obj):
        return self.labels.get(obj.reference, str(obj))


class ContributionForm(forms.Form):
    contributor = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        empty_label="Choose the partner",
        label="Partner",
        error_messages={"required": "Choose the partner contributing"},
    )
    amount = MoneyField(label="Amount", error_messages={"required": "Enter the amount"})
    period = forms.ChoiceField(
        choices=[(code, PERIODS[code].label) for code in PERIOD_ORDER],
        initial="FY",
        label="Part of the year",
    )
    status = forms.ChoiceField(
        choices=[("committed", "Committed"), ("indicative", "Indicative (not yet agreed)")],
        widget=forms.RadioSelect,
        label="Committed or indicative",
        help_text="Only committed contributions can be spent",
        error_messages={"required": "Say whether the contribution is committed or indicative"},
    )
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Conditions"
    )
    allocation = AllocationChoice(
        queryset=Allocation.objects.none(),
        required=False,
        empty_label="Not the PCC's contribution",
        label="For the PCC's contribution: the allocation that pays it",
        help_text="The PCC's money counts once, as this allocation of the PCC's budget",
    )

    def __init__(self, *args, pool: Pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = Allocation.objects.filter(  # type: ignore[attr-defined]
            year=pool.year, funding=Funding.CASH, pool_contribution__isnull=True
        ).order_by("reference")
        # Who each allocation pays, for what and how much: the year's lines, read once.
        self.fields["allocation"].labels = {  # type: ignore[attr-defined]
            line.reference: (
                f"{line.reference}: {line.organisation}, {line.initiative} "
                f"({money_text(line.total)})"
            )
            for line in allocation_lines(pool.year)
        }
