"""A PCC Grant round for the demo, open now, with the form the 2013 PCC Grant asked for in
spirit: a summary, the outcomes, a start date, the area served and a budget attached."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from commissioning.accounts.services import DEMO_USERS
from commissioning.budgets import services as budget_services
from commissioning.budgets.models import BudgetLine, FundingStream
from commissioning.budgets.periods import year_label_of
from commissioning.core.roles import Role
from commissioning.grants import rounds
from commissioning.grants.models import QuestionKind, Round

REFERENCE = "pcc-grant-demo"
CRITERIA: list[dict[str, Any]] = [
    {"title": "Need", "description": "Evidence of the problem in the area", "weight": "30"},
    {
        "title": "Outcomes",
        "description": "What will change, and how it will be measured",
        "weight": "30",
    },
    {"title": "Value for money", "weight": "20"},
    {"title": "Partnership", "description": "Working with others locally", "weight": "20"},
]
QUESTIONS: list[dict[str, Any]] = [
    {"label": "Summary of the project", "kind": QuestionKind.TEXT, "word_limit": 250},
    {
        "label": "Outcomes and how you will measure them",
        "kind": QuestionKind.TEXT,
        "word_limit": 300,
    },
    {"label": "Start date", "kind": QuestionKind.DATE},
    {
        "label": "Area served",
        "kind": QuestionKind.CHOICE,
        "choices": ["Leicester", "Leicestershire", "Rutland", "All of LLR"],
    },
    {
        "label": "Project budget",
        "kind": QuestionKind.FILE,
        "file_types": ["pdf", "xlsx", "docx", "ods", "odt"],
    },
]
ELIGIBILITY: list[dict[str, Any]] = [
    {
        "text": "Does your organisation work in Leicester, Leicestershire or Rutland?",
        "required_answer": True,
    },
    {"text": "Is your organisation not for profit?", "required_answer": True},
]


def grant_round_ensure() -> Round:
    existing = Round.objects.filter(reference=REFERENCE).first()
    if existing:
        return existing
    from commissioning.accounts.models import User

    def demo_user(role: str) -> User:
        return User.objects.get(username=next(u.username for u in DEMO_USERS if u.role == role))

    # The CFO sets up the year's budget for the grant; an officer sets up the round.
    cfo, officer = demo_user(Role.CFO), demo_user(Role.COMMISSIONING_OFFICER)
    year = budget_services.financial_year_get_or_create(
        actor=cfo, label=year_label_of(timezone.localdate())
    )
    if not FundingStream.objects.filter(year=year, name="PCC Grant budget").exists():
        budget_services.funding_stream_create(
            actor=cfo,
            year=year,
            name="PCC Grant budget",
            amount=Decimal("100000"),
            kind="other",
            source_body="Police and Crime Commissioner (demo)",
            conditions="Demo figure for the grant round",
        )
    line = BudgetLine.objects.filter(
        year=year, mechanism="pcc_grant"
    ).first() or budget_services.budget_line_create(
        actor=cfo,
        year=year,
        name="PCC Grant",
        mechanism="pcc_grant",
        amount=Decimal("100000"),
        capped=True,
    )
    now = timezone.now()
    rnd = rounds.round_draft_create(
        actor=officer,
        reference=REFERENCE,
        title=f"PCC Grant {year}",
        mechanism="pcc_grant",
        year=year,
        budget_line=line,
        opens_at=now - dt.timedelta(days=7),
        closes_at=now + dt.timedelta(days=28),
        minimum_award=Decimal("1000"),
        maximum_award=Decimal("10000"),
        guidance=(
            "Community and voluntary organisations can apply for up to £10,000 for work that supports the "
            "Police and Crime Plan in identified hotspot locations. Themed reviewers with expertise in each "
            "plan theme score the applications; a review panel recommends; the Police and Crime Commissioner decides."
        ),
    )
    for criterion in CRITERIA:
        rounds.criterion_save(actor=officer, round=rnd, **criterion)
    for question in QUESTIONS:
        rounds.question_save(actor=officer, round=rnd, **question)
    for eligibility in ELIGIBILITY:
        rounds.eligibility_save(actor=officer, round=rnd, **eligibility)
    return rounds.round_publish(actor=officer, round=rnd)
