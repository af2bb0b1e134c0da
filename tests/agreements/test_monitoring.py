"""The suggested RAG (its thresholds, one by one) and the officer's monitoring view: every
agreement with its money, returns, rating and held payments, late returns first, filters,
CSV and XLSX of the filtered rows, and the same number of queries for 3 agreements as 12."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from commissioning.agreements import monitoring, returns, services
from commissioning.agreements.rag import AMBER, GREEN, RED, MeasureFigure, suggest
from commissioning.budgets import services as budget_services
from commissioning.budgets.models import Mechanism, Status
from commissioning.plans.models import Theme

from .conftest import accept_return, ready

pytestmark = pytest.mark.django_db


# --- the suggested rating -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("spent", "rag"),
    [
        ("100", GREEN),
        ("75", GREEN),  # exactly 25% under: not more than 25%
        ("125", GREEN),
        ("74.99", AMBER),
        ("125.01", AMBER),
        ("50.01", AMBER),
        ("50", RED),  # 50% under is red
        ("150", RED),
        ("0", RED),
    ],
)
def test_spend_against_profile_sets_the_rating_either_way(spent, rag):
    assert suggest(D(spent), D("100"), []).rag == rag


@pytest.mark.parametrize(
    ("actual", "rag"),
    [("10", GREEN), ("7.5", GREEN), ("7.4", AMBER), ("5", AMBER), ("4.9", RED), ("20", GREEN)],
)
def test_a_measure_under_target_sets_the_rating(actual, rag):
    assert suggest(D("100"), D("100"), [MeasureFigure("People", D(actual), D("10"))]).rag == rag


def test_the_worst_wins_and_each_reason_is_said_in_words():
    got = suggest(
        D("70"),
        D("100"),
        [MeasureFigure("People", D("4"), D("10")), MeasureFigure("Hours", D("9"), D("10"))],
    )
    assert got.rag == RED
    assert got.reasons == [
        "Spend of £70 is 30% under the profile of £100 (more than 25% off is amber)",
        "People: 4 against a target of 10 (40% of target); under 50% is red",
    ]
    assert "more than 25% under or over its profile" in got.rule


def test_no_profile_no_target_and_no_actual_are_handled():
    assert suggest(D("0"), D("0"), [MeasureFigure("People", None, D("10"))]).rag == GREEN
    assert suggest(D("0"), D("0"), [MeasureFigure("People", D("0"), None)]).rag == GREEN
    assert suggest(D("0"), D("0"), [MeasureFigure("People", D("0"), D("0"))]).rag == GREEN
    spent_unprofiled = suggest(D("10"), D("0"), [])
    assert spent_unprofiled.rag == RED and "nothing was profiled" in spent_unprofiled.reasons[0]


# --- the monitoring view ------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def past(active, amount="10000", **kw):
    """An accepted agreement for 2025/26, whose four returns were all due before today."""
    return active(amount, starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2026, 3, 31), **kw)


def submit(period, partner, spent):
    agreement = period.agreement
    returns.return_save(
        actor=partner,
        period=period,
        spend={c.pk: spent for c in agreement.budget_categories.all()},
        actuals={m.pk: "10" for o in agreement.outcomes.all() for m in o.measures.all()},
        partner_rag="green",
    )
    returns.return_submit(actor=partner, period=period)


def rows(**filters):
    return monitoring.monitoring(monitoring.Filters(**filters), timezone.localdate())


def test_each_row_has_its_money_returns_rating_and_held_payments(active, partner, officer):
    on_time = active("8000")
    late = past(active)
    first, second = late.periods.get(number=1), late.periods.get(number=2)
    accept_return(first, partner, officer, spent=D("2000"))
    submit(second, partner, "1000")
    today = timezone.localdate()
    by_ref = {r.agreement.reference: r for r in rows()}
    row = by_ref[late.reference]
    assert (row.maximum_sum, row.paid) == (D("10000"), D("0"))
    assert row.reported == D("3000.00")  # the accepted and the submitted return
    assert row.profiled == D("10000.00")  # every quarter of 2025/26 has ended
    assert row.late_count == 2  # Q3 and Q4 not in
    assert row.worst_late == (today - late.periods.get(number=3).due_on).days
    assert row.rag == "green" and row.next_due is None
    # Q2 to Q4's instalments are due and held (their returns are not accepted); Q1's is not
    assert row.held == 3 and "Instalment 2" in row.held_reasons[0]
    fresh = by_ref[on_time.reference]
    assert fresh.late_count == 0 and fresh.next_due == on_time.periods.get(number=1).due_on
    assert fresh.rag == "" and fresh.held == 0 and fresh.profiled == D("0.00")


def test_late_returns_come_first_the_longest_overdue_first(active, draft):
    on_time = active("1000")
    later = active("2000", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    oldest = past(active, "3000")
    order = [r.agreement.reference for r in rows()]
    assert order.index(oldest.reference) < order.index(later.reference)
    assert order.index(later.reference) < order.index(on_time.reference)


def test_a_draft_agreements_periods_are_never_late(draft):
    agreement = draft(starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2026, 3, 31))
    (row,) = [r for r in rows() if r.agreement.pk == agreement.pk]
    assert row.late_count == 0 and row.next_due is None


def test_the_database_and_the_rule_agree_on_what_is_late(active, partner, officer):
    agreement = past(active)
    submit(agreement.periods.get(number=1), partner, "0")
    today = timezone.localdate()
    annotated = monitoring.monitoring_queryset(monitoring.Filters(), today).get(pk=agreement.pk)
    (row,) = [r for r in rows() if r.agreement.pk == agreement.pk]
    assert annotated.late_count == row.late_count == 3
    assert annotated.oldest_late == agreement.periods.get(number=2).due_on


def test_filters_by_mechanism_theme_priority_and_rating(active, partner, officer):
    theme = Theme.objects.filter(priorities__isnull=False).first()
    priority = theme.priorities.first()

    def accepted(allocation):
        agreement = ready(services.agreement_draft(actor=officer, allocation=allocation), officer)
        services.agreement_issue(actor=officer, agreement=agreement)
        services.agreement_accept(actor=partner, agreement=agreement, name="P", position="D")
        return agreement

    def allocation(**kw):
        return budget_services.allocation_create(
            actor=officer,
            year=plain.allocation.year,
            amounts={"FY": "4000"},
            organisation=plain.organisation,
            initiative=f"Initiative {len(kw)}",
            status=Status.COMMITTED,
            **{"mechanism": Mechanism.PCC_GRANT, **kw},
        )

    plain = active("1000")
    themed = accepted(allocation(theme=theme, primary_priority=priority))
    innovative = accepted(allocation(mechanism=Mechanism.INNOVATION_FUND))
    accept_return(innovative.periods.get(number=1), partner, officer)

    def refs(**f):
        return {r.agreement.reference for r in rows(**f)}

    assert refs(mechanism=Mechanism.INNOVATION_FUND) == {innovative.reference}
    assert refs(theme=str(theme.uuid)) == {themed.reference}
    assert refs(priority=str(priority.uuid)) == {themed.reference}
    assert refs(rag="green") == {innovative.reference}
    assert refs(rag="none") == {plain.reference, themed.reference}
    assert refs(theme="not-a-uuid") == set()
    assert refs(round="no-such-round") == set()


def test_only_officers_and_the_cfo_see_the_monitoring_view(active, officer, cfo, partner):
    active()
    assert signed_in(officer).get(reverse("monitoring")).status_code == 200
    assert signed_in(cfo).get(reverse("monitoring")).status_code == 200
    assert signed_in(partner).get(reverse("monitoring")).status_code == 403
    assert Client().get(reverse("monitoring")).status_code == 302
    download = reverse("monitoring-download", args=["csv"])
    assert signed_in(partner).get(download).status_code == 403


def test_the_page_shows_the_rows_late_first_with_their_figures(active, officer):
    on_time = active("1000")
    late = past(active, "3000")
    page = signed_in(officer).get(reverse("monitoring")).content.decode()
    assert page.index(late.reference) < page.index(on_time.reference)
    assert "4 late" in page and "£3,000" in page and "Next due" in page
    assert reverse("agreement", args=[late.uuid]) in page


def test_csv_and_xlsx_carry_the_filtered_rows(active, officer, partner):
    plain = active("1000")
    rated = active("2000")
    accept_return(rated.periods.get(number=1), partner, officer)
    client = signed_in(officer)
    response = client.get(reverse("monitoring-download", args=["csv"]), {"rag": "green"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["Reference"] for r in records] == [rated.reference]
    assert records[0]["Maximum sum"] == "2000.00"
    assert records[0]["Rating (red, amber, green)"] == "green"
    assert records[0]["Late returns"] == "0"
    response = client.get(reverse("monitoring-download", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.values)
    assert list(table[0])[:3] == ["Reference", "Organisation", "Status"]
    assert len(table[0]) == len(monitoring.COLUMNS)
    assert not any("_" in heading for heading in table[0])
    assert {row[0] for row in table[1:]} == {plain.reference, rated.reference}
    assert client.get(reverse("monitoring-download", args=["json"])).status_code == 404


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_the_same_number_of_queries_for_3_agreements_as_for_12(active, partner, officer):
    client = signed_in(officer)

    def page():
        assert client.get(reverse("monitoring")).status_code == 200

    def download():
        assert client.get(reverse("monitoring-download", args=["csv"])).status_code == 200

    def make(n):
        for i in range(n):
            agreement = past(active, str(1000 + i))
            if i % 2:
                accept_return(agreement.periods.get(number=1), partner, officer)

    make(3)
    page()  # warm the session and anything cached once per process
    few = (_count(page), _count(download), _count(lambda: rows()))
    make(9)
    assert len(rows()) == 12
    many = (_count(page), _count(download), _count(lambda: rows()))
    assert few == many
