"""A canary: text placed only in exempt parts appears on no public surface.

The record has the canary in its key discussion points (exempt, s.43), in the Equality
Impact Assessment (exempt, s.40), in the approver's assessment (not published, s.36) and in
a cited allocation's initiative and conditions (that item exempt, s.38). Every public
surface is fetched without signing in and searched, raw and decoded (PDF text, XLSX cells).
The same canary is on the staff page, so the test fails if it is never rendered at all.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from commissioning.decisions import services
from commissioning.decisions.status import Status
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db

CANARY = "Zanzibar-canary-7Q"


@pytest.fixture
def published_with_exempt_parts(officer, cfo, pcc, ceo, make_allocation):
    secret = make_allocation("12500", initiative=f"Refuge at {CANARY} Street")
    open_one = make_allocation("20000", initiative="Youth diversion in the open")
    record = services.record_create(
        actor=officer,
        title="Winter grants for community safety",
        summary="Partnerships asked for winter help.",
        recommendations="1. Approve the grants in the table.",
        discussion=f"The refuge's landlord is {CANARY}.",
        resolution="Accepted.",
    )
    services.link_add(
        actor=officer, record=record, targets=[secret], conditions=f"Keep {CANARY} secret"
    )
    services.link_add(actor=officer, record=record, targets=[open_one], reasons="Fewer crimes")
    services.assessment_save(
        actor=officer,
        record=record,
        plan_name="Winter grants",
        owner="Owner",
        completed_by="Officer",
        aim=f"To help victims at {CANARY}",
        characteristics=["sex"],
        decision="unchanged",
        marking="restricted",
        review_date="2027",
    )
    services.attachment_add(actor=officer, record=record, name="Schedule of grants.pdf", data=PDF)
    services.attachment_add(
        actor=officer, record=record, name=f"{CANARY} lease.pdf", data=PDF + b"% lease\n"
    )
    services.record_approve(actor=cfo, record=record, note=f"Advice from {CANARY} solicitors")
    services.record_sign(actor=pcc, record=record)
    R = services.RedactionRequest
    services.record_determine(
        actor=ceo,
        record=record,
        publish_record="part",
        publish_assessment="no",
        publish_details="part",
        redactions=[
            R("discussion", "foi_s43", "Commercial interests of the landlord"),
            R("assessment", "foi_s40", "Personal information about victims"),
            R("link:1", "foi_s38", "The refuge's location would endanger residents"),
            R("attachment:2", "foi_s43", "The lease is commercially confidential"),
        ],
        exemption="foi_s36",
        reasons="Free and frank advice",
    )
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    return record


def _text_of(response) -> str:
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in kind:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(body))
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return body.decode()


def test_the_staff_surfaces_do_show_the_canary(client, published_with_exempt_parts, officer):
    client.force_login(officer)
    slug = published_with_exempt_parts.slug
    assert CANARY in _text_of(client.get(f"/decisions/{slug}/"))
    assert CANARY in _text_of(client.get(f"/decisions/{slug}.pdf"))


def test_no_public_surface_shows_the_canary(client, published_with_exempt_parts):
    slug = published_with_exempt_parts.slug
    year = "2031-32"
    urls = [
        "/register/",
        "/register/decisions/",
        "/register/decisions/?q=landlord",
        f"/register/decisions/{slug}/",
        f"/register/decisions/{slug}.pdf",
        f"/register/decisions/{slug}.json",
        "/register/decisions.csv",
        "/register/decisions.xlsx",
        "/register/decisions.json",
        f"/register/decisions.csv?q={CANARY}",
        "/register/decisions/feed.json",
        "/register/grants/",
        "/register/grants.csv",
        "/register/grants.xlsx",
        "/register/360giving.json",
        "/register/360giving.xlsx",
        "/register/360giving.csv",
        f"/register/allocations/{year}/",
        f"/register/allocations/{year}.csv",
        f"/register/allocations/{year}.xlsx",
        f"/register/contracts/{year}/",
        "/register/forward-plan/",
        "/api/openapi.json",
        "/api/register/decisions",
        f"/api/register/decisions/{slug}",
    ]
    seen = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text_of(response)
        assert CANARY not in text, url
        assert "Zanzibar" not in text, url
        seen += len(text)
    assert seen > 100_000  # the surfaces really rendered something


def test_the_public_version_lists_what_was_withheld(client, published_with_exempt_parts):
    response = client.get(f"/register/decisions/{published_with_exempt_parts.slug}.json")
    data = response.json()
    parts = {e["part"]: e["exemption"] for e in data["exemptions"]}
    assert parts["Key discussion points"].startswith("FOI Act 2000 s.43")
    assert parts["Equality Impact Assessment"].startswith("FOI Act 2000 s.40")
    assert parts["Item 1 of what the decision funds"].startswith("FOI Act 2000 s.38")
    assert [s["key"] for s in data["sections"]] == ["summary", "recommendations", "resolution"]
    assert [link["description"] for link in data["links"]] == ["Youth diversion in the open"]
    assert data["assessment"] is None and data["approval_note"] == ""
    page = client.get(f"/register/decisions/{published_with_exempt_parts.slug}/").content.decode()
    assert "Parts not published" in page and "Commercial interests of the landlord" in page


def test_search_finds_public_words_but_not_exempt_ones(client, published_with_exempt_parts):
    found = client.get("/register/decisions/?q=winter+partnerships").content.decode()
    assert published_with_exempt_parts.reference in found
    hidden = client.get("/register/decisions/?q=landlord").content.decode()
    assert published_with_exempt_parts.reference not in hidden
    # the page echoes the words searched for, so count the results instead
    assert "0 decisions matching" in client.get(f"/register/decisions/?q={CANARY}").content.decode()
    grants = client.get(f"/register/grants/?q={CANARY}").content.decode()
    assert "0 grants" in grants


def test_the_withheld_allocation_is_counted_but_not_named(client, published_with_exempt_parts):
    page = client.get("/register/allocations/2031-32/").content.decode()
    assert "Withheld under Freedom of Information exemptions (1 item)" in page
    assert "£12,500" in page  # the year's figures still add up: the withheld amount is shown
    assert "£32,500" in page  # total of the year


def test_command_line_exports_leave_out_the_canary(published_with_exempt_parts, tmp_path):
    for fmt in ("json", "csv"):
        out = tmp_path / f"decisions.{fmt}"
        call_command("export", "decisions", "--public", "--format", fmt, "-o", str(out))
        text = out.read_text(encoding="utf-8")
        assert published_with_exempt_parts.reference in text
        assert CANARY not in text
    out = tmp_path / "grants.json"
    call_command("export", "360giving", "-o", str(out))
    package = json.loads(out.read_text(encoding="utf-8"))
    assert CANARY not in out.read_text(encoding="utf-8")
    assert any(
        g.get("decisionReference") == published_with_exempt_parts.reference
        for g in package["grants"]
    )


def test_only_the_published_attachments_can_be_downloaded(
    client, published_with_exempt_parts, officer
):
    slug = published_with_exempt_parts.slug
    shown = client.get(f"/register/decisions/{slug}/attachments/1/")
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == PDF
    assert "Schedule of grants.pdf" in shown["Content-Disposition"]
    assert client.get(f"/register/decisions/{slug}/attachments/2/").status_code == 404
    client.force_login(officer)
    staff = client.get(f"/decisions/{slug}/attachments/2/")
    assert staff.status_code == 200 and CANARY in staff["Content-Disposition"]


def test_attachments_are_checked_like_applicants_files(officer, draft):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="file"):
        services.attachment_add(actor=officer, record=draft, name="macro.exe", data=b"MZ\x90\x00")
    with pytest.raises(ValidationError):
        services.attachment_add(actor=officer, record=draft, name="../../etc/passwd.pdf", data=PDF)
    assert not draft.attachments.exists()


def test_the_monitoring_officer_is_warned_of_a_marked_assessment(client, officer, cfo, pcc, ceo):
    record = services.record_create(actor=officer, title="Marked", summary="s", recommendations="r")
    services.assessment_save(
        actor=officer,
        record=record,
        plan_name="P",
        owner="O",
        completed_by="C",
        aim="A",
        decision="unchanged",
        marking="restricted",
        review_date="2027",
    )
    services.record_approve(actor=cfo, record=record)
    services.record_sign(actor=pcc, record=record)
    client.force_login(ceo)
    page = client.get(f"/decisions/{record.slug}/determine/").content.decode()
    assert "marked Restricted: consider marking it exempt" in page
