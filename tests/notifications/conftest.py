"""Fixtures for notifications: the grant round, agreements and decision records of the apps
whose services notify, borrowed from their own test fixtures."""

from __future__ import annotations

import pytest

from tests.agreements.conftest import active, draft, partner  # noqa: F401
from tests.decisions.conftest import ceo, pcc  # noqa: F401
from tests.grants.conftest import grant_round  # noqa: F401


@pytest.fixture
def person(user_with):
    """Make a user with roles and an email address: `person(Role.REVIEWER)`."""

    def make(*roles, organisation=None, email=True):
        user = user_with(*roles, organisation=organisation)
        if email:
            user.email = f"{user.username}@example.org"
            user.save(update_fields=["email"])
        return user

    return make


@pytest.fixture
def since(db):
    """Notifications made before the test (the demo data's) are not the test's: the id of
    the last one, so a test looks only at those made after it."""
    from commissioning.notifications.models import Notification

    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
