"""Forms of the agreement pages. They only collect what was typed: the services check it and
name every problem at once, by field, and `core.forms.attach_errors` puts those messages on
the fields below (whose names are the services' own keys, such as "measures-2-target-3")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone

from commissioning.budgets.forms import MoneyField
from commissioning.grants.forms import parse_date
from commissioning.plans.models import StrategicPriority
from commissioning.plans.selectors import plan_current

from .models import Agreement, ConditionKind, ReportingPeriod, Unit

MEASURE_ROWS = 3  # measure rows on the outcome form
EXTRA_BUDGET_ROWS = 3  # empty category rows below the budget's own


def _text(label: str, *, rows: int = 0, required: bool = False, **kw: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=required, widget=widget, strip=True, **kw)


def _small(label: str) -> forms.CharField:
    """A narrow box for a number, as people type it."""
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-5", "spellcheck": "false"}
        ),
    )


class DateField(forms.CharField):
    """A date as people type it: 31/3/2032, 31 3 2032, 2032-03-31 or 31 March 2032. With
    `past=` a message, a date after today is refused with it (a payment made, money
    received)."""

    widget = forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"})

    def __init__(self, *args: Any, past: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.past = past

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            day = parse_date(value)
        except ValueError:
            raise forms.ValidationError(
                f"{self.label}: enter a real date, like 31/3/2032"
            ) from None
        if self.past and day > timezone.localdate():
            raise forms.ValidationError(self.past)
        return day


class AgreementForm(forms.Form):
    """A draft's own fields (services.DRAFT_FIELDS)."""

    title = _text("Title", required=True, max_length=300)
    purpose = _text(
        "Purpose",
        rows=4,
        help_text="What the money is for, as the partner will read it",
    )
    starts_on = DateField(label="Start date", help_text="For example 1/4/2031")
    ends_on = DateField(label="End date", help_text="For example 31/3/2032")
    maximum_sum = MoneyField(label="Maximum sum", help_text="The most the OPCC will pay")
    retention_percent = forms.CharField(
        label="Retention",
        required=False,
        help_text="The percentage of each instalment held back until the final return is "
        "accepted; 0 for none",
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-4", "spellcheck": "false"}
        ),
    )
    quality_standards = _text(
        "Quality standards", rows=4, help_text="The standards the work must meet"
    )
    underperformance = _text(
        "If outcomes are not being achieved",
        rows=4,
        help_text="How the PCC will manage outcomes that are not being achieved",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title", "starts_on", "ends_on", "maximum_sum"):
            label = self.fields[name].label
            self.fields[name].error_messages["required"] = f"Enter the {str(label).lower()}"

    def clean_retention_percent(self) -> Decimal:
        text = (self.cleaned_data.get("retention_percent") or "0").strip().rstrip("%")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("Retention: enter a percentage, like 10") from None
        if not value.is_finite() or not 0 <= value < 100:
            raise forms.ValidationError("Retention is a percentage from 0 up to 100")
        return value

    def clean(self):
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return data

    @staticmethod
    def initial_for(agreement: Agreement) -> dict[str, Any]:
        return {
            "title": agreement.title,
            "purpose": agreement.purpose,
            "starts_on": f"{agreement.starts_on:%-d/%-m/%Y}",
            "ends_on": f"{agreement.ends_on:%-d/%-m/%Y}",
            "maximum_sum": f"{agreement.maximum_sum:,}",
            "retention_percent": f"{agreement.retention_percent.normalize():f}",
            "quality_standards": agreement.quality_standards,
            "underperformance": agreement.underperformance,
        }


def _priority_choices() -> list[tuple[str, str]]:
    plan = plan_current()
    if plan is None:
        return [("", "None")]
    return [("", "None")] + [
        (p.code, f"{p.code} {p.title}")
        for p in StrategicPriority.objects.filter(plan=plan).order_by("id")
    ]


class MeasureFields:
    """Rows of new measures (`new_measures` of them), each with a target for every reporting
    period: on the outcome form and the variation form. A row left wholly empty is ignored."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    periods: list[ReportingPeriod]
    new_measures = MEASURE_ROWS

    if TYPE_CHECKING:  # forms.Form's, for the type checker

        def __getitem__(self, name: str) -> Any: ...

    def add_measure_fields(self) -> None:
        priorities = _priority_choices()
        for i in range(1, self.new_measures + 1):
            where = f"measures-{i}"
            self.fields[f"{where}-name"] = _text(f"Measure {i}: name")
            # Plain text fields behind the selects: the service checks the choice, with
            # every other problem, and names it.
            self.fields[f"{where}-unit"] = forms.CharField(
                label=f"Measure {i}: unit",
                required=False,
                initial=Unit.COUNT,
                widget=forms.Select(choices=Unit.choices),
            )
            self.fields[f"{where}-baseline"] = _small(f"Measure {i}: baseline")
            self.fields[f"{where}-priority"] = forms.CharField(
                label=f"Measure {i}: strategic priority it serves",
                required=False,
                widget=forms.Select(choices=priorities),
            )
            self.fields[f"{where}-proposed_by_partner"] = forms.BooleanField(
                label="The partner proposed this measure", required=False
            )
            for period in self.periods:
                self.fields[f"{where}-target-{period.number}"] = _small(
                    f"Measure {i}: target for {period.label}"
                )

    def measure_rows(self) -> list[dict[str, Any]]:
        """The form's rows for the template: each measure's fields and its target boxes."""
        return [
            {
                "number": i,
                "name": self[f"measures-{i}-name"],
                "unit": self[f"measures-{i}-unit"],
                "baseline": self[f"measures-{i}-baseline"],
                "priority": self[f"measures-{i}-priority"],
                "proposed": self[f"measures-{i}-proposed_by_partner"],
                "targets": [(p, self[f"measures-{i}-target-{p.number}"]) for p in self.periods],
            }
            for i in range(1, self.new_measures + 1)
        ]

    def measures(self) -> list[dict[str, Any]]:
        """The measures as services.outcome_add takes them. Only filled rows count, and they
        keep their row number so the service's messages land on the right row: an empty row
        before a filled one is passed along (and named) rather than renumbering the rest."""
        d = self.cleaned_data
        rows = []
        for i in range(1, self.new_measures + 1):
            where = f"measures-{i}"
            targets = {
                p.number: d.get(f"{where}-target-{p.number}", "")
                for p in self.periods
                if d.get(f"{where}-target-{p.number}", "")
            }
            filled = d.get(f"{where}-name") or d.get(f"{where}-baseline") or targets
            rows.append(
                {
                    "filled": bool(filled),
                    "name": d.get(f"{where}-name", ""),
                    "unit": d.get(f"{where}-unit") or Unit.COUNT,
                    "baseline": d.get(f"{where}-baseline", ""),
                    "priority": d.get(f"{where}-priority", ""),
                    "proposed_by_partner": d.get(f"{where}-proposed_by_partner", False),
                    "targets": targets,
                }
            )
        while rows and not rows[-1]["filled"]:
            rows.pop()
        return [{k: v for k, v in row.items() if k != "filled"} for row in rows]

    def measure_field_for(self, key: str) -> str | None:
        """Where a service's message shows: its own field, else the row's first target box
        ("measures-2-targets"), else the top of the form."""
        if key in self.fields:
            return key
        if key.endswith("-targets") and self.periods:
            return f"{key.removesuffix('-targets')}-target-{self.periods[0].number}"
        if key == "measures":
            return "measures-1-name"
        return None


class OutcomeForm(MeasureFields, forms.Form):
    """An outcome with its new measures."""

    title = _text("Outcome", help_text="What will be different, for example: fewer repeat victims")

    def __init__(self, *args: Any, periods: Iterable[ReportingPeriod], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periods = list(periods)
        self.add_measure_fields()

    def field_for(self, key: str) -> str | None:
        return self.measure_field_for(key)


class ConditionForm(forms.Form):
    kind = forms.CharField(  # the service checks the choice, with the text
        label="When does it apply?",
        widget=forms.RadioSelect(choices=ConditionKind.choices),
        required=False,
    )
    text = _text("The condition", rows=3)


class ConditionMetForm(forms.Form):
    on = DateField(
        label="Date it was met",
        help_text="For example 15/4/2031",
        error_messages={"required": "Enter the date the condition was met"},
    )
    note = _text("How do you know it is met?", rows=3, help_text="For example: policy seen")

    def clean_on(self) -> dt.date | None:
        on = self.cleaned_data.get("on")
        if on is not None and on > timezone.localdate():
            raise forms.ValidationError("The date it was met cannot be in the future")
        return on


class BudgetFields:
    """The eligible-expenditure budget: a row a category (its name, amount and an amount a
    reporting period), the budget's own rows then EXTRA_BUDGET_ROWS empty ones. On the
    budget form and the variation form."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    periods: list[ReportingPeriod]
    rows: int

    if TYPE_CHECKING:  # forms.Form's, for the type checker

        def __getitem__(self, name: str) -> Any: ...

    def add_budget_fields(self) -> None:
        for i in range(1, self.rows + 1):
            where = f"categories-{i}"
            self.fields[f"{where}-name"] = _text(f"Line {i}: category")
            self.fields[f"{where}-amount"] = forms.CharField(
                label=f"Line {i}: amount",
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "class": "govuk-input--width-10",
                        "spellcheck": "false",
                    }
                ),
            )
            for period in self.periods:
                self.fields[f"{where}-profile-{period.number}"] = _small(
                    f"Line {i}: {period.label}"
                )

    @staticmethod
    def initial_for(agreement: Agreement) -> dict[str, str]:
        numbers = {p.pk: p.number for p in agreement.periods.all()}
        initial = {}
        for i, category in enumerate(agreement.budget_categories.all(), start=1):
            initial[f"categories-{i}-name"] = category.name
            initial[f"categories-{i}-amount"] = f"{category.amount:,}"
            for line in category.profile.all():
                initial[f"categories-{i}-profile-{numbers[line.period_id]}"] = f"{line.amount:,}"
        return initial

    def table(self) -> list[dict[str, Any]]:
        return [
            {
                "number": i,
                "name": self[f"categories-{i}-name"],
                "amount": self[f"categories-{i}-amount"],
                "profile": [self[f"categories-{i}-profile-{p.number}"] for p in self.periods],
            }
            for i in range(1, self.rows + 1)
        ]

    def categories(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The filled rows as services.budget_set takes them, and each one's row on the form
        (the service numbers the lines it is given from 1)."""
        d = self.cleaned_data
        out, rows = [], []
        for i in range(1, self.rows + 1):
            where = f"categories-{i}"
            profile = {
                p.number: d[f"{where}-profile-{p.number}"]
                for p in self.periods
                if d.get(f"{where}-profile-{p.number}")
            }
            name, amount = d.get(f"{where}-name", ""), d.get(f"{where}-amount", "")
            if name or amount or profile:
                out.append({"name": name, "amount": amount, "profile": profile})
                rows.append(i)
        return out, rows

    def budget_field_for(self, rows: list[int]):
        """Map the service's "categories-N-..." (N counting the filled rows) to this form's
        row; a profile that does not add up shows on the row's amount."""

        def target(key: str) -> str | None:
            parts = key.split("-", 2)
            if len(parts) < 3 or parts[0] != "categories" or not parts[1].isdigit():
                return None
            n = int(parts[1])
            if not 1 <= n <= len(rows):
                return None
            rest = parts[2]
            if rest == "profile":
                rest = "amount"
            return f"categories-{rows[n - 1]}-{rest}"

        return target


class BudgetForm(BudgetFields, forms.Form):
    def __init__(
        self, *args: Any, periods: Iterable[ReportingPeriod], rows: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.periods = list(periods)
        self.rows = rows
        self.add_budget_fields()


class AdvanceForm(forms.Form):
    """Managing Public Money's three tests for paying before the work is done."""

    agreed = _text("How was paying in advance agreed?", rows=3)
    need = _text("What is the partner's identifiable need?", rows=3)
    necessary = _text("Why is paying in advance necessary?", rows=3)


class AcceptForm(forms.Form):
    name = _text(
        "Your full name",
        max_length=200,
        help_text="Typing your name here is your signature on these terms",
    )
    position = _text(
        "Your position in the organisation", max_length=200, help_text="For example: Director"
    )


class ReasonForm(forms.Form):
    reason = _text("Reason", rows=3)

    def __init__(self, *args: Any, label: str = "Reason", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


class PaidForm(forms.Form):
    paid_on = DateField(
        label="Date paid",
        help_text="For example 28/7/2031",
        error_messages={"required": "Enter the date the payment was made"},
        past="The payment date cannot be in the future",
    )
    finance_reference = _text(
        "Finance system reference",
        required=True,
        max_length=100,
        help_text="The payment's reference in the finance system",
        error_messages={"required": "Give the finance system's reference for the payment"},
    )


class VariationForm(BudgetFields, MeasureFields, forms.Form):
    """A proposed variation, on one page that starts from the terms as they are: a new
    maximum sum or end date, the budget's rows, new measures (for an outcome of the
    agreement or a new one) and every measure's targets. Whatever is left as it was does not
    change. (The service checks the rest: the commitment's headroom, what is already paid,
    the decision record an increase above the threshold needs, the periods already
    reported.)"""

    new_measures = 1
    maximum_sum = MoneyField(
        label="New maximum sum (optional)",
        required=False,
        help_text="Leave blank to keep the maximum sum as it is",
    )
    ends_on = DateField(
        label="New end date (optional)",
        required=False,
        help_text="Later than the current end; for example 30/9/2032",
    )
    decision = forms.ChoiceField(
        label="Decision record (needed for a large increase)", required=False, choices=()
    )
    reason = _text("Why is the agreement being varied?", rows=3)
    outcome = forms.ChoiceField(label="The new measure is for", required=False, choices=())
    title = _text("New outcome (if the measure is for a new one)", max_length=300)

    def __init__(
        self,
        *args: Any,
        agreement: Agreement,
        decisions: Iterable[Any] = (),
        reported: Iterable[int] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", self.initial_for(agreement))
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.periods = list(agreement.periods.all())
        self.rows = len(agreement.budget_categories.all()) + 1  # one more category at most
        data = args[0] if args else kwargs.get("data")
        if data is not None:
            typed = sum(1 for k in data if k.startswith("categories-") and k.endswith("-name"))
            self.rows = max(self.rows, typed)
        self.add_budget_fields()
        self.add_measure_fields()
        self.decisions = {str(d.pk): d for d in decisions}
        self.fields["decision"].choices = [("", "None")] + [  # type: ignore[attr-defined]
            (pk, f"{d.reference}: {d.title}") for pk, d in self.decisions.items()
        ]
        self.outcomes = list(agreement.outcomes.prefetch_related("measures__targets"))
        self.fields["outcome"].choices = [("", "A new outcome")] + [  # type: ignore[attr-defined]
            (str(o.order), o.title) for o in self.outcomes
        ]
        reported = set(reported)
        self.target_rows = []
        for outcome in self.outcomes:
            for measure in outcome.measures.all():
                boxes = []
                for period in self.periods:
                    name = f"targets-{measure.pk}-{period.number}"
                    field = _small(f"{measure.name}: target for {period.label}")
                    if period.number in reported:
                        field.disabled = True
                        field.help_text = "Reported"
                    self.fields[name] = field
                    boxes.append(name)
                self.target_rows.append((outcome, measure, boxes))

    @staticmethod
    def initial_for(agreement: Agreement) -> dict[str, str]:
        initial = BudgetForm.initial_for(agreement)
        numbers = {p.pk: p.number for p in agreement.periods.all()}
        for outcome in agreement.outcomes.all():
            for measure in outcome.measures.all():
                for target in measure.targets.all():
                    key = f"targets-{measure.pk}-{numbers[target.period_id]}"
                    initial[key] = f"{target.target.normalize():f}"
        return initial

    def clean_decision(self):
        value = self.cleaned_data.get("decision")
        return self.decisions.get(value) if value else None

    def targets(self) -> list[dict[str, Any]]:
        """Every measure's row of target boxes, for the template."""
        return [
            {"outcome": o, "measure": m, "boxes": [self[name] for name in boxes]}
            for o, m, boxes in self.target_rows
        ]

    def outcomes_changed(self) -> dict[str, Any]:
        """New measures and every editable target, as services take them (the service
        keeps only the targets that differ)."""
        d = self.cleaned_data
        targets: dict[str, dict[str, str]] = {}
        for _, measure, boxes in self.target_rows:
            for name in boxes:
                if not self.fields[name].disabled:
                    number = name.rsplit("-", 1)[1]
                    targets.setdefault(str(measure.pk), {})[number] = d.get(name, "")
        return {
            "outcome": d.get("outcome") or None,
            "title": d.get("title", ""),
            "measures": self.measures(),
            "targets": targets,
        }

    def field_for(self, rows: list[int]):
        budget = self.budget_field_for(rows)

        def target(key: str) -> str | None:
            if key == "budget":
                return "categories-1-name"
            return budget(key) or self.measure_field_for(key)

        return target


class VariationDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve the variation"), ("reject", "Reject the variation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or reject the variation"},
    )
    note = _text("Note (required to reject)", rows=3)


class VariationSignForm(forms.Form):
    """The partner's answer to an approved variation: signed by name and position, or
    declined with a reason (the service checks whichever is chosen)."""

    answer = forms.ChoiceField(
        label="Your answer",
        choices=[("sign", "Sign the varied terms"), ("decline", "Decline the variation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to sign or decline the variation"},
    )
    name = _text(
        "Your full name (to sign)",
        max_length=200,
        help_text="Typing your name here is your signature on the varied terms",
    )
    position = _text("Your position in the organisation (to sign)", max_length=200)
    note = _text("Why you are declining (to decline)", rows=3)
