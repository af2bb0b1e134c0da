"""Where the needs-based formula's late-returns rule gets its facts (registered with
`formula.late.register_source` when Django starts, in apps.py).

An organisation's late returns in a year: the returns of its agreements that were asked for
(accepted or closed agreements), whose period's return fell due in the year, and that were
late by more than `days` days: submitted more than `days` days after the due date, or not in
(not submitted, or sent back for changes) and overdue by more than `days` days on `today`,
as `rules.days_late` counts it. Asked with `days` of -1, every return due in the year by
`today`, late or not (how the formula sees whether a held area's returns are in yet).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from commissioning.formula.late import LateReturn

from .models import ReportingPeriod
from .rules import days_late, return_in


def _late(period: ReportingPeriod, today: dt.date) -> LateReturn:
    report = getattr(period, "report", None)
    if return_in(period) and report is not None and report.submitted_at is not None:
        submitted = timezone.localtime(report.submitted_at).date()
        if submitted <= today:
            return LateReturn(
                reference=period.agreement.reference,
                label=period.label,
                due_on=period.due_on,
                submitted_on=submitted,
                days_late=max((submitted - period.due_on).days, 0),
            )
    return LateReturn(
        reference=period.agreement.reference,
        label=period.label,
        due_on=period.due_on,
        submitted_on=None,
        days_late=days_late(period, today),
    )


def late_returns(organisation, year, days: int, today: dt.date) -> list[LateReturn]:
    """The organisation's returns due in `year` (by `today`) late by more than `days` days."""
    # Here, not at the top: this module is imported as Django starts (apps.py), and the
    # monitoring services are not needed until the formula asks.
    from .monitoring import REPORTING

    periods = (
        ReportingPeriod.objects.filter(
            agreement__organisation=organisation,
            agreement__status__in=REPORTING,
            due_on__gte=year.starts,
            due_on__lte=min(year.ends, today),
        )
        .select_related("agreement", "report")
        .order_by("due_on", "agreement__reference", "number")
    )
    found = (_late(period, today) for period in periods)
    return [r for r in found if r.days_late > days]
