"""The year-end page and its forms, through the Django test client; the `year-end` CLI."""

from __future__ import annotations

import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.yearend.models import Collection, Receivable

pytestmark = pytest.mark.django_db


def page(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode() if status == 200 else ""


def test_the_cfo_sees_what_needs_them_and_the_figures_that_reconcile(
    client, cfo, ended, year, next_year
):
    closed = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    still_open = ended(spent=("2500", "2500"), paid=2, close=False)
    html = page(client, cfo, reverse("year-end", args=[year.slug]))
    assert "What needs you" in html
    assert "1 agreement still open" in html
    assert "1 allocation with underspend to collect" in html
    assert "The outturn agrees with the ledger" in html
    collect = reverse("underspend-collect", args=[closed.allocation.uuid])
    assert collect in html
    assert reverse("underspend-collect", args=[still_open.allocation.uuid]) not in html
    assert "Collect £2,500" in html
    assert f"agreement {closed.reference} (closed)" in html


def test_collecting_through_the_form(client, cfo, ended, year, next_year):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    url = reverse("underspend-collect", args=[agreement.allocation.uuid])
    client.force_login(cfo)
    events = AuditEvent.objects.count()
    form = client.get(url).content.decode()
    assert AuditEvent.objects.count() == events  # GET wrote nothing
    assert 'value="2500' in form  # the collectable amount, offered
    assert "£" in form and "Can be collected" in form
    bad = client.post(url, {"amount": "", "source": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Enter the amount to collect" in text and "Say where the underspend" in text
    too_much = client.post(url, {"amount": "2,600", "source": "Final return"})
    assert too_much.status_code == 400 and "£2,600 cannot be collected" in too_much.content.decode()
    done = client.post(url, {"amount": "2,500", "source": "Final return: £7,500 spent"})
    assert done.status_code == 302 and done.url == reverse("year-end", args=[year.slug])
    assert Collection.objects.get().amount == D("2500")
    html = client.get(done.url).content.decode()
    assert "Central pot: underspend of 2031/32" in html
    assert "Final return: £7,500 spent" in html


def test_owed_back_and_repaid_through_the_forms(client, cfo, ended, year, next_year):
    agreement = ended(spent=("1500", "1500", "1500", "1500"), paid=3)
    client.force_login(cfo)
    url = reverse("receivable-raise", args=[agreement.allocation.uuid])
    owed = sum(p.amount for p in agreement.payments.filter(status="paid")) - D("6000")
    response = client.post(url, {"amount": str(owed), "reason": "Q3 paid, not spent"})
    assert response.status_code == 302
    receivable = Receivable.objects.get()
    assert receivable.amount == owed
    repaid_url = reverse("repayment-record", args=[receivable.uuid])
    assert repaid_url in client.get(reverse("year-end", args=[year.slug])).content.decode()
    bad = client.post(repaid_url, {"received_on": "31/2/2026", "reference": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "reference" in text.lower() and "govuk-error-summary" in text
    good = client.post(repaid_url, {"received_on": "1/11/2026", "reference": "BACS-1"})
    assert good.status_code == 302
    receivable.refresh_from_db()
    assert receivable.repayment.reference == "BACS-1"


def test_the_panel_reads_the_year_end_without_actions_and_a_partner_cannot(
    client, user_with, ended, year, next_year, partner
):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    pcp = user_with(Role.POLICE_CRIME_PANEL)
    html = page(client, pcp, reverse("year-end", args=[year.slug]))
    assert "Outturn by allocation" in html
    assert "What needs you" not in html
    assert "/collect/" not in html
    page(client, pcp, reverse("underspend-collect", args=[agreement.allocation.uuid]), 403)
    page(client, partner, reverse("year-end", args=[year.slug]), 403)


def test_an_empty_year_says_what_will_appear(client, cfo, year):
    html = page(client, cfo, reverse("year-end", args=[year.slug]))
    assert "Nothing was committed in 2031/32" in html
    assert "no financial year after 2031/32" in html


def test_the_command_line_gives_each_allocation_and_the_totals(ended, cfo, year, next_year):
    agreement = ended(spent=("2500", "2500", "2500", "0"), paid=3)
    out = io.StringIO()
    call_command("year_end", "--year", "2031/32", "--format", "json", stdout=out)
    record = json.loads(out.getvalue())
    assert record["year"] == "2031/32"
    [row] = record["rows"]
    assert row["agreement"] == agreement.reference
    assert row["spent"] == "7500.00" and row["unspent"] == "2500.00"
    assert record["totals"]["committed"] == "10000.00"
    assert all(c["agrees"] for c in record["checks"])
    text = io.StringIO()
    call_command("year_end", "--year", "2031/32", stdout=text)
    assert "7,500.00" in text.getvalue() and "Committed with the ledger: agrees" in text.getvalue()
