"""Sortable list pages: which column a request asks to sort on, and the links of the
column headings that change it. One way for every list page (the allocations, a round's
applications): the selector reads the choice with :func:`sort_chosen`, the view builds the
headings with :func:`sort_headings`, and the template renders each with
``includes/sort_heading.html``."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class SortHeading:
    """One sortable column heading: its words, the link that sorts on it (the other way if
    it is the column sorted on now), its `aria-sort` ("" for a column not sorted on), and
    the way that link sorts, for a screen reader."""

    label: str
    href: str
    aria_sort: str
    next: str


def sort_chosen(value: object, allowed: Collection[str], default: str) -> tuple[str, bool]:
    """The column (one of `allowed`) and whether descending, from a request's ``sort``
    value: a column's key, with "-" before it for descending. Anything else is `default`,
    ascending."""
    text = str(value or "")
    key, descending = text.removeprefix("-"), text.startswith("-")
    if key not in allowed:
        return default, False
    return key, descending


def sort_value(key: str, descending: bool) -> str:
    """The ``sort`` value of a choice: the inverse of :func:`sort_chosen`."""
    return f"{'-' if descending else ''}{key}"


def sort_headings(
    sortable: Mapping[str, tuple[str, bool]],
    sorted_on: str,
    descending: bool,
    kept: Mapping[str, str],
) -> dict[str, SortHeading]:
    """The headings of `sortable` (key -> its label, and whether a first click sorts it
    descending, as for amounts), each linking to the list sorted on it with the other query
    parameters `kept` (a new sort starts at the first page: `kept` should not hold one)."""
    headings = {}
    for key, (label, first_descending) in sortable.items():
        current = key == sorted_on
        goes_down = not descending if current else first_descending
        headings[key] = SortHeading(
            label=label,
            href="?" + urlencode({**kept, "sort": sort_value(key, goes_down)}),
            aria_sort=("descending" if descending else "ascending") if current else "",
            next="descending" if goes_down else "ascending",
        )
    return headings
