"""`{% load mtfs %}`: percentages as the MTFS pages show them ("0.8%", "−3.3%")."""

from __future__ import annotations

from decimal import Decimal

from django import template

from commissioning.mtfs.calc import fmt_pct

register = template.Library()


@register.filter
def pct(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return fmt_pct(Decimal(value))
    return str(value)


@register.filter
def year_slug(label: object) -> str:
    """ "2014/15" as it is written in a URL: "2014-15"."""
    return str(label).replace("/", "-")


@register.filter
def thousands(value: object) -> str:
    """A number with thousands separators, its decimals as stored: 282,691.59."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
