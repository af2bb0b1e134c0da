"""Named permission rules: one predicate per rule, each returning (allowed, reason).

Every view and API endpoint names the rule it checks (see `commissioning.web.views.Guarded`
and `commissioning.api`); a test walks the URL map to make sure none is missing. Rules take
the user and, for object rules, the object; they never touch the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import STAFF_ROLES, Role

Result = tuple[bool, str]
Rule = Callable[..., Result]
RULES: dict[str, Rule] = {}

PUBLIC = "public"


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
    return predicate(user, obj) if obj is not None else predicate(user)


def allowed(user, name: str, obj: Any = None) -> bool:
    return check(user, name, obj)[0]


def require(user, name: str, obj: Any = None) -> None:
    """For services: refuse with the rule's reason (a ValidationError) unless the rule passes."""
    from django.core.exceptions import ValidationError

    ok, reason = check(user, name, obj)
    if not ok:
        raise ValidationError(reason)


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _is_staff(user) -> bool:
    return _signed_in(user) and user.has_role(*STAFF_ROLES)


@rule(PUBLIC)
def public(user, obj=None) -> Result:
    return True, "public information"


@rule("plans.view")
def can_view_plan(user, obj=None) -> Result:
    return True, "the Police and Crime Plan is a public document"


@rule("budgets.view")
def can_view_budget(user, obj=None) -> Result:
    if _is_staff(user):
        return True, "OPCC staff see the budget"
    return False, "only OPCC staff see the budget position"


@rule("budgets.manage")
def can_manage_budget(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.CFO):
        return True, "the Chief Finance Officer manages funding streams and budget lines"
    return False, "only the Chief Finance Officer manages funding streams and budget lines"


@rule("allocations.list")
def can_list_allocations(user, obj=None) -> Result:
    if _is_staff(user):
        return True, "OPCC staff see the ledger"
    if _signed_in(user) and user.has_role(Role.PARTNER) and user.organisation_id:
        return True, "partners see their own organisation's allocations"
    return False, "sign in as OPCC staff or a partner to see allocations"


@rule("allocations.view")
def can_view_allocation(user, allocation) -> Result:
    if _is_staff(user):
        return True, "OPCC staff see every allocation"
    if (
        _signed_in(user)
        and user.has_role(Role.PARTNER)
        and user.organisation_id is not None
        and allocation.organisation_id == user.organisation_id
    ):
        return True, "partners see their own organisation's allocations"
    return False, "this allocation belongs to another organisation"


@rule("allocations.change")
def can_change_allocations(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.COMMISSIONING_OFFICER, Role.CFO):
        return True, "commissioning officers and the CFO record allocations"
    return False, "only commissioning officers and the Chief Finance Officer record allocations"


@rule("tables.view")
def can_view_tables(user, obj=None) -> Result:
    return can_view_budget(user)


@rule("reconciliation.view")
def can_view_reconciliation(user, obj=None) -> Result:
    return can_view_budget(user)


@rule("audit.view")
def can_view_audit(user, obj=None) -> Result:
    if _is_staff(user):
        return True, "OPCC staff can read the audit history"
    return False, "only OPCC staff can read the audit history"


@rule("organisations.view")
def can_view_organisations(user, obj=None) -> Result:
    if _is_staff(user):
        return True, "OPCC staff see partner records"
    if obj is not None and _signed_in(user) and user.organisation_id == getattr(obj, "pk", None):
        return True, "partners see their own organisation"
    return False, "only OPCC staff see partner records"


@rule("formula.view")
def can_view_formula(user, obj=None) -> Result:
    if _is_staff(user):
        return True, "OPCC staff see needs-based allocation runs"
    return (
        False,
        "only OPCC staff see formula runs in full; partners see their area of an adopted run",
    )


@rule("formula.run")
def can_run_formula(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.COMMISSIONING_OFFICER, Role.CFO):
        return True, "commissioning officers and the CFO set up and run the formula"
    return False, "only commissioning officers and the Chief Finance Officer run the formula"


@rule("formula.read")
def can_read_formula_run(user, run=None) -> Result:
    """Partners read the method and their own area's figures of an adopted run."""
    if _is_staff(user):
        return True, "OPCC staff read every run"
    if run is None:
        if _signed_in(user) and user.has_role(Role.PARTNER):
            return True, "partners read adopted runs"
        return False, "sign in as OPCC staff or a partner"
    if _signed_in(user) and user.has_role(Role.PARTNER) and getattr(run, "is_adopted", False):
        return True, "partners read adopted runs"
    return False, "this run has not been adopted"


# --- grant rounds ---


@rule("grants.manage")
def can_manage_rounds(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.COMMISSIONING_OFFICER, Role.CFO):
        return True, "commissioning officers run grant rounds"
    return False, "only commissioning officers run grant rounds"


@rule("grants.screen")
def can_screen(user, obj=None) -> Result:
    return can_manage_rounds(user)


@rule("grants.apply")
def can_apply(user, application=None) -> Result:
    """A partner applies for their own organisation, and only changes their own applications."""
    if not (_signed_in(user) and user.has_role(Role.PARTNER) and user.organisation_id):
        return False, "sign in as a member of the applying organisation"
    if application is not None and application.organisation_id != user.organisation_id:
        return False, "this application belongs to another organisation"
    return True, "members of an organisation apply for it"


@rule("grants.view_application")
def can_view_application(user, application) -> Result:
    """Staff; the applicant organisation; a reviewer assigned to it who declared no conflict;
    a panel member without a declared conflict once it is reviewed."""
    if _is_staff(user):
        return True, "OPCC staff see every application"
    if not _signed_in(user):
        return False, "sign in"
    if user.organisation_id and application.organisation_id == user.organisation_id:
        return True, "the applicant organisation sees its own application"
    if user.has_role(Role.REVIEWER):
        live = application.assignments.filter(
            reviewer=user, withdrawn=False, has_conflict=False
        ).exists()
        if live:
            return True, "an assigned reviewer who declared no conflict"
    if user.has_role(Role.PANEL_MEMBER) and application.status not in {
        "draft",
        "submitted",
        "withdrawn",
    }:
        declared = application.round.panel_declarations.filter(member=user).first()
        if declared and not declared.conflicted_applications.filter(pk=application.pk).exists():
            return True, "a panel member without a conflict"
    return False, "not yours to see"


@rule("grants.review")
def can_review(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.REVIEWER):
        return True, "reviewers score applications assigned to them"
    return False, "only reviewers score applications"


@rule("grants.panel")
def can_sit_on_panel(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.PANEL_MEMBER, Role.COMMISSIONING_OFFICER):
        return True, "the review panel recommends"
    return False, "only the review panel recommends"


@rule("grants.decide")
def can_decide(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.PCC):
        return True, "the Police and Crime Commissioner decides"
    return False, "only the Police and Crime Commissioner decides"


@rule("grants.download")
def can_open_applications(user, obj=None) -> Result:
    """Signed-in users may ask; `grants.view_application` then decides for each application."""
    if _signed_in(user):
        return True, "signed in; each application is checked on its own"
    return False, "sign in to see applications"


# --- decision records ---


@rule("decisions.view")
def can_view(user, obj=None) -> Result:
    if _is_staff(user):
        return True, "OPCC staff read decision records, drafts included"
    return False, "decision records before publication are for OPCC staff"


@rule("decisions.draft")
def can_draft(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.COMMISSIONING_OFFICER, Role.CFO):
        return True, "officers draft decision records"
    return False, "only officers draft decision records"


@rule("decisions.approve")
def can_approve(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.CHIEF_EXECUTIVE, Role.CFO):
        return True, "the Chief Executive or the Chief Finance Officer approves"
    return False, "only the Chief Executive or the Chief Finance Officer approves"


@rule("decisions.sign")
def can_sign(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.PCC):
        return True, "the Police and Crime Commissioner decides and signs"
    return False, "only the Police and Crime Commissioner signs a decision"


@rule("decisions.determine")
def can_determine(user, obj=None) -> Result:
    if _signed_in(user) and user.has_role(Role.CHIEF_EXECUTIVE):
        return True, "the Monitoring Officer determines publication"
    return False, "only the Monitoring Officer determines publication"
