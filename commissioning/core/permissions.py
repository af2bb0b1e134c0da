"""Named permission rules: one predicate per rule, each returning (allowed, reason).

Each app keeps its rules beside it, in its own `permissions.py`, as named constants with
one predicate each, registered here with `@rule(NAME)`; `load_rules()` (run when Django
starts) imports every app's module, so `RULES` is the one table of every rule. Views name
the rule they check (`core.guard.Guarded`), API operations wrap theirs (`guarded`), and
every service that writes calls `require(actor, RULE, obj)` itself, whoever calls it. A
test walks the URL map to make sure no view names none, and tests the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.core.exceptions import ValidationError

from .actors import is_command_line, is_system
from .roles import STAFF_ROLES

Result = tuple[bool, str]
Rule = Callable[..., Result]
RULES: dict[str, Rule] = {}

PUBLIC = "public"
SYSTEM_ONLY = "core.system"
AUDIT_VIEW = "audit.view"


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if name in RULES:
            raise ValueError(f"permission rule {name!r} defined twice")
        RULES[name] = fn
        return fn

    return register


def check(user, name: str, obj: Any = None) -> Result:
    try:
        predicate = RULES[name]
    except KeyError:
        raise KeyError(f"no permission rule named {name!r}") from None
    if is_command_line(user) and name != SYSTEM_ONLY:
        return True, "run on the server's command line"
    return predicate(user, obj) if obj is not None else predicate(user)


def allowed(user, name: str, obj: Any = None) -> bool:
    return check(user, name, obj)[0]


def require(actor, name: str, obj: Any = None) -> None:
    """For services: refuse with the rule's reason (a ValidationError) unless the rule passes."""
    ok, reason = check(actor, name, obj)
    if not ok:
        raise ValidationError(reason)


def signed_in(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def is_staff(user) -> bool:
    return signed_in(user) and user.has_role(*STAFF_ROLES)


def has_role(user, *roles: str) -> bool:
    return signed_in(user) and user.has_role(*roles)


def role_rule(name: str, roles: Iterable[str], yes: str, no: str) -> Rule:
    """Register the common kind of rule: anyone signed in holding one of `roles` passes,
    with `yes` as the reason; everyone else is refused with `no`."""
    wanted = tuple(roles)

    def predicate(user, obj=None) -> Result:
        return (True, yes) if has_role(user, *wanted) else (False, no)

    predicate.__doc__ = f"{name}: {yes}"
    return rule(name)(predicate)


def staff_rule(name: str, yes: str, no: str) -> Rule:
    """Register a rule that OPCC staff (the PCC, Chief Executive, CFO, officers) pass."""
    return role_rule(name, STAFF_ROLES, yes, no)


def load_rules(app_names: list[str]) -> None:
    """Import each app's `permissions` module (if it has one) so its rules are registered."""
    for app in app_names:
        module = f"{app}.permissions"
        if find_spec(module) is not None:
            import_module(module)


@rule(PUBLIC)
def public(user, obj=None) -> Result:
    return True, "public information"


@rule(SYSTEM_ONLY)
def system_only(user, obj=None) -> Result:
    if is_system(user):
        return True, "the product moves this on its own"
    return False, "this happens by itself; nobody makes it happen by hand"


staff_rule(
    AUDIT_VIEW,
    "OPCC staff can read the audit history",
    "only OPCC staff can read the audit history",
)


JOBS_LIST = "jobs.list"
JOBS_VIEW = "jobs.view"


@rule(JOBS_LIST)
def can_list_own_jobs(user, obj=None) -> Result:
    if signed_in(user):
        return True, "everyone signed in can follow the jobs they started"
    return False, "sign in to see the jobs you started"


@rule(JOBS_VIEW)
def can_view_job(user, job) -> Result:
    """A background job's page: the person who started it, and OPCC staff (who read the
    audit history, where its start and end are recorded anyway)."""
    if signed_in(user) and job.started_by_id is not None and job.started_by_id == user.pk:
        return True, "you started this job"
    if allowed(user, AUDIT_VIEW):
        return True, "OPCC staff can follow every job"
    return False, "only the person who started a job, and OPCC staff, can follow it"
