"""What an upper app may add to the question "can this allocation be committed now?".

budgets sits below the apps that know why an allocation must wait (the needs-based
formula's late-returns rule holds an area's allocation until its returns are in), so they
register a check here, in their AppConfig.ready(); committing asks every check, and refuses
with their reasons. A check takes the allocation and today's date and returns its reasons in
plain words (empty: nothing holds it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

CommitCheck = Callable[[object, dt.date], list[str]]
_CHECKS: list[CommitCheck] = []


def register_commit_check(check: CommitCheck) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def commit_problems(allocation, today: dt.date | None = None) -> list[str]:
    """Every registered reason `allocation` cannot be committed today."""
    day = today or timezone.localdate()
    return [reason for check in _CHECKS for reason in check(allocation, day)]
