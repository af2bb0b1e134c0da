"""The allocations list: sorted by a whitelisted column, searched, filtered and paged, with the
count and totals of the whole filtered list, in the same number of queries on every page and
whatever the number of allocations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.budgets import services
from commissioning.budgets.models import Mechanism, Status
from commissioning.budgets.selectors import (
    ALLOCATION_SORTS,
    ALLOCATIONS_PAGE_SIZE,
    allocation_list,
)
from commissioning.organisations.models import Organisation, OrganisationKind
from commissioning.plans.models import Theme

pytestmark = pytest.mark.django_db


def _org(key: str, name: str) -> Organisation:
    return Organisation.objects.create(key=key, name=name, kind=OrganisationKind.CHARITY)


@pytest.fixture
def three(make_allocation):
    """Three allocations whose order differs by every sortable column from their order by
    reference (A, B, C as recorded). By mechanism the labels' order (A C B) is not the codes'
    (co_commissioning, csp_co_commissioning, pcc_grant: C A B)."""
    plan_themes = Theme.objects.order_by("plan_id", "number")
    first_plan = plan_themes.first().plan_id
    theme = {t.number: t for t in plan_themes.filter(plan_id=first_plan)}
    a = make_allocation(
        "500",
        organisation=_org("zeta", "Zeta Trust"),
        initiative="Night shelter",
        mechanism=Mechanism.CSP_CO_COMMISSIONING,  # "Co-commissioning with Community ..."
        theme=theme[3],
    )
    b = make_allocation(
        "2000",
        organisation=_org("alpha", "alpha Homes"),  # sorts first whatever the case
        initiative="Knife crime workshops",
        mechanism=Mechanism.PCC_GRANT,  # "PCC Grant"
        theme=None,  # across all themes: last either way
        status=Status.COMMITTED,
    )
    c = make_allocation(
        "1000",
        organisation=_org("mu", "Mu Partnership"),
        initiative="Victims' helpline",
        mechanism=Mechanism.CO_COMMISSIONING,  # "Co-commissioning with existing ..."
        theme=theme[1],
    )
    return a.reference, b.reference, c.reference


def _refs(year, **chosen) -> list[str]:
    return [
        line.reference for line in allocation_list(year, organisation_id=None, chosen=chosen).lines
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("reference", "ABC"),
        ("-reference", "CBA"),
        ("organisation", "BCA"),
        ("-organisation", "ACB"),
        ("mechanism", "ACB"),
        ("-mechanism", "BCA"),
        ("theme", "CAB"),
        ("-theme", "ACB"),
        ("total", "ACB"),
        ("-total", "BCA"),
    ],
)
def test_each_whitelisted_column_sorts_both_ways(year, three, sort, expected):
    """Sorting by organisation (ignoring case), mechanism (by the label shown), theme (by
    number, "Across all themes" last), total or reference, ascending or with "-" descending."""
    by_letter = dict(zip("ABC", three, strict=True))
    assert _refs(year, sort=sort) == [by_letter[x] for x in expected]


def test_every_whitelisted_sort_is_tested():
    """The whitelist is what the parametrised test above sorts by."""
    assert set(ALLOCATION_SORTS) == {"reference", "organisation", "mechanism", "theme", "total"}


@pytest.mark.parametrize("sort", ["initiative", "-comment", "status", "id; drop table", "--total"])
def test_an_unknown_sort_is_ignored(year, three, sort):
    """Anything not whitelisted sorts by reference, and the page says it did."""
    shown = allocation_list(year, organisation_id=None, chosen={"sort": sort})
    assert [line.reference for line in shown.lines] == list(three)
    assert shown.chosen["sort"] == "reference"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ALPHA", "B"),  # organisation, any case
        ("helpline", "C"),  # initiative
        ("shelter", "A"),
        ("nothing like it", ""),
    ],
)
def test_search_looks_in_organisation_initiative_and_reference(year, three, q, expected):
    by_letter = dict(zip("ABC", three, strict=True))
    assert _refs(year, q=q) == [by_letter[x] for x in expected]


def test_search_finds_a_reference(year, three):
    assert _refs(year, q=three[1]) == [three[1]]


def test_filters_by_mechanism_status_theme_and_organisation(year, three):
    a, b, c = three
    assert _refs(year, mechanism=Mechanism.CO_COMMISSIONING) == [c]
    assert _refs(year, status=Status.COMMITTED) == [b]
    assert _refs(year, status=Status.INDICATIVE) == [a, c]
    assert _refs(year, theme="all") == [b]
    assert _refs(year, theme="3") == [a]
    assert _refs(year, organisation="zeta") == [a]
    assert _refs(year, status=Status.INDICATIVE, q="helpline") == [c]


def test_an_unknown_filter_value_is_ignored(year, three):
    shown = allocation_list(
        year, organisation_id=None, chosen={"mechanism": "bribery", "status": "x", "theme": "?"}
    )
    assert [line.reference for line in shown.lines] == list(three)
    assert (shown.chosen["mechanism"], shown.chosen["status"], shown.chosen["theme"]) == (
        "",
        "",
        "",
    )


def test_the_choices_offered_are_every_lines_not_the_filtered_ones(year, three):
    shown = allocation_list(year, organisation_id=None, chosen={"organisation": "zeta"})
    assert [key for key, _ in shown.organisations] == ["alpha", "mu", "zeta"]
    assert [key for key, _ in shown.themes] == ["1", "3", "all"]


def test_a_varied_allocation_shows_once_with_its_current_amounts(year, officer, make_allocation):
    """The old version's entries are reversed: only the current version has money."""
    allocation = make_allocation("1000", period="H1")
    services.allocation_vary(
        actor=officer, allocation=allocation, reason="Re-profiled", amounts={"H2": "700"}
    )
    shown = allocation_list(year, organisation_id=None, chosen={})
    assert [(line.reference, line.amounts) for line in shown.lines] == [
        (allocation.reference, {"H2": Decimal("700.00")})
    ]
    assert shown.periods == ["H2"] and shown.grand_total == Decimal("700.00")


@pytest.fixture
def sixty(make_allocation):
    """60 allocations of £1 to £60; every third committed."""
    return [
        make_allocation(
            str(i),
            initiative=f"Row {i:02d}",
            status=Status.COMMITTED if i % 3 == 0 else Status.INDICATIVE,
            period="H1" if i % 2 else "H2",
        ).reference
        for i in range(1, 61)
    ]


def test_page_two_has_the_next_rows(year, sixty):
    first = allocation_list(year, organisation_id=None, chosen={})
    second = allocation_list(year, organisation_id=None, chosen={"page": "2"})
    assert [line.reference for line in first.lines] == sixty[:ALLOCATIONS_PAGE_SIZE]
    assert [line.reference for line in second.lines] == sixty[ALLOCATIONS_PAGE_SIZE:]
    assert second.page.number == 2 and not second.page.has_next()
    by_total = allocation_list(year, organisation_id=None, chosen={"sort": "-total", "page": "2"})
    assert [line.total for line in by_total.lines] == [Decimal(i) for i in range(10, 0, -1)]


def test_a_page_out_of_range_shows_the_last(year, sixty):
    assert allocation_list(year, organisation_id=None, chosen={"page": "99"}).page.number == 2
    assert allocation_list(year, organisation_id=None, chosen={"page": "x"}).page.number == 1


def test_totals_are_the_whole_filtered_lists_not_the_pages(year, sixty):
    everything = allocation_list(year, organisation_id=None, chosen={"page": "2"})
    assert everything.count == 60
    assert everything.grand_total == sum(range(1, 61))
    assert everything.totals == {
        "H1": sum(range(1, 61, 2)),
        "H2": sum(range(2, 61, 2)),
    }
    assert everything.periods == ["H1", "H2"]
    committed = allocation_list(year, organisation_id=None, chosen={"status": Status.COMMITTED})
    assert committed.count == 20
    assert committed.grand_total == sum(range(3, 61, 3))


def test_the_page_shows_the_filtered_totals_and_sort_links_that_keep_the_filters(
    client, officer, year, sixty
):
    client.force_login(officer)
    url = reverse("allocation-list", args=[year.slug])
    response = client.get(url, {"status": Status.COMMITTED, "sort": "-total"})
    html = response.content.decode()
    assert "20 allocations found, £630 in all" in html
    assert 'id="allocations-total">£630<' in html
    # Sorted by total, descending: its heading says so, and a click sorts it the other way.
    headings = response.context["headings"]
    assert headings["total"].aria_sort == "descending"
    assert headings["total"].href == "?status=committed&sort=total"
    assert headings["reference"].aria_sort == ""
    assert headings["reference"].href == "?status=committed&sort=reference"
    assert 'aria-sort="descending"' in html and html.count("aria-sort=") == 1
    # Paging keeps the filter and the sort.
    page_two = client.get(url, {"sort": "-total", "page": "2"}).content.decode()
    assert 'href="?sort=-total&amp;page=1"' in page_two
    assert "Total of all 60" in page_two and "(showing 51 to 60)" in page_two


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_queries_are_the_same_for_5_and_60_allocations_and_on_every_page(
    client, officer, year, make_allocation
):
    client.force_login(officer)
    url = reverse("allocation-list", args=[year.slug])
    for i in range(5):
        make_allocation(str(i + 1), initiative=f"Row {i}", period="H1" if i % 2 else "FY")
    few = _queries(client, url)
    for i in range(5, 60):
        make_allocation(str(i + 1), initiative=f"Row {i}", period="H1" if i % 2 else "FY")
    many = _queries(client, url)
    second_page = _queries(client, url, page="2")
    sorted_filtered = _queries(client, url, page="2", sort="-total", q="Row")
    assert few == many == second_page == sorted_filtered, (few, many, second_page)
    html = client.get(url, {"page": "2"}).content.decode()
    assert html.count('<span class="app-narrow-only">') == 10  # one row an allocation
