"""The plan's rules, each decided in one place and asked wherever the data is entered."""

from __future__ import annotations

from .models import StrategicPriority, Theme


def priority_fits_theme(priority: StrategicPriority | None, theme: Theme | None) -> bool:
    """Whether a strategic priority belongs to a theme of the plan: yes when either is not
    given. The ledger holds every allocation to it (`budgets.services`), and the forms and
    imports that take a theme and a priority ask it where they are entered (an application,
    the allocation import)."""
    return priority is None or theme is None or priority.theme_id == theme.pk
