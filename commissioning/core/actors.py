"""Who acts: a signed-in user, or the system itself for automatic moves.

Services take the acting user as `actor`. `user_of` is what they store in a `created_by`
column (a real user, or nothing). `SYSTEM` acts for the product when a change follows from
another one (a review closes when its last reviewer has scored); it passes only the
`core.system` rule, so nobody can borrow it through a page. `COMMAND_LINE` acts for whoever
runs a command on the server.
"""

from __future__ import annotations

from typing import Any


class SystemActor:
    """The product acting on its own. Not a user: no pk, not authenticated, no roles."""

    pk = None
    is_authenticated = False
    is_active = False
    is_system = True
    organisation_id = None

    def has_role(self, *roles: str) -> bool:
        return False

    def get_full_name(self) -> str:
        return "system"

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


class CommandLineActor(SystemActor):
    """Whoever runs a `commissioning` command on the server (an import, the example loader).
    They can change the database directly anyway, so every rule but `core.system` lets them;
    the audit trail records them as "command line"."""

    is_system = False

    def get_full_name(self) -> str:
        return "command line"

    def get_username(self) -> str:
        return "command line"

    def __str__(self) -> str:
        return "command line"


COMMAND_LINE = CommandLineActor()


def user_of(actor: Any):
    """The user to record as having done something: the actor if it is a saved user, else None."""
    return actor if (actor is not None and getattr(actor, "pk", None)) else None


def is_system(actor: Any) -> bool:
    return actor is SYSTEM


def is_command_line(actor: Any) -> bool:
    return actor is COMMAND_LINE
