from django.apps import apps
from django.http import Http404
from django.shortcuts import render

from .guard import Guarded
from .models import AuditEvent
from .permissions import AUDIT_VIEW


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
