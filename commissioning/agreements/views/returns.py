"""Monitoring returns: one period's return (the partner writes and submits it; the officer
returns it for changes or accepts it with a RAG), its evidence, the partner's list of
returns, and the officer's monitoring view of every agreement with its downloads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone

from commissioning.core import files
from commissioning.core.downloads import headings_of, table_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed

from .. import monitoring, returns
from ..models import ReturnStatus
from ..permissions import MONITOR, RETURN_REVIEW, RETURN_SUBMIT, VIEW
from ..returns_forms import AcceptForm, ReturnForm, SendBackForm, UploadForm
from ..workflow import RETURN

EDITABLE = (ReturnStatus.DRAFT, ReturnStatus.RETURNED)


def _agreement_url(agreement) -> str | None:
    try:
        return reverse("agreement", args=[agreement.uuid])
    except NoReverseMatch:
        return None


class _ReturnPage(Guarded):
    """What every view of one period's return shares: finding it (a 404 for anyone who may
    not see the agreement) and drawing the page."""

    permission = VIEW
    object_permission = VIEW

    def _objects(self, request, uuid, number):
        agreement = self.check_object(monitoring.agreement_for(request.user, uuid))
        period = monitoring.period_of(agreement, number)
        return agreement, period

    def _render(self, request, agreement, period, *, form=None, status=200, **forms):
        page = monitoring.return_page(agreement, period, timezone.localdate())
        report = page.report
        moves = {m.target for m in RETURN.moves_for(request.user, report)}
        writing = report.status in EDITABLE and allowed(request.user, RETURN_SUBMIT, report)
        reviewing = allowed(request.user, RETURN_REVIEW)
        if writing and form is None:
            form = ReturnForm(page=page)
        context = {
            "page": page,
            "agreement": agreement,
            "period": period,
            "report": report,
            "writing": writing,
            "reviewing": reviewing,
            "shown": report.status != ReturnStatus.DRAFT or writing,
            "form": form,
            "upload_form": forms.get("upload_form") or UploadForm(),
            "can_send_back": ReturnStatus.RETURNED in moves,
            "can_accept": ReturnStatus.ACCEPTED in moves,
            "send_back_form": forms.get("send_back_form") or SendBackForm(),
            "accept_form": forms.get("accept_form")
            or AcceptForm(initial={"officer_rag": page.suggestion.rag}),
            "agreement_url": _agreement_url(agreement),
        }
        return render(request, "agreements/return.html", context, status=status)


class ReturnView(_ReturnPage):
    """GET: the return, as a form for the partner while it is theirs to write, read-only
    otherwise. POST: the partner saves it, or saves and submits it."""

    def get(self, request, uuid, number: int):
        agreement, period = self._objects(request, uuid, number)
        return self._render(request, agreement, period)

    def post(self, request, uuid, number: int):
        agreement, period = self._objects(request, uuid, number)
        page = monitoring.return_page(agreement, period, timezone.localdate())
        form = ReturnForm(request.POST, page=page)
        if not form.is_valid():  # every field is optional text: the services judge it
            return self._render(request, agreement, period, form=form, status=400)
        submit = "submit" in request.POST
        service = returns.return_save_and_submit if submit else returns.return_save
        try:
            service(actor=request.user, period=period, **form.figures())
        except ValidationError as exc:
            attach_errors(form, exc)
            return self._render(request, agreement, period, form=form, status=400)
        if submit:
            messages.success(request, f"Your return for {period.label} has been submitted.")
        else:
            messages.success(request, f"Your return for {period.label} has been saved.")
        return redirect("return", uuid=agreement.uuid, number=period.number)


class ReturnAttachView(_ReturnPage):
    """POST a file of evidence to the return."""

    permission = RETURN_SUBMIT

    def get(self, request, uuid, number: int):
        return redirect("return", uuid=uuid, number=number)

    def post(self, request, uuid, number: int):
        agreement, period = self._objects(request, uuid, number)
        upload_form = UploadForm(request.POST, request.FILES)
        upload_form.is_valid()
        upload = upload_form.cleaned_data.get("file")
        if upload is None:
            upload_form.add_error("file", "Choose a file to attach")
        else:
            try:
                returns.return_attach(
                    actor=request.user, period=period, name=upload.name, data=upload.read()
                )
            except ValidationError as exc:
                attach_errors(upload_form, exc)
            else:
                messages.success(request, f"{upload.name} attached.")
                return redirect("return", uuid=agreement.uuid, number=period.number)
        return self._render(request, agreement, period, upload_form=upload_form, status=400)


class ReturnFileView(_ReturnPage):
    """A file of evidence, to the partner who attached it and OPCC staff."""

    def get(self, request, uuid, number: int, file_uuid):
        _agreement, period = self._objects(request, uuid, number)
        attachment, where = monitoring.return_file(period, file_uuid)
        return files.download(
            where, filename=attachment.original_name, content_type=attachment.content_type
        )


class ReturnSendBackView(_ReturnPage):
    permission = RETURN_REVIEW

    def get(self, request, uuid, number: int):
        return redirect("return", uuid=uuid, number=number)

    def post(self, request, uuid, number: int):
        agreement, period = self._objects(request, uuid, number)
        form = SendBackForm(request.POST)
        form.is_valid()
        try:
            returns.return_send_back(
                actor=request.user, period=period, comment=form.cleaned_data.get("comment", "")
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self._render(request, agreement, period, send_back_form=form, status=400)
        messages.success(request, f"The return for {period.label} was sent back for changes.")
        return redirect("return", uuid=agreement.uuid, number=period.number)


class ReturnAcceptView(_ReturnPage):
    permission = RETURN_REVIEW

    def get(self, request, uuid, number: int):
        return redirect("return", uuid=uuid, number=number)

    def post(self, request, uuid, number: int):
        agreement, period = self._objects(request, uuid, number)
        form = AcceptForm(request.POST)
        form.is_valid()
        d = form.cleaned_data
        try:
            returns.return_accept(
                actor=request.user,
                period=period,
                officer_rag=d.get("officer_rag", ""),
                reason=d.get("reason", ""),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self._render(request, agreement, period, accept_form=form, status=400)
        messages.success(request, f"The return for {period.label} was accepted.")
        return redirect("return", uuid=agreement.uuid, number=period.number)


class OurReturnsView(Guarded):
    """Every period of the partner's accepted agreements, with its return's status."""

    permission = RETURN_SUBMIT

    def get(self, request):
        page = Paginator(
            monitoring.our_returns_queryset(request.user), monitoring.OUR_RETURNS_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        rows = monitoring.our_returns(page.object_list, timezone.localdate())
        return render(
            request,
            "agreements/returns_ours.html",
            {"rows": rows, "page_obj": page, "count": page.paginator.count},
        )


class MonitoringView(Guarded):
    """The officer's view of every agreement: late returns first; filters; CSV and XLSX."""

    permission = MONITOR
    formats = ("csv", "xlsx")

    def get(self, request, fmt: str = ""):
        today = timezone.localdate()
        filters = monitoring.Filters.from_query(request.GET)
        agreements = monitoring.monitoring_queryset(filters, today)
        if fmt:
            if fmt not in self.formats:
                raise Http404("No such format")
            rows = monitoring.monitoring_rows(agreements, today)
            return table_response(
                monitoring.COLUMNS,
                monitoring.monitoring_records(rows),
                fmt=fmt,
                name=f"monitoring-{today.isoformat()}",
                title="Monitoring",
                headings=headings_of(
                    monitoring.COLUMNS,
                    rag="Rating (red, amber, green)",
                    primary_priority="Strategic priority",
                    profile_to_date="Spend profiled to date",
                    worst_days_late="Most days late",
                ),
            )
        page = Paginator(agreements, monitoring.PAGE_SIZE).get_page(request.GET.get("page"))
        rows = monitoring.monitoring_rows(page.object_list, today)
        for row in rows:
            row.url = _agreement_url(row.agreement) or ""
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "agreements/monitoring.html",
            {
                "page_obj": page,
                "rows": rows,
                "count": page.paginator.count,
                "chosen": filters.as_dict(),
                "choices": monitoring.filter_choices(),
                "query_string": query.urlencode(),
                "today": today,
            },
        )


urlpatterns: list[URLPattern] = [
    path("agreements/", MonitoringView.as_view(), name="monitoring"),
    path(
        "agreements/monitoring.<str:fmt>",
        MonitoringView.as_view(),
        name="monitoring-download",
    ),
    path("our-returns/", OurReturnsView.as_view(), name="our-returns"),
    path("agreements/<uuid:uuid>/returns/<int:number>/", ReturnView.as_view(), name="return"),
    path(
        "agreements/<uuid:uuid>/returns/<int:number>/files/",
        ReturnAttachView.as_view(),
        name="return-attach",
    ),
    path(
        "agreements/<uuid:uuid>/returns/<int:number>/files/<uuid:file_uuid>/",
        ReturnFileView.as_view(),
        name="return-file",
    ),
    path(
        "agreements/<uuid:uuid>/returns/<int:number>/send-back/",
        ReturnSendBackView.as_view(),
        name="return-send-back",
    ),
    path(
        "agreements/<uuid:uuid>/returns/<int:number>/accept/",
        ReturnAcceptView.as_view(),
        name="return-accept",
    ),
]
