from django.shortcuts import render

from commissioning.core.guard import Guarded

from .permissions import VIEW
from .selectors import area_list, organisation_list


class OrganisationListView(Guarded):
    permission = VIEW

    def get(self, request):
        return render(
            request,
            "organisations/list.html",
            {"organisations": organisation_list(), "areas": area_list()},
        )
