from __future__ import annotations

from django import forms

from .models import AssessmentDecision, Characteristic, Exemption, Marking, Publish

DATE_HINT = "For example, 27/8/2013 or 2013-08-27"
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"]


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        help_text=kwargs.pop("help_text", DATE_HINT),
        error_messages={"invalid": f"{label} must be a real date, like 27/8/2013"},
        **kwargs,
    )


def _text(label: str, rows: int = 5, required: bool = False, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class RecordForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=300, error_messages={"required": "Enter the decision's title"}
    )
    decision_date = _date("Date of the decision meeting")
    officers_present = forms.CharField(
        label="Officers present",
        required=False,
        help_text="Names and roles, for example: Paul Stock (CEO), Sue Haslett (Commissioning Manager)",
    )
    received_on = _date("Received in OPCC")
    summary = _text("Summary of issue", rows=10)
    recommendations = _text("Recommendations presented")
    discussion = _text("Key discussion points")
    resolution = _text("It was resolved that", rows=3)
    expected_on = _date(
        "Expected decision date",
        help_text="For the forward plan. " + DATE_HINT,
    )
    on_forward_plan = forms.BooleanField(
        label="List this decision on the public forward plan (its title and expected date)",
        required=False,
    )


class AssessmentForm(forms.Form):
    plan_name = forms.CharField(label="Name of the plan", max_length=300)
    owner = forms.CharField(label="Owner of the plan", max_length=200)
    completed_by = forms.CharField(label="Person completing the EIA", max_length=200)
    completed_on = _date("Date EIA completed")
    aim = _text("What is the aim of this plan?", required=True)
    characteristics = forms.MultipleChoiceField(
        label="Which of the protected characteristics is the plan likely to impact upon?",
        choices=Characteristic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    data_used = _text(
        "Step 1: What data or evidence has been used to identify how this plan might affect equality?"
    )
    data_gaps = _text("What gaps in the information or research have been identified?")
    impacts = _text("Step 2: Describe any adverse or positive impact on any of the equality groups")
    mitigations = _text("What actions can be taken to mitigate any adverse impact?")
    consultation = _text(
        "Step 3: Who has been consulted and how has this influenced the assessment?"
    )
    decision = forms.ChoiceField(
        label="Step 4: Which decision has been taken?",
        choices=AssessmentDecision.choices,
        widget=forms.RadioSelect,
    )
    marking = forms.ChoiceField(
        label="Step 5: Publishing option for the EIA",
        choices=Marking.choices,
        widget=forms.RadioSelect,
    )
    review_date = forms.CharField(label="Step 6: Date of next review", max_length=100)
    reviews = _text("Details of reviews completed", rows=3)


class ApproveForm(forms.Form):
    note = _text(
        "Your assessment (optional)",
        rows=4,
        help_text="Anything the Police and Crime Commissioner should know before deciding",
    )


class SignForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read the record and decide as it recommends",
        error_messages={"required": "Confirm you have read the record to sign it"},
    )


PUBLISH_CHOICES = Publish.choices
EXEMPTION_CHOICES = [("", "None"), *Exemption.choices]


class DetermineForm(forms.Form):
    """The Monitoring Officer's form; one exemption row per part of the record."""

    publish_record = forms.ChoiceField(
        label="It is appropriate to publish this record of decision made by the Police and Crime Commissioner",
        choices=PUBLISH_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to publish the record"},
    )
    publish_assessment = forms.ChoiceField(
        label="It is appropriate to publish the contents of the assessment of the decision by the Chief Executive or Chief Finance Officer",
        choices=PUBLISH_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to publish the assessment"},
    )
    publish_details = forms.ChoiceField(
        label="It is appropriate to publish details of the decision",
        choices=PUBLISH_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to publish the details"},
    )
    exemption = forms.ChoiceField(
        label="Legislation relied on for any 'No'",
        choices=EXEMPTION_CHOICES,
        required=False,
    )
    reasons = _text("Reasons for any non-publication (referencing appropriate legislation)", 3)

    def __init__(self, *args, parts: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = parts
        for key, title in parts.items():
            name = key.replace(":", "_")
            self.fields[f"exempt_{name}"] = forms.ChoiceField(
                label=f"Exemption for “{title}”", choices=EXEMPTION_CHOICES, required=False
            )
            self.fields[f"why_{name}"] = forms.CharField(
                label=f"Reason “{title}” is exempt", required=False, max_length=2000
            )

    def part_rows(self):
        for key, title in self.parts.items():
            name = key.replace(":", "_")
            yield title, self[f"exempt_{name}"], self[f"why_{name}"]

    def redactions(self) -> list[tuple[str, str, str]]:
        chosen = []
        for key in self.parts:
            name = key.replace(":", "_")
            exemption = self.cleaned_data.get(f"exempt_{name}") or ""
            reason = self.cleaned_data.get(f"why_{name}") or ""
            if exemption or reason:
                chosen.append((key, exemption, reason))
        return chosen

    def field_for(self, error_key: str) -> str | None:
        """The form field a service error key belongs to."""
        if error_key in self.fields:
            return error_key
        if ":" in error_key:
            kind, part = error_key.split(":", 1)
            name = part.replace(":", "_")
            field = {"exemption": f"exempt_{name}", "reason": f"why_{name}"}.get(kind)
            field = field or f"exempt_{name}"
            return field if field in self.fields else None
        return None
