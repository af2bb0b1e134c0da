"""People who sign in, and the roles they hold.

Roles are Django groups named by `Role`, so one person can hold more than one (a Chief
Executive is also the Monitoring Officer; a reviewer may sit on a panel). A partner user
belongs to exactly one organisation.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from commissioning.core.roles import Role


class User(AbstractUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="For partner users: the one organisation they act for.",
    )

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.is_active or self.pk is None:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.roles]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
