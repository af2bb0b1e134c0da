"""The demo's grants as 360Giving data, validated offline against the official schema."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.management import CommandError, call_command

from commissioning.decisions import services
from commissioning.decisions.giving import grants_package, org_id_problems, publisher_prefix
from commissioning.opendata import giving360, validation
from commissioning.organisations.models import Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


def test_the_demo_export_validates_with_no_errors():
    package = grants_package(base_url="https://opcc.example.org")
    assert len(package["grants"]) > 20
    assert validation.validate(giving360.dumps(package)) == []
    assert validation.geo_code_problems(package) == []


def test_identifiers_locations_and_classifications():
    package = grants_package()
    grants = package["grants"]
    recipients = {g["recipientOrganization"][0]["id"] for g in grants}
    assert any(r.startswith("GB-LAE-") for r in recipients), recipients
    codes = {loc["geoCode"] for g in grants for loc in g.get("beneficiaryLocation", [])}
    assert any(c.startswith("E22") for c in codes), codes  # partnerships by their CSP code
    assert any(c.startswith("E07") for c in codes), codes  # and districts
    vocabularies = {c["vocabulary"] for g in grants for c in g.get("classifications", [])}
    assert "Police and Crime Plan strategic priority" in vocabularies
    assert all(g["decisionReference"].startswith("EXE ") for g in grants)


def test_the_command_writes_a_valid_file(tmp_path):
    out = tmp_path / "grants.json"
    call_command("export", "360giving", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert validation.validate(text) == []
    assert len(json.loads(text)["grants"]) == len(grants_package()["grants"])
    xlsx = tmp_path / "grants.xlsx"
    call_command("export", "360giving", "--format", "xlsx", "-o", str(xlsx))
    assert xlsx.read_bytes()[:2] == b"PK"


def test_decisions_export_insists_on_the_public_version(tmp_path):
    with pytest.raises(CommandError, match="--public"):
        call_command("export", "decisions", "-o", str(tmp_path / "x.json"))


@pytest.fixture
def publish_grants_to(make_allocation, officer, sign_off):
    """Publish a decision granting £1,500 to each organisation given."""

    def publish(*organisations: Organisation) -> None:
        allocations = [
            make_allocation("1500", organisation=o, initiative=f"Work of {o.name}")
            for o in organisations
        ]
        record = services.record_create(
            actor=officer, title="Grants to named groups", summary="s", recommendations="r"
        )
        services.link_add(actor=officer, record=record, targets=allocations)
        sign_off(record)

    return publish


def _organisation(key: str, name: str, kind: str, **fields) -> Organisation:
    return Organisation.objects.create(key=key, name=name, kind=kind, **fields)


def _recipient_ids(package) -> dict[str, str]:
    return {
        g["recipientOrganization"][0]["name"]: g["recipientOrganization"][0]["id"]
        for g in package["grants"]
    }


def test_any_org_id_an_organisation_carries_identifies_it(publish_grants_to):
    publish_grants_to(
        _organisation("t-chc", "Test Trust", OrganisationKind.CHARITY, org_id="GB-CHC-1234567"),
        _organisation("t-coh", "Test Company", OrganisationKind.COMPANY, org_id="gb-coh-01234567"),
        _organisation("t-edu", "Test School", OrganisationKind.OTHER, org_id="GB-EDU-123456"),
        _organisation("t-plain", "Plain Group", OrganisationKind.OTHER),
    )
    package = grants_package(base_url="https://opcc.example.org")
    ids = _recipient_ids(package)
    assert ids["Test Trust"] == "GB-CHC-1234567"
    assert ids["Test Company"] == "GB-COH-01234567"
    assert ids["Test School"] == "GB-EDU-123456"
    assert ids["Plain Group"] == f"{publisher_prefix()}-t-plain"
    assert validation.validate(giving360.dumps(package)) == []


def test_an_org_id_that_is_not_one_falls_back_and_is_reported(publish_grants_to, caplog):
    publish_grants_to(
        _organisation(
            "t-bad",
            "Badly Identified Trust",
            OrganisationKind.CHARITY,
            charity_number="1123456",
            org_id="CHC 1123456",
        ),
        _organisation("t-worse", "Unregistered Group", OrganisationKind.OTHER, org_id="12345"),
    )
    with caplog.at_level(logging.WARNING, logger="commissioning.decisions.giving"):
        package = grants_package()
    ids = _recipient_ids(package)
    assert ids["Badly Identified Trust"] == "GB-CHC-1123456"
    assert ids["Unregistered Group"] == f"{publisher_prefix()}-t-worse"
    assert "Badly Identified Trust" in caplog.text and "Unregistered Group" in caplog.text
    problems = org_id_problems()
    assert [p.split(":")[0] for p in problems] == ["Badly Identified Trust", "Unregistered Group"]
    assert validation.validate(giving360.dumps(package)) == []
