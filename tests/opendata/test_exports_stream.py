"""The open data and the register's downloads are written while the rows are read: the
number of queries does not grow with the number of grants (nor with the chunks they are
read in), no decision's document is decoded for a grant, and the HTTP responses stream."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.budgets.models import Allocation, AllocationVersion, FinancialYear
from commissioning.core import downloads
from commissioning.decisions import giving, register, serialise
from commissioning.decisions.document import DecisionDocument, Link, Section
from commissioning.decisions.models import (
    DecisionRecord,
    PublishedGrant,
    PublishedVersion,
    Status,
)
from commissioning.decisions.public import grant_rows
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def publish_grants(count: int, *, first: int = 1) -> None:
    """`count` more grants, made in bulk as the bench makes them: decisions of ten
    allocations each, published, to the example's partners."""
    year = FinancialYear.objects.order_by("starts").first()
    assert year is not None
    partners = list(Organisation.objects.exclude(kind="opcc").order_by("id")[:7])
    for n in range(first, first + count // 10):
        record = DecisionRecord.objects.create(
            reference=f"EXE {n:04d}/39",
            slug=f"exe-{n:04d}-39",
            number_year=2039,
            number=n,
            title=f"Grants decision {n}",
            status=Status.PUBLISHED,
            decision_date=dt.date(2039, 1, 1) + dt.timedelta(days=n),
        )
        links = []
        for i in range(10):
            allocation = Allocation.objects.create(year=year, reference=f"T39-{n:04d}-{i}")
            AllocationVersion.objects.create(
                allocation=allocation,
                number=1,
                organisation=partners[i % len(partners)],
                initiative=f"Project {i}",
                mechanism="pcc_grant",
                status="committed",
                total=Decimal("1000.25"),
            )
            links.append(
                Link(
                    kind="allocation",
                    reference=allocation.reference,
                    recipient=partners[i % len(partners)].name,
                    description=f"Project {i} of decision {n}",
                    amount=Decimal("1000.25"),
                    year=year.label,
                    purpose=f"Project {i}",
                    mechanism="PCC Grant",
                )
            )
        doc = DecisionDocument(
            reference=record.reference,
            title=record.title,
            status="Published",
            decision_date=record.decision_date,
            officers_present="",
            received_on=None,
            sections=(Section("summary", "Summary of issue", "Grants. " * 50),),
            links=tuple(links),
            assessment=None,
            approval=None,
            approval_note="",
            pcc_signature=None,
            determination=None,
            public=True,
            url=f"/register/decisions/{record.slug}/",
        )
        version = PublishedVersion.objects.create(
            record=record,
            content=serialise.to_dict(doc),
            search_text=doc.text().lower(),
            published_at=timezone.now(),
        )
        PublishedGrant.objects.bulk_create(grant_rows(version, doc))


@pytest.fixture
def small_chunks(monkeypatch):
    """Read a few rows at a time, so that the example alone spans many chunks."""
    monkeypatch.setattr(giving, "CHUNK", 7)
    monkeypatch.setattr(register, "GRANT_CHUNK", 7)
    monkeypatch.setattr(register, "DECODE_CHUNK", 3)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


DOWNLOADS = [
    "/register/360giving.json",
    "/register/360giving.csv",
    "/register/360giving.xlsx",
    "/register/grants.csv",
    "/register/grants.xlsx",
    "/register/grants.json",
    "/register/decisions.csv",
    "/register/decisions.json",
]


def _queries_and_sizes(client) -> dict[str, tuple[int, int]]:
    out = {}
    for url in DOWNLOADS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200, url
            body = _body(response)
        out[url] = (len(queries), len(body))
    return out


def test_the_queries_do_not_grow_with_the_grants(client, small_chunks):
    """Each download costs the same number of queries with 100 more grants (and read seven
    rows at a time), while its file grows."""
    before = _queries_and_sizes(client)
    publish_grants(100)
    after = _queries_and_sizes(client)
    for url in DOWNLOADS:
        assert after[url][0] == before[url][0], (url, before[url][0], after[url][0])
        assert after[url][1] > before[url][1], url
    assert max(q for q, _ in after.values()) < 20


def test_the_360giving_export_has_every_new_grant_once(small_chunks):
    """The grants read in chunks are all there, newest decision first, none twice."""
    start = len(giving.grants())
    publish_grants(30)
    content = giving.giving_file("json", now=timezone.now())
    assert not hasattr(content, "read")
    grants = json.loads("".join(content))["grants"]
    ids = [g["id"] for g in grants]
    assert len(ids) == len(set(ids)) == start + 30
    assert ids[:3] == [f"360G-opcc-llr-t39-0003-{i}" for i in range(3)]


def test_no_decision_document_is_read_for_a_grant(client):
    """The grants' downloads never select a decision's public document (its content); the
    decisions' own downloads must, and do."""
    for url in DOWNLOADS:
        with CaptureQueriesContext(connection) as queries:
            _body(client.get(url))
        reads_content = [q["sql"] for q in queries if '"content"' in q["sql"]]
        if "/decisions." in url:
            assert reads_content, url
        else:
            assert not reads_content, (url, reads_content[:1])


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/register/360giving.json", "streaming"),
        ("/register/360giving.csv", "streaming"),
        ("/register/360giving.xlsx", "file"),
        ("/register/grants.csv", "streaming"),
        ("/register/grants.json", "streaming"),
        ("/register/grants.xlsx", "file"),
        ("/register/decisions.csv", "streaming"),
        ("/register/decisions.json", "streaming"),
    ],
)
def test_the_downloads_stream(client, url, kind):
    """The big downloads are sent as they are written (text) or from a temporary file
    (XLSX), as attachments with their own names."""
    response = client.get(url)
    assert response.streaming
    assert (type(response).__name__ == "FileResponse") == (kind == "file")
    if "decisions.json" not in url:
        name = url.rsplit("/", 1)[1]
        if "360giving" in url:
            name = name.replace("360giving", "360giving-grants")
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert _body(response)


def test_no_grants_is_still_a_404_before_anything_is_sent(client, monkeypatch):
    """With nothing published, the 360Giving download is a 404, not a broken stream (the
    example's grants are append-only, so the register's rows are taken as none)."""
    monkeypatch.setattr(giving, "_published_rows", PublishedGrant.objects.none)
    response = client.get("/register/360giving.csv")
    assert response.status_code == 404


def test_two_grants_with_one_identifier_are_refused_before_writing():
    """Two references that make one 360Giving identifier are refused at once, before the
    first piece of the file, as the whole package was."""
    row = PublishedGrant.objects.filter(amount__gt=0, decision_date__isnull=False).first()
    assert row is not None
    twin = PublishedGrant.objects.filter(pk=row.pk).values()[0]
    for field in ("id", "uuid", "created_at"):
        twin.pop(field)
    twin.update(position=999, reference=row.reference.upper() + "//")
    PublishedGrant.objects.bulk_create([PublishedGrant(**twin)])
    with pytest.raises(ValueError, match="two grants have the identifier"):
        giving.giving_file("csv")


def test_a_list_of_records_is_still_one_whole_response():
    """Given its records as a list, the download helper answers with the whole file, as
    before; given an iterator, it streams."""
    columns = ["name", "amount"]
    rows = [{"name": "A", "amount": Decimal("1.50")}]
    whole = downloads.table_response(columns, rows, fmt="csv", name="t", title="T")
    streamed = downloads.table_response(columns, iter(rows), fmt="csv", name="t", title="T")
    assert not whole.streaming and streamed.streaming
    assert whole.content == b"".join(streamed.streaming_content) == b"name,amount\nA,1.50\n"


@pytest.mark.parametrize("count", [0, 1, 501, 1200])
def test_the_streamed_table_is_the_whole_table(count):
    """CSV and JSON written in pieces are the text written whole, at any number of rows
    (none, one, across a piece's edge)."""
    columns = ["name", "amount", "when"]
    rows = [
        {"name": f"Row {n} \u00e9", "amount": Decimal(n) / 4, "when": dt.date(2020, 1, 1)}
        for n in range(count)
    ]
    whole_json = json.dumps(
        {
            "title": "T",
            "columns": columns,
            "rows": [
                {"name": r["name"], "amount": f"{r['amount']:.2f}", "when": "2020-01-01"}
                for r in rows
            ],
        },
        indent=2,
        ensure_ascii=False,
    )
    assert "".join(downloads.json_chunks(columns, iter(rows), title="T")) == whole_json
    whole_csv = "name,amount,when\n" + "".join(
        f"{r['name']},{r['amount']:.2f},2020-01-01\n" for r in rows
    )
    assert "".join(downloads.csv_chunks(columns, iter(rows))) == whole_csv
