"""Formula pages: officers set up and run; partners read their area and the method."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from commissioning.budgets.selectors import year_get
from commissioning.core.roles import Role
from commissioning.examples.formula_demo import scheme_run_ensure
from commissioning.formula import services
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_officer_runs_the_formula_from_the_form(client, officer):
    client.force_login(officer)
    year = year_get("2023/24")
    bad = client.post(
        reverse("formula-create"),
        {
            "year": year.pk,
            "pot": "639,675",
            "weight_harm": "65",
            "weight_rate": "20",
            "weight_population": "10",
            "population_source": "census2021",
            "join": "merge",
            "unit": "1",
        },
    )
    assert bad.status_code == 400 and "add up to 95%" in bad.content.decode()
    ok = client.post(
        reverse("formula-create"),
        {
            "year": year.pk,
            "pot": "639,675",
            "weight_harm": "65",
            "weight_rate": "20",
            "weight_population": "15",
            "population_source": "census2021",
            "join": "merge",
            "unit": "25",
            "previous_year": year_get("2016/17").pk,
        },
    )
    assert ok.status_code == 302
    page = client.get(ok["Location"]).content.decode()
    assert "byte-for-byte identical" in page
    assert "£639,675" in page and "<svg" in page and "Leicester" in page


def test_run_downloads(client, officer):
    client.force_login(officer)
    run = scheme_run_ensure()
    pdf = client.get(reverse("formula-download", args=[run.uuid, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv_text = client.get(reverse("formula-download", args=[run.uuid, "csv"])).content.decode()
    assert csv_text.splitlines()[0].startswith("Area code,Area,Crime harm,Crimes")
    assert sum(D(line.split(",")[7]) for line in csv_text.splitlines()[1:]) == D("639675.00")
    assert client.get(reverse("formula-download", args=[run.uuid, "xlsx"])).status_code == 200


def test_partner_sees_their_area_of_an_adopted_run_only(client, user_with, officer):
    run = scheme_run_ensure()
    charnwood = Organisation.objects.get(key="charnwood-safer-community-partnership")
    partner = user_with(Role.PARTNER, organisation=charnwood)
    client.force_login(partner)
    url = reverse("formula-partner", args=[run.uuid])
    assert client.get(url).status_code == 404, "not adopted yet"
    assert client.get(reverse("formula-run", args=[run.uuid])).status_code == 403
    services.formula_run_adopt(actor=officer, run=run, year=year_get("2023/24"))
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["mine"].name == "Charnwood"
    assert "Your area, part by part" in page.content.decode()


def test_reviewer_and_anonymous_cannot_see_runs(client, user_with):
    run = scheme_run_ensure()
    assert client.get(reverse("formula-run", args=[run.uuid])).status_code == 302
    client.force_login(user_with(Role.REVIEWER))
    assert client.get(reverse("formula-run", args=[run.uuid])).status_code == 403
    assert client.get(reverse("formula-list")).status_code == 403


def test_adopt_needs_post_and_permission(client, user_with):
    run = scheme_run_ensure()
    client.force_login(user_with(Role.PCC))
    assert (
        client.post(
            reverse("formula-adopt", args=[run.uuid]), {"year": year_get("2023/24").pk}
        ).status_code
        == 403
    )
    assert client.get(reverse("formula-adopt", args=[run.uuid])).status_code in (403, 405)
