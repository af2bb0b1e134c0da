"""Pages through HTTP: what an officer does, and what the pages say."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.budgets.models import Status
from commissioning.budgets.selectors import allocation_lines, current_versions

pytestmark = pytest.mark.django_db


def test_year_dashboard_shows_the_position(client, officer):
    client.force_login(officer)
    html = client.get(reverse("year", args=["2016-17"])).content.decode()
    for figure in ("£4,611,000", "£3,919,983", "£332,000", "£359,017"):
        assert figure in html


def test_a_year_with_nothing_allocated_says_what_will_appear(client, officer, year):
    client.force_login(officer)
    html = client.get(reverse("year", args=[year.slug])).content.decode()
    assert html.count("Nothing is allocated in this year yet") >= 2  # by theme, by priority
    assert "each under its theme" in html and "each under its priority" in html
    example = client.get(reverse("year", args=["2016-17"])).content.decode()
    assert "Nothing is allocated in this year yet" not in example


def test_organisation_table_shows_subtotals_unallocated_and_grand_total(client, officer):
    client.force_login(officer)
    response = client.get(reverse("table", args=["2013-14", "organisation"]))
    html = response.content.decode()
    assert "Total Leicester City Council" in html and "£648,119" in html
    assert 'id="unallocated">£292,892<' in html  # cash: the support in kind is not in it
    assert 'id="grand-total">£3,249,023<' in html


@pytest.mark.parametrize("amount", ["1e309", "1e30", "£1,00.0", "1,2,3", "1e5"])
def test_the_allocation_form_refuses_an_amount_that_is_not_plain(
    client, officer, year, organisation, amount
):
    """Once a server error (1e309, 1e30) or a wrong amount read silently (£1,00.0 as £100)."""
    client.force_login(officer)
    response = client.post(
        reverse("allocation-create", args=[year.slug]),
        {
            "organisation": organisation.pk,
            "initiative": "Youth work",
            "mechanism": "direct",
            "status": "indicative",
            "amount_H1": amount,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "in pounds, like 1,250 or 1,250.50" in html
    assert not current_versions(year).filter(initiative="Youth work").exists()


def test_record_vary_commit_and_cancel_through_the_pages(client, officer, year, organisation):
    client.force_login(officer)
    url = reverse("allocation-create", args=[year.slug])
    bad = client.post(
        url,
        {
            "organisation": organisation.pk,
            "initiative": "",
            "mechanism": "direct",
            "status": "indicative",
            "amount_H1": "-4",
        },
    )
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    response = client.post(
        url,
        {
            "organisation": organisation.pk,
            "initiative": "Youth work",
            "mechanism": "direct",
            "status": "indicative",
            "amount_H1": "600",
            "amount_H2": "400",
        },
    )
    assert response.status_code == 302
    version = current_versions(year).get(initiative="Youth work")
    detail = reverse("allocation-detail", args=[version.allocation.uuid])
    assert response["Location"] == detail
    vary = client.post(
        reverse("allocation-vary", args=[version.allocation.uuid]),
        {
            "organisation": organisation.pk,
            "initiative": "Youth work",
            "mechanism": "direct",
            "status": "indicative",
            "amount_FY": "900",
            "reason": "Single payment",
        },
    )
    assert vary.status_code == 302
    client.post(
        reverse("allocation-commit", args=[version.allocation.uuid]), {"reason": "Approved"}
    )
    (line,) = allocation_lines(year)
    assert line.amounts == {"FY": D("900.00")} and line.status == Status.COMMITTED
    page = client.get(detail).content.decode()
    assert "Version 3" in page and "Reversal" in page
    client.post(
        reverse("allocation-cancel", args=[version.allocation.uuid]), {"reason": "Withdrawn"}
    )
    assert allocation_lines(year) == []


def test_import_page_reports_problems(client, officer, year):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    upload = SimpleUploadedFile(
        "a.csv", b"organisation,initiative,mechanism,FY\nNobody,X,direct,abc\n", "text/csv"
    )
    response = client.post(reverse("import", args=[year.slug]), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html and "Row 2, organisation" in html and "Row 2, fy" in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("route", ["allocation-list", "table"])
def test_list_pages_cost_the_same_queries_for_10_and_1000_rows(
    client, officer, make_allocation, route, year
):
    """The allocations table page's query count does not grow with the number of rows."""
    client.force_login(officer)
    args = [year.slug] if route == "allocation-list" else [year.slug, "organisation"]
    url = reverse(route, args=args)
    for i in range(10):
        make_allocation(str(100 + i), initiative=f"Row {i}")
    small = _queries(client, url)
    for i in range(10, 1000):
        make_allocation(str(100 + i), initiative=f"Row {i}")
    assert len(allocation_lines(year)) == 1000
    large = _queries(client, url)
    assert small == large, (small, large)


def test_cfo_adds_a_year_a_stream_and_a_capped_line(client, user_with):
    from commissioning.budgets.selectors import position, year_get
    from commissioning.core.roles import Role

    client.force_login(user_with(Role.CFO))
    assert client.post(reverse("year-create"), {"label": "2032/34"}).status_code == 400
    assert client.post(reverse("year-create"), {"label": "2032/33"}).status_code == 302
    bad = client.post(
        reverse("stream-create", args=["2032-33"]),
        {"name": "Draw", "amount": "5", "kind": "reserve_draw"},
    )
    assert "Name the reserve" in bad.content.decode()
    ok = client.post(
        reverse("stream-create", args=["2032-33"]),
        {
            "name": "Community Safety Fund",
            "amount": "£1,649,000",
            "kind": "grant",
            "source_body": "Home Office",
        },
    )
    assert ok.status_code == 302
    line = client.post(
        reverse("budget-line-create", args=["2032-33"]),
        {"name": "PCC Grant", "mechanism": "pcc_grant", "amount": "100,000", "capped": "on"},
    )
    assert line.status_code == 302
    pos = position(year_get("2032/33"))
    assert pos.pot == D("1649000.00")
    assert [(r.key, r.budget, r.capped) for r in pos.by_mechanism] == [
        ("pcc_grant", D("100000.00"), True)
    ]


def test_officer_cannot_manage_the_budget(client, officer):
    client.force_login(officer)
    assert client.get(reverse("stream-create", args=["2013-14"])).status_code == 403
