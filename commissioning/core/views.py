from django.apps import apps
from django.http import Http404, JsonResponse
from django.shortcuts import render

from . import jobs
from .guard import Guarded
from .models import AuditEvent, Job
from .permissions import AUDIT_VIEW, JOBS_LIST, JOBS_VIEW


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
    permission = AUDIT_VIEW

    def get(self, request):
        events = AuditEvent.objects.order_by("-created_at", "-id")[:200]
        return render(request, "core/audit_log.html", {"events": events})


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
