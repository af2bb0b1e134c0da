"""Fixtures for grant rounds: a published round with criteria, questions and eligibility,
and partner users of two applicant organisations."""

import pytest

from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation
from tests.factories import RoundFactory


@pytest.fixture
def grant_round(officer, year):
    """Published, open since yesterday for 30 days: criteria Need (60%) and Value for money
    (40%); questions summary (10 words), start-date, area (City or County) and budget (a PDF);
    one eligibility question."""
    return RoundFactory(
        actor=officer,
        year=year,
        reference="pcc-grant-2031",
        title="PCC Grant 2031/32",
    )


@pytest.fixture
def applicant(user_with):
    org = Organisation.objects.create(key="applicant-a", name="Applicant A", kind="charity")
    user = user_with(Role.PARTNER, organisation=org)
    user.email = "a@example.org"
    user.save()
    return user


@pytest.fixture
def rival(user_with):
    org = Organisation.objects.create(key="applicant-b", name="Applicant B", kind="charity")
    return user_with(Role.PARTNER, organisation=org)
