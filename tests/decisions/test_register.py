"""The public register: no sign-in, only what was published, figures that add up."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from commissioning.budgets.models import FinancialYear
from commissioning.budgets.selectors import allocation_lines
from commissioning.core.models import AuditEvent
from commissioning.decisions import services
from commissioning.decisions.models import DecisionRecord
from commissioning.decisions.register import allocations_table

pytestmark = pytest.mark.django_db


def _ledger_total(label: str) -> Decimal:
    """The PCC's allocations of the year in the ledger (cash and support in kind, as the
    papers' tables print them); a pooled budget's awards are the pool's, not the PCC's."""
    year = FinancialYear.objects.get(label=label)
    return sum(
        (
            sum(line.amounts.values(), Decimal(0))
            for line in allocation_lines(year)
            if line.status != "cancelled" and not line.pooled
        ),
        Decimal(0),
    )


def test_the_register_needs_no_sign_in_and_writes_nothing(client):
    before = AuditEvent.objects.count()
    for url in (
        "/register/",
        "/register/decisions/",
        "/register/decisions/exe-0025-13/",
        "/register/forward-plan/",
        "/register/grants/",
        "/register/allocations/2016-17/",
        "/register/contracts/2016-17/",
        "/register/needs-based-allocation/",
    ):
        assert client.get(url).status_code == 200, url
    assert AuditEvent.objects.count() == before


def test_unpublished_records_are_not_on_the_register(client, draft, approved, signed):
    for record in (draft, signed):
        assert client.get(f"/register/decisions/{record.slug}/").status_code == 404
        assert client.get(f"/register/decisions/{record.slug}.pdf").status_code == 404
        assert client.get(f"/register/decisions/{record.slug}.json").status_code == 404
    listing = client.get("/register/decisions/").content.decode()
    assert signed.reference not in listing
    assert "EXE 0025/13" in listing


def test_staff_pages_are_not_public(client, signed, user_with):
    from commissioning.core.roles import Role

    response = client.get(f"/decisions/{signed.slug}/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    client.force_login(user_with(Role.PARTNER))
    assert client.get(f"/decisions/{signed.slug}/").status_code == 403
    assert client.get("/decisions/").status_code == 403


def test_the_forward_plan_shows_only_the_title_and_date_chosen(client, officer):
    listed = services.record_create(
        actor=officer,
        title="Victims' services recommissioning",
        summary="Private working notes",
        expected_on=dt.date(2027, 2, 1),
        on_forward_plan=True,
    )
    services.record_create(actor=officer, title="Unlisted draft", expected_on=dt.date(2027, 3, 1))
    page = client.get("/register/forward-plan/").content.decode()
    assert listed.title.replace("'", "&#x27;") in page and "February 2027" in page
    assert "Unlisted draft" not in page and "Private working notes" not in page


def test_the_papers_decisions_cite_every_allocation_of_their_year(client):
    data = client.get("/register/decisions/exe-0025-13.json").json()
    assert data["reference"] == "EXE 0025/13"
    assert Decimal(str(sum(Decimal(link["amount"]) for link in data["links"]))) == _ledger_total(
        "2013/14"
    )
    assert data["determination"]["record"] == "Yes"
    assert data["pcc_signature"]["signed_on"] == "2013-09-05"


def test_allocations_by_year_add_up_to_the_ledger(client):
    for label in ("2013/14", "2016/17"):
        table = allocations_table(FinancialYear.objects.get(label=label))
        shown = sum((row["amount"] for row in table.rows), Decimal(0)) + table.withheld_total
        assert shown == table.total == _ledger_total(label)


def test_contracts_are_direct_or_co_commissioned_and_over_ten_thousand(client):
    table = allocations_table(FinancialYear.objects.get(label="2016/17"), contracts_only=True)
    assert table.rows, "2016/17 has contracts over £10,000"
    for row in table.rows:
        assert row["amount"] > 10_000
        assert row["mechanism"] in {
            "Direct commissioning",
            "Co-commissioning with existing commissioners",
        }


def test_grants_register_lists_recipient_purpose_and_amount(client):
    page = client.get("/register/grants/").content.decode()
    assert "EXE 0001/15" in page
    csv_text = b"".join(client.get("/register/grants.csv").streaming_content).decode()
    header = csv_text.splitlines()[0]
    for column in ("recipient", "purpose", "amount", "conditions", "reasons"):
        assert column in header


def test_every_register_download_answers_in_every_format(client):
    """Each table of the register downloads as CSV, XLSX and JSON for anyone (GET
    /register/grants.json once answered 500: a date was not JSON serialisable)."""
    paths = ["/register/grants", "/register/decisions", "/register/allocations/2013-14"]
    for path in paths:
        for fmt in ("csv", "xlsx", "json"):
            response = client.get(f"{path}.{fmt}")
            assert response.status_code == 200, (path, fmt)
    grants = json.loads(b"".join(client.get("/register/grants.json").streaming_content))
    dated = [row for row in grants["rows"] if row.get("decision_date")]
    assert dated and all(len(row["decision_date"]) == 10 for row in dated)
    assert all(isinstance(row["amount"], str) for row in grants["rows"])


def test_search_and_year_filter(client):
    assert (
        "EXE 0025/13" in client.get("/register/decisions/?q=budget+equalisation").content.decode()
    )
    other_year = client.get("/register/decisions/?year=2015").content.decode()
    assert "EXE 0001/15" in other_year and "EXE 0025/13" not in other_year


def test_the_feed_lists_published_decisions(client):
    feed = client.get("/register/decisions/feed.json").json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    titles = [item["title"] for item in feed["items"]]
    assert any(t.startswith("EXE 0025/13") for t in titles)
    assert all(item["url"].startswith("http") for item in feed["items"])
    assert DecisionRecord.objects.filter(status="published").count() == len(feed["items"])


def test_the_api_serves_only_public_versions(client, signed):
    listing = client.get("/api/register/decisions").json()["decisions"]
    assert {d["reference"] for d in listing} >= {"EXE 0025/13", "EXE 0001/15"}
    assert signed.reference not in {d["reference"] for d in listing}
    assert all(d["public"] for d in listing)
    assert client.get("/api/register/decisions/exe-0025-13").json()["title"].startswith("Police")
    assert client.get(f"/api/register/decisions/{signed.slug}").status_code == 404
    found = client.get("/api/register/decisions", {"q": "equalisation reserve"}).json()
    assert [d["reference"] for d in found["decisions"]] == ["EXE 0025/13"]


def test_register_pages_ask_the_same_number_of_queries_however_many_decisions(
    client, officer, sign_off
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = ["/register/decisions/", "/register/grants/", "/register/decisions/feed.json"]
    before = {url: queries(url) for url in urls}
    for n in range(3):
        record = services.record_create(
            actor=officer, title=f"Extra {n}", summary="s", recommendations="r"
        )
        sign_off(record)
    assert {url: queries(url) for url in urls} == before
