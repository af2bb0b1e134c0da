"""The agreement PDF: the terms as issued (or a draft's, marked DRAFT), in the papers' plain
style, with the partner's signature once they accept; only to those who may see it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from commissioning.agreements import payments, services
from commissioning.agreements.pdf import agreement_pdf
from commissioning.agreements.terms import terms_document
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation

from .conftest import ready

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return " ".join(out.split())


def download(client, user, agreement):
    client.force_login(user)
    return client.get(reverse("agreement-pdf", args=[agreement.uuid]))


def issued(draft, officer):
    agreement = ready(draft("10000", retention_percent=10), officer)
    services.condition_add(
        actor=officer, agreement=agreement, kind="precedent", text="A safeguarding policy"
    )
    payments.payment_schedule_advance(
        actor=officer,
        payment=agreement.payments.get(number=1),
        agreed="Agreed at the panel",
        need="Hiring before the start",
        necessary="No reserves",
    )
    services.agreement_issue(actor=officer, agreement=agreement)
    return agreement


def test_the_pdf_is_served_inline_as_a_pdf(client, draft, officer):
    agreement = issued(draft, officer)
    response = download(client, officer, agreement)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="AG-2031-32-')
    assert response.content.startswith(b"%PDF") and b"/Lang (en-GB)" in response.content


@needs_poppler
def test_the_issued_pdf_prints_the_terms_and_then_the_signature(client, draft, officer, partner):
    agreement = issued(draft, officer)
    text = pdf_text(download(client, officer, agreement).content)
    assert "GRANT AGREEMENT" in text
    assert "Terms version 1, issued on" in text
    assert agreement.reference in text and "Test Charity (the partner)" in text
    assert "£10,000" in text
    assert "10% held back until the final return is accepted" in text
    assert "Outcome 1: Fewer young people reoffend" in text
    assert "Young people supported" in text
    assert "Condition 1 A safeguarding policy Before the first payment" in text
    assert "Q1 2031/32" in text and "14 July 2031" in text
    assert "In advance" in text and "Hiring before the start" in text
    assert "(retention)" in text and "£1,000" in text
    assert "Not yet signed" in text and "DRAFT" not in text

    services.agreement_accept(
        actor=partner, agreement=agreement, name="Pat Partner", position="Director"
    )
    signed = pdf_text(download(client, partner, agreement).content)
    assert "Signed electronically by Pat Partner" in signed
    assert "Director" in signed and "Not yet signed" not in signed


@needs_poppler
def test_a_drafts_pdf_is_its_terms_now_marked_draft(client, draft, officer):
    agreement = ready(draft(), officer)
    text = pdf_text(download(client, officer, agreement).content)
    assert "DRAFT" in text and "Draft terms: not yet issued to the partner" in text
    assert "Fewer young people reoffend" in text


@needs_poppler
def test_the_pdf_is_the_issued_version_not_later_edits(client, draft, officer):
    """The PDF prints the frozen terms: a change made after a withdrawal shows only in the
    draft's PDF until it is issued again."""
    agreement = issued(draft, officer)
    services.agreement_withdraw(actor=officer, agreement=agreement, reason="Amend")
    services.agreement_update(actor=officer, agreement=agreement, title="A new title")
    assert "A new title" in pdf_text(download(client, officer, agreement).content)
    services.agreement_issue(actor=officer, agreement=agreement)
    text = pdf_text(download(client, officer, agreement).content)
    assert "Terms version 2" in text and "A new title" in text


def test_another_organisations_partner_gets_404(client, draft, officer, user_with):
    agreement = issued(draft, officer)
    stranger = user_with(
        Role.PARTNER, organisation=Organisation.objects.get(key="leicester-city-council")
    )
    assert download(client, stranger, agreement).status_code == 404


@needs_poppler
def test_a_long_agreement_still_fits_its_tables(draft, officer):
    """Twelve quarters of targets and profiles lay out (rows by period, so nothing runs off
    the page)."""
    import datetime as dt

    agreement = draft(ends_on=dt.date(2034, 3, 31))
    numbers = [p.number for p in agreement.periods.all()]
    services.outcome_add(
        actor=officer,
        agreement=agreement,
        title="Long",
        measures=[{"name": "Sessions", "unit": "count", "targets": {n: "5" for n in numbers}}],
    )
    text = pdf_text(agreement_pdf(terms_document(agreement), draft=True))
    assert "Q4 2033/34" in text and "Sessions" in text
