"""Accounts with roles are made on the server's command line, each with its audit event; the
demo's accounts are made once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from commissioning.accounts.models import User
from commissioning.accounts.services import DEMO_USERS, demo_users_ensure, user_create
from commissioning.core.actors import COMMAND_LINE, SYSTEM
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_user_create_makes_the_account_with_its_roles_and_organisation():
    city = Organisation.objects.get(key="leicester-city-council")
    user = user_create(
        actor=COMMAND_LINE,
        username="new.partner",
        password="a-long-test-password",
        full_name="Nia Van Partner",
        roles=[Role.PARTNER, Role.REVIEWER],
        organisation=city,
    )
    user = User.objects.get(pk=user.pk)
    assert (user.first_name, user.last_name) == ("Nia", "Van Partner")
    assert user.check_password("a-long-test-password")
    assert user.roles == {"partner", "reviewer"}
    assert user.organisation == city and user.is_active
    event = AuditEvent.objects.get(action="user.create", object_uuid=user.uuid)
    assert event.actor is None and event.actor_label == "command line"
    assert event.after == {
        "username": "new.partner",
        "roles": ["partner", "reviewer"],
        "organisation": "Leicester City Council",
    }
    assert "a-long-test-password" not in str(event.after)


def test_user_create_with_no_roles_and_no_organisation():
    user = user_create(
        actor=COMMAND_LINE,
        username="plain",
        password="x-test-password",
        full_name="Plain",
        roles=[],
    )
    assert user.roles == frozenset() and user.organisation is None
    assert (user.first_name, user.last_name) == ("Plain", "")
    assert AuditEvent.objects.get(object_uuid=user.uuid).after["organisation"] == ""


@pytest.mark.parametrize("role", Role.values)
def test_nobody_signed_in_creates_accounts_with_roles(user_with, role):
    """No page creates accounts with roles, so no role may (the PCC included)."""
    actor = user_with(role)
    count = User.objects.count()
    with pytest.raises(ValidationError, match="created on the server's command line"):
        user_create(
            actor=actor,
            username="sneaky",
            password="x-test-password",
            full_name="Sneaky",
            roles=[Role.PCC],
        )
    assert User.objects.count() == count
    assert not AuditEvent.objects.filter(action="user.create", after__username="sneaky").exists()


@pytest.mark.parametrize("actor", [None, SYSTEM])
def test_no_actor_or_the_system_creates_no_account(actor):
    with pytest.raises(ValidationError):
        user_create(
            actor=actor, username="ghost", password="x-test-password", full_name="G", roles=[]
        )
    assert not User.objects.filter(username="ghost").exists()


def test_a_username_is_taken_once():
    user_create(actor=COMMAND_LINE, username="once", password="x-pw-1234", full_name="A", roles=[])
    count = AuditEvent.objects.count()
    with pytest.raises(IntegrityError):
        user_create(
            actor=COMMAND_LINE, username="once", password="x-pw-1234", full_name="B", roles=[]
        )
    assert User.objects.filter(username="once").count() == 1
    assert AuditEvent.objects.count() == count


def test_the_demo_accounts_exist_once_each_with_their_role():
    for demo in DEMO_USERS:
        user = User.objects.get(username=demo.username)
        assert user.roles == {demo.role}, demo.username
        assert user.get_full_name() == demo.name
        assert user.check_password(demo.password)
        if demo.organisation_key:
            assert user.organisation.key == demo.organisation_key
        else:
            assert user.organisation is None
    count = User.objects.count()
    events = AuditEvent.objects.count()
    demo_users_ensure()
    assert User.objects.count() == count and AuditEvent.objects.count() == events


def test_the_demo_has_one_account_for_each_role():
    assert {d.role for d in DEMO_USERS} == set(Role.values)
