from django.core.management.base import CommandError
from django.http import Http404

from commissioning.budgets.models import FinancialYear
from commissioning.budgets.selectors import year_get


def year_or_error(label: str) -> FinancialYear:
    """The year a command was asked about, or a CommandError saying there is no such year."""
    try:
        return year_get(label)
    except Http404 as exc:
        raise CommandError(str(exc)) from exc
