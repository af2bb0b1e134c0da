"""The public register of spending over £500 (no sign-in) and its downloads; the CFO's
import of the finance system's spending, and the withdrawal of an import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from commissioning.core.downloads import table_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import PUBLIC
from commissioning.core.templatetags.govuk import money

from .. import spending
from ..permissions import SPENDING_IMPORT

DOWNLOAD_FORMATS = ("csv", "json")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="The finance system's export",
        help_text="A CSV file (UTF-8), up to 5 MB",
        error_messages={"required": "Choose the CSV file to import"},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is the import being withdrawn?",
        help_text="Recorded in the history with your name",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why the import is being withdrawn"},
    )


def _month(request):
    """The month asked for (?month=2016-07), None for none; a malformed one is a 404."""
    raw = request.GET.get("month", "").strip()
    if not raw:
        return None
    try:
        return spending.month_parse(raw)
    except ValueError as exc:
        raise Http404(str(exc)) from exc


class SpendingView(Guarded):
    """Every month with spending over the threshold; a month's items, the product's own
    payments apart from the finance system's."""

    permission = PUBLIC

    def get(self, request):
        month = _month(request)
        return render(
            request,
            "agreements/spending.html",
            {
                "month": spending.spending_month(month) if month else None,
                "months": spending.spending_months(),
                "threshold": spending.threshold(),
                "individual_label": spending.individual_label(),
            },
        )


class SpendingDownloadView(Guarded):
    """What the page publishes, as CSV or JSON: one month (?month=) or every month."""

    permission = PUBLIC

    def get(self, request, fmt: str):
        if fmt not in DOWNLOAD_FORMATS:
            raise Http404("No such format")
        month = _month(request)
        lines = spending.spending_lines(month=month)
        over = spending.threshold()
        return table_response(
            spending.COLUMNS,
            [line.record() for line in lines],
            fmt=fmt,
            name=f"spending-over-{over:.0f}" + (f"-{month:%Y-%m}" if month else ""),
            title=f"Spending over {money(over)}",
            threshold=f"{over:.2f}",
            month=f"{month:%Y-%m}" if month else None,
        )


class SpendingImportView(Guarded):
    permission = SPENDING_IMPORT

    def _render(self, request, form, problems=(), status=200):
        return render(
            request,
            "agreements/spending_import.html",
            {
                "form": form,
                "problems": list(problems),
                "imports": spending.imports_list(),
                "individual_label": spending.individual_label(),
                "threshold": spending.threshold(),
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        problems: list[spending.Problem] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > spending.UPLOAD_MAX_BYTES:
                form.add_error("file", "The file is larger than 5 MB")
            else:
                try:
                    made = spending.spending_import(
                        actor=request.user, filename=upload.name, content=upload.read()
                    )
                except spending.SpendingImportRefused as exc:
                    problems = exc.problems
                    form.add_error(
                        "file",
                        f"Nothing was imported: put right the {len(problems)} "
                        f"problem{'s' if len(problems) != 1 else ''} listed and upload the file "
                        "again",
                    )
                except ValidationError as exc:
                    attach_errors(form, exc)
                else:
                    messages.success(
                        request,
                        f"Imported {made.rows} item{'s' if made.rows != 1 else ''} from "
                        f"{made.original_name}. Those over {money(spending.threshold())} are on "
                        "the register now.",
                    )
                    return redirect("spending-import")
        return self._render(request, form, problems, status=400)


class SpendingWithdrawView(Guarded):
    permission = SPENDING_IMPORT

    def _render(self, request, found, form, status=200):
        return render(
            request,
            "agreements/spending_withdraw.html",
            {"found": found, "form": form, "withdrawal": getattr(found, "withdrawal", None)},
            status=status,
        )

    def get(self, request, uuid):
        return self._render(request, spending.import_get(uuid), WithdrawForm())

    def post(self, request, uuid):
        found = spending.import_get(uuid)
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                spending.spending_withdraw(
                    actor=request.user, spending_import=found, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Withdrew {found.original_name}: its items are no longer on the register.",
                )
                return redirect("spending-import")
        return self._render(request, found, form, status=400)


urlpatterns: list[URLPattern] = [
    path("spending/", SpendingView.as_view(), name="spending"),
    path("spending.<str:fmt>", SpendingDownloadView.as_view(), name="spending-download"),
    path("spending/import/", SpendingImportView.as_view(), name="spending-import"),
    path(
        "spending/import/<uuid:uuid>/withdraw/",
        SpendingWithdrawView.as_view(),
        name="spending-withdraw",
    ),
]
