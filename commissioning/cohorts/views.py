"""The cohort team's pages: the uploads, the upload form, one upload's measures (with each
cohort's link to an agreement outcome), its records, and the measures as CSV.

Only the roles of `permissions.VIEW` reach any of them. Each page that shows cohort data
(the measures unsuppressed, the records, the download) records the view in the audit log
through `services.cohort_viewed`: the one write a GET makes here, and nothing else."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify

from commissioning.agreements.models import Outcome
from commissioning.core.downloads import table_response
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed

from . import selectors, services
from .cohort_file import COLUMNS as FILE_COLUMNS
from .forms import LinkForm, UploadForm
from .measures import COLUMNS, TOO_FEW, WORKED_OUT
from .models import Cohort, CohortUpload
from .permissions import MANAGE, VIEW

DOWNLOAD_COLUMNS = (*COLUMNS[:2], "area_name", *COLUMNS[2:], "reason")


def _link_form(cohort: Cohort, choices, data=None) -> LinkForm:
    form = LinkForm(
        data,
        choices=choices,
        auto_id=f"link-{cohort.uuid.hex[:12]}-%s",
        initial={"outcome": str(cohort.outcome_id or "")},
    )
    return form


class CohortListView(Guarded):
    """The uploads: names, periods, sizes and retention dates (no cohort data)."""

    permission = VIEW

    def get(self, request):
        return render(
            request,
            "cohorts/upload_list.html",
            {
                "uploads": selectors.uploads_list(),
                "can_upload": allowed(request.user, MANAGE),
                "threshold": services.suppress_under(),
                "retention_days": services.retention_days(),
            },
        )


class CohortUploadView(Guarded):
    permission = MANAGE

    def _render(self, request, form, problems=(), status=200):
        return render(
            request,
            "cohorts/upload_form.html",
            {
                "form": form,
                "problems": list(problems),
                "columns": FILE_COLUMNS,
                "retain_hint": (
                    "For example 31/3/2027. It is deleted after this day. Leave blank to keep "
                    f"it for the longest time allowed, {services.retention_days()} days"
                ),
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, UploadForm(initial={"target": services.target_default()}))

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        problems: list[str] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                made = services.cohort_upload(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    period_label=form.cleaned_data["period_label"],
                    filename=upload.name if upload else "",
                    content=upload.read() if upload else b"",
                    retain_until=form.cleaned_data["retain_until"],
                    target=form.cleaned_data["target"],
                )
            except services.CohortUploadRefused as exc:
                problems = exc.problem_lines
                attach_errors(form, exc)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Stored {made.rows:,} record{'s' if made.rows != 1 else ''} from "
                    f"{made.original_name}. They will be deleted after "
                    f"{made.retain_until:%-d %B %Y}.",
                )
                return redirect("cohort-upload", uuid=made.uuid)
        return self._render(request, form, problems, status=400)


class CohortUploadDetailView(Guarded):
    """One upload's measures, unsuppressed, each row marked where it is withheld outside the
    team; and each cohort's link to an agreement outcome."""

    permission = VIEW

    def show(self, request, upload: CohortUpload, bound: dict | None = None, status=200):
        services.cohort_viewed(actor=request.user, upload=upload, what="view")
        cohorts = selectors.cohorts_of(upload)
        can_link = allowed(request.user, MANAGE)
        choices = selectors.outcome_choices() if can_link else []
        bound = bound or {}
        rows = selectors.measures_table(upload)
        groups = [
            {
                "cohort": c,
                "rows": [r for r in rows if r.measure.cohort == c.name],
                "form": (bound.get(c.pk) or _link_form(c, choices)) if can_link else None,
            }
            for c in cohorts
        ]
        return render(
            request,
            "cohorts/upload.html",
            {
                "upload": upload,
                "groups": groups,
                "has_errors": bool(bound),
                "can_link": can_link,
                "threshold": services.suppress_under(),
                "withheld": sum(1 for r in rows if r.outside.suppressed),
                "too_few": TOO_FEW,
                "worked_out": WORKED_OUT,
            },
            status=status,
        )

    def get(self, request, uuid):
        return self.show(request, selectors.upload_get(uuid))


class CohortRecordsView(Guarded):
    """The upload's records by pseudonym, a page at a time (of one cohort, or all)."""

    permission = VIEW

    def get(self, request, uuid):
        upload = selectors.upload_get(uuid)
        cohorts = selectors.cohorts_of(upload)
        chosen = next((c for c in cohorts if c.uuid.hex == request.GET.get("cohort", "")), None)
        page = selectors.records_page(upload, cohort=chosen, page=request.GET.get("page"))
        services.cohort_viewed(
            actor=request.user,
            upload=upload,
            what="view_records",
            detail=f"page {page.number}" + (f" of the {chosen.name} cohort" if chosen else ""),
        )
        return render(
            request,
            "cohorts/records.html",
            {
                "upload": upload,
                "cohorts": cohorts,
                "chosen": chosen,
                "page_obj": page,
                "query_string": f"cohort={chosen.uuid.hex}" if chosen else "",
                "target": upload.target_percent,
            },
        )


class CohortDownloadView(Guarded):
    """The measures as CSV, small counts withheld as anywhere outside the team: the rows
    `commissioning cohort measure` prints, with each area's name and the reason a row is
    withheld."""

    permission = VIEW

    def get(self, request, uuid):
        upload = selectors.upload_get(uuid)
        services.cohort_viewed(actor=request.user, upload=upload, what="download")
        rows = selectors.cohort_summary(upload, suppress=True)
        period = slugify(upload.period_label.replace("/", "-"))
        return table_response(
            DOWNLOAD_COLUMNS,
            [m.record(text=True) for m in rows],
            fmt="csv",
            name=f"cohort-measures-{period}-{upload.uuid.hex[:8]}",
            title=f"Reoffending cohort measures: {upload}",
        )


class CohortLinkView(Guarded):
    """Link a cohort to the agreement outcome its measures report on (POST only)."""

    permission = MANAGE

    def post(self, request, uuid, cohort_uuid):
        upload = selectors.upload_get(uuid)
        cohort = selectors.cohort_get(upload, cohort_uuid)
        choices = selectors.outcome_choices()
        form = _link_form(cohort, choices, request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["outcome"]
            outcome = (
                Outcome.objects.select_related("agreement").get(pk=int(chosen)) if chosen else None
            )
            try:
                services.cohort_link(actor=request.user, cohort=cohort, outcome=outcome)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"The {cohort.name} cohort is linked to “{outcome.title}” of "
                    f"{outcome.agreement.reference}."
                    if outcome
                    else f"The {cohort.name} cohort is no longer linked to an outcome.",
                )
                return redirect(
                    reverse("cohort-upload", args=[upload.uuid]) + f"#link-{cohort.uuid.hex}"
                )
        return CohortUploadDetailView(request=request).show(
            request, upload, bound={cohort.pk: form}, status=400
        )


urlpatterns = [
    path("cohorts/", CohortListView.as_view(), name="cohort-list"),
    path("cohorts/upload/", CohortUploadView.as_view(), name="cohort-upload-new"),
    path("cohorts/<uuid:uuid>/", CohortUploadDetailView.as_view(), name="cohort-upload"),
    path("cohorts/<uuid:uuid>/records/", CohortRecordsView.as_view(), name="cohort-records"),
    path("cohorts/<uuid:uuid>/measures.csv", CohortDownloadView.as_view(), name="cohort-download"),
    path(
        "cohorts/<uuid:uuid>/cohorts/<uuid:cohort_uuid>/link/",
        CohortLinkView.as_view(),
        name="cohort-link",
    ),
]
