from django.apps import apps
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render

from . import jobs, selectors
from .audit_words import action_choices
from .forms import AuditSearchForm
from .guard import Guarded
from .models import AuditEvent, Job
from .permissions import AUDIT_VIEW, JOBS_LIST, JOBS_VIEW

#: Events on one page of the audit log.
AUDIT_PAGE_SIZE = 50


class HistoryView(Guarded):
    """Every audit event about one object, oldest first."""

    permission = AUDIT_VIEW

    def get(self, request, object_type: str, uuid):
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            raise Http404("No such kind of object") from None
        obj = model._default_manager.filter(uuid=uuid).first() if hasattr(model, "uuid") else None
        events = AuditEvent.objects.filter(
            object_type=model._meta.label, object_uuid=uuid
        ).order_by("created_at", "id")
        if obj is None and not events.exists():
            raise Http404("No history for that object")
        return render(
            request,
            "core/history.html",
            {"obj": obj, "events": events, "label": model._meta.verbose_name},
        )


class AuditLogView(Guarded):
    """Every audit event, newest first, a page at a time: searched by who acted, the kind of
    thing and its reference or description, what was done and a range of dates, together.
    The same number of queries on any page."""

    permission = AUDIT_VIEW

    def get(self, request):
        form = AuditSearchForm(
            request.GET or None,
            people=selectors.audit_people(),
            kinds=selectors.audit_kinds(),
            actions=action_choices(),
        )
        form.is_valid()  # reports the filters that do not check out; the others still apply
        terms = form.search_terms()
        events = selectors.audit_event_list(selectors.AuditSearch(**terms))  # type: ignore[arg-type]
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "core/audit_log.html",
            {
                "form": form,
                "page_obj": page,
                "events": page.object_list,
                "count": page.paginator.count,
                "searched": bool(terms),
                "query_string": query.urlencode(),
            },
        )


class JobListView(Guarded):
    """The jobs the signed-in person started, newest first."""

    permission = JOBS_LIST

    def get(self, request):
        return render(request, "core/job_list.html", {"jobs": jobs.jobs_of(request.user)})


class JobView(Guarded):
    """One job's status and progress, for the person who started it (and OPCC staff). While it
    is queued or running the page refreshes itself (static/js/job-progress.js); without
    JavaScript it has a Refresh link."""

    permission = JOBS_LIST
    object_permission = JOBS_VIEW

    def job(self, uuid) -> Job:
        job = jobs.job_get(uuid)
        if job is None:
            raise Http404("No such job")
        return self.check_object(job)

    def get(self, request, uuid):
        job = self.job(uuid)
        return render(
            request,
            "core/job.html",
            {
                "job": job,
                "result_url": jobs.job_link(job),
                "mine": job.started_by_id == request.user.pk,
            },
        )


class JobProgressView(JobView):
    """The job's page's moving parts as JSON, for its script."""

    def get(self, request, uuid):
        job = self.job(uuid)
        response = JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "finished": job.is_finished,
                "stage": job.stage,
                "done": job.done,
                "total": job.total,
                "percent": job.percent,
            }
        )
        response["Cache-Control"] = "no-store"
        return response
