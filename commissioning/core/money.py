"""Money is Decimal, in pounds, to the penny. Never float."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

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


# A plain amount: digits, either ungrouped or grouped in threes with commas, then at most
# a point and decimals; an optional minus sign and pound sign in front. Nothing else.
_AMOUNT = re.compile(r"-?£?\s?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d+))?", re.ASCII)
LARGEST = Decimal(10) ** (MAX_DIGITS - 2) - PENNY  # £999,999,999,999.99


def to_money(value: object) -> Decimal:
    """Parse a user- or file-supplied amount ("1,234", "£1,234.50", 1234) into Decimal pounds.

    Only plain amounts are accepted: thousands grouped correctly or not at all ("1,234" and
    "1234", never "1,2,3" or "£1,00.0"), no exponents ("1e5"), at most pence, and no more
    than £999,999,999,999.99. Raises ValueError with a message fit to show a person.
    """
    if isinstance(value, float | bool):
        raise ValueError("amounts must not be floating point")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"“{value}” is not an amount of money")
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        text = str(value).strip()
        if text == "":
            raise ValueError("is blank")
        if len(text) > 40 or not (match := _AMOUNT.fullmatch(text)):
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise ValueError(
                f"“{shown}” is not an amount of money: write it like 1234.50 or £1,234.50"
            )
        pence = match["pence"]
        amount = Decimal(match["whole"].replace(",", "") + (f".{pence}" if pence else ""))
        if text.startswith("-"):
            amount = -amount
    if abs(amount) > LARGEST:
        raise ValueError(f"“{value}” is more than £999,999,999,999.99")
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


MINUS = "\u2212"
_SHOWN = Context(prec=40, rounding=ROUND_HALF_UP)


def money_text(value: Decimal | int, *, pence: bool = False) -> str:
    """The one way an amount is written for a person: "£1,234" when it is whole pounds,
    "£1,234.56" when there are pence, "−£1,234" (a true minus) when negative. `pence=True`
    always shows pence ("£1,234.00"), for a column where some amounts have them.

    Every page, message, PDF and text export writes amounts through this (the `money`
    template filter calls it); spreadsheets keep the number and a number format instead."""
    with localcontext(_SHOWN):  # whatever the caller's context traps
        amount = Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    negative = amount < 0
    amount = abs(amount)
    if amount == amount.to_integral_value() and not pence:
        text = f"£{int(amount):,}"
    else:
        text = f"£{amount:,.2f}"
    return f"{MINUS}{text}" if negative else text


def percent_text(value: Decimal | int) -> str:
    """A percentage as the data carries it ("8.04%", "100%"), negative with a true minus as
    amounts are ("−8.04%"), so a change reads the same in pounds and in per cent."""
    amount = Decimal(value)
    text = f"{abs(amount):f}%"
    return f"{MINUS}{text}" if amount < 0 else text


def shares_of(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`, to the penny, adding up to `total` exactly.

    Largest remainder: each share is rounded down to the penny, then the pennies left over go
    one each to the shares with the largest remainders, ties to the earlier weight. With no
    weight (or weights adding up to nothing) there is nothing to share in proportion to, and
    every share is £0; a caller with a non-zero total must not ask that."""
    total = Decimal(total).quantize(PENNY)
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        if total != 0:
            raise ValueError(f"cannot share {total} in proportion to weights adding up to {whole}")
        return [ZERO for _ in weights]
    pennies = int(total / PENNY)
    exact = [Decimal(pennies) * w / whole for w in weights]
    floors = [int(e) if e >= 0 else int(e) - (e != int(e)) for e in exact]
    left = pennies - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(f) * PENNY).quantize(PENNY) for f in floors]
