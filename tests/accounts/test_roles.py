"""Roles are Django groups named by `Role`; a user holds every role whose group they are in,
and an inactive user holds none."""

import pytest
from django.contrib.auth.models import Group

from commissioning.accounts.models import User
from commissioning.accounts.services import roles_ensure
from commissioning.core.roles import STAFF_ROLES, Role

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_and_making_them_twice_changes_nothing():
    roles_ensure()
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    count = Group.objects.count()
    roles_ensure()
    assert Group.objects.count() == count


def test_the_roles_an_opcc_has():
    assert set(Role.values) == {
        "pcc",
        "chief_executive",
        "cfo",
        "commissioning_officer",
        "reviewer",
        "panel_member",
        "police_crime_panel",
        "partner",
    }
    assert STAFF_ROLES == {Role.PCC, Role.CHIEF_EXECUTIVE, Role.CFO, Role.COMMISSIONING_OFFICER}


def test_a_user_holds_the_roles_of_their_groups(user_with):
    user = user_with(Role.CHIEF_EXECUTIVE, Role.REVIEWER)
    assert user.roles == {"chief_executive", "reviewer"}
    assert user.has_role(Role.CHIEF_EXECUTIVE)
    assert user.has_role(Role.PCC, Role.REVIEWER)  # any of them
    assert not user.has_role(Role.PCC)
    assert not user.has_role()
    assert user.role_labels == ["Chief Executive (Monitoring Officer)", "Reviewer"]


def test_a_group_that_is_not_a_role_gives_nothing(user_with):
    user = user_with()
    user.groups.add(Group.objects.create(name="friends-of-the-pcc"))
    user = User.objects.get(pk=user.pk)
    assert user.roles == {"friends-of-the-pcc"}
    assert not user.has_role(*Role.values)
    assert user.role_labels == []


def test_an_inactive_user_has_no_roles(user_with):
    user = user_with(Role.PCC, Role.CFO)
    user.is_active = False
    user.save()
    user = User.objects.get(pk=user.pk)
    assert user.roles == frozenset()
    assert not user.has_role(Role.PCC, Role.CFO)
    assert user.role_labels == []


def test_an_unsaved_user_has_no_roles():
    user = User(username="nobody")
    assert user.roles == frozenset() and not user.has_role(*Role.values)


def test_a_user_is_shown_by_name_or_username(user_with):
    named = user_with(Role.CFO)
    assert str(named) == "Test cfo"
    assert str(User(username="plain")) == "plain"
