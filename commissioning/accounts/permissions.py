"""Who may create accounts that hold roles."""

from __future__ import annotations

from commissioning.core.permissions import Result, rule

CREATE_USER = "accounts.create_user"


@rule(CREATE_USER)
def can_create_user(user, obj=None) -> Result:
    """No page creates accounts with roles: they are made on the server's command line (the
    demo, the example loader), which passes every rule. Applicants register themselves
    through the funding pages, which give no role but their organisation's."""
    return False, "accounts with roles are created on the server's command line"


OWN_SIGN_IN = "accounts.own_sign_in"


@rule(OWN_SIGN_IN)
def can_manage_own_sign_in(user, obj=None) -> Result:
    """Anyone signed in sets up their own second factor and recovery codes."""
    from commissioning.core.permissions import signed_in

    if signed_in(user):
        return True, "you manage your own sign-in"
    return False, "sign in first"
