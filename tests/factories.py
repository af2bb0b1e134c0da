"""Factories for tests: grant rounds made through the officers' published path (a draft, its
criteria, eligibility and questions, then `round_publish` with its checks), and applications
started through the applicant's service.

    RoundFactory(actor=officer, year=year)                      # published, open for 30 days
    RoundFactory(actor=officer, year=year, publish=False)       # a complete draft
    ApplicationFactory(actor=partner, round=rnd, title="...")   # a draft application
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from commissioning.budgets import services as budget_services
from commissioning.core.actors import COMMAND_LINE
from commissioning.grants import rounds, services
from commissioning.grants.models import Application, QuestionKind, Round

CRITERIA = [{"title": "Need", "weight": "60"}, {"title": "Value for money", "weight": "40"}]
# Keys come from the labels: summary, start-date, area, budget.
QUESTIONS = [
    {"label": "Summary", "kind": QuestionKind.TEXT, "word_limit": 10},
    {"label": "Start date", "kind": QuestionKind.DATE},
    {"label": "Area", "kind": QuestionKind.CHOICE, "choices": ["City", "County"]},
    {"label": "Budget", "kind": QuestionKind.FILE, "file_types": ["pdf"]},
]
ELIGIBILITY = [{"text": "Are you a not-for-profit organisation?", "required_answer": True}]


def _pot(year, mechanism: str):
    """The round's budget line, set up as the CFO would (setting up, not under test)."""
    return budget_services.budget_line_create(
        actor=COMMAND_LINE,
        year=year,
        name="PCC Grant",
        mechanism=mechanism,
        amount="100000",
        capped=True,
    )


class RoundFactory(factory.Factory):
    """A round, built step by step as an officer builds one on the pages. Give `actor` (an
    officer) and `year`; a capped £100,000 budget line of the round's mechanism is made
    unless `budget_line` is given."""

    class Meta:
        model = Round

    reference = factory.Sequence(lambda n: f"pcc-grant-{n}")
    title = factory.Sequence(lambda n: f"PCC Grant round {n}")
    mechanism = "pcc_grant"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    minimum_award = Decimal("1000")
    maximum_award = Decimal("10000")
    criteria = factory.LazyFunction(lambda: [dict(c) for c in CRITERIA])
    questions = factory.LazyFunction(lambda: [dict(q) for q in QUESTIONS])
    eligibility = factory.LazyFunction(lambda: [dict(e) for e in ELIGIBILITY])
    publish = True

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("a round is made through the services: use RoundFactory(...), not build")

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        actor,
        year,
        criteria,
        questions,
        eligibility,
        publish,
        themes=(),
        priorities=(),
        **fields,
    ):
        fields.setdefault("budget_line", None)
        if fields["budget_line"] is None:
            fields["budget_line"] = _pot(year, fields["mechanism"])
        rnd = rounds.round_draft_create(
            actor=actor, year=year, themes=themes, priorities=priorities, **fields
        )
        for c in criteria:
            rounds.criterion_save(actor=actor, round=rnd, **c)
        for e in eligibility:
            rounds.eligibility_save(actor=actor, round=rnd, **e)
        for q in questions:
            rounds.question_save(actor=actor, round=rnd, **q)
        if publish:
            rounds.round_publish(actor=actor, round=rnd)
        rnd.refresh_from_db()
        return rnd


class ApplicationFactory(factory.Factory):
    """A draft application, started by `actor` (a partner of the applying organisation)."""

    class Meta:
        model = Application

    title = factory.Sequence(lambda n: f"Project {n}")

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError(
            "an application is started through the services: use ApplicationFactory(...)"
        )

    @classmethod
    def _create(cls, model_class, *, actor, round, title):
        return services.application_start(actor=actor, round=round, title=title)
