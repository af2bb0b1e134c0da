"""The read-only JSON API and its OpenAPI document."""

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_read_endpoints(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["info"]["title"] == "Commissioning API"
    paths = set(doc["paths"])
    assert {
        "/api/plan",
        "/api/years",
        "/api/years/{year}/position",
        "/api/years/{year}/allocations",
    } <= paths
    assert all(set(ops) == {"get"} for ops in doc["paths"].values()), "the API only reads"


def test_plan_is_public(client):
    data = client.get("/api/plan").json()
    assert [t["number"] for t in data["themes"]] == [1, 2, 3, 4]
    assert sum(len(t["priorities"]) for t in data["themes"]) == 17


def test_position_and_tables_as_json(client, officer):
    client.force_login(officer)
    pos = client.get("/api/years/2016-17/position").json()
    assert (pos["pot"], pos["committed"], pos["indicative"], pos["reserve"]) == (
        "4611000.00",
        "3919983.00",
        "332000.00",
        "359017.00",
    )
    table = client.get("/api/years/2013-14/tables/organisation").json()
    last = {r["row_type"]: r for r in table["rows"]}
    # The table is cash: 000 Table 1's £284,100 of police support in kind is not in it, so the
    # pot less the table leaves £292,892 (the paper's £8,794 counts the support as cash).
    assert (
        last["unallocated"]["total"] == "292892.00" and last["grand_total"]["total"] == "3249023.00"
    )
    assert client.get("/api/years/2013-14/tables/colour").status_code == 404
    assert client.get("/api/years/1999-00/position").status_code == 404


def test_reconciliation_as_json(client, officer):
    client.force_login(officer)
    data = client.get("/api/years/2013-14/reconciliation").json()
    assert data["count"] == len(data["findings"]) > 0
    assert {"kind", "where", "stated", "computed", "difference", "note"} <= set(data["findings"][0])
