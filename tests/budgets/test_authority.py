"""Budget and ledger services check their own rule, whoever calls them: a refused actor
gets the rule's reason and nothing is written. Status changes are moves of the allocation
workflow, which pages ask for their buttons."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from commissioning.budgets import services, transition
from commissioning.budgets.importing import import_allocations
from commissioning.budgets.models import (
    BudgetLine,
    FinancialYear,
    FundingStream,
    LedgerEntry,
    Mechanism,
    Status,
)
from commissioning.budgets.permissions import ALLOCATIONS_CHANGE
from commissioning.budgets.selectors import year_get
from commissioning.budgets.workflow import ALLOCATION
from commissioning.core.actors import COMMAND_LINE, SYSTEM
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db

RECORDS = "only commissioning officers and the Chief Finance Officer record allocations"
MANAGES = "only the Chief Finance Officer manages funding streams and budget lines"


def written():
    return (
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        BudgetLine.objects.count(),
        FundingStream.objects.count(),
        FinancialYear.objects.count(),
    )


@pytest.fixture
def partner(user_with, organisation):
    return user_with(Role.PARTNER, organisation=organisation)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REVIEWER, Role.PCC, Role.CHIEF_EXECUTIVE])
def test_recording_an_allocation_is_refused_without_the_rule(user_with, year, organisation, role):
    before = written()
    with pytest.raises(ValidationError, match=RECORDS):
        services.allocation_create(
            actor=user_with(role),
            year=year,
            amounts={"FY": "100"},
            organisation=organisation,
            initiative="Not mine to record",
            mechanism=Mechanism.DIRECT,
        )
    assert written() == before


def test_anonymous_and_the_system_cannot_record_allocations(year, organisation):
    for actor in (None, SYSTEM):
        with pytest.raises(ValidationError, match=RECORDS):
            services.allocation_create(
                actor=actor,
                year=year,
                amounts={"FY": "100"},
                organisation=organisation,
                initiative="Nobody's",
                mechanism=Mechanism.DIRECT,
            )


def test_an_allocation_made_by_a_decision_is_checked_against_that_decision(
    user_with, year, organisation
):
    """The PCC does not record allocations by hand, but an approval records one under the
    rule of the decision (`authority`)."""
    pcc = user_with(Role.PCC)
    allocation = services.allocation_create(
        actor=pcc,
        year=year,
        amounts={"FY": "100"},
        organisation=organisation,
        initiative="Approved grant",
        mechanism=Mechanism.PCC_GRANT,
        status=Status.COMMITTED,
        authority="grants.decide",
    )
    assert allocation.created_by == pcc
    with pytest.raises(ValidationError, match="only the Police and Crime Commissioner decides"):
        services.allocation_create(
            actor=user_with(Role.COMMISSIONING_OFFICER),
            year=year,
            amounts={"FY": "100"},
            organisation=organisation,
            initiative="Not the officer's decision",
            mechanism=Mechanism.PCC_GRANT,
            authority="grants.decide",
        )


def test_vary_commit_and_cancel_are_refused_without_the_rule(make_allocation, partner):
    allocation = make_allocation("100")
    before = written()
    for change in (
        lambda: services.allocation_vary(
            actor=partner, allocation=allocation, reason="More", amounts={"FY": "200"}
        ),
        lambda: services.allocation_commit(actor=partner, allocation=allocation),
        lambda: services.allocation_cancel(actor=partner, allocation=allocation, reason="No"),
    ):
        with pytest.raises(ValidationError, match=RECORDS):
            change()
    assert written() == before
    assert services.current_version(allocation).status == Status.INDICATIVE


def test_budget_set_up_is_the_cfos(user_with, year):
    officer = user_with(Role.COMMISSIONING_OFFICER)
    before = written()
    with pytest.raises(ValidationError, match=MANAGES):
        services.financial_year_get_or_create(actor=officer, label="2035/36")
    with pytest.raises(ValidationError, match=MANAGES):
        services.funding_stream_create(
            actor=officer, year=year, name="Grant", amount=Decimal("10"), kind="grant"
        )
    with pytest.raises(ValidationError, match=MANAGES):
        services.budget_line_create(
            actor=officer, year=year, name="Direct", mechanism="direct", amount=Decimal("10")
        )
    assert written() == before
    cfo = user_with(Role.CFO)
    made = services.financial_year_get_or_create(actor=cfo, label="2035/36")
    services.budget_line_create(
        actor=cfo, year=made, name="Direct", mechanism="direct", amount=Decimal("10")
    )
    assert services.financial_year_get_or_create(actor=officer, label="2035/36") == made


def test_the_command_line_passes(year, organisation):
    line = services.budget_line_create(
        actor=COMMAND_LINE, year=year, name="Direct", mechanism="direct", amount=Decimal("10")
    )
    assert line.created_by is None
    event = AuditEvent.objects.filter(action="budget_line.create").latest("id")
    assert event.actor_label == "command line"


def test_import_and_transition_rules_are_refused_without_the_rule(partner, year):
    before = written()
    with pytest.raises(ValidationError, match=RECORDS):
        import_allocations(actor=partner, year=year, filename="a.csv", content=b"x")
    rule = transition.TransitionRule(
        source_year=year_get("2013/14"),
        target_year=year,
        percentage=Decimal("50"),
        period="H1",
        status=Status.INDICATIVE,
    )
    with pytest.raises(ValidationError, match=RECORDS):
        transition.transition_apply(
            actor=partner,
            rule=rule,
            expected=transition.fingerprint(rule, transition.transition_preview(rule)),
        )
    assert written() == before


def test_the_workflow_table_gives_each_status_its_moves(make_allocation, officer, partner):
    allocation = make_allocation("100")
    version = services.current_version(allocation)
    assert [m.target for m in ALLOCATION.moves_for(officer, version)] == [
        Status.COMMITTED,
        Status.CANCELLED,
    ]
    assert ALLOCATION.moves_for(partner, version) == []
    services.allocation_commit(actor=officer, allocation=allocation)
    committed = services.current_version(allocation)
    assert ALLOCATION.can(officer, committed, Status.CANCELLED)
    assert not ALLOCATION.can(officer, committed, Status.COMMITTED)
    services.allocation_cancel(actor=officer, allocation=allocation, reason="Withdrawn")
    assert ALLOCATION.moves_for(officer, services.current_version(allocation)) == []
    assert ALLOCATION.reachable(Status.CANCELLED) == set()
    assert all(m.rule == ALLOCATIONS_CHANGE for m in ALLOCATION.moves.values())


def test_a_committed_allocation_can_go_back_to_indicative(make_allocation, officer):
    allocation = make_allocation("100", status=Status.COMMITTED)
    services.allocation_vary(
        actor=officer, allocation=allocation, reason="Not yet signed", status=Status.INDICATIVE
    )
    assert services.current_version(allocation).status == Status.INDICATIVE
