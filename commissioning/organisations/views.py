from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import render

from commissioning.budgets.selectors import current_versions
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed

from .models import Area, Organisation


class OrganisationListView(Guarded):
    permission = "organisations.view"

    def get(self, request):
        organisations = Organisation.objects.select_related("area").annotate(
            n_aliases=Count("aliases")
        )
        areas = Area.objects.prefetch_related(
            Prefetch("districts", queryset=Area.objects.order_by("code"))
        )
        return render(
            request, "organisations/list.html", {"organisations": organisations, "areas": areas}
        )


class OrganisationDetailView(Guarded):
    permission = "allocations.list"  # staff, or a partner for their own (object rule)
    object_permission = "organisations.view"

    def get(self, request, key):
        org = (
            Organisation.objects.select_related("area")
            .prefetch_related("aliases")
            .filter(key=key)
            .first()
        )
        if org is None:
            raise Http404("No such organisation")
        self.check_object(org)
        versions = (
            current_versions()
            .filter(organisation=org)
            .exclude(status="cancelled")
            .order_by("allocation__year__starts", "allocation__reference")
        )
        return render(
            request,
            "organisations/detail.html",
            {"org": org, "versions": versions, "perms_audit": allowed(request.user, "audit.view")},
        )
