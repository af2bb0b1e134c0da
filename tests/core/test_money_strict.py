"""Money parsing accepts plain amounts only and never fails with anything but a message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commissioning.core.money import LARGEST, to_money


@pytest.mark.parametrize(
    ("text", "pounds"),
    [
        ("1234", "1234.00"),
        ("1,234", "1234.00"),
        ("£1,234.50", "1234.50"),
        ("£ 12", "12.00"),
        ("1,234,567.89", "1234567.89"),
        ("  0.5 ", "0.50"),
        ("-5", "-5.00"),
        ("12.50000", "12.50"),
        ("999,999,999,999.99", "999999999999.99"),
    ],
)
def test_plain_amounts_are_read_exactly(text, pounds):
    assert to_money(text) == Decimal(pounds)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("£1,00.0", "is not an amount of money"),  # wrongly grouped: was read as £100.00
        ("1,2,3", "is not an amount of money"),  # was read as £123
        ("1e5", "is not an amount of money"),  # was read as £100,000
        ("1e309", "is not an amount of money"),  # was a server error
        ("1e30", "is not an amount of money"),  # was a server error
        ("12.345", "fractions of a penny"),
        ("1 000", "is not an amount of money"),
        (".5", "is not an amount of money"),
        ("1,000,000,000,000", "more than £999,999,999,999.99"),
        ("", "is blank"),
        ("x" * 200, "is not an amount of money"),
    ],
)
def test_anything_else_is_refused_in_words(text, says):
    with pytest.raises(ValueError, match=says):
        to_money(text)


@pytest.mark.parametrize("value", [Decimal("1E+30"), Decimal("NaN"), Decimal("Infinity")])
def test_decimals_from_files_are_checked_too(value):
    with pytest.raises(ValueError):
        to_money(value)


def test_floats_are_refused():
    with pytest.raises(ValueError, match="floating point"):
        to_money(0.1)


@given(st.text(max_size=60))
def test_any_text_gives_an_amount_or_a_message(text):
    try:
        amount = to_money(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert abs(amount) <= LARGEST
        assert amount == amount.quantize(Decimal("0.01"))


@given(st.decimals(min_value=0, max_value=LARGEST, places=2))
def test_what_is_formatted_with_grouping_reads_back(amount):
    assert to_money(f"£{amount:,.2f}") == amount
    assert to_money(f"{amount:.2f}") == amount
