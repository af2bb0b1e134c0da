"""Money is Decimal pounds to the penny: parsed from what people and files write, summed and
shown without ever passing through float."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commissioning.core.money import MoneyField, money_sum, pounds, to_money
from commissioning.core.templatetags.govuk import money


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        (1234, "1234.00"),
        (0, "0.00"),
        (-3, "-3.00"),
        (D("7.1"), "7.10"),
        (D("7.100"), "7.10"),
        ("-£12.30", "-12.30"),
        (" £3,249,023 ", "3249023.00"),
    ],
)
def test_amounts_parse_to_decimal_pounds(raw, amount):
    """Beside test_money_strict: numbers from files (int, Decimal) and what the papers print."""
    value = to_money(raw)
    assert isinstance(value, D)
    assert str(value) == amount


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (1.5, "must not be floating point"),
        (True, "must not be floating point"),
        ("   ", "is blank"),
        ("£", "“£” is not an amount of money"),
        ("£-5", "is not an amount of money"),
        ("abc", "“abc” is not an amount of money: write it like 1234.50 or £1,234.50"),
        ("NaN", "is not an amount of money"),
        ("Infinity", "is not an amount of money"),
        (D("0.001"), "has fractions of a penny"),
        (10**12, "more than £999,999,999,999.99"),
    ],
)
def test_what_is_not_money_is_refused_in_words(raw, message):
    with pytest.raises(ValueError, match=message):
        to_money(raw)


def test_money_sum_and_pounds():
    assert money_sum([D("1.10"), None, D("2.20")]) == D("3.30")
    assert money_sum([]) == D("0.00")
    assert str(pounds(None)) == "0.00"
    assert str(pounds(D("1000"))) == "1000.00"
    assert str(pounds(D("12.5"))) == "12.50"


def test_money_field_is_pounds_and_pence():
    field = MoneyField()
    assert (field.max_digits, field.decimal_places) == (14, 2)
    _, path, _, kwargs = field.deconstruct()
    assert path == "commissioning.core.money.MoneyField"
    assert kwargs["decimal_places"] == 2


@pytest.mark.parametrize(
    ("value", "arg", "shown"),
    [
        (D("1234"), "", "£1,234"),
        (D("1234.00"), "", "£1,234"),
        (D("1234.5"), "", "£1,234.50"),
        (D("1234"), "pence", "£1,234.00"),
        (D("-8792"), "", "\u2212£8,792"),
        (D("-0.5"), "", "\u2212£0.50"),
        (D("3249023"), "", "£3,249,023"),
        ("639675", "", "£639,675"),
        (0, "", "£0"),
        (None, "", ""),
        ("", "", ""),
        ("n/a", "", "n/a"),
    ],
)
def test_amounts_are_shown_in_pounds(value, arg, shown):
    assert money(value, arg) == shown


amounts = st.decimals(min_value=0, max_value=D("999999999999.99"), places=2)


@given(amounts)
def test_what_is_shown_parses_back_to_the_same_amount(amount):
    assert to_money(money(amount, "pence")) == amount
    assert to_money(money(amount)) == amount


@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=2), max_size=20))
def test_sums_stay_exact(values):
    total = money_sum(values)
    assert total == sum(values, D(0))
    assert to_money(str(total)) == total
