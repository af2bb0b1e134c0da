"""The year page's budget by theme as a chart, beside the year before (issue 14 item 8)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from commissioning.budgets.selectors import position, theme_chart, year_get

pytestmark = pytest.mark.django_db


def test_2016_17_is_shown_beside_2013_14_and_adds_up():
    year = year_get("2016/17")
    pos = position(year)
    chart = theme_chart(year, pos)
    assert chart is not None and chart.earlier is not None
    assert chart.earlier.label == "2013/14"  # the latest earlier year with money allocated
    assert chart.total == pos.committed + pos.indicative
    earlier = position(year_get("2013/14"))
    assert chart.earlier_total == earlier.committed + earlier.indicative
    for row in chart.rows:
        assert row.change == row.this_year - row.earlier
    by = {r.theme: r for r in chart.rows}
    assert by["Reducing offending and re-offending"].earlier == D("1697586")
    svg = str(chart.svg)
    assert svg.startswith("<svg") and "2013/14" in svg and "2016/17" in svg
    assert "hatch" in svg  # the earlier year is told apart by pattern, not colour alone


def test_the_first_year_has_nothing_to_compare_with_and_an_empty_year_no_chart(year):
    first = year_get("2013/14")
    chart = theme_chart(first, position(first))
    assert chart is not None and chart.earlier is None
    assert all(r.earlier is None and r.change is None for r in chart.rows)
    assert "hatch" not in str(chart.svg)
    assert theme_chart(year, position(year)) is None


def test_the_year_page_shows_the_chart_and_its_table(client, officer):
    client.force_login(officer)
    html = client.get(reverse("year", args=["2016-17"])).content.decode()
    assert 'id="by-theme-chart"' in html and 'id="year-on-year"' in html
    assert "2016/17 by theme, beside 2013/14" in html
