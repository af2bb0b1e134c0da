"""The LLR example as the papers show it: the figures an officer checks first."""

from decimal import Decimal as D

import pytest

from commissioning.budgets.models import Mechanism, Status
from commissioning.budgets.selectors import allocation_lines, position, reconcile_year, year_get
from commissioning.budgets.tables import build_table
from commissioning.plans.models import CommissioningIntention, StrategicPriority, Theme

pytestmark = pytest.mark.django_db


def table(label, by):
    fy = year_get(label)
    pos = position(fy)
    # The papers' tables: the PCC's allocations, support in kind included (as 000 Table 1
    # prints it); not the pooled budget's award, which is the pool's money.
    lines = [line for line in allocation_lines(fy) if not line.pooled]
    return build_table(lines, by, mechanisms=Mechanism.values, pot=pos.pot, reserve=pos.reserve)


def test_2013_14_pot_from_three_streams():
    pos = position(year_get("2013/14"))
    assert [(s.name, s.amount) for s in pos.streams] == [
        ("PCC Community Safety Grant", D("1649000.00")),
        ("Former Police Force Partnership funding", D("1305029.00")),
        ("Use of Budget Equalisation Reserve", D("294994.00")),
    ]
    assert pos.pot == D("3249023.00")
    assert pos.measures()["streams_subtotal"] == D("2954029.00")


def test_2013_14_organisation_subtotals_and_unallocated():
    """The council subtotals are the paper's (Leicester City £648,119; Rutland £38,819), the
    County's is £1 over the paper's £551,890, and £8,792 is unallocated against the paper's
    £8,794: the paper's own half-year arithmetic is £2 out."""
    t = table("2013/14", "organisation")
    subtotals = {g.label: g.total for g in t.groups}
    assert subtotals["Leicester City Council"] == D("648119.00")
    assert subtotals["Leicestershire County Council"] == D("551891.00")
    assert subtotals["Rutland County Council"] == D("38819.00")
    assert subtotals["Leicestershire Police"] == D("891535.00")  # force, in kind and both BCUs
    assert t.total == D("3240231.00")
    assert t.unallocated == D("8792.00")
    assert t.total + t.unallocated == t.pot == D("3249023.00")
    assert t.totals == {"H1": D("2023339.00"), "H2": D("1216892.00")}


def test_2013_14_reconciliation_reports_the_papers_slips():
    findings = {
        (f.kind, f.where.rsplit(": ", 1)[-1]): f for f in reconcile_year(year_get("2013/14"))
    }
    unallocated = findings[("total_vs_ledger", "Unallocated Funding (total)")]
    assert (unallocated.stated, unallocated.computed, unallocated.difference) == (
        D("8794"),
        D("8792"),
        D("2"),
    )
    total_h1 = findings[("total_vs_ledger", "TOTAL (H1)")]
    assert (total_h1.stated, total_h1.computed) == (D("2023337"), D("2023339"))
    assert "paper's own arithmetic" in total_h1.note
    county_h1 = findings[("total_vs_ledger", "Total Leicestershire County Council (H1)")]
    assert county_h1.difference == D("-1")
    # Leicester City's printed subtotal agrees with the ledger, not with its printed rows.
    assert ("total_vs_ledger", "Total Leicester City (total)") not in findings
    assert findings[("total_vs_rows", "Total Leicester City (total)")].difference == D("52880")
    rows_without_periods = [f for k, f in findings.items() if k[0] == "row_arithmetic"]
    assert len(rows_without_periods) == 15  # the CSP business cases printed with a total only
    pot_rounded = findings[
        (
            "figure_vs_position",
            "total funding pot (CSF amalgamated with former police partnership funding) (stated as £2.9m)",
        )
    ]
    assert pot_rounded.computed == D("2954029.00")


def test_2016_17_themes_committed_additional_and_reserve():
    pos = position(year_get("2016/17"))
    assert pos.pot == D("4611000.00")
    assert pos.committed == D("3919983.00")
    assert pos.indicative == D("332000.00")  # Appendix C additional allocations
    assert pos.reserve == D("359017.00")  # shown as £0.359m in the paper
    assert pos.available == D("0.00")
    t = table("2016/17", "theme")
    assert [(g.label, g.total) for g in t.groups] == [
        ("Reducing offending and re-offending", D("2034599.00")),
        ("Supporting victims and witnesses", D("1476734.00")),
        ("Making communities and neighbourhoods safer", D("84726.00")),
        ("Protecting the vulnerable", D("205924.00")),
        ("Across all themes", D("450000.00")),
    ]
    committed_by_theme = {r.label: r.committed for r in pos.by_theme}
    assert committed_by_theme["Reducing offending and re-offending"] == D("1994599.00")
    assert committed_by_theme["Supporting victims and witnesses"] == D("1184734.00")
    plf = [r for r in pos.by_mechanism if r.key == "plf"][0]
    assert (plf.budget, plf.committed, plf.capped, plf.available) == (
        D("450000.00"),
        D("450000.00"),
        True,
        D("0.00"),
    )


def test_2016_17_every_printed_total_agrees_and_the_spellings_are_flagged():
    findings = reconcile_year(year_get("2016/17"))
    kinds = {f.kind for f in findings}
    assert not kinds & {"total_vs_ledger", "total_vs_rows", "row_arithmetic", "figure_vs_position"}
    text = " ".join(f.where + " " + f.note for f in findings)
    assert "“Twenty-Two”" in text and "“Twenty-Twenty”" in text
    assert "Oakby and Wigston" in text
    assert "SVIDV" in text and "SVDV" in text


def test_plan_themes_priorities_and_intentions():
    assert Theme.objects.count() == 4
    assert StrategicPriority.objects.count() == 17
    assert StrategicPriority.objects.get(code="SP9").theme.number == 2
    ci = CommissioningIntention.objects.get(code="CI005")
    totals = {e.year.label: e.amount for e in ci.estimates.all() if e.kind == "total"}
    assert totals == {
        "2014/15": D("649374.00"),
        "2015/16": D("649374.00"),
        "2016/17": D("631600.00"),
    }
    ci001 = CommissioningIntention.objects.get(code="CI001")
    splits = [e for e in ci001.estimates.all() if e.kind == "split" and e.year.label == "2016/17"]
    assert sorted(e.area.code for e in splits) == ["E06000016", "E06000017", "E10000018"]
    assert sum(e.amount for e in splits) == D("185000.00")


def test_every_allocation_cites_its_source_and_is_committed_or_indicative():
    for label in ("2013/14", "2016/17"):
        for line in allocation_lines(year_get(label)):
            assert line.status in {Status.COMMITTED, Status.INDICATIVE}
    from commissioning.budgets.models import Allocation

    # Every allocation cites its row of the papers, but the pooled budget's award: the
    # papers do not give it, and it says so.
    uncited = Allocation.objects.filter(source_rows__isnull=True).exclude(year__label="2031/32")
    assert [(a.funding, a.pool.slug) for a in uncited] == [
        ("pooled", "sub-regional-drug-and-alcohol-pool")
    ]
    assert "Illustrative" in uncited[0].versions.get().comment
