"""Writes for accounts: role groups and the demo's users."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from commissioning.core.actors import COMMAND_LINE
from commissioning.core.audit import audit_record
from commissioning.core.permissions import require
from commissioning.core.roles import STAFF_ROLES, Role
from commissioning.organisations.models import Organisation

from .models import User
from .permissions import CREATE_USER


def roles_ensure() -> None:
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    name: str
    role: str
    organisation_key: str = ""

    @property
    def email(self) -> str:
        return f"{self.username}@demo.opcc.invalid"

    @property
    def totp_secret(self) -> str:
        """Staff sign in with a code as well: the demo's known authenticator secret (see
        accounts/mfa.py and the README). Others have none until they set one up."""
        from .mfa import DEMO_TOTP_SECRET

        return DEMO_TOTP_SECRET if self.role in STAFF_ROLES else ""


# Names are invented for the demo; roles are the ones an OPCC has.
DEMO_USERS = [
    DemoUser("pcc", "demo-pcc-pass", "Pat Commissioner", Role.PCC),
    DemoUser("chief.exec", "demo-ceo-pass", "Chris Executive", Role.CHIEF_EXECUTIVE),
    DemoUser("cfo", "demo-cfo-pass", "Frances Finance", Role.CFO),
    DemoUser("officer", "demo-officer-pass", "Olu Officer", Role.COMMISSIONING_OFFICER),
    DemoUser("reviewer", "demo-reviewer-pass", "Rae Reviewer", Role.REVIEWER),
    DemoUser("reviewer2", "demo-reviewer2-pass", "Rowan Reviewer", Role.REVIEWER),
    DemoUser("panel", "demo-panel-pass", "Pip Panel", Role.PANEL_MEMBER),
    DemoUser("pcp", "demo-pcp-pass", "Casey Councillor", Role.POLICE_CRIME_PANEL),
    DemoUser(
        "partner", "demo-partner-pass", "Parveen Partner", Role.PARTNER, "leicester-city-council"
    ),
    # A Community Safety Partnership's contact, who applies for the re-offered underspend.
    DemoUser("csp", "demo-csp-pass", "Sam Safer", Role.PARTNER, "safer-leicester-partnership"),
]


def user_create(
    *,
    actor,
    username: str,
    password: str,
    full_name: str,
    roles: list[str],
    organisation=None,
    email: str = "",
) -> User:
    """An account holding `roles` (and, for a partner, its organisation)."""
    require(actor, CREATE_USER)
    with transaction.atomic():
        first, _, last = full_name.partition(" ")
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            first_name=first,
            last_name=last,
            organisation=organisation,
        )
        roles_ensure()
        user.groups.set(Group.objects.filter(name__in=roles))
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            after={"username": username, "roles": roles, "organisation": str(organisation or "")},
        )
        return user


def demo_users_ensure() -> list[DemoUser]:
    """The demo's accounts, made on the command line (those that exist are left alone). Its
    staff get an authenticator with the demo's known secret, already confirmed, so that a
    tester can sign in with a code (README)."""
    from .mfa import demo_device_ensure

    roles_ensure()
    for demo in DEMO_USERS:
        existing = User.objects.filter(username=demo.username).first()
        if existing is not None:
            if demo.totp_secret:
                demo_device_ensure(existing)
            continue
        org = (
            Organisation.objects.filter(key=demo.organisation_key).first()
            if demo.organisation_key
            else None
        )
        user_create(
            actor=COMMAND_LINE,
            username=demo.username,
            password=demo.password,
            full_name=demo.name,
            roles=[demo.role],
            organisation=org,
            email=demo.email,
        )
        if demo.totp_secret:
            demo_device_ensure(User.objects.get(username=demo.username))
    return DEMO_USERS
