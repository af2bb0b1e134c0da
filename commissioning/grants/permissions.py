"""Who may run rounds, apply, see an application, review, sit on the panel and decide.

`reviewer_may_see` is the one place that decides whether a reviewer may see an application
(assigned, not withdrawn, no conflict declared): the application rule, the score service,
the review pages and the review queue all ask it.
"""

from __future__ import annotations

from commissioning.core.permissions import Result, has_role, is_staff, rule, signed_in
from commissioning.core.roles import Role

from .status import Status

MANAGE = "grants.manage"
SCREEN = "grants.screen"
APPLY = "grants.apply"
VIEW_APPLICATION = "grants.view_application"
REVIEW = "grants.review"
PANEL = "grants.panel"
DECIDE = "grants.decide"
DOWNLOAD = "grants.download"

# Once screened in, the panel may see an application (unless conflicted).
PANEL_SEES = frozenset(
    {
        Status.IN_REVIEW,
        Status.REVIEWED,
        Status.RECOMMENDED,
        Status.NOT_RECOMMENDED,
        Status.APPROVED,
        Status.DECLINED,
        Status.INELIGIBLE,
    }
)


def reviewer_may_see(user, application) -> bool:
    """An assigned reviewer who has not been withdrawn and declared no conflict."""
    if not has_role(user, Role.REVIEWER):
        return False
    return application.assignments.filter(
        reviewer=user, withdrawn=False, has_conflict=False
    ).exists()


def panel_member_may_see(user, application) -> bool:
    """A panel member who has declared, without a conflict on this application, once it is
    past screening."""
    if not has_role(user, Role.PANEL_MEMBER) or application.status not in PANEL_SEES:
        return False
    declared = application.round.panel_declarations.filter(member=user).first()
    return bool(
        declared and not declared.conflicted_applications.filter(pk=application.pk).exists()
    )


@rule(MANAGE)
def can_manage_rounds(user, obj=None) -> Result:
    if has_role(user, Role.COMMISSIONING_OFFICER, Role.CFO):
        return True, "commissioning officers run grant rounds"
    return False, "only commissioning officers run grant rounds"


@rule(SCREEN)
def can_screen(user, obj=None) -> Result:
    return can_manage_rounds(user)


@rule(APPLY)
def can_apply(user, application=None) -> Result:
    """A partner applies for their own organisation, and only changes their own applications."""
    if not (has_role(user, Role.PARTNER) and user.organisation_id):
        return False, "sign in as a member of the applying organisation"
    if application is not None and application.organisation_id != user.organisation_id:
        return False, "this application belongs to another organisation"
    return True, "members of an organisation apply for it"


@rule(VIEW_APPLICATION)
def can_view_application(user, application) -> Result:
    """Staff; the applicant organisation; a reviewer who may see it; a panel member who may."""
    if is_staff(user):
        return True, "OPCC staff see every application"
    if not signed_in(user):
        return False, "sign in"
    if user.organisation_id and application.organisation_id == user.organisation_id:
        return True, "the applicant organisation sees its own application"
    if reviewer_may_see(user, application):
        return True, "an assigned reviewer who declared no conflict"
    if panel_member_may_see(user, application):
        return True, "a panel member without a conflict"
    return False, "not yours to see"


@rule(REVIEW)
def can_review(user, obj=None) -> Result:
    if has_role(user, Role.REVIEWER):
        return True, "reviewers score applications assigned to them"
    return False, "only reviewers score applications"


@rule(PANEL)
def can_sit_on_panel(user, obj=None) -> Result:
    if has_role(user, Role.PANEL_MEMBER, Role.COMMISSIONING_OFFICER):
        return True, "the review panel recommends"
    return False, "only the review panel recommends"


@rule(DECIDE)
def can_decide(user, obj=None) -> Result:
    if has_role(user, Role.PCC):
        return True, "the Police and Crime Commissioner decides"
    return False, "only the Police and Crime Commissioner decides"


@rule(DOWNLOAD)
def can_open_applications(user, obj=None) -> Result:
    """Signed-in users may ask; `grants.view_application` then decides for each application."""
    if signed_in(user):
        return True, "signed in; each application is checked on its own"
    return False, "sign in to see applications"
