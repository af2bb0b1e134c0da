"""The MTFS pages through the Django test client: who may read and change them, the scenario
page's tables beside the printed ones, the CFO's form (every error at once, nothing written
on a GET or a refusal), scenarios side by side, and the downloads."""

from __future__ import annotations

import io
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.mtfs.models import ScenarioYear

pytestmark = pytest.mark.django_db

SCENARIO = reverse("mtfs-scenario", args=["llr-2013-12"])
LIST = reverse("mtfs-list")
EDIT = reverse("mtfs-year-edit", args=["llr-2013-12", "2014-15"])
BASE = reverse("mtfs-base-edit", args=["llr-2013-12"])
COPY = reverse("mtfs-copy", args=["llr-2013-12"])
COMPARE = reverse("mtfs-compare")


@pytest.fixture
def panel(user_with):
    return user_with(Role.POLICE_CRIME_PANEL)


@pytest.fixture
def partner(user_with, organisation):
    return user_with(Role.PARTNER, organisation=organisation)


def get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:500]
    return response


@pytest.mark.parametrize("who", ["cfo", "officer", "panel"])
def test_staff_and_the_panel_read_the_scenarios(client, request, who):
    user = request.getfixturevalue(who)
    html = get(client, user, LIST).content.decode()
    assert "llr-2013-12" in html and "llr-2013-01" in html
    html = get(client, user, SCENARIO).content.decode()
    assert "Precept options" in html
    can_change = EDIT in html
    assert can_change is (who == "cfo")


@pytest.mark.parametrize("who", ["cfo", "officer", "panel"])
def test_the_years_page_leads_to_the_strategy(client, request, who):
    html = get(client, request.getfixturevalue(who), reverse("year-list")).content.decode()
    assert f'id="mtfs-link" href="{LIST}"' in html


def test_a_partner_is_refused_and_nobody_signed_out_sees_anything(client, partner):
    for url in (
        LIST,
        SCENARIO,
        COMPARE,
        reverse("mtfs-download", args=["llr-2013-12", "gap", "csv"]),
    ):
        get(client, partner, url, status=403)
    client.logout()
    response = client.get(SCENARIO)
    assert response.status_code == 302 and "sign-in" in response.url


@pytest.mark.parametrize("url", [EDIT, BASE, COPY])
def test_only_the_cfo_gets_the_forms(client, officer, panel, cfo, url):
    get(client, officer, url, status=403)
    get(client, panel, url, status=403)
    client.force_login(officer)
    assert client.post(url, {"precept_change_pct": "1"}).status_code == 403
    get(client, cfo, url)


def test_the_scenario_page_sets_the_computed_beside_the_printed(client, officer):
    html = get(client, officer, SCENARIO).content.decode()
    assert "£173,466,000" in html and "£49,153,000" in html and "£173.8750" in html
    assert "£49,153,000.21 (£0.21 against the council tax requirement)" in html
    # the 2014/15 gap as hand-checked in test_calc, and the 2% / 2016/17 precept cell
    assert "£3,709,104.79" in html and "£593,104.79" in html
    assert "£1,047,519.14" in html and "282,691.59 Band D equivalents" in html
    assert "printed £1,049,000<br><strong>differs by £1,480.86</strong>" in html
    assert "printed £248,000<br>agrees" in html
    # the printed gaps, para 7 and para 10, beside the scenario's
    assert "£6.085m" in html and "£19.878m" in html
    assert "5 of 12 printed precept figures and 0 of 6 printed gaps agree" in html
    assert "It is not 4 × the printed 0.5% figure, which would be £1,048,000." in html
    assert "<svg" in html  # the chart


def test_bad_increases_on_the_page_say_so(client, officer):
    client.force_login(officer)
    response = client.get(SCENARIO, {"increases": "1,lots"})
    assert response.status_code == 400
    assert "“lots” is not a number" in response.content.decode()
    html = client.get(SCENARIO, {"increases": "3"}).content.decode()
    assert "3%" in html


def test_a_get_writes_nothing(client, cfo):
    events = AuditEvent.objects.count()
    for url in (
        LIST,
        SCENARIO,
        EDIT,
        BASE,
        COPY,
        f"{COMPARE}?first=llr-2013-01&second=llr-2013-12",
    ):
        get(client, cfo, url)
    assert AuditEvent.objects.count() == events


def test_the_form_shows_the_values_with_percent_and_pound_signs(client, cfo):
    html = get(client, cfo, EDIT).content.decode()
    assert 'name="grant_change_pct"' in html and 'value="-3.3"' in html
    assert 'value="3116000"' in html
    assert '<div class="govuk-input__suffix" aria-hidden="true">%</div>' in html
    assert '<div class="govuk-input__prefix" aria-hidden="true">£</div>' in html


def _post(precept="0", **changes):
    data = {
        "tax_base_growth_pct": "0.8",
        "precept_change_pct": precept,
        "grant_change_pct": "-3.3",
        "pay_inflation_pct": "0",
        "price_inflation_pct": "0",
        "freeze_grant": "0",
        "savings_planned": "3,116,000",
        "use_of_reserves": "0",
        "reason": "",
    }
    return data | changes


def test_every_error_at_once_with_the_field_named(client, cfo):
    client.force_login(cfo)
    events = AuditEvent.objects.count()
    response = client.post(
        EDIT,
        _post(
            precept="2",
            tax_base_growth_pct="lots",
            grant_change_pct="",
            freeze_grant="£1,000",
            use_of_reserves="12.345",
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    for message in (
        "“lots” is not a number: write the 2014/15 tax base growth",
        "Enter the 2014/15 government grant change in percent",
        "2014/15 freeze grant: a freeze grant is paid only for not raising the precept",
        "has fractions of a penny",
    ):
        assert message in html
    assert html.count('class="govuk-error-message"') == 4
    assert 'href="#id_tax_base_growth_pct"' in html
    row = ScenarioYear.objects.get(scenario__name="llr-2013-12", year="2014/15")
    assert row.precept_change_pct == D("0") and row.freeze_grant == D("0")
    assert AuditEvent.objects.count() == events


def test_precept_plus_one_percent_in_the_browser_narrows_the_gap(client, cfo):
    """2014/15's precept 0% -> 1%: council tax £49,546,224.21 -> £50,041,686.46 (1% more),
    so the gap after savings falls by £495,462.24 to £97,642.54."""
    client.force_login(cfo)
    response = client.post(EDIT, _post(precept="1", reason="Panel: what if +1%"))
    assert response.status_code == 302 and response.url == SCENARIO
    html = client.get(SCENARIO).content.decode()
    assert "The 2014/15 assumptions of llr-2013-12 are changed." in html
    assert "£50,041,686.46" in html
    assert "£97,642.54" in html
    event = AuditEvent.objects.filter(action="mtfs.year_update").latest("id")
    assert (event.before, event.after, event.reason) == (
        {"precept_change_pct": "0.000"},
        {"precept_change_pct": "1.000"},
        "Panel: what if +1%",
    )


def test_copy_then_compare_side_by_side(client, cfo):
    client.force_login(cfo)
    response = client.post(COPY, {"name": "llr-plus-1", "title": "Precept +1% in 2014/15"})
    assert response.status_code == 302
    assert response.url == reverse("mtfs-scenario", args=["llr-plus-1"])
    edit = reverse("mtfs-year-edit", args=["llr-plus-1", "2014-15"])
    assert client.post(edit, _post(precept="1")).status_code == 302
    html = client.get(COMPARE, {"first": "llr-2013-12", "second": "llr-plus-1"}).content.decode()
    assert "<strong>Precept change</strong>" in html
    assert "£495,462.24" in html  # 1% of 2014/15's council tax, the difference in income
    bad = client.post(COPY, {"name": "llr-plus-1", "title": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "there is already a scenario called llr-plus-1" in text
    assert "Title: enter the scenario&#x27;s title" in text
    download = client.get(
        reverse("mtfs-compare-download", args=["csv"]),
        {"first": "llr-2013-12", "second": "llr-plus-1"},
    )
    assert download.status_code == 200
    lines = download.content.decode().splitlines()
    assert lines[0] == "year,measure,first,second,difference"
    assert "2014/15,Precept change (%),0,1,1" in lines


def test_downloads_through_the_one_download_response(client, panel):
    client.force_login(panel)
    csv_file = client.get(reverse("mtfs-download", args=["llr-2013-12", "precept", "csv"]))
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_file["Content-Disposition"] == 'attachment; filename="mtfs-llr-2013-12-precept.csv"'
    assert csv_file.content.decode().splitlines()[1] == "0.5,2014/15,247731.12"
    gap = json.loads(
        client.get(reverse("mtfs-download", args=["llr-2013-12", "gap", "json"])).content
    )
    assert gap["rows"][0]["gap_before_savings"] == "3709104.79"
    xlsx = client.get(reverse("mtfs-download", args=["llr-2013-12", "assumptions", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["year", "tax_base_growth_pct", "precept_change_pct"]
    assert [c.value for c in sheet[2]][:4] == ["2014/15", "0.8", "0", "-3.3"]
    rec = json.loads(
        client.get(reverse("mtfs-download", args=["llr-2013-12", "reconciliation", "json"])).content
    )
    assert len(rec["rows"]) == 13  # 7 precept figures and 6 gaps
    assert rec["rows"][0]["difference"] == "537.76"
    assert (
        client.get(reverse("mtfs-download", args=["llr-2013-12", "nope", "csv"])).status_code == 404
    )
    assert (
        client.get(reverse("mtfs-download", args=["llr-2013-12", "gap", "pdf"])).status_code == 404
    )
