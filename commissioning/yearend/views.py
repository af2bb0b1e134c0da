"""The year-end pages: the outturn of a year for the CFO (and, read only, OPCC staff and the
Police and Crime Panel), and the CFO's three actions on it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from commissioning.budgets.selectors import allocation_get, year_get
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed
from commissioning.core.templatetags.govuk import money

from . import selectors, services
from .forms import CollectForm, OwedForm, RepaidForm
from .models import Receivable
from .permissions import COLLECT, VIEW


class YearEndView(Guarded):
    permission = VIEW

    def get(self, request, year: str):
        out = selectors.outturn(year_get(year))
        showing_all = request.GET.get("show") == "all"
        rows = out.rows if showing_all else [r for r in out.rows if r.needs_a_look]
        return render(
            request,
            "yearend/year_end.html",
            {
                "out": out,
                "year": out.year,
                "rows": rows,
                "hidden": len(out.rows) - len(rows),
                "showing_all": showing_all,
                "can_collect": allowed(request.user, COLLECT),
                "collections": selectors.collections_of(out.pot) if out.pot else [],
                "receivables": selectors.receivables(out.year),
            },
        )


class RowActionView(Guarded):
    """One allocation's row of the outturn, and a form acting on it."""

    permission = COLLECT
    form_class: type = CollectForm
    title = ""
    button = ""

    def row(self, uuid):
        allocation = allocation_get(uuid)
        row = selectors.row_of(allocation)
        if row is None:
            raise Http404(f"{allocation.reference} is not committed")
        return row

    def initial(self, row) -> dict:
        return {}

    def act(self, request, row, data) -> str:
        raise NotImplementedError

    def page(self, request, row, form, status=200):
        return render(
            request,
            "yearend/action.html",
            {
                "row": row,
                "year": row.allocation.year,
                "form": form,
                "title": self.title,
                "button": self.button,
            },
            status=status,
        )

    def get(self, request, uuid):
        row = self.row(uuid)
        return self.page(request, row, self.form_class(initial=self.initial(row)))

    def post(self, request, uuid):
        row = self.row(uuid)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                done = self.act(request, row, form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(reverse("year-end", args=[row.allocation.year.slug]))
        return self.page(request, row, form, status=400)


class CollectView(RowActionView):
    form_class = CollectForm
    title = "Collect the underspend into the central pot"
    button = "Collect the underspend"

    def initial(self, row):
        return {"amount": row.collectable} if row.collectable else {}

    def act(self, request, row, data):
        collection = services.underspend_collect(
            actor=request.user,
            allocation=row.allocation,
            amount=data["amount"],
            source=data["source"],
        )
        return (
            f"{money(collection.amount)} of {row.reference} is collected into "
            f"{collection.pot.name}, to be re-offered in {collection.pot.year.label}."
        )


class OwedView(RowActionView):
    form_class = OwedForm
    title = "Record money owed back"
    button = "Record as owed"

    def initial(self, row):
        return {"amount": row.owed} if row.owed else {}

    def act(self, request, row, data):
        receivable = services.receivable_raise(
            actor=request.user,
            allocation=row.allocation,
            amount=data["amount"],
            reason=data["reason"],
        )
        return f"{money(receivable.amount)} is recorded as owed back by {row.organisation}."


class RepaidView(Guarded):
    permission = COLLECT

    def page(self, request, receivable, form, status=200):
        return render(
            request,
            "yearend/repaid.html",
            {"receivable": receivable, "year": receivable.allocation.year, "form": form},
            status=status,
        )

    def receivable(self, uuid) -> Receivable:
        return get_object_or_404(
            Receivable.objects.select_related("allocation__year", "agreement"), uuid=uuid
        )

    def get(self, request, uuid):
        return self.page(request, self.receivable(uuid), RepaidForm())

    def post(self, request, uuid):
        receivable = self.receivable(uuid)
        form = RepaidForm(request.POST)
        if form.is_valid():
            try:
                services.repayment_record(
                    actor=request.user,
                    receivable=receivable,
                    received_on=form.cleaned_data["received_on"],
                    reference=form.cleaned_data["reference"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"The repayment of {money(receivable.amount)} is recorded: what was paid "
                    f"out of {receivable.allocation.reference} is back to what was spent.",
                )
                return redirect(reverse("year-end", args=[receivable.allocation.year.slug]))
        return self.page(request, receivable, form, status=400)


urlpatterns = [
    path("years/<str:year>/year-end/", YearEndView.as_view(), name="year-end"),
    path(
        "year-end/allocations/<uuid:uuid>/collect/",
        CollectView.as_view(),
        name="underspend-collect",
    ),
    path("year-end/allocations/<uuid:uuid>/owed/", OwedView.as_view(), name="receivable-raise"),
    path("year-end/receivables/<uuid:uuid>/repaid/", RepaidView.as_view(), name="repayment-record"),
]
