"""The Police and Crime Panel's pages: the outcomes packs by year, each as a page, an XLSX, a
PDF for a Panel meeting and JSON. Read only; OPCC staff and the Panel (`scrutiny.read`). A pack
that shows reoffending cohort figures records that it was seen, once for each page or download
(`services.pack_cohorts_viewed`, after the response is made): the one write a GET makes here."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from commissioning.budgets.selectors import year_get
from commissioning.core.downloads import JSON, PDF, XLSX, file_response
from commissioning.core.guard import Guarded

from . import exports, selectors, services
from .format import COHORT_METHOD, SYNTHETIC, cohorts_none, cohorts_withheld
from .permissions import READ

FORMATS = {"xlsx": XLSX, "pdf": PDF, "json": JSON}


class PackListView(Guarded):
    permission = READ

    def get(self, request):
        return render(request, "scrutiny/index.html", {"years": selectors.pack_years()})


class PackView(Guarded):
    permission = READ

    def get(self, request, year: str):
        pack = selectors.outcomes_pack(year_get(year))
        response = render(
            request,
            "scrutiny/pack.html",
            {
                "pack": pack,
                "year": pack.year,
                "side_by_side": pack.intentions_side_by_side(),
                "notes": exports.NOTES,
                "cohort_method": COHORT_METHOD,
                "cohorts_withheld": cohorts_withheld(pack.cohort_threshold),
                "cohorts_none": cohorts_none(pack.year.label),
                "synthetic": SYNTHETIC,
            },
        )
        services.pack_cohorts_viewed(actor=request.user, pack=pack, fmt="page")
        return response


class PackDownloadView(Guarded):
    permission = READ

    def get(self, request, year: str, fmt: str):
        if fmt not in FORMATS:
            raise Http404("No such format")
        pack = selectors.outcomes_pack(year_get(year))
        response = file_response(
            exports.pack_file(pack, fmt),
            filename=exports.pack_filename(pack, fmt),
            content_type=FORMATS[fmt],
            inline=fmt == "pdf",
        )
        services.pack_cohorts_viewed(actor=request.user, pack=pack, fmt=fmt)
        return response
