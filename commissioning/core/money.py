"""Money is Decimal, in pounds, to the penny. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14


class MoneyField(models.DecimalField):
    """A sum of money in pounds with pence: up to £999,999,999,999.99."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "commissioning.core.money.MoneyField"
        return name, path, args, kwargs


def to_money(value: object) -> Decimal:
    """Parse a user- or file-supplied amount ("1,234", "£1,234.50", 1234) into Decimal pounds.

    Raises ValueError with a message fit to show a person.
    """
    if isinstance(value, float):
        raise ValueError("amounts must not be floating point")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        text = str(value).strip().replace(",", "").replace("£", "").replace(" ", "")
        if text == "":
            raise ValueError("is blank")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}” is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"“{value}” is not an amount of money")
    if amount != amount.quantize(PENNY):
        raise ValueError(f"“{value}” has fractions of a penny")
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def money_sum(values) -> Decimal:
    total = ZERO
    for v in values:
        total += v if v is not None else ZERO
    return total


def pounds(value: Decimal | None) -> Decimal:
    """A database sum as pounds and pence (SQLite returns Decimal('1000') for 1000.00)."""
    return ZERO if value is None else Decimal(value).quantize(PENNY)
