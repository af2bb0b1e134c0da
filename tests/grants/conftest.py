"""Fixtures for grant rounds: a published round with criteria, questions and eligibility,
and partner users of two applicant organisations."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from commissioning.budgets import services as budget_services
from commissioning.core.roles import Role
from commissioning.grants import services
from commissioning.grants.models import QuestionKind
from commissioning.organisations.models import Organisation


@pytest.fixture
def grant_round(officer, year):
    line = budget_services.budget_line_create(
        actor=officer,
        year=year,
        name="PCC Grant",
        mechanism="pcc_grant",
        amount="100000",
        capped=True,
    )
    now = timezone.now()
    return services.round_create(
        actor=officer,
        reference="pcc-grant-2031",
        title="PCC Grant 2031/32",
        mechanism="pcc_grant",
        year=year,
        budget_line=line,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        minimum_award=D("1000"),
        maximum_award=D("10000"),
        published=True,
        criteria=[{"title": "Need", "weight": "60"}, {"title": "Value for money", "weight": "40"}],
        questions=[
            {"key": "summary", "label": "Summary", "kind": QuestionKind.TEXT, "word_limit": 10},
            {"key": "start", "label": "Start date", "kind": QuestionKind.DATE},
            {
                "key": "area",
                "label": "Area",
                "kind": QuestionKind.CHOICE,
                "choices": ["City", "County"],
            },
            {"key": "budget", "label": "Budget", "kind": QuestionKind.FILE, "file_types": ["pdf"]},
        ],
        eligibility=[{"text": "Are you a not-for-profit organisation?", "required_answer": True}],
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
