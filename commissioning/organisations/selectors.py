"""Reads of partner organisations and areas."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from .models import Area, Organisation


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("area").annotate(n_aliases=Count("aliases"))


def area_list() -> QuerySet[Area]:
    """Every area with its member districts in code order."""
    return Area.objects.prefetch_related(
        Prefetch("districts", queryset=Area.objects.order_by("code"))
    )


def organisation_get(key: str) -> Organisation:
    org = Organisation.objects.select_related("area").prefetch_related("aliases").filter(key=key)
    found = org.first()
    if found is None:
        raise Http404("No such organisation")
    return found
