"""Reads of reoffending cohorts.

`cohort_summary(upload)` is what may leave the cohort team: aggregate rows only (no
pseudonym, no record), small counts withheld. Pages that show more (the measures
unsuppressed, the records) check `permissions.VIEW` and record the view
(`services.cohort_viewed`) themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import Http404

from commissioning.agreements.models import Agreement, AgreementStatus, Outcome
from commissioning.organisations.models import Area

from .measures import ALL, Measure, Offender, cohort_order, measure, suppress
from .models import Cohort, CohortRecord, CohortUpload
from .services import suppress_under

RECORDS_PAGE_SIZE = 50


def uploads_list() -> QuerySet[CohortUpload]:
    """Every upload, newest first, with who uploaded it and how many cohorts it holds."""
    return (
        CohortUpload.objects.select_related("uploaded_by")
        .annotate(cohort_count=Count("cohorts", distinct=True))
        .order_by("-created_at", "-id")
    )


def upload_get(uuid) -> CohortUpload:
    found = CohortUpload.objects.select_related("uploaded_by").filter(uuid=uuid).first()
    if found is None:
        raise Http404("No such cohort upload")
    return found


def cohort_get(upload: CohortUpload, uuid) -> Cohort:
    found = Cohort.objects.filter(upload=upload, uuid=uuid).first()
    if found is None:
        raise Http404("No such cohort")
    return found


def cohorts_of(upload: CohortUpload) -> list[Cohort]:
    """The upload's cohorts with the outcome each is linked to."""
    return sorted(
        Cohort.objects.filter(upload=upload).select_related("outcome__agreement__organisation"),
        key=lambda c: cohort_order(c.name),
    )


def offenders_of(upload: CohortUpload) -> list[Offender]:
    """The upload's rows as the measures read them (one query, no pseudonyms)."""
    return [
        Offender(cohort=c, area_code=a, in_custody=i, baseline=b, current=n)
        for c, a, i, b, n in CohortRecord.objects.filter(cohort__upload=upload).values_list(
            "cohort__name", "area__code", "in_custody", "baseline_offences", "current_offences"
        )
    ]


def _named(measures: list[Measure]) -> list[Measure]:
    names = dict(
        Area.objects.filter(code__in={m.area_code for m in measures}).values_list("code", "name")
    )
    return [
        replace(m, area_name="All areas" if m.area_code == ALL else names.get(m.area_code, ""))
        for m in measures
    ]


def cohort_summary(upload: CohortUpload, suppress: bool = True) -> list[Measure]:
    """The upload's measures: one row per cohort and area, and one per cohort over all areas
    (area_code "all"), each with its area's name. Aggregate rows only: no pseudonym and no
    record ever. With `suppress` (the default, and the only way to call it for anything shown
    outside the officers who may see cohort data, such as the Panel pack), rows of fewer
    offenders than COHORT_SUPPRESS_UNDER are withheld ("too few to judge"), and so is any
    area whose figures could be worked out from the cohort's total."""
    rows = _named(measure(offenders_of(upload), target=upload.target_percent))
    return _suppressed(rows) if suppress else rows


def _suppressed(rows: list[Measure]) -> list[Measure]:
    return suppress(rows, under=suppress_under())


@dataclass(frozen=True)
class MeasureRow:
    """A row of the officers' measures table: the figures, and how the row is shown
    outside the team."""

    measure: Measure
    outside: Measure


def measures_table(upload: CohortUpload) -> list[MeasureRow]:
    """For the cohort team's page: every measure unsuppressed beside its suppressed form."""
    full = cohort_summary(upload, suppress=False)
    return [MeasureRow(measure=m, outside=o) for m, o in zip(full, _suppressed(full), strict=True)]


def records_page(upload: CohortUpload, *, cohort: Cohort | None, page: str | None) -> Page:
    """A page of the upload's records (of one cohort, or all), in the file's order."""
    qs = (
        CohortRecord.objects.filter(cohort__upload=upload)
        .select_related("cohort", "area")
        .order_by("row", "cohort__name")
    )
    if cohort is not None:
        qs = qs.filter(cohort=cohort)
    return Paginator(qs, RECORDS_PAGE_SIZE).get_page(page)


def outcome_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every outcome of an agreement not cancelled, grouped by agreement, for the link form."""
    outcomes = (
        Outcome.objects.exclude(agreement__status=AgreementStatus.CANCELLED)
        .select_related("agreement__organisation")
        .order_by("agreement__reference", "order")
    )
    groups: dict[int, tuple[Agreement, list[tuple[str, str]]]] = {}
    for o in outcomes:
        agreement = o.agreement
        group = groups.setdefault(agreement.pk, (agreement, []))
        group[1].append((str(o.pk), o.title))
    return [
        (f"{a.reference}: {a.organisation.name}, {a.title}"[:200], options)
        for a, options in groups.values()
    ]
