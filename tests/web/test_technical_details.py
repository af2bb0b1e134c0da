"""Hashes stay off the body of a page: a decision record's fingerprint, a formula run's
fingerprints, an agreement's terms and the public needs-based allocation page each show
plain words, and the whole value inside a GOV.UK "Technical details" disclosure, where
auditors still find it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from commissioning.agreements import services as agreements
from commissioning.budgets.models import Status
from commissioning.budgets.selectors import year_get
from commissioning.core.roles import Role
from commissioning.decisions import services as decisions
from commissioning.examples.formula_demo import scheme_run_ensure
from commissioning.formula import services as formula
from tests.agreements.conftest import ready

pytestmark = pytest.mark.django_db

DETAILS = re.compile(r"<details\b.*?</details>", re.S)


def split(html: str) -> tuple[str, list[str]]:
    """The page without its disclosures, and its "Technical details" disclosures."""
    main = html.split('id="main-content"', 1)[-1]
    technical = [d for d in DETAILS.findall(main) if "Technical details" in d]
    return DETAILS.sub("", main), technical


def assert_behind_details(html: str, value: str) -> None:
    body, technical = split(html)
    assert technical, "no Technical details disclosure on the page"
    assert any(value in d for d in technical), "the value is not in the disclosure"
    assert value[:12] not in body, "the value (or its start) shows on the page itself"
    assert "sha256" not in body.lower() and "hash" not in body.lower()


def test_a_decision_records_fingerprint_is_behind_technical_details(client, officer, cfo):
    record = decisions.record_create(
        actor=officer,
        title="Grants for the winter",
        on=dt.date(2026, 11, 2),
        officers_present="A Officer",
        summary="Three partnerships asked for help.",
        recommendations="1. Approve the grants.",
        discussion="Discussed.",
        resolution="Accepted.",
    )
    decisions.record_approve(actor=cfo, record=record, note="Affordable.")
    record.refresh_from_db()
    client.force_login(cfo)
    html = client.get(reverse("decision", args=[record.slug])).content.decode()
    assert "The content was frozen when the record was approved" in html
    assert_behind_details(html, record.snapshot.sha256)
    # its history reads in words, with a link to the full history and its codes
    body, _ = split(html)
    assert "Approved a decision record for the Commissioner" in body
    assert "Drafted a decision record" in body
    assert "decision.approved" not in body and "decision.create" not in body
    history = reverse("history", args=["decisions.DecisionRecord", record.uuid])
    assert f'href="{history}"' in body


def test_a_formula_runs_fingerprints_are_behind_technical_details(client, officer):
    run = scheme_run_ensure()
    client.force_login(officer)
    html = client.get(reverse("formula-run", args=[run.uuid])).content.decode()
    assert "byte-for-byte identical" in split(html)[0]
    assert_behind_details(html, run.output_hash)
    assert_behind_details(html, run.inputs["crime_data_hash"])
    assert_behind_details(html, run.inputs["harm_weights"]["hash"])
    body, _ = split(html)
    assert run.inputs["harm_weights"]["name"] in body  # the inputs themselves, in words


def test_the_agreement_terms_fingerprint_is_behind_technical_details(
    client, officer, make_allocation
):
    allocation = make_allocation("10000", status=Status.COMMITTED)
    agreement = ready(agreements.agreement_draft(actor=officer, allocation=allocation), officer)
    terms = agreements.agreement_issue(actor=officer, agreement=agreement)
    client.force_login(officer)
    html = client.get(reverse("agreement", args=[agreement.uuid])).content.decode()
    assert "Version 1, issued" in html
    assert_behind_details(html, terms.sha256)


def test_the_public_needs_based_allocation_page_keeps_the_fingerprint_behind_details(
    client, officer, year
):
    run = formula.formula_run_create(
        actor=officer,
        req=formula.RunRequest(
            year=year_get("2023/24"),
            pot=D("639675"),
            weights={"harm": D(65), "rate": D(20), "population": D(15)},
            title="Disclosure test run",
        ),
    )
    formula.formula_run_adopt(actor=officer, run=run, year=year)
    html = client.get(reverse("register-formula")).content.decode()
    assert f"Run {run.reference}." in html
    assert_behind_details(html, run.output_hash)


def test_a_partner_sees_no_fingerprint_of_the_terms(
    client, officer, make_allocation, user_with, organisation
):
    """The terms' fingerprint is for staff: the partner's page has no disclosure of it."""
    allocation = make_allocation("10000", status=Status.COMMITTED)
    agreement = ready(agreements.agreement_draft(actor=officer, allocation=allocation), officer)
    terms = agreements.agreement_issue(actor=officer, agreement=agreement)
    partner = user_with(Role.PARTNER, organisation=organisation)
    client.force_login(partner)
    html = client.get(reverse("agreement", args=[agreement.uuid])).content.decode()
    assert "Version 1, issued" in html and terms.sha256 not in html
