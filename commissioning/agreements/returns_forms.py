"""Forms of the monitoring return pages. Their fields are named as the returns services name
their errors (`spend-<category>`, `actual-<measure>`, `partner_rag`, `comment`,
`officer_rag`, `reason`, `file`), so `core.forms.attach_errors` puts each message on its field.
The forms only gather what was typed; the services judge it, all at once."""

from __future__ import annotations

from typing import Any

from django import forms

from commissioning.core.money import ZERO
from commissioning.core.templatetags.govuk import money

from .models import Rag, Unit

UNIT_HINTS = {
    Unit.COUNT: "A whole number",
    Unit.PERCENT: "A percentage from 0 to 100",
    Unit.POUNDS: "In pounds",
}


def _plain(value: Any) -> str:
    """A Decimal as typed: 12 rather than 12.00, 12.5 rather than 12.50."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _money_text(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


class ReturnForm(forms.Form):
    """The partner's return for one period: spend per budget category, each measure's actual,
    the narrative and their own RAG. Built from the return page's rows."""

    def __init__(self, *args: Any, page, **kwargs: Any) -> None:
        report = page.report
        if "initial" not in kwargs and not args:
            kwargs["initial"] = {
                **{f"spend-{r.category_id}": _money_text(r.spent) for r in page.spend},
                **{f"actual-{m.measure_id}": _plain(m.actual) for m in page.measures},
                "achievements": report.achievements,
                "risks": report.risks,
                "case_study": report.case_study,
                "partner_rag": report.partner_rag,
            }
        super().__init__(*args, **kwargs)
        for row in page.spend:
            self.fields[f"spend-{row.category_id}"] = forms.CharField(
                label=row.name,
                required=False,
                help_text=f"Profile for the period: {money(row.profile or ZERO)}",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
            )
        for row in page.measures:
            target = "no target for this period" if row.target is None else _plain(row.target)
            self.fields[f"actual-{row.measure_id}"] = forms.CharField(
                label=f"{row.name} ({row.unit_label.lower()})",
                required=False,
                help_text=f"Target: {target}. {UNIT_HINTS.get(row.unit, '')}",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
            )
        self.fields["achievements"] = forms.CharField(
            label="What you achieved in the period", required=False, widget=forms.Textarea
        )
        self.fields["risks"] = forms.CharField(
            label="Risks and issues", required=False, widget=forms.Textarea
        )
        self.fields["case_study"] = forms.CharField(
            label="A case study",
            required=False,
            widget=forms.Textarea,
            help_text="Leave out anything that would identify a person",
        )
        self.fields["partner_rag"] = forms.CharField(
            label="Your own rating of the period",
            required=False,
            widget=forms.RadioSelect(choices=Rag.choices),
            help_text="Green: on track. Amber: some problems. Red: serious problems.",
        )
        self.spend_fields = [self[f"spend-{r.category_id}"] for r in page.spend]
        self.measure_fields = [self[f"actual-{m.measure_id}"] for m in page.measures]
        self.text_fields = [self["achievements"], self["risks"], self["case_study"]]

    def figures(self) -> dict[str, Any]:
        """What the returns services take: the figures given (blank ones left out, so a
        draft can be saved part-written), the narrative and the RAG."""
        d = self.cleaned_data
        return {
            "spend": {
                int(name.split("-", 1)[1]): value.strip()
                for name, value in d.items()
                if name.startswith("spend-") and value.strip()
            },
            "actuals": {
                int(name.split("-", 1)[1]): value.strip()
                for name, value in d.items()
                if name.startswith("actual-") and value.strip()
            },
            "achievements": d["achievements"],
            "risks": d["risks"],
            "case_study": d["case_study"],
            "partner_rag": d["partner_rag"],
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Attach evidence",
        required=False,
        help_text="PDF, Word, Excel, OpenDocument, CSV, text or an image, up to 10 MB",
    )


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="What the partner needs to change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AcceptForm(forms.Form):
    officer_rag = forms.CharField(
        label="Your rating",
        required=False,
        widget=forms.RadioSelect(choices=Rag.choices),
    )
    reason = forms.CharField(
        label="Reason for the rating",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required. The partner sees it with the rating.",
    )
