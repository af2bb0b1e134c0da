"""Filters for the outcomes pack's pages: ``{% load scrutiny %}``.

``figure``   a target or actual in its unit (``value|figure:unit``): "1,234", "£1,234", "75.0%"
``percent``  a percentage to one place, or a dash
``number``   a count grouped in thousands, or a dash
``pounds``   an amount to the nearest pound ("£3,693,284"), for headline figures
``cohort_percent``  a reoffending cohort's percentage to two places ("38.90%"), or a dash
``withheld``  why a cohort row shows no figures ("Too few to judge")
"""

from __future__ import annotations

from django import template

from commissioning.scrutiny import format as fmt

register = template.Library()


@register.filter
def figure(value, unit: str) -> str:
    return fmt.figure(value, unit)


@register.filter
def percent(value) -> str:
    return fmt.percent(value)


@register.filter
def number(value) -> str:
    return fmt.number(value)


@register.filter
def pounds(value) -> str:
    return fmt.pounds(value)


@register.filter
def cohort_percent(value) -> str:
    return fmt.cohort_percent(value)


@register.filter
def withheld(reason: str) -> str:
    return fmt.withheld_reason(reason)


@register.filter
def of_year(by_year: dict, label: str):
    """The figures of one year from a year-on-year row (``row.by_year|of_year:label``)."""
    return by_year.get(label)


@register.filter
def intention_of(tables: dict, label: str):
    return tables.get(label)
