"""The outcomes pack read from the database: the hand-made set added up by hand, totals that
reconcile with the ledger, and a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.agreements.models import Agreement
from commissioning.budgets.models import Account, LedgerEntry, Status
from commissioning.budgets.selectors import position
from commissioning.scrutiny.rollup import NOT_LINKED
from commissioning.scrutiny.selectors import outcomes_pack, pack_years
from tests.conftest import year_of

from .conftest import build, report

pytestmark = pytest.mark.django_db


def rows_by_code(pack):
    return {r.key: r for g in pack.rollup.groups for r in g.rows}


def test_the_hand_made_set_adds_up_as_worked_out_by_hand(handmade):
    pack = outcomes_pack(handmade.year)
    assert pack.agreements == 2  # the draft does not count
    assert pack.returns_accepted == 3  # A's Q1 and Q2, B's Q1; A's Q3 is only submitted
    rows = rows_by_code(pack)

    sp1 = rows["SP1"].figures
    assert sp1.measures == 2
    count, pct = sp1.units["count"], sp1.units["percent"]
    assert (count.target_shown, count.reported_target_shown, count.actual_shown) == (
        D(40),
        D(20),
        D(20),  # 9 + 11: Q3's 100 is not accepted
    )
    assert count.achieved == D("100.0")
    assert (pct.target_shown, pct.reported_target_shown, pct.actual_shown) == (
        D("80.0"),
        D("80.0"),
        D("80.0"),  # (70 + 90) / 2
    )
    assert sp1.rag == {"green": 2, "amber": 2, "red": 0}  # two returns x two measures
    # A's £10,000 budget shared by its three measures: 3,333.34 + 3,333.33 + 3,333.33
    assert (sp1.budget, sp1.profiled, sp1.spent) == (D("6666.67"), D("3333.34"), D("2933.34"))

    sp2 = rows["SP2"].figures
    assert sp2.units["count"].actual_shown == D(9) and sp2.units["count"].achieved == D("90.0")
    assert (sp2.budget, sp2.profiled, sp2.spent) == (D("3333.33"), D("1666.66"), D("1466.66"))

    none = pack.rollup.not_linked
    assert none.label == NOT_LINKED
    assert none.figures.measures == 1 and none.figures.rag == {"green": 0, "amber": 0, "red": 1}
    assert none.figures.units["count"].achieved == D("33.3")  # 1 of the 3 due in Q1
    assert (none.figures.budget, none.figures.profiled, none.figures.spent) == (
        D(3000),
        D(750),
        D(500),
    )

    theme1 = pack.rollup.groups[0]
    assert theme1.theme.number == 1
    assert theme1.subtotal.budget == D(10000) and theme1.subtotal.spent == D(4400)
    assert theme1.subtotal.units["count"].achieved == D("96.7")  # 29 of 30
    assert all(g.subtotal.empty for g in pack.rollup.groups[1:])
    total = pack.rollup.total
    assert (total.measures, total.budget, total.profiled, total.spent) == (
        4,
        D(13000),
        D(5750),
        D(4900),
    )
    assert total.units["count"].achieved == D("90.9")  # 30 of 33


def test_theme_totals_are_their_priorities_and_the_total_adds_the_row_of_no_priority(handmade):
    pack = outcomes_pack(handmade.year)
    for group in pack.rollup.groups:
        for name in ("budget", "profiled", "spent", "measures"):
            assert getattr(group.subtotal, name) == sum(
                getattr(r.figures, name) for r in group.rows
            )
        assert group.subtotal.rag == {
            rag: sum(r.figures.rag[rag] for r in group.rows) for rag in ("green", "amber", "red")
        }
    over_priorities = pack.rollup.priority_rows()
    for name in ("budget", "profiled", "spent", "measures", "rated"):
        by_theme = sum(getattr(g.subtotal, name) for g in pack.rollup.groups)
        by_priority = sum(getattr(r.figures, name) for r in over_priorities)
        rest = getattr(pack.rollup.not_linked.figures, name)
        assert getattr(pack.rollup.total, name) == by_theme + rest == by_priority + rest, name
    # and every pound of the live agreements' budgets is there once
    live = Agreement.objects.filter(allocation__year=handmade.year).exclude(status="draft")
    assert pack.rollup.total.budget == sum(
        (c.amount for a in live for c in a.budget_categories.all()), D(0)
    )


def test_the_intentions_reconcile_with_the_ledger(handmade):
    pack = outcomes_pack(handmade.year)
    table = pack.intentions
    ci006 = next(r for r in table.rows if r.code == "CI006")
    assert ci006.money.committed == D(10000) and ci006.money.paid == D(2500)
    assert ci006.estimate is None  # the plan has no estimate for 2031/32
    assert table.not_linked.money.committed == D(7000)  # B and the draft's allocation
    pos = position(handmade.year)
    assert table.total.money.committed == pos.committed == D(17000)
    assert (
        table.total.money.committed
        == table.subtotal.money.committed + table.not_linked.money.committed
    )
    paid = sum(
        e.amount for e in LedgerEntry.objects.filter(year=handmade.year, account=Account.PAID)
    )
    assert table.total.money.paid == paid == D(2500)


def test_the_example_years_intentions_add_up_to_the_papers_commitment():
    """2016/17 in the example: the intentions' estimates are the plan's (a stated total, or
    the sum of the lines where it states none), and with the allocations naming no
    intention the ledger adds up to the framework's committed £3,919,983."""
    year = year_of("2016/17")
    pack = outcomes_pack(year)
    by_code = {r.code: r for r in pack.intentions.rows}
    assert by_code["CI006"].estimate == D(378000)  # the stated total
    assert by_code["CI011"].estimate == D(630000)  # PCC Grant 355,000 + PLF 275,000
    assert by_code["CI003"].money.committed == D(34000)
    pos = position(year)
    assert pack.intentions.total.money.committed == pos.committed == D(3919983)
    assert pack.intentions.total.money.indicative == pos.indicative
    assert pack.intention_years == ["2013/14", "2014/15", "2015/16", "2016/17"]
    assert not pack.has_agreements and pack.rollup.total.empty


def _agreement(make_allocation, officer, partner, n):
    a = build(
        allocation=make_allocation(str(1000 + n), status=Status.COMMITTED, initiative=f"Work {n}"),
        officer=officer,
        partner=partner,
        quarter=str(D(1000 + n) / 4),
        measures=[
            {
                "name": "People",
                "unit": "count",
                "priority": f"SP{1 + n % 17}",
                "targets": {q: "2" for q in (1, 2, 3, 4)},
            },
            {"name": "Share", "unit": "percent", "targets": {q: "50" for q in (1, 2, 3, 4)}},
        ],
    )
    report(a, 1, partner, officer, actuals=["2", "40"], spend="100", rag="green")
    return a


def test_the_pack_asks_the_same_number_of_queries_for_1_and_for_20_agreements(
    year, make_allocation, officer, user_with, organisation
):
    from commissioning.core.roles import Role

    partner = user_with(Role.PARTNER, organisation=organisation)
    _agreement(make_allocation, officer, partner, 0)
    with CaptureQueriesContext(connection) as one:
        small = outcomes_pack(year)
    for n in range(1, 20):
        _agreement(make_allocation, officer, partner, n)
    with CaptureQueriesContext(connection) as twenty:
        large = outcomes_pack(year)
    assert small.agreements == 1 and large.agreements == 20
    assert large.rollup.total.measures == 40 and large.returns_accepted == 20
    assert len(one) == len(twenty), [q["sql"][:90] for q in twenty]
    # 15 for the outcomes and the intentions, and one for the year's reoffending cohort
    # uploads (none here; each one shown adds two: tests/scrutiny/test_cohorts_in_pack.py)
    assert len(twenty) <= 16


def test_a_cancelled_agreement_counts_no_more(handmade):
    """(Set straight in the table: the pack looks only at the status.)"""
    Agreement.objects.filter(pk=handmade.b.pk).update(status="cancelled")
    pack = outcomes_pack(handmade.year)
    assert pack.agreements == 1 and pack.rollup.not_linked.figures.empty


def test_the_list_of_packs_has_every_year_newest_first(handmade):
    years = pack_years()
    labels = [y["year"].label for y in years]
    assert labels == sorted(labels, reverse=True) and "2031/32" in labels
    assert next(y for y in years if y["year"].label == "2031/32")["agreements"] == 2
