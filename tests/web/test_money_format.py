"""One money format (`core.money.money_text`): "£1,234" when the amount is whole pounds,
"£1,234.56" when it has pence, "−£1,234" when negative. The function itself, and a crawl of
the example as a commissioning officer: no page, PDF or
message writes an amount any other way ("£1,234.00" for whole pounds, "£1234" ungrouped,
"£-5" or "-£5" with a hyphen). The finance system's spending pages keep pence in their
columns, where some amounts have them (`money:"pence"`)."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from commissioning.core.money import money_text, percent_text
from commissioning.core.roles import Role
from tests.scrutiny.test_crawl import crawl, example  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

OTHER_FORMATS = {
    "pence on whole pounds": re.compile(r"£\d{1,3}(?:,\d{3})*\.00(?!\d)"),
    "thousands not grouped": re.compile(r"£\d{4,}(?![\d.,]*m\b)"),
    "a hyphen for minus": re.compile(r"£-\d|-£\d"),
    "a space after the pound sign": re.compile(r"£ \d"),
    "a hyphen for a negative percentage": re.compile(r"(?<![\w.\-\u2212])-\d+(?:\.\d+)?%"),
}
PENCE_COLUMNS = ("/spending",)  # the finance system's lines, where some amounts have pence


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1234"), "£1,234"),
        (D("1234.00"), "£1,234"),
        (D("1234.5"), "£1,234.50"),
        (D("0.004"), "£0"),
        (D("0.005"), "£0.01"),
        (D("-5"), "\u2212£5"),
        (D("-1234567.89"), "\u2212£1,234,567.89"),
        (12, "£12"),
    ],
)
def test_the_one_money_format(value, text):
    assert money_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("8.04"), "8.04%"), (D("-8.04"), "\u22128.04%"), (D("100"), "100%"), (D("0.0"), "0.0%")],
)
def test_percentages_as_the_data_carries_them_with_a_true_minus(value, text):
    assert percent_text(value) == text


def test_pence_when_a_column_has_them():
    assert money_text(D("1234"), pence=True) == "£1,234.00"


def offences(texts: dict[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for url, text in texts.items():
        if url.startswith(PENCE_COLUMNS):
            continue
        for name, pattern in OTHER_FORMATS.items():
            for match in pattern.finditer(text):
                start = max(match.start() - 40, 0)
                found.setdefault(url, []).append(f"{name}: …{text[start : match.end() + 20]}…")
    return found


def test_the_scan_finds_an_amount_written_another_way():
    texts = {
        "/a/": "Total £809,017.00 and £1000 and £-5, a change of (-8.04%)",
        "/b/": "£1,234 and £1,234.56 and \u2212£5 and £3.249m, (\u22128.04%), 2016-17%",
        "/spending/": "£1,234.00",
    }
    found = offences(texts)
    assert list(found) == ["/a/"]
    assert len(found["/a/"]) == 4


def test_every_page_writes_amounts_the_one_way(client, user_with, example):  # noqa: F811
    client.force_login(user_with(Role.COMMISSIONING_OFFICER))
    seen, texts = crawl(client, [reverse("home"), reverse("year", args=["2016-17"])])
    assert len(seen) >= 60, f"the crawl reached only {len(seen)} pages"
    assert {u: s for u, s in seen.items() if s >= 500} == {}
    found = offences(texts)
    assert found == {}, "\n".join(f"{url}: {'; '.join(what)}" for url, what in found.items())


def test_a_fall_reads_with_the_same_minus_in_pounds_and_per_cent():
    """A formula run's area whose allocation fell (the 2023/24 index against 2016/17 gives
    Leicester −£17,300, −8.04%): not the hyphen Decimal's own text would give."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    row = SimpleNamespace(
        name="Leicester", allocation=D("197800"), share_pct=D("43.96"), previous=D("215100"),
        previous_share_pct=D("47.80"), change=D("-17300"), change_pct=D("-8.04"),
        harm=None, crimes=D("45836"), rate=None, population=None, low=None, high=None,
    )  # fmt: skip
    html = render_to_string(
        "formula/_area_table.html",
        {"rows": [row], "previous": {"year": "2016/17"}, "total": D("197800")},
    )
    assert "\u2212£17,300" in html and "(\u22128.04%)" in html
    assert offences({"/formula/runs/x/": re.sub(r"<[^>]+>", " ", html)}) == {}
