"""Tables group allocations with subtotals that always add up to the total, and the total
plus unallocated funding to the pot. Property-tested over generated ledgers."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from commissioning.budgets.tables import TABLE_KINDS, Line, build_table, table_records

ORGS = ["Alpha Trust", "Beta Council", "Gamma CIC"]
MECHS = ["direct", "pcc_grant", "plf"]


def line(i, org, mech, theme, amounts):
    return Line(
        uuid=str(i),
        reference=f"R-{i:04d}",
        year="2013/14",
        organisation=org,
        organisation_key=org.lower().replace(" ", "-"),
        initiative=f"Initiative {i}",
        mechanism=mech,
        mechanism_label=mech,
        theme_number=theme,
        theme=f"Theme {theme}" if theme else "",
        primary_priority=f"SP{theme} x" if theme else "",
        primary_priority_number=theme,
        secondary_priority="",
        reach_code="",
        reach="",
        status="committed",
        comment="",
        amounts=amounts,
    )


money = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)
lines_strategy = st.lists(
    st.tuples(
        st.sampled_from(ORGS),
        st.sampled_from(MECHS),
        st.sampled_from([None, 1, 2, 3, 4]),
        st.one_of(
            st.fixed_dictionaries({"FY": money}),
            st.fixed_dictionaries({"H1": money, "H2": money}),
        ),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(lines_strategy, st.sampled_from(TABLE_KINDS), money, money)
def test_subtotals_add_up_to_total_and_pot(raw, by, pot, reserve):
    """For any ledger and any grouping: rows sum to subtotals, subtotals to the total, and
    the total plus unallocated funding is the pot, to the penny."""
    lines = [line(i, *r) for i, r in enumerate(raw)]
    table = build_table(lines, by, mechanisms=MECHS, pot=pot, reserve=reserve)
    grand = sum((l.total for l in lines), Decimal(0))
    assert table.total == grand
    assert sum((g.total for g in table.groups), Decimal(0)) == grand
    for g in table.groups:
        for p in table.periods:
            assert g.subtotals[p] == sum((r.amounts.get(p, Decimal(0)) for r in g.rows), Decimal(0))
    assert sum(table.totals.values(), Decimal(0)) == grand
    assert table.total + table.reserve + table.unallocated == pot
    assert table.row_count == len(lines)
    records = table_records(table)
    assert records[-1]["row_type"] == "grand_total" and records[-1]["total"] == pot


def test_groups_by_theme_with_across_all_themes_last():
    lines = [
        line(1, "Alpha Trust", "direct", None, {"FY": Decimal("5")}),
        line(2, "Beta Council", "direct", 2, {"FY": Decimal("7")}),
        line(3, "Gamma CIC", "direct", 1, {"FY": Decimal("9")}),
    ]
    table = build_table(lines, "theme", mechanisms=MECHS)
    assert [g.label for g in table.groups] == ["Theme 1", "Theme 2", "Across all themes"]
    assert [g.total for g in table.groups] == [Decimal("9"), Decimal("7"), Decimal("5")]


def test_no_pot_means_no_unallocated_row():
    table = build_table(
        [line(1, "Alpha Trust", "direct", 1, {"FY": Decimal("5")})],
        "organisation",
        mechanisms=MECHS,
    )
    assert table.unallocated is None
    assert [r["row_type"] for r in table_records(table)] == ["allocation", "subtotal", "total"]


def test_mechanism_groups_follow_the_order_given():
    """The order of mechanism groups is what the caller passes, nothing held in the module."""
    lines = [
        line(1, "Alpha Trust", "direct", 1, {"FY": Decimal("5")}),
        line(2, "Beta Council", "plf", 1, {"FY": Decimal("7")}),
        line(3, "Gamma CIC", "pcc_grant", 1, {"FY": Decimal("9")}),
    ]
    by_given = build_table(lines, "mechanism", mechanisms=["plf", "pcc_grant", "direct"])
    assert [g.key for g in by_given.groups] == ["plf", "pcc_grant", "direct"]
    reversed_order = build_table(lines, "mechanism", mechanisms=["direct", "pcc_grant", "plf"])
    assert [g.key for g in reversed_order.groups] == ["direct", "pcc_grant", "plf"]


def test_the_year_table_downloads_carry_human_headings_and_the_json_keeps_keys(client, user_with):
    import csv
    import io
    import json

    from django.urls import reverse
    from openpyxl import load_workbook

    from commissioning.core.roles import Role

    client.force_login(user_with(Role.COMMISSIONING_OFFICER))

    def get(fmt):
        return client.get(reverse("table-download", args=["2013-14", "organisation", fmt]))

    header = next(csv.reader(io.StringIO(get("csv").content.decode("utf-8-sig"))))
    assert header[:4] == ["Row", "Group", "Reference", "Organisation"]
    assert "April to September (H1)" in header and header[-1] == "Total"
    assert not any("_" in h for h in header)
    sheet = load_workbook(io.BytesIO(get("xlsx").content)).active
    assert [c.value for c in sheet[1]][: len(header)] == header
    data = json.loads(get("json").content)
    first = data["rows"][0] if "rows" in data else data["records"][0]
    assert {"row_type", "organisation", "H1", "total"} <= set(first)
