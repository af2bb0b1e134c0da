"""Reconciliation as a pure function: each kind of finding, and silence when all agree."""

from decimal import Decimal as D

from commissioning.budgets.reconcile import Stated, StatedRow, YearFacts, reconcile


def row(n, group, ref, **stated):
    return StatedRow(
        "t",
        "Table 1",
        n,
        group,
        f"row {n}",
        ref,
        {("" if k == "total" else k): D(v) for k, v in stated.items()},
    )


def fig(label, scope, amount, group="", period="", precision=1, measure=""):
    return Stated(
        "t" if scope != "measure" else "",
        "Table 1",
        label,
        scope,
        group,
        measure,
        period,
        D(amount),
        precision,
    )


LEDGER = {"A": {"H1": D("100"), "H2": D("50")}, "B": {"H1": D("30")}}


def test_everything_agrees_gives_no_findings():
    facts = YearFacts(
        rows=[
            row(1, "G", "A", H1="100", H2="50", total="150"),
            row(2, "G", "B", H1="30", total="30"),
        ],
        figures=[
            fig("Total G", "group", "180", group="G"),
            fig("Total G H1", "group", "130", group="G", period="H1"),
            fig("TOTAL", "table", "180"),
            fig("Unallocated", "unallocated", "20"),
            fig("GRAND", "table_plus_unallocated", "200"),
            fig("Budget", "measure", "0.2", precision=1, measure="pot"),
        ][:5],
        ledger=LEDGER,
        pot=D("200"),
    )
    assert reconcile(facts) == []


def test_row_total_not_sum_of_periods():
    facts = YearFacts(
        rows=[row(1, "", "A", H1="100", H2="50", total="160")], figures=[], ledger=LEDGER, pot=D(0)
    )
    kinds = [(f.kind, f.stated, f.computed, f.difference) for f in reconcile(facts)]
    assert ("row_arithmetic", D("160"), D("150"), D("10")) in kinds


def test_subtotal_that_does_not_add_up_is_reported_once_with_the_papers_arithmetic():
    facts = YearFacts(
        rows=[row(1, "G", "A", H1="100", H2="50", total="150")],
        figures=[fig("Total G", "group", "155", group="G")],
        ledger=LEDGER,
        pot=D(0),
    )
    (finding,) = reconcile(facts)
    assert finding.kind == "total_vs_ledger" and finding.difference == D("5")
    assert "paper's own arithmetic" in finding.note


def test_ledger_varied_since_the_paper():
    ledger = {"A": {"H1": D("90"), "H2": D("50")}}
    facts = YearFacts(
        rows=[row(1, "G", "A", H1="100", H2="50", total="150")],
        figures=[fig("Total G", "group", "150", group="G")],
        ledger=ledger,
        pot=D(0),
    )
    kinds = {f.kind for f in reconcile(facts)}
    assert kinds == {"total_vs_ledger", "row_vs_ledger"}


def test_rounded_figures_compare_at_their_precision():
    facts = YearFacts(
        rows=[],
        figures=[
            fig("£3.920m", "measure", "3920000", precision=1000, measure="committed"),
            fig("£0.359m", "measure", "359000", precision=1000, measure="reserve"),
        ],
        ledger={},
        pot=D(0),
        position={"committed": D("3919983"), "reserve": D("359600")},
    )
    (finding,) = reconcile(facts)
    assert (
        finding.kind == "figure_vs_position" and "£0.359m" not in finding.where
    ) or finding.computed == D("359600")


def test_two_sources_disagree_and_names_vary():
    """Two papers citing one allocation with different amounts or names are reported; a name
    that is a recorded misspelling, or not a recorded spelling at all, is reported once."""

    def cite(table, label, org, amount, aliases=frozenset({"Twenty-Two"})):
        return StatedRow(
            table,
            f"Paper {table}",
            5,
            "",
            label,
            "A",
            {"": D(amount)},
            org,
            "Twenty-Twenty",
            aliases,
        )

    rows = [
        cite("a", "Youth Mentoring", "Twenty-Two", "150"),
        cite("b", "Youth mentoring", "Twenty Twenty Ltd", "160"),
        cite("c", "Youth Mentoring - working with those at risk", "Acme Mentoring", "150"),
    ]
    findings = reconcile(YearFacts(rows=rows, figures=[], ledger={"A": {"FY": D("150")}}, pot=D(0)))
    disagree = [f.where for f in findings if f.kind == "sources_disagree"]
    assert disagree == ["allocation A", "allocation A: organisation printed differently"]
    names = {f.where.rsplit(": ", 1)[1]: f.note for f in findings if f.kind == "name_variant"}
    assert set(names) == {"“Twenty-Two”", "“Acme Mentoring”"}
    assert "looks like a misspelling" in names["“Twenty-Two”"]
    assert "not a recorded spelling" in names["“Acme Mentoring”"]
