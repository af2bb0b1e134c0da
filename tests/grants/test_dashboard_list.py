"""The round dashboard's list of applications: sorted, searched, filtered and paged in the
database, in the same number of queries at any size and on any page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.grants.models import Application
from commissioning.grants.selectors import PAGE_SIZE
from commissioning.grants.status import Status
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def make(grant_round, n: int, start: int = 0) -> None:
    """`n` applications in bulk: every third one a draft, amounts rising with the number,
    organisations named in the reverse order of the references."""
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(key=f"dash-{i}", name=f"Org {999 - i:03d} Trust", kind="charity")
            for i in range(start, start + n)
        ]
    )
    Application.objects.bulk_create(
        [
            Application(
                round=grant_round,
                organisation=org,
                reference=f"DASH-{i:04d}",
                title=f"Project {'lantern' if i % 7 == 0 else 'bridge'} {i}",
                status=Status.DRAFT if i % 3 == 0 else Status.SUBMITTED,
                amount_requested=Decimal(1000 + i * 10),
                submitted_at=None if i % 3 == 0 else timezone.now(),
            )
            for i, org in zip(range(start, start + n), orgs, strict=True)
        ]
    )


def references(page: str) -> list[str]:
    return re.findall(r">(DASH-\d{4})</a></td>", page)


def dashboard(client, grant_round, **query) -> str:
    response = client.get(reverse("round-dashboard", args=[grant_round.reference]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_sorts_by_each_column_both_ways(client, grant_round, officer):
    make(grant_round, 12)
    client.force_login(officer)
    assert references(dashboard(client, grant_round)) == [f"DASH-{i:04d}" for i in range(12)]
    by_amount = references(dashboard(client, grant_round, sort="-requested"))
    assert by_amount == [f"DASH-{i:04d}" for i in reversed(range(12))]
    # Organisations are named in reverse: sorting by them reverses the references.
    assert references(dashboard(client, grant_round, sort="organisation")) == by_amount
    by_status = references(dashboard(client, grant_round, sort="status"))
    drafts = [f"DASH-{i:04d}" for i in range(0, 12, 3)]
    assert by_status[:4] == drafts  # "Draft" before "Submitted"
    page = dashboard(client, grant_round, sort="-requested")
    assert 'aria-sort="descending"' in page
    assert "?sort=requested" in page  # the sorted heading's link turns it round


def test_statuses_sort_by_code_as_their_labels_read():
    """The list sorts by status code so that an index serves it; a person reads the labels,
    so the two orders must be one."""
    assert sorted(Status.values) == [
        code for code, _ in sorted(Status.choices, key=lambda choice: choice[1].lower())
    ]


def test_a_sort_it_does_not_know_is_by_reference(client, grant_round, officer):
    make(grant_round, 5)
    client.force_login(officer)
    page = dashboard(client, grant_round, sort="-organisation__name")
    assert references(page) == [f"DASH-{i:04d}" for i in range(5)]


def test_searches_reference_project_and_organisation_and_filters_by_status(
    client, grant_round, officer
):
    make(grant_round, 30)
    client.force_login(officer)
    lantern = references(dashboard(client, grant_round, q="LANTERN"))
    assert lantern == [f"DASH-{i:04d}" for i in range(0, 30, 7)]
    assert references(dashboard(client, grant_round, q="Org 990")) == ["DASH-0009"]
    assert references(dashboard(client, grant_round, q="dash-0012")) == ["DASH-0012"]
    drafts = dashboard(client, grant_round, status="draft")
    assert references(drafts) == [f"DASH-{i:04d}" for i in range(0, 30, 3)]
    assert "10 applications found" in drafts
    both = references(dashboard(client, grant_round, status="draft", q="lantern"))
    assert both == ["DASH-0000", "DASH-0021"]
    # a status that does not exist filters nothing, and says so by not saying "found"
    everything = dashboard(client, grant_round, status="approved-ish")
    assert len(references(everything)) == 30 and "30 applications" in everything
    assert "found" not in everything.split('id="applications-caption"')[1][:60]


def test_the_counts_link_to_their_status_and_the_pages_keep_the_choice(
    client, grant_round, officer
):
    make(grant_round, PAGE_SIZE * 2 + 5)
    client.force_login(officer)
    page = dashboard(client, grant_round, status="submitted", sort="-requested")
    assert 'href="?status=draft"' in page
    # page 2 of the same choice: the pagination links carry the filter and the sort
    assert "status=submitted&amp;sort=-requested&amp;page=2" in page
    second = dashboard(client, grant_round, status="submitted", sort="-requested", page=2)
    submitted = sorted(
        (i for i in range(PAGE_SIZE * 2 + 5) if i % 3), key=lambda i: -i
    )  # the same order, computed here
    assert references(second) == [f"DASH-{i:04d}" for i in submitted[PAGE_SIZE : PAGE_SIZE * 2]]


def test_the_same_queries_for_a_few_applications_and_many_on_any_page(client, grant_round, officer):
    client.force_login(officer)
    choices = [{}, {"sort": "-requested", "page": "2"}, {"q": "bridge", "status": "submitted"}]
    make(grant_round, 3)
    few = []
    for query in choices:
        with CaptureQueriesContext(connection) as ctx:
            dashboard(client, grant_round, **query)
        few.append(len(ctx.captured_queries))
    make(grant_round, PAGE_SIZE * 4, start=3)
    many = []
    for query in choices:
        with CaptureQueriesContext(connection) as ctx:
            dashboard(client, grant_round, **query)
        many.append(len(ctx.captured_queries))
    assert many == few


def test_on_postgresql_the_search_has_trigram_indexes_to_use():
    """Migration 0007: the reference and title searched through trigram indexes (PostgreSQL
    only; SQLite scans the round)."""
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'grants_application'"
        )
        found = dict(cursor.fetchall())
    for column in ("reference", "title"):
        definition = found.get(f"grants_application_{column}_trgm", "")
        assert "gin_trgm_ops" in definition and f"upper(({column})" in definition.lower(), found
