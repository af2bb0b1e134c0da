from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django import forms
from django.db import models
from django.forms.models import ModelChoiceIterator

from commissioning.budgets.forms import MoneyField
from commissioning.budgets.models import BudgetLine, FinancialYear, Mechanism
from commissioning.core import uploads as attachments
from commissioning.core.forms import DateInputField
from commissioning.core.money import money_text
from commissioning.core.templatetags.govuk import money
from commissioning.formula.models import FormulaRun
from commissioning.organisations.models import Organisation, OrganisationKind
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
        help_text="At least 12 characters; not a common password. A few words you will remember make a good one",
    )


class PrioritiesByTheme(ModelChoiceIterator):
    """A select's options grouped by theme: one optgroup a theme, its priorities in order."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for priority in self.queryset.select_related("theme").order_by(
            "theme__plan", "theme__number", "number"
        ):
            groups.setdefault(str(priority.theme), []).append(self.choice(priority))
        yield from groups.items()


class PriorityChoice(forms.ModelChoiceField):
    """A strategic priority, offered under its theme (an optgroup a theme)."""

    iterator = PrioritiesByTheme

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


def classification_fields(round: Round) -> dict[str, forms.Field]:
    """The plan theme and main strategic priority of an application to `round`: only the
    round's themes (every theme when it names none), and only their priorities (and of
    those, the round's own when it names some), grouped by theme. Whether the priority
    belongs to the theme chosen is the service's rule (`services.classification_problems`),
    so the applicant's form and the officer's correction check it the same way."""
    # The round's own themes and priorities as read (prefetched, when the view has), by id.
    round_themes = [t.pk for t in round.themes.all()]
    round_priorities = [p.pk for p in round.priorities.all()]
    themes = Theme.objects.filter(pk__in=round_themes) if round_themes else Theme.objects.all()
    priorities = StrategicPriority.objects.filter(theme__in=themes)
    if round_priorities:
        priorities = priorities.filter(pk__in=round_priorities)
    return {
        "theme": forms.ModelChoiceField(
            queryset=themes,
            required=False,
            label="Plan theme (optional)",
            empty_label="Choose a theme",
            help_text="The theme of the Police and Crime Plan the project serves",
            error_messages={"invalid_choice": "Choose one of the plan themes this round funds"},
        ),
        "primary_priority": PriorityChoice(
            queryset=priorities,
            required=False,
            label="Main strategic priority (optional)",
            empty_label="Choose a priority",
            help_text="One of the chosen theme's priorities: they are listed under their theme",
            error_messages={
                "invalid_choice": "Choose one of the strategic priorities this round funds"
            },
        ),
    }


class AnswerDateField(DateInputField):
    """A date question's GOV.UK date input, its errors naming the question without the
    label's "(optional)": "Start date must include a month"."""

    def __init__(self, *, named: str, **kwargs):
        super().__init__(**kwargs)
        self.named = named

    def compress(self, data_list):
        label, self.label = self.label, self.named
        try:
            return super().compress(data_list)
        finally:
            self.label = label


class ApplicationForm(forms.Form):
    """The round's own form, built from its questions, in one page: the project's title,
    amount and place in the plan, the eligibility questions, then the round's questions in
    order (files among them, uploaded with the form), so Save and Submit come last.
    Optional questions say so in their label; the rest are needed to submit. Each field's
    `kind` says how the page draws it: "money" (a £ prefix), "date" (GOV.UK day, month and
    year boxes), "file", or "" (the field's own widget)."""

    title = forms.CharField(label="Project title", max_length=300, required=False)
    amount_requested = MoneyField(label="Amount requested", required=False)

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.fields[
            "amount_requested"
        ].help_text = f"Between {money(round.minimum_award)} and {money(round.maximum_award)}"
        self.fields.update(classification_fields(round))
        for e in round.eligibility.all():
            self.fields[f"eligibility_{e.pk}"] = forms.TypedChoiceField(
                label=e.text,
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                required=False,
                coerce=lambda v: v == "yes",
            )
        questions = list(round.questions.all())
        for q in questions:
            name = f"q_{q.key}"
            hint = q.hint
            label = q.label + ("" if q.required else " (optional)")
            if q.kind == QuestionKind.TEXT:
                if q.word_limit:
                    hint = f"{hint} Up to {q.word_limit} words.".strip()
                field: forms.Field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 5}), required=False
                )
            elif q.kind == QuestionKind.AMOUNT:
                field = MoneyField(required=False, label=label)
            elif q.kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(
                    choices=[("", "Choose"), *[(c, c) for c in q.choices]], required=False
                )
            elif q.kind == QuestionKind.DATE:
                field = AnswerDateField(label=label, named=q.label)
                hint = f"{hint} For example, 27 3 2031".strip()
            elif q.kind == QuestionKind.FILE:
                field = forms.FileField(required=False)
                types = ", ".join(f".{t}" for t in q.file_types) if q.file_types else "any"
                hint = f"{hint} File types: {types}; up to {q.max_file_mb} MB.".strip()
            else:
                continue
            field.label = label
            field.help_text = hint
            self.fields[name] = field
        kinds: dict[str, str] = {
            QuestionKind.AMOUNT: "money",
            QuestionKind.DATE: "date",
            QuestionKind.FILE: "file",
        }
        self.kinds: dict[str, str] = {"amount_requested": "money"} | {
            f"q_{q.key}": kinds.get(q.kind, "") for q in questions
        }

    def sections(self) -> list[tuple[str, list[tuple[str, forms.BoundField]]]]:
        """The page's sections, each a heading and its fields in order with how the page
        draws each: the project, the eligibility questions, the round's questions."""
        headings = {"eligibility_": "Eligibility", "q_": "Questions"}
        sections: dict[str, list[tuple[str, forms.BoundField]]] = {}
        for bound in self:
            heading = next(
                (h for prefix, h in headings.items() if bound.name.startswith(prefix)),
                "Your project",
            )
            sections.setdefault(heading, []).append((self.kinds.get(bound.name, ""), bound))
        return list(sections.items())

    def answers(self) -> dict:
        """The answers that checked out, by question key (files apart)."""
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and self.kinds.get(name) != "file"
        }

    def uploads(self) -> dict:
        """The files chosen, by question key."""
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if self.kinds.get(name) == "file" and value
        }

    def eligibility(self) -> dict:
        return {
            name.split("_", 1)[1]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("eligibility_") and value in (True, False)
        }

    def pending(self) -> dict:
        """What checked out of the fields the application itself holds."""
        return {
            name: self.cleaned_data[name]
            for name in ("title", "amount_requested", "theme", "primary_priority")
            if name in self.cleaned_data
        }


class StartForm(forms.Form):
    """A round page's "Start an application": the title (required, by the service's rule)."""

    title = forms.CharField(label="Project title", max_length=300, required=False)


class ClassifyForm(forms.Form):
    """An officer's correction of an application's theme and main strategic priority (its
    fields prefixed, as the screening form on the same page has a reason too)."""

    prefix = "classify"

    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=500,
        help_text="Kept with the change in the audit log",
    )

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        fields = classification_fields(round)
        fields["theme"].label = "Plan theme"
        fields["primary_priority"].label = "Main strategic priority"
        self.fields = {**fields, "reason": self.fields["reason"]}


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


# --- configuring a round ---

UK_TIME = ZoneInfo("Europe/London")
DATE_FORMATS = ("%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")
TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_date(text: str) -> dt.date:
    """A date as people type it: 31/3/2031, 31 3 2031, 2031-03-31 or 31 March 2031."""
    cleaned = " ".join(text.replace(",", " ").split())
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_time(text: str) -> dt.time:
    """A time of day: 17:30, 9:00, 9am or 5.30pm."""
    match = TIME_PATTERN.match(text.strip().lower().replace(" ", ""))
    if not match:
        raise ValueError(text)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(text)
    return dt.time(hour, minute)


def uk_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """The moment a date and time on a UK clock name, as an aware datetime. Refuses a time
    the clocks skip in March or pass twice in October, which name no single moment."""
    naive = dt.datetime.combine(day, time)
    first, second = naive.replace(tzinfo=UK_TIME), naive.replace(tzinfo=UK_TIME, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(dt.UTC).astimezone(UK_TIME).replace(tzinfo=None)
        if back != naive:
            raise ValueError("the clocks go forward then: that time does not happen in the UK")
        raise ValueError("the clocks go back then: that time happens twice in the UK")
    return first


class BudgetLineChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year}: {obj.name} ({obj.get_mechanism_display()}), {money_text(obj.amount)}"


class AdoptedRunChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference}: {obj.title} (adopted for {obj.adoption.year})"


class PriorityChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class OrganisationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_kind_display()})"


# Kinds of organisation the officer can tick all of at once, when there are any.
QUICK_KINDS = (OrganisationKind.CSP,)
QUICK_LABELS = {OrganisationKind.CSP: "Community Safety Partnerships"}


def eligible_fields() -> dict[str, forms.Field]:
    """Who may apply: a quick choice of every organisation of a kind (every Community Safety
    Partnership), when there are any, and organisations ticked one by one."""
    fields: dict[str, forms.Field] = {}
    counts = dict(
        Organisation.objects.filter(kind__in=QUICK_KINDS)
        .values_list("kind")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    quick = [
        (kind, f"All {QUICK_LABELS[kind]} ({counts[kind]})")
        for kind in QUICK_KINDS
        if counts.get(kind)
    ]
    if quick:
        fields["eligible_kinds"] = forms.MultipleChoiceField(
            choices=quick,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            label="Quick choice",
            help_text="Opens the round to all of them, with any organisations ticked below",
            error_messages={"invalid_choice": "Quick choice: choose from the list"},
        )
    fields["eligible"] = OrganisationChoices(
        queryset=Organisation.objects.exclude(kind=OrganisationKind.OPCC).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Open to",
        help_text="Tick the organisations that may apply. Tick none (and no quick choice) to open the round to every organisation",
        error_messages={
            "invalid_choice": "Open to: choose organisations from the list",
            "invalid_pk_value": "Open to: choose organisations from the list",
            "invalid_list": "Open to: choose organisations from the list",
        },
    )
    return fields


def chosen_organisations(data: dict) -> list[Organisation]:
    """The organisations ticked, with every one of the kinds chosen, by name."""
    chosen = {o.pk: o for o in data.get("eligible") or []}
    kinds = data.get("eligible_kinds") or []
    if kinds:
        chosen.update({o.pk: o for o in Organisation.objects.filter(kind__in=kinds)})
    return sorted(chosen.values(), key=lambda o: o.name)


class EligibleForm(forms.Form):
    """Who may apply to a round, on its set-up page: it can change at any time, also once
    the round is published or has applications."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(eligible_fields())

    def eligible(self) -> list[Organisation]:
        return chosen_organisations(self.cleaned_data)


class RoundForm(forms.Form):
    """A round's details. Dates and times are on UK clocks (GMT or BST as the day falls)."""

    reference = forms.SlugField(
        max_length=60,
        help_text="Used in the round's web address, for example pcc-grant-2031: letters, numbers and hyphens",
        error_messages={
            "required": "Enter a reference",
            "invalid": "Reference: use only letters, numbers and hyphens",
        },
    )
    title = forms.CharField(max_length=300, error_messages={"required": "Enter the round's title"})
    mechanism = forms.ChoiceField(
        label="Funding mechanism",
        choices=[("", "Choose a mechanism"), *Mechanism.choices],
        error_messages={"required": "Choose the funding mechanism"},
    )
    year = forms.ModelChoiceField(
        queryset=FinancialYear.objects.all(),
        label="Financial year",
        empty_label="Choose a year",
        error_messages={"required": "Choose the financial year"},
    )
    budget_line = BudgetLineChoice(
        queryset=BudgetLine.objects.filter(is_reserve=False)
        .select_related("year")
        .order_by("-year__starts", "name"),
        label="Pot",
        empty_label="Choose a budget line",
        help_text="The budget line the awards come from: of the round's year and mechanism",
        error_messages={"required": "Choose the budget line that is the round's pot"},
    )
    opens_date = forms.CharField(
        label="Opening date",
        help_text="For example 1/4/2031",
        error_messages={"required": "Enter the opening date"},
    )
    opens_time = forms.CharField(
        label="Opening time (UK time)",
        help_text="For example 09:00 or 9am",
        error_messages={"required": "Enter the opening time"},
    )
    closes_date = forms.CharField(
        label="Closing date",
        help_text="For example 30/4/2031",
        error_messages={"required": "Enter the closing date"},
    )
    closes_time = forms.CharField(
        label="Closing time (UK time)",
        help_text="For example 17:00 or 5pm; applications submitted after it are refused",
        error_messages={"required": "Enter the closing time"},
    )
    minimum_award = MoneyField(
        label="Minimum award", required=False, help_text="Leave blank for none"
    )
    maximum_award = MoneyField(
        label="Maximum award", error_messages={"required": "Enter the maximum award"}
    )
    guidance = forms.CharField(
        label="Guidance for applicants", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Plan themes in scope",
        help_text="Applicants choose one of these; none ticked means any theme",
    )
    priorities = PriorityChoices(
        queryset=StrategicPriority.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Strategic priorities in scope",
    )
    scale_max = forms.IntegerField(
        label="Scoring scale",
        initial=5,
        help_text="Reviewers score each criterion from 0 to this number",
        error_messages={
            "required": "Enter the top of the scoring scale",
            "invalid": "Scoring scale: a whole number, like 5",
        },
    )
    cap_to_allocation = forms.BooleanField(
        label="Cap each applicant at its adopted allocation",
        required=False,
        help_text="For Community Safety Partnership rounds: each partnership may ask for no more than its allocation in the formula run below",
    )
    allocation_run = AdoptedRunChoice(
        queryset=FormulaRun.objects.filter(adoption__isnull=False).select_related("adoption__year"),
        required=False,
        label="Adopted formula run",
        empty_label="None",
        help_text="Only runs adopted into the ledger are listed",
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["reference"]  # who may apply changes on the set-up page
        else:
            self.fields.update(eligible_fields())

    def eligible(self) -> list[Organisation]:
        return chosen_organisations(self.cleaned_data)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for prefix, name in (("opens", "opens_at"), ("closes", "closes_at")):
            raw_date, raw_time = data.get(f"{prefix}_date"), data.get(f"{prefix}_time")
            if not raw_date or not raw_time:
                continue
            label = "Opening" if prefix == "opens" else "Closing"
            try:
                day = parse_date(raw_date)
            except ValueError:
                self.add_error(f"{prefix}_date", f"{label} date: enter a real date, like 30/4/2031")
                continue
            try:
                time = parse_time(raw_time)
            except ValueError:
                self.add_error(f"{prefix}_time", f"{label} time: enter a time, like 17:00 or 5pm")
                continue
            try:
                data[name] = uk_datetime(day, time)
            except ValueError as exc:
                self.add_error(f"{prefix}_time", f"{label} time: {exc}")
        if data.get("minimum_award") is None and "minimum_award" not in self.errors:
            data["minimum_award"] = 0
        return data

    def round_fields(self) -> dict:
        """The service's keyword arguments (themes, priorities and who may apply apart)."""
        d = self.cleaned_data
        names = ["title", "mechanism", "year", "budget_line", "opens_at", "closes_at"]
        names += ["minimum_award", "maximum_award", "guidance", "scale_max"]
        names += ["cap_to_allocation", "allocation_run"]
        if "reference" in self.fields:
            names.insert(0, "reference")
        return {n: d[n] for n in names}

    @staticmethod
    def initial_for(rnd: Round) -> dict:
        opens, closes = rnd.opens_at.astimezone(UK_TIME), rnd.closes_at.astimezone(UK_TIME)
        return {
            "title": rnd.title,
            "mechanism": rnd.mechanism,
            "year": rnd.year_id,
            "budget_line": rnd.budget_line_id,
            "opens_date": f"{opens.day}/{opens.month}/{opens.year}",
            "opens_time": f"{opens:%H:%M}",
            "closes_date": f"{closes.day}/{closes.month}/{closes.year}",
            "closes_time": f"{closes:%H:%M}",
            "minimum_award": rnd.minimum_award,
            "maximum_award": rnd.maximum_award,
            "guidance": rnd.guidance,
            "themes": list(rnd.themes.values_list("pk", flat=True)),
            "priorities": list(rnd.priorities.values_list("pk", flat=True)),
            "scale_max": rnd.scale_max,
            "cap_to_allocation": rnd.cap_to_allocation,
            "allocation_run": rnd.allocation_run_id,
        }


class CriterionForm(forms.Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter the criterion's title"}
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What reviewers look for; applicants see it too",
    )
    weight = forms.CharField(
        label="Weight (%)",
        max_length=10,
        help_text="The round's weights must add up to 100 before it is published",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the weight, as a percentage"},
    )


class EligibilityForm(forms.Form):
    text = forms.CharField(
        label="Question",
        max_length=500,
        help_text="A yes or no question, for example: Is your organisation not for profit?",
        error_messages={"required": "Enter the question"},
    )
    required_answer = forms.TypedChoiceField(
        label="Which answer makes an applicant eligible?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
        error_messages={"required": "Choose the answer an eligible applicant gives"},
    )


class QuestionForm(forms.Form):
    label = forms.CharField(
        label="Question", max_length=300, error_messages={"required": "Enter the question"}
    )
    hint = forms.CharField(
        label="Hint for applicants", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    kind = forms.ChoiceField(
        label="Kind of answer",
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of answer"},
    )
    optional = forms.BooleanField(
        label="Optional: applicants may leave it unanswered", required=False
    )
    word_limit = forms.IntegerField(
        label="Word limit",
        required=False,
        help_text="Text answers only; leave blank for none",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={"invalid": "Word limit: a whole number, like 250"},
    )
    choices = forms.CharField(
        label="Options",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Choice answers only: one option a line",
    )
    file_types = forms.MultipleChoiceField(
        label="File types accepted",
        choices=[(ext, f"{name} (.{ext})") for ext, (name, _) in attachments.ALLOWED.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="File uploads only",
    )
    max_file_mb = forms.IntegerField(
        label="Largest file (MB)",
        required=False,
        initial=attachments.MAX_BYTES // attachments.MB,
        help_text=f"File uploads only; at most {attachments.MAX_BYTES // attachments.MB} MB",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"invalid": "Largest file: a whole number of MB, like 5"},
    )

    def question_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "label": d["label"],
            "hint": d["hint"],
            "kind": d["kind"],
            "required": not d["optional"],
            "word_limit": d["word_limit"],
            "choices": [line for line in d["choices"].splitlines() if line.strip()],
            "file_types": d["file_types"],
            "max_file_mb": d["max_file_mb"],
        }

    @staticmethod
    def initial_for(q) -> dict:
        return {
            "label": q.label,
            "hint": q.hint,
            "kind": q.kind,
            "optional": not q.required,
            "word_limit": q.word_limit,
            "choices": "\n".join(q.choices),
            "file_types": q.file_types,
            "max_file_mb": q.max_file_mb,
        }


class ThresholdForm(forms.Form):
    threshold = forms.DecimalField(
        label="Flag a spread of more than (points)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-3"}),
        error_messages={
            key: "Spread: a number of points from 0 to 100"
            for key in ("invalid", "min_value", "max_value", "max_decimal_places", "max_digits")
        },
    )
