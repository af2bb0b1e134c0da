"""The demo's grants as 360Giving data, validated offline against the official schema."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from commissioning.decisions.giving import grants_package
from commissioning.opendata import giving360

pytestmark = pytest.mark.django_db


def test_the_demo_export_validates_with_no_errors():
    package = grants_package(base_url="https://opcc.example.org")
    assert len(package["grants"]) > 20
    assert giving360.validate(giving360.dumps(package)) == []
    assert giving360.geo_code_problems(package) == []


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
    assert giving360.validate(text) == []
    assert len(json.loads(text)["grants"]) == len(grants_package()["grants"])
    xlsx = tmp_path / "grants.xlsx"
    call_command("export", "360giving", "--format", "xlsx", "-o", str(xlsx))
    assert xlsx.read_bytes()[:2] == b"PK"


def test_decisions_export_insists_on_the_public_version(tmp_path):
    with pytest.raises(CommandError, match="--public"):
        call_command("export", "decisions", "-o", str(tmp_path / "x.json"))
