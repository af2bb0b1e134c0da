"""Who may run rounds, apply, see an application, review, sit on the panel and decide.

`reviewer_may_see` is the one place that decides whether a reviewer may see an application
(assigned, not withdrawn, no conflict declared): the application rule, the score service,
the review pages and the review queue all ask it. `round_open_to` is the one place that
decides whether a round is open to an organisation (every organisation, or only those the
officer chose): the apply rule asked of a round, and so starting and submitting an
application, the round list, the round's page and the applicant's home, all ask it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commissioning.core.permissions import Result, has_role, is_staff, role_rule, rule, signed_in
from commissioning.core.roles import Role

from .models import Round
from .status import Status

if TYPE_CHECKING:
    from commissioning.organisations.models import Organisation

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
    """An assigned reviewer who has not been withdrawn and declared no conflict. Reads the
    application's assignments through `.all()`, so a page that prefetched them asks nothing
    more of the database."""
    if not has_role(user, Role.REVIEWER):
        return False
    return any(
        a.reviewer_id == user.pk and not a.withdrawn and a.has_conflict is False
        for a in application.assignments.all()
    )


def round_open_to(rnd: Round, organisation: Organisation | None) -> Result:
    """Whether `rnd` is open to `organisation` (None: nobody's organisation, such as a visitor
    signed out): a round that names no organisations is open to every one; one that names
    some is open only to them. Reads the round's list through `.all()`, so a page that
    prefetched it asks nothing more of the database."""
    chosen = rnd.eligible.all()
    if not chosen:
        return True, "the round is open to every organisation"
    if organisation is not None and any(o.pk == organisation.pk for o in chosen):
        return True, f"{organisation} is one of the organisations invited to apply"
    who = organisation if organisation is not None else "your organisation"
    return (
        False,
        f"“{rnd.title}” is open to invited organisations only, and {who} is not one of them",
    )


def panel_member_may_see(user, application) -> bool:
    """A panel member who has declared, without a conflict on this application, once it is
    past screening."""
    if not has_role(user, Role.PANEL_MEMBER) or application.status not in PANEL_SEES:
        return False
    declared = application.round.panel_declarations.filter(member=user).first()
    return bool(
        declared and not declared.conflicted_applications.filter(pk=application.pk).exists()
    )


for _name in (MANAGE, SCREEN):
    role_rule(
        _name,
        [Role.COMMISSIONING_OFFICER, Role.CFO],
        "commissioning officers run grant rounds",
        "only commissioning officers run grant rounds",
    )
role_rule(
    REVIEW,
    [Role.REVIEWER],
    "reviewers score applications assigned to them",
    "only reviewers score applications",
)
role_rule(
    PANEL,
    [Role.PANEL_MEMBER, Role.COMMISSIONING_OFFICER],
    "the review panel recommends",
    "only the review panel recommends",
)
role_rule(
    DECIDE,
    [Role.PCC],
    "the Police and Crime Commissioner decides",
    "only the Police and Crime Commissioner decides",
)


@rule(APPLY)
def can_apply(user, obj=None) -> Result:
    """A partner applies for their own organisation, and only changes their own applications.
    Asked of a round: whether the partner's organisation may apply to it (`round_open_to`)."""
    if not (has_role(user, Role.PARTNER) and user.organisation_id):
        return False, "sign in as a member of the applying organisation"
    if isinstance(obj, Round):
        return round_open_to(obj, user.organisation)
    if obj is not None and obj.organisation_id != user.organisation_id:
        return False, "this application belongs to another organisation"
    return True, "members of an organisation apply for it"


@rule(VIEW_APPLICATION)
def can_view_application(user, application) -> Result:
    """Staff; the applicant organisation's partners; a reviewer who may see it; a panel member
    who may. Belonging to the applicant is not enough on its own: a reviewer from the
    applicant organisation sees it only as any reviewer would (assigned, no conflict)."""
    if is_staff(user):
        return True, "OPCC staff see every application"
    if not signed_in(user):
        return False, "sign in"
    if (
        has_role(user, Role.PARTNER)
        and user.organisation_id
        and application.organisation_id == user.organisation_id
    ):
        return True, "the applicant organisation's partners see its own application"
    if reviewer_may_see(user, application):
        return True, "an assigned reviewer who declared no conflict"
    if panel_member_may_see(user, application):
        return True, "a panel member without a conflict"
    return False, "not yours to see"


@rule(DOWNLOAD)
def can_open_applications(user, obj=None) -> Result:
    """Signed-in users may ask; `grants.view_application` then decides for each application."""
    if signed_in(user):
        return True, "signed in; each application is checked on its own"
    return False, "sign in to see applications"
