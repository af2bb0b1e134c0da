"""Properties of the ledger under any sequence of changes: whatever is created, varied
(new amounts, other periods, another status or mechanism), committed, cancelled or put back
as it was, every total the product shows (per allocation, per year, the position by
mechanism and status, every table's grand total) is the sum of the current versions'
amounts, and no ledger entry, version or allocation row is ever changed or removed."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissioning.accounts.models import User
from commissioning.accounts.services import roles_ensure
from commissioning.budgets import selectors, services
from commissioning.budgets.models import AllocationVersion, LedgerEntry, Mechanism, Status
from commissioning.budgets.tables import TABLE_KINDS
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.money import pounds
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation

ZERO = D("0.00")
MECHANISMS = [Mechanism.DIRECT, Mechanism.PCC_GRANT, Mechanism.PARTNERSHIP_LOCALITY_FUND]
GRANULARITIES = [["FY"], ["H1", "H2"], ["Q1", "Q2", "Q3", "Q4"]]

money = st.one_of(st.just(ZERO), st.decimals(min_value=D("0.01"), max_value=D("250000"), places=2))
amounts = st.sampled_from(GRANULARITIES).flatmap(
    lambda periods: st.dictionaries(st.sampled_from(periods), money, min_size=1)
)
pick = st.integers(min_value=0, max_value=20)
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("create"),
            st.integers(min_value=0, max_value=2),
            st.sampled_from(MECHANISMS),
            st.sampled_from([Status.INDICATIVE, Status.COMMITTED]),
            amounts,
        ),
        st.tuples(
            st.just("vary"),
            pick,
            st.one_of(st.none(), amounts),
            st.sampled_from([None, Status.INDICATIVE, Status.COMMITTED]),
            st.sampled_from([None, *MECHANISMS]),
        ),
        st.tuples(st.just("commit"), pick),
        st.tuples(st.just("cancel"), pick),
        st.tuples(st.just("put back"), pick),
    ),
    min_size=1,
    max_size=8,
)


def nonzero(values):
    return {p: a for p, a in values.items() if a != 0}


def rows(year):
    """Every ledger row of the year as the database stores it, by table and id."""
    queries = {
        "allocation": "SELECT * FROM budgets_allocation WHERE year_id = %s",
        "version": "SELECT * FROM budgets_allocationversion WHERE allocation_id IN "
        "(SELECT id FROM budgets_allocation WHERE year_id = %s)",
        "entry": "SELECT * FROM budgets_ledgerentry WHERE year_id = %s",
    }
    found = {}
    with connection.cursor() as cursor:
        for table, sql in queries.items():
            cursor.execute(sql, [year.pk])
            for row in cursor.fetchall():
                found[(table, row[0])] = tuple(repr(v) for v in row)
    return found


class Ledger:
    """What the ledger should say: each allocation's status, mechanism and amounts, and the
    states it has been in."""

    def __init__(self):
        self.allocations = []  # [(allocation, [state, ...])], state = (status, mech, amounts)

    def current(self, i):
        return self.allocations[i][1][-1]

    def expect_vary(self, i, amounts, status, mechanism):
        """The state a variation leads to, or the words of its refusal."""
        old_status, old_mechanism, old_amounts = self.current(i)
        if old_status == Status.CANCELLED:
            return "cannot be varied"
        status = status or old_status
        mechanism = mechanism or old_mechanism
        if status == Status.CANCELLED:
            return (status, mechanism, {})
        if amounts is not None and not amounts:
            return "give an amount"
        new_amounts = dict(amounts) if amounts is not None else dict(old_amounts)
        if (status, mechanism, new_amounts) == (old_status, old_mechanism, old_amounts):
            return "Nothing has changed"
        return (status, mechanism, nonzero(new_amounts))


def check_allocation(allocation, states):
    """The allocation's current version and ledger entries say what its last state says.
    (SQLite sums decimals in floating point, so raw sums are read to the penny, as the
    product reads them.)"""
    status, mechanism, amounts = states[-1]
    total = sum(amounts.values(), ZERO)
    versions = list(allocation.versions.order_by("number"))
    current = versions[-1]
    assert [v.number for v in versions] == list(range(1, len(states) + 1))
    assert (current.status, current.mechanism, current.total) == (status, mechanism, total)
    assert services.current_amounts(current) == amounts
    sums = dict(
        LedgerEntry.objects.filter(allocation=allocation)
        .values_list("version_id")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    # every earlier version is reversed to nothing; the current one holds the money
    assert {v.pk: pounds(sums.get(v.pk)) for v in versions} == {
        v.pk: (total if v is current else ZERO) for v in versions
    }


def check_totals(year, ledger, *, tables=False):
    """Every total of the year is the sum of the current states' amounts."""
    by_mechanism = {}
    expected_total = ZERO
    for _, states in ledger.allocations:
        status, mechanism, amounts = states[-1]
        total = sum(amounts.values(), ZERO)
        expected_total += total
        if status != Status.CANCELLED:
            by_mechanism[(mechanism, status)] = by_mechanism.get((mechanism, status), ZERO) + total

    year_entries = LedgerEntry.objects.filter(year=year).aggregate(t=Sum("amount"))["t"]
    assert pounds(year_entries) == expected_total
    current_totals = selectors.current_versions(year).aggregate(t=Sum("total"))["t"]
    assert pounds(current_totals) == expected_total

    lines = {l.reference: l.amounts for l in selectors.allocation_lines(year)}
    assert lines == {
        a.reference: states[-1][2] for a, states in ledger.allocations if states[-1][2]
    }

    position = selectors.position(year)
    for row in position.by_mechanism:
        assert row.committed == by_mechanism.get((row.key, Status.COMMITTED), ZERO), row.key
        assert row.indicative == by_mechanism.get((row.key, Status.INDICATIVE), ZERO), row.key
    with_money = {m for (m, _), v in by_mechanism.items() if v}
    assert with_money <= {row.key for row in position.by_mechanism}
    committed = sum((v for (_, s), v in by_mechanism.items() if s == Status.COMMITTED), ZERO)
    indicative = sum((v for (_, s), v in by_mechanism.items() if s == Status.INDICATIVE), ZERO)
    assert (position.committed, position.indicative) == (committed, indicative)

    if tables:
        for by in TABLE_KINDS:
            table = selectors.year_table(year, by)
            assert table.total == expected_total, by
            assert sum(table.totals.values(), ZERO) == expected_total, by


def officer():
    roles_ensure()
    user, _ = User.objects.get_or_create(username="ledger-properties-officer")
    user.groups.set(Group.objects.filter(name=Role.COMMISSIONING_OFFICER))
    return User.objects.get(pk=user.pk)


def run(plan):
    actor = officer()
    organisations = list(Organisation.objects.order_by("key")[:3])
    year = services.financial_year_get_or_create(actor=COMMAND_LINE, label="2040/41")
    ledger = Ledger()
    for n, step in enumerate(plan):
        kind = step[0]
        if kind != "create" and not ledger.allocations:
            continue
        before = rows(year)
        if kind == "create":
            _, org, mechanism, status, values = step
            allocation = services.allocation_create(
                actor=actor,
                year=year,
                amounts=values,
                organisation=organisations[org],
                initiative=f"Initiative {n}",
                mechanism=mechanism,
                status=status,
            )
            ledger.allocations.append((allocation, [(status, mechanism, nonzero(values))]))
            states = ledger.allocations[-1][1]
        else:
            i = step[1] % len(ledger.allocations)
            allocation, states = ledger.allocations[i]
            if kind == "vary":
                _, _, values, status, mechanism = step
                changes = {k: v for k, v in (("status", status), ("mechanism", mechanism)) if v}
                call = {"amounts": values, **changes}
            elif kind == "commit":
                values, status, mechanism = None, Status.COMMITTED, None
                call = None
            elif kind == "cancel":
                values, status, mechanism = None, Status.CANCELLED, None
                call = {"status": Status.CANCELLED}
            else:  # put back as it was before the last change
                earlier = states[-2] if len(states) > 1 else states[-1]
                status, mechanism, values = earlier
                call = {"amounts": dict(values), "status": status, "mechanism": mechanism}
            expected = ledger.expect_vary(i, values, status, mechanism)
            try:
                if call is None:
                    services.allocation_commit(actor=actor, allocation=allocation)
                elif kind == "cancel":
                    services.allocation_cancel(actor=actor, allocation=allocation, reason="Stop")
                else:
                    services.allocation_vary(
                        actor=actor, allocation=allocation, reason=f"Step {n}", **call
                    )
            except ValidationError as refusal:
                assert isinstance(expected, str), (step, refusal.messages)
                assert any(expected in m for m in refusal.messages), refusal.messages
                assert rows(year) == before, "a refused change wrote something"
                continue
            assert not isinstance(expected, str), (step, expected)
            states.append(expected)
        after = rows(year)
        changed = [key for key, row in before.items() if after.get(key) != row]
        assert changed == [], f"rows changed or removed by {step}: {changed}"
        check_allocation(allocation, states)
        check_totals(year, ledger)
    for allocation, states in ledger.allocations:
        check_allocation(allocation, states)
    check_totals(year, ledger, tables=True)
    assert AllocationVersion.objects.filter(allocation__year=year).count() == sum(
        len(states) for _, states in ledger.allocations
    )


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_totals_are_the_sum_of_current_versions_and_nothing_is_ever_changed(plan):
    with transaction.atomic():
        run(plan)
        transaction.set_rollback(True)  # each example starts from the same ledger


@pytest.mark.django_db
def test_a_known_sequence_holds():
    """The same checks on one sequence written out, so a failure here reads plainly."""
    plan = [
        ("create", 0, Mechanism.DIRECT, Status.INDICATIVE, {"H1": D("600"), "H2": D("400")}),
        ("create", 1, Mechanism.PCC_GRANT, Status.COMMITTED, {"FY": D("250.50")}),
        ("vary", 0, {"FY": D("900")}, None, None),
        ("commit", 0),
        ("vary", 0, None, Status.INDICATIVE, Mechanism.PCC_GRANT),
        ("put back", 0),
        ("vary", 1, {"Q1": D("0"), "Q3": D("10")}, None, None),
        ("cancel", 1),
        ("vary", 1, {"FY": D("1")}, None, None),  # refused: cancelled
        ("commit", 0),  # refused: already committed, nothing changes
    ]
    with transaction.atomic():
        run(plan)
        transaction.set_rollback(True)
