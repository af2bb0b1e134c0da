from __future__ import annotations

from django import forms

from commissioning.budgets.forms import MoneyField
from commissioning.organisations.models import OrganisationKind
from commissioning.plans.models import StrategicPriority, Theme

from .models import QuestionKind, Round


class RegisterForm(forms.Form):
    name = forms.CharField(
        label="Organisation's legal name",
        max_length=200,
        error_messages={"required": "Enter your organisation's legal name"},
    )
    kind = forms.ChoiceField(
        label="What kind of organisation is it?",
        choices=[
            (k, label) for k, label in OrganisationKind.choices if k not in {OrganisationKind.OPCC}
        ],
    )
    charity_number = forms.CharField(
        label="Registered charity number", required=False, max_length=20
    )
    company_number = forms.CharField(label="Company number", required=False, max_length=20)
    address = forms.CharField(
        label="Address",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the address"},
    )
    full_name = forms.CharField(
        label="Your full name", max_length=200, error_messages={"required": "Enter your name"}
    )
    email = forms.EmailField(
        label="Your email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=40)
    username = forms.CharField(label="Choose a username", max_length=150)
    password = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput,
        help_text="At least 8 characters; not a common password",
    )


class ApplicationForm(forms.Form):
    """The round's own form, built from its questions."""

    title = forms.CharField(label="Project title", max_length=300)
    amount_requested = MoneyField(label="Amount requested", required=False)
    theme = forms.ModelChoiceField(queryset=Theme.objects.all(), required=False, label="Plan theme")
    primary_priority = forms.ModelChoiceField(
        queryset=StrategicPriority.objects.all(), required=False, label="Main strategic priority"
    )

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.fields[
            "amount_requested"
        ].help_text = f"Between £{round.minimum_award:,} and £{round.maximum_award:,}"
        if round.themes.exists():
            self.fields["theme"].queryset = round.themes.all()  # type: ignore[attr-defined]
        for e in round.eligibility.all():
            self.fields[f"eligibility_{e.pk}"] = forms.TypedChoiceField(
                label=e.text,
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                required=False,
                coerce=lambda v: v == "yes",
            )
        for q in round.questions.all():
            name = f"q_{q.key}"
            hint = q.hint
            if q.kind == QuestionKind.TEXT:
                if q.word_limit:
                    hint = f"{hint} Up to {q.word_limit} words.".strip()
                field: forms.Field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 5}), required=False
                )
            elif q.kind == QuestionKind.AMOUNT:
                field = MoneyField(required=False)
            elif q.kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(
                    choices=[("", "Choose"), *[(c, c) for c in q.choices]], required=False
                )
            elif q.kind == QuestionKind.DATE:
                field = forms.CharField(required=False)
                hint = f"{hint} For example 2031-05-01.".strip()
            else:
                continue
            field.label = q.label + ("" if q.required else " (optional)")
            field.help_text = hint
            self.fields[name] = field

    def answers(self) -> dict:
        return {
            name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("q_")
        }

    def eligibility(self) -> dict:
        return {
            name.split("_", 1)[1]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("eligibility_") and value in (True, False)
        }


class UploadForm(forms.Form):
    question = forms.CharField(widget=forms.HiddenInput)
    file = forms.FileField(label="Choose a file")


class ScreenForm(forms.Form):
    eligible = forms.TypedChoiceField(
        choices=[("yes", "Eligible: send to review"), ("no", "Not eligible")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="The applicant sees this"
    )
